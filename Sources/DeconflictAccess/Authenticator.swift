public import DeconflictEngine
public import DeconflictLedger
public import DeconflictNode

/// Who is asking: an API key (`Authorization: Bearer dck_…` or `X-API-Key`) or a JWT
/// bearer token. Every request but the health checks, `/metrics` and `/openapi.json`
/// needs one.
public struct Authenticator: Sendable {
    package let node: Node
    package let tokens: (any TokenVerifier)?
    /// The rate limits of every credential, address and CoT party.
    public let limiter: RateLimiter

    public init(node: Node, tokens: (any TokenVerifier)? = nil, limits: RateLimits = RateLimits()) {
        self.node = node
        self.tokens = tokens
        self.limiter = RateLimiter(limits)
    }

    /// The actor of the credential, or a 401 naming what is wrong with it.
    ///
    /// - Parameter again: the credential is checked again for a connection it opened (a
    ///   stream, a CoT connection): still valid, not a new use of it, so a single-use token
    ///   (``TokenReplays``) is not refused as its own replay.
    public func authenticate(_ credential: String?, again: Bool = false) async throws(FieldError) -> Actor {
        guard let credential, !credential.isEmpty else {
            throw FieldError(field: "Authorization", reason: "no credential: send an API key or a bearer token", code: .unauthenticated)
        }
        if credential.hasPrefix("dck_") {
            guard let (id, secret) = Credentials.parse(credential), let record = await node.credential(id),
                  Credentials.matches(secret, record)
            else { throw FieldError(field: "Authorization", reason: "unknown or revoked API key", code: .unauthenticated) }
            return Actor(record.actor)
        }
        guard let tokens else {
            throw FieldError(field: "Authorization", reason: "not an API key, and no token keys are configured", code: .unauthenticated)
        }
        let party = try await tokens.verify(credential, again: again)
        guard await node.read({ $0.parties[party] != nil }) else {
            throw FieldError(field: "Authorization", reason: "the token's subject \(party) is not a party", code: .unauthenticated)
        }
        return .party(party)
    }
}

/// Verifies bearer tokens; returns the party they speak for.
public protocol TokenVerifier: Sendable {
    /// The party `token` speaks for. `again`: the token is checked once more for the
    /// connection it opened, not used anew.
    func verify(_ token: String, again: Bool) async throws(FieldError) -> PartyID
}

extension TokenVerifier {
    public func verify(_ token: String) async throws(FieldError) -> PartyID {
        try await verify(token, again: false)
    }
}
