public import DeconflictEngine
import DeconflictGeometry
public import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The embedded store: one SQLite file through GRDB, in WAL mode with
/// `synchronous = FULL`, so a commit that returned survives a crash of the process or
/// of the machine. Concurrent writers are batched into one commit.
///
/// While the store runs (``run()``, as ``withStore(_:_:)`` does), a commit writes a
/// report batch only in the ledger entry that carries it (``ReportLines``), and the
/// `reports` table, which serves queries, receives the reports later: the units fall
/// into ``reportFlushGroups`` groups (40 by default), and each flush (every
/// ``reportFlushInterval``, a quarter of a second by default) writes one group's pending
/// reports in one transaction sorted by unit, so a unit's page of the
/// `(unit, time)` index is written once every that many flushes rather than once a report.
/// A flush also moves the store's mark (`report_mark`: every batch up to that ledger
/// sequence is wholly in the table). Queries read the pending reports too, so they see
/// every committed report; a store opened on a file first fills the table from the
/// ledger entries after the mark, which a stopped process left unwritten. One process at
/// a time defers its reports (a lock file beside the database, `<path>-flushes.lock`);
/// another running on the same file writes its reports in its commits.
///
/// ```swift
/// let store = try SQLiteStore(path: "deconflict.sqlite")
/// let sealed = try await store.append([record])   // durable when this returns
/// ```
public final class SQLiteStore: Store {
    public let path: String
    private let pool: DatabasePool
    private let pending: Mutex<PendingReports>
    /// How often ``run()`` writes a group of units' pending reports into the `reports` table.
    public let reportFlushInterval: Duration
    /// The groups of units whose pending reports ``run()`` writes in turn, one a flush.
    public let reportFlushGroups: Int
    /// The default ``reportFlushInterval``: with the default groups, a unit's reports
    /// reach the table every 10 s. Measured against one group of ten a second
    /// (BENCHMARKS.md, "Load curve"): the same log per report in smaller transactions, so
    /// commits wait less behind a flush.
    public static let defaultReportFlushInterval = Duration.milliseconds(250)
    /// The default ``reportFlushGroups``.
    public static let defaultReportFlushGroups = 40
    /// Whether ``run()`` copies the write-ahead log into the database on a connection and
    /// a thread of its own, every ``checkpointInterval``, rather than the writer after the
    /// commit that filled the log past SQLite's threshold (which then holds every write
    /// behind it). The writer still checkpoints when the log passes
    /// ``writerCheckpointPages`` (256 MB of pages): the log cannot grow without bound if
    /// the background checkpoints fall behind.
    public let backgroundCheckpoints: Bool
    /// How often the background checkpoints run.
    public static let checkpointInterval = Duration.milliseconds(100)
    /// The log size, in pages, past which the writer checkpoints even with
    /// ``backgroundCheckpoints``.
    public static let writerCheckpointPages = 65_536
    private let logger = Logger(label: "deconflict.store.sqlite")

