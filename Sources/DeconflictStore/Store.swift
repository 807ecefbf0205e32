public import DeconflictEngine
public import Foundation

/// Where Deconflict keeps what must not be lost: the ledger and the position reports.
///
/// Every method that writes is one transaction and returns only once what it wrote is
/// durable (committed to disk, or by the database server), never earlier. Batching the
/// requests of many clients into one commit (group commit) is the node's, once, above
/// the store. Backends: ``SQLiteStore`` (one file, the default) and ``PostgresStore``
/// for several servers sharing one database; both pass the same contract tests. Use a
/// store inside ``withStore(_:_:)``, which keeps what it runs running exactly that long.
public protocol Store: Sendable {
    /// Appends `records` to the ledger, chained after its head, in one transaction.
    /// Returns the entries as sealed.
    func append(_ records: [LedgerRecord]) async throws -> [LedgerEntry]

    /// Stores position reports.
    func appendReports(_ reports: [PositionReport]) async throws

    /// Ledger entries with a sequence above `sequence`, in order, at most `limit`.
    func entries(after sequence: Int64, limit: Int) async throws -> [LedgerEntry]

    /// The hashes of at most `limit` entries after `sequence`, in order, with their
    /// sequences: what the Merkle tree beside the chain reads (``MerkleTree``), without
    /// the payloads.
    func hashes(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, hash: String)]

    /// The last entry of the ledger, if any.
    func head() async throws -> LedgerEntry?

    /// The last report of each unit at or before `instant`.
    func latestReports(atOrBefore instant: Date) async throws -> [PositionReport]

    /// The reports of `unit` between `from` and `to`, oldest first.
    func reports(of unit: UnitID, from: Date, to: Date) async throws -> [PositionReport]

    /// The tracks to draw of `units`, each over its own window from `from` to `to`: at
    /// most `points` reports a unit, spread evenly in time (``TrackSampling``), so a read
    /// costs the same however often the units reported. A unit with no report in its
    /// window has an empty track.
    func tracks(of units: [(unit: UnitID, from: Date)], to: Date, points: Int) async throws -> [UnitID: [PositionReport]]

    /// Deletes the reports older than `instant` (the retention); returns how many.
    @discardableResult
    func pruneReports(before instant: Date) async throws -> Int

    /// Appends `records` and stores `batches` in one transaction, but only if the
    /// ledger's last sequence is still `head` (0 for an empty ledger): the write of a node
    /// whose state was computed from exactly that ledger. Durable when it returns.
    ///
    /// - Throws: ``LedgerConflict`` when another writer appended first; nothing is
    ///   written then.
    func commit(_ records: [LedgerRecord], batches: [ReportBatch], expectingHead head: Int64) async throws -> [LedgerEntry]

    /// Runs what the store needs while it is in use (a PostgreSQL store's connection
    /// pool) until the calling task is cancelled. A store that needs nothing returns.
    func run() async

    /// Makes the store ready once ``run()`` has started: connects and brings the schema
    /// up to date.
    func prepare() async throws
}

extension Store {
    public func run() async {}
    public func prepare() async throws {}
}

/// Runs `body` with `store` in use: what the store runs (``Store/run()``) runs in a child
/// task for exactly as long as `body`, after ``Store/prepare()``. No task outlives the
/// call.
public func withStore<Result: Sendable>(
    _ store: any Store, isolation: isolated (any Actor)? = #isolation, _ body: (any Store) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { await store.run() }
        defer { group.cancelAll() }
        try await store.prepare()
        return try await body(store)
    }
}

/// Position reports accepted together, under an identifier that the ledger names.
public struct ReportBatch: Hashable, Sendable {
    public let id: String
    public let reports: [PositionReport]

    public init(id: String, reports: [PositionReport]) {
        self.id = id
        self.reports = reports
    }
}

/// Another writer appended to the ledger after the head a write expected.
public struct LedgerConflict: Error, Hashable, Sendable, CustomStringConvertible {
    public let expected: Int64
    public let actual: Int64

    public init(expected: Int64, actual: Int64) {
        self.expected = expected
        self.actual = actual
    }

    public var description: String { "the ledger's head is \(actual), not \(expected): another writer appended first" }
}

extension Store {
    /// Every ledger entry, in order.
    public func allEntries() async throws -> [LedgerEntry] {
        var result: [LedgerEntry] = []
        while true {
            let page = try await entries(after: result.last?.sequence ?? 0, limit: 10_000)
            if page.isEmpty { return result }
            result += page
        }
    }
}

/// A storage failure, with what was being done and why it failed.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let operation: String
    public let reason: String

    public init(_ operation: String, _ reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(operation): \(reason)" }
}

/// How a track is thinned to draw: for each of `points` instants spread evenly over the
/// window (from + (to − from)·k/points, k = 1…points), the unit's last report at or
/// before it and not before the window's start, each report once. The last point is the
/// unit's last report by `to`; a unit reporting more rarely than the spacing keeps every
/// report. Each instant is one index seek, never a scan of the window.
public enum TrackSampling {
    /// The instants, oldest first (just `to` when the window is empty).
    public static func instants(from: Date, to: Date, points: Int) -> [Double] {
        let start = from.timeIntervalSince1970, end = to.timeIntervalSince1970
        guard points > 1, end > start else { return [end] }
        return (1...points).map { $0 == points ? end : start + (end - start) * Double($0) / Double(points) }
    }

    /// `reports` (a unit's, oldest first) thinned as a store does it: the reference the
    /// stores are held to.
    public static func thin(_ reports: [PositionReport], from: Date, to: Date, points: Int) -> [PositionReport] {
        let window = reports.filter { $0.time >= from && $0.time <= to }
        var track: [PositionReport] = []
        for instant in instants(from: from, to: to, points: points) {
            guard let last = window.last(where: { $0.time.timeIntervalSince1970 <= instant }) else { continue }
            if track.last?.time != last.time { track.append(last) }
        }
        return track
    }
}
