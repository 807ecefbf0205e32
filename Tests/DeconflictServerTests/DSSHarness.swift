import _CryptoExtras
import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Signs DSS access tokens with a throwaway RSA key whose public half the server trusts.
struct TokenAuthority: Sendable {
    let keys: JWTKeyCollection
    let publicKeyPEM: String

    static func make() async throws -> TokenAuthority {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: key.pemRepresentation), digestAlgorithm: .sha256)
        return TokenAuthority(keys: keys, publicKeyPEM: key.publicKey.pemRepresentation)
    }

    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var aud: AudienceClaim?
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var iss: IssuerClaim?
        var scope: String?
        var jti: IDClaim?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func token(
        _ subject: String?, scopes: [String], audience: String? = "localhost", expiresIn: Double? = 600, notBefore: Double? = nil,
        id: String? = nil
    ) async throws -> String {
        try await keys.sign(Claims(
            sub: subject.map { .init(value: $0) }, aud: audience.map { .init(value: [$0]) },
            exp: expiresIn.map { .init(value: Date().addingTimeInterval($0)) }, nbf: notBefore.map { .init(value: Date().addingTimeInterval($0)) },
            iss: .init(value: "https://auth.example.test/token"), scope: scopes.joined(separator: " "), jti: id.map { .init(value: $0) }))
    }
}

/// The F3548 scopes.
enum Scopes {
    static let sc = "utm.strategic_coordination"
    static let cm = "utm.constraint_management"
    static let cp = "utm.constraint_processing"
    static let cmsa = "utm.conformance_monitoring_sa"
    static let aa = "utm.availability_arbitration"
}

/// A USS talking to the DSS interface with its own token.
struct USSClient: Sendable {
    let base: String
    let token: String?

    struct Answer: Sendable {
        let status: Int
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        var message: String { json["message"] as? String ?? "" }
    }

    func send(_ method: HTTPMethod, _ path: String, _ json: Any? = nil, headers: [(String, String)] = []) async throws -> Answer {
        try await send(method, path, data: try json.map { try JSONSerialization.data(withJSONObject: $0) }, headers: headers)
    }

    func send(_ method: HTTPMethod, _ path: String, data: Data?, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let data {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: data))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Answer(status: Int(response.status.code), body: Data(buffer: buffer))
    }
}

/// Volumes and requests in the interface's shapes.
enum F3548Body {
    static func time(_ date: Date) -> [String: Any] {
        ["value": date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), "format": "RFC3339"]
    }

    /// A circle volume, `minutes` from now for `duration` minutes.
    static func circle(
        _ lat: Double, _ lng: Double, radius: Double = 500, low: Double = 0, high: Double = 120, from minutes: Double = 5,
        for duration: Double = 30
    ) -> [String: Any] {
        let start = Date().addingTimeInterval(minutes * 60)
        return [
            "volume": [
                "outline_circle": ["center": ["lat": lat, "lng": lng], "radius": ["value": radius, "units": "M"]],
                "altitude_lower": ["value": low, "reference": "W84", "units": "M"],
                "altitude_upper": ["value": high, "reference": "W84", "units": "M"],
            ],
            "time_start": time(start), "time_end": time(start.addingTimeInterval(duration * 60)),
        ]
    }

    static func polygon(_ vertices: [(Double, Double)], low: Double = 0, high: Double = 120, from minutes: Double = 5, for duration: Double = 30) -> [String: Any] {
        let start = Date().addingTimeInterval(minutes * 60)
        return [
            "volume": [
                "outline_polygon": ["vertices": vertices.map { ["lat": $0.0, "lng": $0.1] }],
                "altitude_lower": ["value": low, "reference": "W84", "units": "M"],
                "altitude_upper": ["value": high, "reference": "W84", "units": "M"],
            ],
            "time_start": time(start), "time_end": time(start.addingTimeInterval(duration * 60)),
        ]
    }

    static func intent(
        _ extents: [[String: Any]], state: String = "Accepted", key: [String] = [], base: String = "https://uss1.example.test/utm",
        subscription: String? = nil, implicit: Bool = true, constraints: Bool = false
    ) -> [String: Any] {
        var body: [String: Any] = ["extents": extents, "state": state, "key": key, "uss_base_url": base]
        if let subscription { body["subscription_id"] = subscription }
        else if implicit { body["new_subscription"] = ["uss_base_url": base, "notify_for_constraints": constraints] }
        return body
    }

    static func subscription(
        _ extents: [String: Any], base: String = "https://uss1.example.test/utm", intents: Bool = true, constraints: Bool = false
    ) -> [String: Any] {
        ["extents": extents, "uss_base_url": base, "notify_for_operational_intents": intents, "notify_for_constraints": constraints]
    }
}

func newID() -> String { UUID().uuidString.lowercased() }

extension [String: Any] {
    subscript(path path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") {
            if let index = Int(key), let list = current as? [Any] { current = index < list.count ? list[index] : nil }
            else { current = (current as? [String: Any])?[String(key)] }
        }
        return current
    }
}
