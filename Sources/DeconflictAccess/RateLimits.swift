import DeconflictEngine
package import DeconflictLedger
import DeconflictNode
import Foundation
import Prometheus
import Synchronization

/// How fast each caller may go. Every limit is a token bucket: `perSecond` tokens a
/// second, up to `burst` saved; a limit of 0 (or less) is no limit.
///
/// - HTTP requests per credential (an API key, or the subject of a bearer token; on the
///   DSS interface, the USS its token names): refused with 429 and `Retry-After` once
///   spent.
/// - Failed authentications per remote address: once spent, a request from that
///   address is refused with 429 before its credential is even looked at (a flood of
///   forged tokens costs no signature checks).
/// - Cursor-on-Target events per party, over all its connections: events beyond the
///   limit are dropped and counted.
public struct RateLimits: Sendable, Equatable {
    public var requestsPerSecond: Double = 5_000
    public var requestBurst: Double = 10_000
    public var failuresPerSecond: Double = 20
    public var failureBurst: Double = 200
    public var cotEventsPerSecond: Double = 200_000
    public var cotEventBurst: Double = 400_000

    public init() {}

    /// No limit at all.
    public static var none: RateLimits {
        var limits = RateLimits()
        limits.requestsPerSecond = 0
        limits.failuresPerSecond = 0
        limits.cotEventsPerSecond = 0
        return limits
    }
}

/// Token buckets by key (a credential, an address, a party), refilled continuously.
package final class TokenBuckets: Sendable {
    package struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    package let perSecond: Double
    package let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Buckets kept at most; full ones are forgotten first (a full bucket is the same as
    /// none), so that many callers seen once cannot grow the table without bound.
    package static let tableLimit = 50_000

    package init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = max(burst, 1)
    }

    package var isLimited: Bool { perSecond > 0 && perSecond.isFinite }

    /// Takes one token for `key`: nil when there was one, otherwise how long until
    /// there is.
    package func take(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard isLimited else { return nil }
        return buckets.withLock { table in
            var bucket = refilled(table[key], now: now)
            defer {
                if table.count >= Self.tableLimit, table[key] == nil { prune(&table, now: now) }
                table[key] = bucket
            }
            guard bucket.tokens >= 1 else { return wait(bucket) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// How long until `key` has a token again (nil: it has one now); takes none.
    package func empty(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard isLimited else { return nil }
        return buckets.withLock { table in
            guard let stored = table[key] else { return nil }
            let bucket = refilled(stored, now: now)
            return bucket.tokens >= 1 ? nil : wait(bucket)
        }
    }

    private func refilled(_ bucket: Bucket?, now: ContinuousClock.Instant) -> Bucket {
        guard var bucket else { return Bucket(tokens: burst, updated: now) }
        let elapsed = Double((now - bucket.updated).components.seconds) + Double((now - bucket.updated).components.attoseconds) * 1e-18
        bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * perSecond)
        bucket.updated = now
        return bucket
    }

    private func wait(_ bucket: Bucket) -> Duration {
        .milliseconds(Int64(((1 - bucket.tokens) / perSecond * 1_000).rounded(.up)).clamped(1, 3_600_000))
    }

    private func prune(_ table: inout [String: Bucket], now: ContinuousClock.Instant) {
        table = table.filter { refilled($0.value, now: now).tokens < burst }
        if table.count >= Self.tableLimit { table.removeAll() }
    }
}

extension Int64 {
    fileprivate func clamped(_ lower: Int64, _ upper: Int64) -> Int64 { Swift.min(Swift.max(self, lower), upper) }
}

/// The buckets of one server, shared by its HTTP API and its CoT listeners.
public final class RateLimiter: Sendable {
    public let limits: RateLimits
    package let requests: TokenBuckets
    package let failures: TokenBuckets
    package let cotEvents: TokenBuckets

    public init(_ limits: RateLimits = RateLimits()) {
        self.limits = limits
        requests = TokenBuckets(perSecond: limits.requestsPerSecond, burst: limits.requestBurst)
        failures = TokenBuckets(perSecond: limits.failuresPerSecond, burst: limits.failureBurst)
        cotEvents = TokenBuckets(perSecond: limits.cotEventsPerSecond, burst: limits.cotEventBurst)
    }

    /// The bucket a credential draws on: an API key's id, or a token's party. Never the
    /// secret itself.
    package static func bucket(of credential: String, actor: Actor) -> String {
        if let (id, _) = Credentials.parse(credential) { return "key:" + id }
        return "token:" + actor.description
    }

    /// A wait in whole seconds, at least one (`Retry-After`).
    package static func seconds(_ wait: Duration) -> Int {
        max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18).rounded(.up)))
    }
}

extension ServerMetrics {
    /// Counts something refused by a rate limit: `interface` http, dss or cot, `limit`
    /// credential, address or party.
    package func rateLimited(interface: String, limit: String) {
        registry.makeCounter(
            name: "deconflict_rate_limited_total", labels: [("interface", interface), ("limit", limit)],
            help: "Requests and CoT events refused by a rate limit, by interface and limit."
        ).increment()
    }
}