    /// Opens (creating if needed) the store at `path` and brings its schema up to date,
    /// moving the reports a stopped process left pending into the `reports` table.
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened, is not a Deconflict
    ///   store, or is corrupt.
    public init(
        path: String, reportFlushInterval: Duration = defaultReportFlushInterval, reportFlushGroups: Int = defaultReportFlushGroups,
        backgroundCheckpoints: Bool = true
    ) throws {
        guard (1...64).contains(reportFlushGroups) else {
            throw StoreError("opening \(path)", "reportFlushGroups must be 1 to 64, not \(reportFlushGroups)")
        }
        self.path = path
        self.reportFlushInterval = reportFlushInterval
        self.reportFlushGroups = reportFlushGroups
        self.backgroundCheckpoints = backgroundCheckpoints
        pending = Mutex(PendingReports(groups: reportFlushGroups))
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Durable at commit: the WAL is synced before a commit returns.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The writer keeps up to 64 MiB of pages (SQLite's default is 2 MB): a flush
            // touches a page of the (unit, time) index for each unit of its group, and a
            // smaller cache spills them to the log mid-transaction and reads them back.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
            // The log is copied into the database in the background (run()); the writer
            // only past this many pages.
            if backgroundCheckpoints, !db.configuration.readonly {
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(SQLiteStore.writerCheckpointPages)")
            }
        }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteStore.migrator.migrate(pool)
            try pool.write { db in
                try SQLiteStore.movePendingReports(db)
                try SQLiteStore.recoverReports(db)
            }
        } catch {
            throw StoreError("opening \(path)", "\(error)")
        }
    }

    /// The schema, by append-only migrations: a migration once shipped is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-ledger-and-reports") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger (
                        sequence INTEGER PRIMARY KEY,
                        time TEXT NOT NULL,
                        type TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        previous TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX ledger_time ON ledger (time);
                    CREATE TABLE reports (
                        unit TEXT NOT NULL,
                        time REAL NOT NULL,
                        latitude REAL NOT NULL,
                        longitude REAL NOT NULL,
                        altitude REAL NOT NULL,
                        speed REAL NOT NULL,
                        course REAL NOT NULL,
                        uncertainty REAL NOT NULL
                    );
                    CREATE INDEX reports_unit_time ON reports (unit, time);
                    CREATE INDEX reports_time ON reports (time);
                    """)
        }
        migrator.registerMigration("2-report-batches") { db in
            try db.execute(
                sql: """
                    ALTER TABLE reports ADD COLUMN batch TEXT;
                    """)
        }
        migrator.registerMigration("3-pending-reports") { db in
            // A committed batch's reports not yet in `reports` (PendingReportsCodec).
            try db.execute(
                sql: """
                    CREATE TABLE pending_reports (
                        batch TEXT PRIMARY KEY,
                        reports BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("4-report-mark") { db in
            // Every report batch carried by a ledger entry up to `sequence` is wholly in
            // `reports`; one row. Written at the first opening (recoverReports).
            try db.execute(
                sql: """
                    CREATE TABLE report_mark (
                        id INTEGER PRIMARY KEY CHECK (id = 0),
                        sequence INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }

    public func commit(_ records: [LedgerRecord], batches: [ReportBatch], expectingHead expected: Int64) async throws -> [LedgerEntry] {
        let deferring = pending.withLock { $0.deferring }
        do {
            let entries = try await pool.write { db in
                let head = try SQLiteStore.head(db)
                guard (head?.sequence ?? 0) == expected else {
                    throw LedgerConflict(expected: expected, actual: head?.sequence ?? 0)
                }
                let entries = Ledger.seal(records, after: head.map { ($0.sequence, $0.hash) })
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO ledger (sequence, time, type, payload, previous, hash) VALUES (?, ?, ?, ?, ?, ?)")
                for entry in entries {
                    try insert.execute(arguments: [entry.sequence, entry.time, entry.type, entry.payload, entry.previous, entry.hash])
                }
                let carrying = batches.filter { !$0.reports.isEmpty }
                // Deferred only when the records carry the batches (the node's do, one
                // entry a batch), so that the ledger alone can fill the table again.
                if deferring, let sequence = entries.last?.sequence,
                   records.count(where: { $0.type == ReportLines.ledgerType }) >= carrying.count {
                    // Pending from the moment the commit is durable, before the next
                    // write: the pending batches are always the committed ones, in order.
                    db.afterNextTransaction { [self] _ in
                        pending.withLock { state in
                            for batch in carrying { state.add(.init(id: batch.id, reports: batch.reports, sequence: sequence)) }
                        }
                    }
                } else {
                    try SQLiteStore.insertReports(batches.map { ($0.id, $0.reports) }, db)
                }
                return entries
            }
            return entries
        } catch let conflict as LedgerConflict {
            throw conflict
        } catch {
            throw StoreError("appending to the ledger", "\(error)")
        }
    }

    /// Appends `records` after the ledger's head and stores `reports`, in one transaction.
    private func write(_ records: [LedgerRecord], _ reports: [PositionReport]) async throws -> [LedgerEntry] {
        try await pool.write { db in
            var entries: [LedgerEntry] = []
            if !records.isEmpty {
                entries = Ledger.seal(records, after: try SQLiteStore.head(db).map { ($0.sequence, $0.hash) })
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO ledger (sequence, time, type, payload, previous, hash) VALUES (?, ?, ?, ?, ?, ?)")
                for entry in entries {
                    try insert.execute(arguments: [entry.sequence, entry.time, entry.type, entry.payload, entry.previous, entry.hash])
                }
            }
            if !reports.isEmpty { try SQLiteStore.insertReports([(nil, reports)], db) }
            return entries
        }
    }

    /// Rows for the `reports` table: each report with its batch, in the order of the
    /// `(unit, time)` index (units by their UTF-8 bytes, as SQLite compares text; each
    /// unit's reports by time), so consecutive inserts share the index's pages. The
    /// distinct units are sorted, not the rows.
    static func rows(_ batches: [(id: String?, reports: [PositionReport])]) -> [(batch: String?, report: PositionReport)] {
        var byUnit: [UnitID: [(batch: String?, report: PositionReport)]] = [:]
        var count = 0
        for (id, reports) in batches {
            for report in reports { byUnit[report.unit, default: []].append((id, report)) }
            count += reports.count
        }
        var rows: [(batch: String?, report: PositionReport)] = []
        rows.reserveCapacity(count)
        for unit in byUnit.keys.sorted(by: { $0.rawValue.utf8.lexicographicallyPrecedes($1.rawValue.utf8) }) {
            let reports = byUnit[unit] ?? []
            var ordered = true
            for index in reports.indices.dropFirst() where reports[index].report.time < reports[index - 1].report.time {
                ordered = false
                break
            }
            rows.append(contentsOf: ordered ? reports : reports.sorted { $0.report.time < $1.report.time })
        }
        return rows
    }

    /// Inserts the reports of `batches` into the `reports` table; with `unlessThere`, a
    /// row the table already holds (the same unit, time and batch, written by a flush
    /// before the process stopped) is skipped.
    private static func insertReports(_ batches: [(id: String?, reports: [PositionReport])], _ db: Database, unlessThere: Bool = false) throws {
        try insert(rows(batches), db, unlessThere: unlessThere)
    }

    /// Inserts `rows` into the `reports` table (see ``insertReports(_:_:unlessThere:)``).
    private static func insert(
        _ rows: some Collection<(batch: String?, report: PositionReport)>, _ db: Database, unlessThere: Bool = false
    ) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.makeStatement(
            sql: unlessThere
                ? """
                    INSERT INTO reports (unit, time, latitude, longitude, altitude, speed, course, uncertainty, batch)
                    SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
                    WHERE NOT EXISTS (SELECT 1 FROM reports WHERE unit = ?1 AND time = ?2 AND batch IS ?9)
                    """
                : """
                    INSERT INTO reports (unit, time, latitude, longitude, altitude, speed, course, uncertainty, batch)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
        // Bound and stepped through SQLite's own calls: GRDB's arguments box each value,
        // which cost more than the insert itself at tens of thousands of rows a flush.
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        for (batch, report) in rows {
            sqlite3_reset(handle)
            if let batch {
                bindText(handle, 9, batch)
            } else {
                sqlite3_bind_null(handle, 9)
            }
            sqlite3_bind_double(handle, 2, report.time.timeIntervalSince1970)
            sqlite3_bind_double(handle, 3, report.position.latitude)
            sqlite3_bind_double(handle, 4, report.position.longitude)
            sqlite3_bind_double(handle, 5, report.altitudeMeters)
            sqlite3_bind_double(handle, 6, report.speedMetersPerSecond)
            sqlite3_bind_double(handle, 7, report.courseDegrees)
            sqlite3_bind_double(handle, 8, report.uncertaintyMeters)
            bindText(handle, 1, report.unit.rawValue)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
        }
    }

    /// Binds `text` whole (its UTF-8 length, so a NUL inside does not cut it), copied by
    /// SQLite (`SQLITE_TRANSIENT`).
    private static func bindText(_ handle: SQLiteStatement, _ index: Int32, _ text: String) {
        text.withCString { sqlite3_bind_text(handle, index, $0, Int32(text.utf8.count), transient) }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Moves the reports of every `pending_reports` row into the `reports` table (what a
    /// stopped process of an earlier release left pending).
    private static func movePendingReports(_ db: Database) throws {
        let pendingRows = try Row.fetchAll(db, sql: "SELECT batch, reports FROM pending_reports")
        guard !pendingRows.isEmpty else { return }
        var batches: [(id: String?, reports: [PositionReport])] = []
        for row in pendingRows {
            let id: String = row["batch"]
            let data: Data = row["reports"]
            guard let reports = PendingReportsCodec.decode(Array(data)) else {
                throw StoreError("moving pending reports into the reports table", "the pending reports of batch \(id) do not read")
            }
            batches.append((id, reports))
        }
        // The groups a flush wrote before the process stopped are in the table already.
        try insertReports(batches, db, unlessThere: true)
        try db.execute(sql: "DELETE FROM pending_reports")
    }

    /// The store's mark: every report batch carried by a ledger entry up to this
    /// sequence is wholly in the `reports` table (nil before the first opening that
    /// wrote it).
    private static func mark(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT sequence FROM report_mark WHERE id = 0")
    }

    /// Raises the mark to `sequence` (never lowers it).
    private static func raiseMark(to sequence: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO report_mark (id, sequence) VALUES (0, ?)
                ON CONFLICT (id) DO UPDATE SET sequence = max(sequence, excluded.sequence)
                """,
            arguments: [sequence])
    }

    /// Fills the `reports` table from the ledger entries after the mark that carry report
    /// batches (what a stopped process committed and had not yet flushed, kill -9
    /// included), skipping the reports a flush wrote before it stopped; then marks the
    /// whole ledger as in the table. A file without a mark (new, or written by a release
    /// that kept `pending_reports`) has all its reports in the table already.
    private static func recoverReports(_ db: Database) throws {
        let head = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM ledger") ?? 0
        if var after = try mark(db), after < head {
            let page = try db.makeStatement(
                sql: "SELECT sequence, payload FROM ledger WHERE sequence > ? AND type = ? ORDER BY sequence LIMIT 100")
            while true {
                let rows = try Row.fetchAll(page, arguments: [after, ReportLines.ledgerType])
                guard let last = rows.last else { break }
                var batches: [(id: String?, reports: [PositionReport])] = []
                for row in rows {
                    do {
                        let batch = try ReportLines.batch(inPayload: row["payload"])
                        batches.append((batch.id, batch.reports))
                    } catch {
                        let sequence: Int64 = row["sequence"]
                        throw StoreError("filling the reports table from the ledger", "the reports of entry \(sequence) do not read: \(error)")
                    }
                }
                try insertReports(batches, db, unlessThere: true)
                after = last["sequence"]
            }
        }
        try raiseMark(to: head, db)
    }

    /// Defers the reports of commits to flushes, one group of units about every
    /// ``reportFlushInterval``, until the calling task is cancelled; then commits write
    /// them directly again and what is pending is flushed.
    public func run() async {
        // One process at a time defers: a second one on the file writes in its commits.
        guard let lock = SQLiteStore.lockFile("\(path)-flushes.lock") else {
            logger.info("another process defers the reports of \(path): this one writes them in its commits")
            return
        }
        defer { close(lock) }
        pending.withLock { $0.deferring = true }
        await withTaskGroup(of: Void.self) { group in
            if backgroundCheckpoints { group.addTask { await self.checkpointInBackground() } }
            while !Task.isCancelled {
                do { try await Task.sleep(for: reportFlushInterval) } catch { break }
                do {
                    try await flushPendingGroup()
                } catch is CancellationError {
                    // Stopping during a flush: its reports are still pending, and the last
                    // flush below writes them.
                    break
                } catch {
                    logger.error("writing pending reports into the reports table failed (kept pending, retried): \(error)")
                }
            }
            group.cancelAll()
        }
        pending.withLock { $0.deferring = false }
        // The last flush in a task of its own: this one is cancelled, and the database
        // refuses work from a cancelled task.
        await Task {
            do {
                try await self.flushPendingReports()
            } catch {
                self.logger.error("writing pending reports into the reports table failed (kept pending for the next opening): \(error)")
            }
        }.value
    }

    /// Copies the write-ahead log into the database every ``checkpointInterval`` (a
    /// passive checkpoint: it waits for no reader or writer, and copies what no reader
    /// still needs from the log), on a connection of its own, until cancelled. The writer
    /// starts the log over once a checkpoint has copied all of it.
    private func checkpointInBackground() async {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        configuration.busyMode = .timeout(10)
        let connection: DatabaseQueue
        do {
            connection = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            logger.warning("no background checkpoints (the writer checkpoints past \(SQLiteStore.writerCheckpointPages) pages): \(error)")
            return
        }
        while !Task.isCancelled {
            do { try await Task.sleep(for: SQLiteStore.checkpointInterval) } catch { break }
            do {
                try await connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
            } catch is CancellationError {
                break
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // The writer is checkpointing (the log passed writerCheckpointPages): the
                // next round goes on from where it stops.
                logger.debug("a background checkpoint found the writer checkpointing")
            } catch {
                logger.warning("a background checkpoint failed (retried): \(error)")
            }
        }
    }

    /// An exclusive `flock` on `path` (created if needed), or nil when another process
    /// holds it. The kernel releases it when the process ends, however it ends.
    private static func lockFile(_ path: String) -> Int32? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Writes the next group's pending reports into the `reports` table (see
    /// ``write(_:mark:)``). Returns the group written.
    @discardableResult
    func flushPendingGroup() async throws -> Int {
        let round = pending.withLock { $0.nextRound() }
        guard !round.batches.isEmpty else { return round.group }
        let gone = try await write(round.batches, mark: round.mark)
        pending.withLock { $0.written(group: round.group, of: Set(round.batches.map(\.id)), gone: gone) }
        return round.group
    }

    /// Writes every pending report not yet in the `reports` table (see
    /// ``write(_:mark:)``).
    public func flushPendingReports() async throws {
        let (batches, mark) = pending.withLock { $0.unwritten() }
        guard !batches.isEmpty else { return }
        _ = try await write(batches, mark: mark)
        pending.withLock { $0.remove(Set(batches.map(\.id))) }
    }

    /// Writes `batches`' reports into the `reports` table in one transaction, all or
    /// nothing (a process stopped during it leaves every row to the next opening), and
    /// raises the store's mark to `mark`. A batch at or below the mark found in the file
    /// is skipped: another opening of the file filled the table from the ledger meanwhile
    /// (this process's own mark only ever covers batches no longer pending), so no report
    /// is written twice. The rows are ordered before the transaction, so commits do not
    /// wait for that. Returns the batches skipped.
    private func write(_ batches: [PendingReports.Written], mark: Int64?) async throws -> Set<String> {
        let rows = SQLiteStore.rows(batches.map { ($0.id, $0.reports) })
        return try await pool.write { db in
            let filled = try SQLiteStore.mark(db) ?? 0
            let gone = Set(batches.filter { $0.sequence <= filled }.map(\.id))
            try SQLiteStore.insert(gone.isEmpty ? rows : rows.filter { !gone.contains($0.batch ?? "") }, db)
            if let mark { try SQLiteStore.raiseMark(to: mark, db) }
            return gone
        }
    }

    /// The reports held for the `reports` table: a batch's until every group wrote its own.
    public var pendingReportCount: Int { pending.withLock { $0.reportCount } }

    /// Whether commits leave their reports to a flush (while ``run()`` runs).
    var defersReports: Bool { pending.withLock { $0.deferring } }

    public func append(_ records: [LedgerRecord]) async throws -> [LedgerEntry] {
        guard !records.isEmpty else { return [] }
        do {
            return try await write(records, [])
        } catch {
            throw StoreError("appending to the ledger", "\(error)")
        }
    }

    public func appendReports(_ reports: [PositionReport]) async throws {
        guard !reports.isEmpty else { return }
        do {
            _ = try await write([], reports)
        } catch {
            throw StoreError("storing position reports", "\(error)")
        }
    }

    public func entries(after sequence: Int64, limit: Int) async throws -> [LedgerEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM ledger WHERE sequence > ? ORDER BY sequence LIMIT ?", arguments: [sequence, limit]
            ).map(SQLiteStore.entry)
        }
    }

    public func hashes(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, hash: String)] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT sequence, hash FROM ledger WHERE sequence > ? ORDER BY sequence LIMIT ?", arguments: [sequence, limit]
            ).map { (sequence: $0["sequence"], hash: $0["hash"]) }
        }
    }

    public func head() async throws -> LedgerEntry? {
        try await pool.read { db in try SQLiteStore.head(db) }
    }

    public func latestReports(atOrBefore instant: Date) async throws -> [PositionReport] {
        // The pending reports first: one flushed meanwhile is then read twice, never missed.
        let pendingLatest = pending.withLock { $0.latest(atOrBefore: instant) }
        let stored = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.* FROM reports r
                    JOIN (SELECT unit, MAX(time) AS last FROM reports WHERE time <= ? GROUP BY unit) m
                      ON r.unit = m.unit AND r.time = m.last
                    ORDER BY r.unit
                    """,
                arguments: [instant.timeIntervalSince1970]
            ).map(SQLiteStore.report)
        }
        guard !pendingLatest.isEmpty else { return stored }
        var latest = pendingLatest
        for report in stored {
            if let known = latest[report.unit], known.time >= report.time { continue }
            latest[report.unit] = report
        }
        return latest.values.sorted { $0.unit.rawValue < $1.unit.rawValue }
    }

    public func reports(of unit: UnitID, from: Date, to: Date) async throws -> [PositionReport] {
        let (low, high) = (from.timeIntervalSince1970, to.timeIntervalSince1970)
        let pendingReports = pending.withLock { $0.reports(of: unit) }.filter {
            $0.time.timeIntervalSince1970 >= low && $0.time.timeIntervalSince1970 <= high
        }
        let stored = try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM reports WHERE unit = ? AND time >= ? AND time <= ? ORDER BY time",
                arguments: [unit.rawValue, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map(SQLiteStore.report)
        }
        return SQLiteStore.merged(stored, pendingReports)
    }

    /// `stored` and `pending`, each oldest first, as one list oldest first; a pending
    /// report the table already holds (flushed while it was read) counted once.
    private static func merged(_ stored: [PositionReport], _ pending: [PositionReport]) -> [PositionReport] {
        guard !pending.isEmpty else { return stored }
        var all = stored
        for report in pending where !stored.contains(report) { all.append(report) }
        return all.sorted { $0.time < $1.time }
    }

    public func tracks(of units: [(unit: UnitID, from: Date)], to: Date, points: Int) async throws -> [UnitID: [PositionReport]] {
        let pendingReports = pending.withLock { state in
            state.reportCount == 0 ? [:] : state.reports(of: Set(units.map(\.unit)))
        }
        return try await pool.read { db in
            // The (unit, time) index: one seek an instant.
            let last = try db.cachedStatement(
                sql: "SELECT * FROM reports WHERE unit = ? AND time >= ? AND time <= ? ORDER BY time DESC LIMIT 1")
            var tracks: [UnitID: [PositionReport]] = [:]
            for (unit, from) in units {
                var track: [PositionReport] = []
                let waiting = pendingReports[unit] ?? []
                for instant in TrackSampling.instants(from: from, to: to, points: points) {
                    var found = try Row.fetchOne(last, arguments: [unit.rawValue, from.timeIntervalSince1970, instant]).map(SQLiteStore.report)
                    // The last pending report in the same bounds, when later.
                    if let candidate = waiting.last(where: {
                        $0.time.timeIntervalSince1970 >= from.timeIntervalSince1970 && $0.time.timeIntervalSince1970 <= instant
                    }),
                       found.map({ candidate.time > $0.time }) ?? true {
                        found = candidate
                    }
                    guard let report = found else { continue }
                    if track.last?.time != report.time { track.append(report) }
                }
                tracks[unit] = track
            }
            return tracks
        }
    }

    @discardableResult
    public func pruneReports(before instant: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM reports WHERE time < ?", arguments: [instant.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Whether SQLite finds the file sound (`PRAGMA integrity_check`); the problems if not.
    public func integrityCheck() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        }
    }

    private static func head(_ db: Database) throws -> LedgerEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM ledger ORDER BY sequence DESC LIMIT 1").map(entry)
    }

    private static func entry(_ row: Row) -> LedgerEntry {
        LedgerEntry(
            sequence: row["sequence"], time: row["time"], type: row["type"], payload: row["payload"],
            previous: row["previous"], hash: row["hash"])
    }

    private static func report(_ row: Row) -> PositionReport {
        PositionReport(
            unit: UnitID(row["unit"] as String), time: Date(timeIntervalSince1970: row["time"]),
            position: LatLng(uncheckedLatitude: row["latitude"], longitude: row["longitude"]),
            altitudeMeters: row["altitude"], speedMetersPerSecond: row["speed"], courseDegrees: row["course"],
            uncertaintyMeters: row["uncertainty"])
    }
}
