import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The calls the load generator makes to a running `deconflict serve`.
struct ServerAPI: Sendable {
    let base: String
    let http: HTTPClient

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// An answer: status and body.
    struct Answer: Sendable {
        let status: Int
        let body: ByteBuffer

        var text: String { String(buffer: body) }

        /// The `sequence` of the ledger entry the write reached (0 when absent).
        var sequence: Int64 {
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else { return 0 }
            return (object["sequence"] as? NSNumber)?.int64Value ?? 0
        }

        /// `alertsRaised` of a report batch's answer.
        var alertsRaised: Int {
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else { return 0 }
            return (object["alertsRaised"] as? Int) ?? 0
        }

        /// The numbers `accepted` and the count of `rejected` of a report batch's answer.
        var ingest: (accepted: Int, rejected: Int) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else { return (0, 0) }
            return ((object["accepted"] as? Int) ?? 0, (object["rejected"] as? [Any])?.count ?? 0)
        }
    }

    /// Sends a request and reads the whole answer.
    func send(
        _ method: HTTPMethod, _ path: String, key: String, body: ByteBuffer? = nil,
        contentType: String = "application/json"
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let answer = try await response.body.collect(upTo: 1 << 26)
        return Answer(status: Int(response.status.code), body: answer)
    }

    /// Sends a JSON object built from dictionaries; fails unless the status is 2xx.
    @discardableResult
    func expect(_ method: HTTPMethod, _ path: String, key: String, json: [String: Any]? = nil) async throws -> Answer {
        let body = try json.map { ByteBuffer(data: try JSONSerialization.data(withJSONObject: $0)) }
        let answer = try await send(method, path, key: key, body: body)
        guard (200..<300).contains(answer.status) else {
            throw Failure(description: "\(method) \(path): \(answer.status) \(answer.text)")
        }
        return answer
    }
}
