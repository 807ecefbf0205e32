public import DeconflictStore
import Synchronization

/// Hands every ledger entry a node commits or learns of to the live streams, in order.
///
/// A subscriber that falls far behind loses entries from its buffer rather than holding
/// the node back; it sees the gap in the sequence numbers and reads the missing entries
/// from the store (see ``LedgerFeed``), so a stream never skips an entry.
public final class Hub: Sendable {
    private struct State {
        package var next = 0
        package var subscribers: [Int: AsyncStream<LedgerEntry>.Continuation] = [:]
        package var finished = false
    }

    private let state = Mutex(State())
    /// Entries a subscriber may have waiting before the oldest are dropped.
    package static let buffer = 50_000

    public init() {}

    /// A stream of the entries published from now on, and its key for ``unsubscribe(_:)``.
    public func subscribe() -> (key: Int, entries: AsyncStream<LedgerEntry>) {
        let (stream, continuation) = AsyncStream<LedgerEntry>.makeStream(bufferingPolicy: .bufferingNewest(Hub.buffer))
        let key = state.withLock { state -> Int in
            if state.finished { return -1 }
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        // Finishing calls onTermination, which takes the lock: never under it.
        if key < 0 {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in self?.unsubscribe(key) }
        }
        return (key, stream)
    }

    public func unsubscribe(_ key: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: key) }
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Live streams ended because their client stopped reading (see ``StreamWatchdog``).
    public var slowClientsDropped: Int { slowDrops.load(ordering: .relaxed) }
    private let slowDrops = Atomic<Int>(0)

    package func countSlowClientDropped() { slowDrops.add(1, ordering: .relaxed) }

    /// Hands `entries` to every subscriber. Only the node publishes, one call at a time,
    /// so every subscriber sees the entries in order.
    package func publish(_ entries: [LedgerEntry]) {
        guard !entries.isEmpty else { return }
        // Yielding wakes a subscriber's waiting task, which takes that task's lock; a task
        // being cancelled holds its lock while its stream's onTermination unsubscribes,
        // which takes this one. So yield never under the lock: the two would deadlock,
        // holding two of the threads Swift concurrency runs on (all of them on two cores).
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for continuation in subscribers {
            for entry in entries { continuation.yield(entry) }
        }
    }

    /// Ends every stream (the node is stopping).
    package func finish() {
        let open = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in open { continuation.finish() }
    }
}

/// The ledger from a sequence number on, then live: every entry exactly once, in order,
/// whatever the hub dropped or the node learned late.
public struct LedgerFeed: AsyncSequence, Sendable {
    public typealias Element = LedgerEntry
    package let store: any Store
    package let hub: Hub
    package let after: Int64

    public init(store: any Store, hub: Hub, after: Int64) {
        self.store = store
        self.hub = hub
        self.after = after
    }

    public func makeAsyncIterator() -> Iterator {
        // Subscribe first, so nothing committed while the backlog is read is missed.
        let subscription = hub.subscribe()
        return Iterator(store: store, hub: hub, key: subscription.key, live: subscription.entries.makeAsyncIterator(), last: after)
    }

    public struct Iterator: AsyncIteratorProtocol {
        package let store: any Store
        package let hub: Hub
        package let key: Int
        package var live: AsyncStream<LedgerEntry>.Iterator
        package var last: Int64
        package var backlog: [LedgerEntry] = []
        package var caughtUp = false

        public mutating func next() async throws -> LedgerEntry? {
            while true {
                if !backlog.isEmpty {
                    let entry = backlog.removeFirst()
                    last = entry.sequence
                    return entry
                }
                if !caughtUp {
                    backlog = try await store.entries(after: last, limit: 1_000)
                    if backlog.isEmpty { caughtUp = true }
                    continue
                }
                guard let entry = await live.next() else {
                    hub.unsubscribe(key)
                    return nil
                }
                if entry.sequence <= last { continue }  // read from the store already
                if entry.sequence > last + 1 {
                    // The buffer dropped some, or they were committed while the backlog was read.
                    backlog = try await store.entries(after: last, limit: Int(Swift.min(entry.sequence - last, 1_000)))
                    if backlog.isEmpty { caughtUp = false }
                    continue
                }
                last = entry.sequence
                return entry
            }
        }
    }
}
