public import DeconflictEngine
import DeconflictLedger
import DeconflictStore
public import DeconflictNode
public import Foundation
import JWTKit

/// Verifies JWT bearer tokens (RS256 or ES256) with keys from PEM files or a JWKS file:
/// the signature, `exp` (required, and at most ``maximumLifetime`` ahead: a stolen token
/// is good for a bounded time), `nbf` (when present) and `aud` (must include the
/// configured audience), and, where the deployment asks for single-use tokens
/// (``replays``), a `jti` not seen before. The party is the token's `sub`.
public struct JWTVerifier: TokenVerifier {
    /// One collection per PEM key (each its default key: PEM files carry no key id, and a
    /// collection has one default) and one for the JWKS (by `kid`); a token is good when
    /// one of them verifies it.
    let keySets: [JWTKeyCollection]
    package let audience: String
    package let clock: @Sendable () -> Date
    /// The longest a token may still be valid for: one whose `exp` is further ahead is
    /// refused. Default one day.
    public var maximumLifetime: TimeInterval = 86_400
    /// When set, each token is accepted once (``TokenReplays``).
    public var replays: TokenReplays?
    package static let accepted: Set<String> = ["RS256", "ES256"]

    /// Loads the keys.
    ///
    /// - Throws: ``FieldError`` naming the file that cannot be read or holds no usable key.
    public static func load(
        pemFiles: [String], jwksFile: String?, audience: String, maximumLifetime: TimeInterval = 86_400,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> JWTVerifier {
        var keySets: [JWTKeyCollection] = []
        for path in pemFiles {
            let keys = JWTKeyCollection()
            keySets.append(keys)
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw FieldError(field: "--jwt-key", reason: "cannot read \(path)")
            }
            if let key = try? Insecure.RSA.PublicKey(pem: pem) {
                await keys.add(rsa: key, digestAlgorithm: .sha256)
            } else if let key = try? ES256PublicKey(pem: pem) {
                await keys.add(ecdsa: key)
            } else {
                throw FieldError(field: "--jwt-key", reason: "\(path) holds no RSA or P-256 public key in PEM")
            }
        }
        if let jwksFile {
            guard let json = try? String(contentsOfFile: jwksFile, encoding: .utf8) else {
                throw FieldError(field: "--jwks", reason: "cannot read \(jwksFile)")
            }
            let keys = JWTKeyCollection()
            keySets.append(keys)
            do {
                try await keys.add(jwksJSON: json)
            } catch {
                throw FieldError(field: "--jwks", reason: "\(jwksFile) is not a usable JWKS: \(error)")
            }
        }
        var verifier = JWTVerifier(keySets: keySets, audience: audience, clock: clock)
        verifier.maximumLifetime = maximumLifetime
        return verifier
    }

    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var aud: AudienceClaim?
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var jti: IDClaim?

        /// The checks are made after decoding, to name what is wrong.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    public func verify(_ token: String, again: Bool) async throws(FieldError) -> PartyID {
        func refuse(_ reason: String) -> FieldError { FieldError(field: "Authorization", reason: reason, code: .unauthenticated) }
        guard let algorithm = TokenChecks.algorithm(token) else { throw refuse("not an API key and not a JWT") }
        guard Self.accepted.contains(algorithm) else {
            throw refuse("token algorithm \(algorithm) is not accepted (RS256 or ES256)")
        }
        var verified: Claims?
        for keys in keySets where verified == nil {
            verified = try? await keys.verify(token, as: Claims.self)
        }
        guard let claims = verified else { throw refuse("token signature not verified by any configured key") }
        let now = clock()
        if let refusal = TokenChecks.timeRefusal(expiry: claims.exp?.value, notBefore: claims.nbf?.value, now: now) {
            throw refuse(refusal)
        }
        if let expiry = claims.exp?.value, expiry.timeIntervalSince(now) > maximumLifetime {
            throw refuse("token valid for more than \(Int(maximumLifetime)) s (exp \(RFC3339.shortest(expiry))): a shorter-lived token is expected")
        }
        guard let audiences = claims.aud?.value, audiences.contains(audience) else {
            throw refuse("token audience does not include \(audience)")
        }
        if !again, let replays, let expiry = claims.exp?.value,
           let refusal = replays.admit(jti: claims.jti?.value, subject: claims.sub.value, expiry: expiry, now: now) {
            throw refuse(refusal)
        }
        return PartyID(claims.sub.value)
    }

    /// Decodes one base64url segment of a JWT.
    package static func decodeSegment(_ segment: Substring) -> Data? {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }
}

/// The checks every bearer token passes, whichever interface it opens.
package enum TokenChecks {
    /// The `alg` of a JWT's header (`none` when it names none), or nil when `token` is
    /// not a JWT at all.
    package static func algorithm(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = JWTVerifier.decodeSegment(parts[0]),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else { return nil }
        return object["alg"] as? String ?? "none"
    }

    /// Why a token with these times is refused at `now`: no expiry, expired, or not yet
    /// valid; nil when it is valid.
    package static func timeRefusal(expiry: Date?, notBefore: Date?, now: Date) -> String? {
        guard let expiry else { return "token has no exp" }
        guard expiry > now else { return "token expired at \(RFC3339.shortest(expiry))" }
        if let notBefore, notBefore > now { return "token not valid before \(RFC3339.shortest(notBefore))" }
        return nil
    }
}
