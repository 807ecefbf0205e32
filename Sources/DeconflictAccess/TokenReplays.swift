package import DeconflictEngine
public import Foundation
import Synchronization

/// Bearer tokens that may be used once (`--jwt-single-use`, `--dss-single-use`): a token
/// must carry a `jti`, and a `jti` seen before from the same subject is refused until
/// the token expires (it could not be used after anyway). The tokens seen are kept in
/// memory until their expiry, at most ``capacity`` of them; when that many unexpired
/// tokens are held, a new one is refused (the cache fails closed rather than forget a
/// token that could then be replayed).
///
/// The cache is per node: behind a load balancer, a token replayed to another node is
/// not recognised unless the balancer keeps each client on one node.
public final class TokenReplays: Sendable {
    /// How many unexpired tokens are kept at most.
    public let capacity: Int

    private struct State {
        var seen: Set<String> = []
        var expiries = DeadlineQueue<String>()
    }

    private let state = Mutex(State())

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Why the token is refused (no `jti`, already used, too many held), or nil when it
    /// is accepted and now remembered until `expiry`.
    public func admit(jti: String?, subject: String, expiry: Date, now: Date) -> String? {
        guard let jti, !jti.isEmpty else { return "token has no jti: this service accepts single-use tokens only" }
        let key = subject + "\u{0}" + jti
        return state.withLock { state -> String? in
            while let (expired, _) = state.expiries.popDue(at: now) { state.seen.remove(expired) }
            if state.seen.contains(key) { return "token jti \(jti) was already used: a single-use token is accepted once" }
            guard state.seen.count < capacity else {
                return "too many single-use tokens held (\(capacity)); try again with a token once older ones expire"
            }
            state.seen.insert(key)
            state.expiries.insert(key, due: expiry)
            return nil
        }
    }

    /// How many tokens are held (for the tests and metrics).
    public var count: Int { state.withLock { $0.seen.count } }
}
