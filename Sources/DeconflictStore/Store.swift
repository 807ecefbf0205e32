public import DeconflictEngine
public import Foundation

/// Where Deconflict keeps what must not be lost: the ledger and the position reports.
///
/// Every method that writes returns only once what it wrote is durable (committed to
/// disk, or by the database server); concurrent writers are batched into one commit
/// (group commit), never acknowledged early. Backends: ``SQLiteStore`` (one file, the
/// default) and the PostgreSQL store for several servers sharing one database; both
/// pass the same contract tests.
public protocol Store: Sendable {
    /// Appends `records` to the ledger, chained after its head, in one transaction.
    /// Returns the entries as sealed.
    func append(_ records: [LedgerRecord]) async throws -> [LedgerEntry]

    /// Stores position reports.
    func appendReports(_ reports: [PositionReport]) async throws

    /// Ledger entries with a sequence above `sequence`, in order, at most `limit`.
    func entries(after sequence: Int64, limit: Int) async throws -> [LedgerEntry]

    /// The last entry of the ledger, if any.
    func head() async throws -> LedgerEntry?

    /// The last report of each unit at or before `instant`.
    func latestReports(atOrBefore instant: Date) async throws -> [PositionReport]

    /// The reports of `unit` between `from` and `to`, oldest first.
    func reports(of unit: UnitID, from: Date, to: Date) async throws -> [PositionReport]

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

/// Batches concurrent writes into one transaction: while one commit runs, whatever
/// arrives waits for the next, and every caller resumes only after the commit that
/// holds its write.
actor GroupCommit {
    /// One caller's write.
    enum Job {
        case records([LedgerRecord], CheckedContinuation<[LedgerEntry], any Error>)
        case reports([PositionReport], CheckedContinuation<Void, any Error>)
    }

    /// Writes the records (each caller's list) and the reports in one transaction,
    /// returning each list's sealed entries.
    typealias Commit = @Sendable ([[LedgerRecord]], [PositionReport]) async throws -> [[LedgerEntry]]

    private let commit: Commit
    private var pending: [Job] = []
    private var running = false
    /// Commits made, and writes they held (for the benchmarks and tests).
    private(set) var commits = 0
    private(set) var writes = 0

    init(_ commit: @escaping Commit) {
        self.commit = commit
    }

    func append(_ records: [LedgerRecord]) async throws -> [LedgerEntry] {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.records(records, continuation))
        }
    }

    func appendReports(_ reports: [PositionReport]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enqueue(.reports(reports, continuation))
        }
    }

    private func enqueue(_ job: Job) {
        pending.append(job)
        guard !running else { return }
        running = true
        Task { await drain() }
    }

    private func drain() async {
        while !pending.isEmpty {
            let jobs = pending
            pending = []
            var lists: [[LedgerRecord]] = []
            var reports: [PositionReport] = []
            for job in jobs {
                switch job {
                case .records(let records, _): lists.append(records)
                case .reports(let batch, _): reports += batch
                }
            }
            do {
                let sealed = try await commit(lists, reports)
                commits += 1
                writes += jobs.count
                var index = 0
                for job in jobs {
                    switch job {
                    case .records(_, let continuation):
                        continuation.resume(returning: sealed[index])
                        index += 1
                    case .reports(_, let continuation):
                        continuation.resume()
                    }
                }
            } catch {
                for job in jobs {
                    switch job {
                    case .records(_, let continuation): continuation.resume(throwing: error)
                    case .reports(_, let continuation): continuation.resume(throwing: error)
                    }
                }
            }
        }
        running = false
    }
}
