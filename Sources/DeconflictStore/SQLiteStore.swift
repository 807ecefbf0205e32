public import DeconflictEngine
import DeconflictGeometry
public import Foundation
import GRDB

/// The embedded store: one SQLite file through GRDB, in WAL mode with
/// `synchronous = FULL`, so a commit that returned survives a crash of the process or
/// of the machine. Concurrent writers are batched into one commit.
///
/// ```swift
/// let store = try SQLiteStore(path: "deconflict.sqlite")
/// let sealed = try await store.append([record])   // durable when this returns
/// ```
public final class SQLiteStore: Store {
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` when the file cannot be opened, is not a Deconflict
    ///   store, or is corrupt.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Durable at commit: the WAL is synced before a commit returns.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteStore.migrator.migrate(pool)
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
        return migrator
    }

    public func commit(_ records: [LedgerRecord], batches: [ReportBatch], expectingHead expected: Int64) async throws -> [LedgerEntry] {
        do {
            return try await pool.write { db in
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
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO reports (unit, time, latitude, longitude, altitude, speed, course, uncertainty, batch)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for batch in batches {
                    for report in batch.reports {
                        try statement.execute(arguments: [
                            report.unit.rawValue, report.time.timeIntervalSince1970, report.position.latitude,
                            report.position.longitude, report.altitudeMeters, report.speedMetersPerSecond, report.courseDegrees,
                            report.uncertaintyMeters, batch.id,
                        ])
                    }
                }
                return entries
            }
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
            if !reports.isEmpty {
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO reports (unit, time, latitude, longitude, altitude, speed, course, uncertainty)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for report in reports {
                    try statement.execute(arguments: [
                        report.unit.rawValue, report.time.timeIntervalSince1970, report.position.latitude,
                        report.position.longitude, report.altitudeMeters, report.speedMetersPerSecond, report.courseDegrees,
                        report.uncertaintyMeters,
                    ])
                }
            }
            return entries
        }
    }

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
        try await pool.read { db in
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
    }

    public func reports(of unit: UnitID, from: Date, to: Date) async throws -> [PositionReport] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM reports WHERE unit = ? AND time >= ? AND time <= ? ORDER BY time",
                arguments: [unit.rawValue, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map(SQLiteStore.report)
        }
    }

    public func tracks(of units: [(unit: UnitID, from: Date)], to: Date, points: Int) async throws -> [UnitID: [PositionReport]] {
        try await pool.read { db in
            // The (unit, time) index: one seek an instant.
            let last = try db.cachedStatement(
                sql: "SELECT * FROM reports WHERE unit = ? AND time >= ? AND time <= ? ORDER BY time DESC LIMIT 1")
            var tracks: [UnitID: [PositionReport]] = [:]
            for (unit, from) in units {
                var track: [PositionReport] = []
                for instant in TrackSampling.instants(from: from, to: to, points: points) {
                    guard let row = try Row.fetchOne(last, arguments: [unit.rawValue, from.timeIntervalSince1970, instant]) else { continue }
                    let report = SQLiteStore.report(row)
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
