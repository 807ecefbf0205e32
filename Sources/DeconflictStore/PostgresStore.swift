public import DeconflictEngine
import DeconflictGeometry
public import Foundation
import Logging
import PostgresNIO

/// The shared store: PostgreSQL through PostgresNIO, for several `deconflict serve`
/// processes on one database. A commit returns once the server has flushed it
/// (`synchronous_commit` on). Ledger appends run as serialisable transactions that read
/// the head and append after it, retried on a serialisation failure, so several nodes
/// appending at once still make one chain.
///
/// The SQL keeps to what CockroachDB and YugabyteDB accept as well: `BIGINT`, `TEXT`,
/// `DOUBLE PRECISION`, plain B-tree indexes, `INSERT … SELECT * FROM unnest(…)` with
/// several arrays, `SERIALIZABLE` transactions; no sequences, triggers, `LISTEN` or
/// extensions (see docs/storage.md).
public final class PostgresStore: Store {
    private let client: PostgresClient
    private let logger: Logger
    private let host: String

    /// The database at `url` (`postgres://user[:password]@host[:port]/database`). Nothing
    /// is connected until the store is in use (``withStore(_:_:)``).
    ///
    /// - Throws: ``StoreError`` when the URL is malformed.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
              let host = components.host, !host.isEmpty
        else {
            throw StoreError("connecting", "not a PostgreSQL URL (postgres://user@host:port/database): \(url)")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.maximumConnections = 8
        let logger = {
            var logger = Logger(label: "deconflict.store.postgres")
            // The client's own chatter (a first query racing `run()`) is not the user's concern.
            logger.logLevel = .error
            return logger
        }()
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.host = host
    }

    /// The connection pool, until the calling task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Connects and brings the schema up to date.
    ///
    /// - Throws: ``StoreError`` when the server cannot be reached.
    public func prepare() async throws {
        do {
            try await migrate()
        } catch {
            throw StoreError("connecting to \(host)", PostgresStore.describe(error))
        }
    }

    /// The schema, by append-only migrations recorded in `schema_migrations`.
    private func migrate() async throws {
        let migrations: [(String, [PostgresQuery])] = [
            ("1-ledger-and-reports", [
                """
                CREATE TABLE IF NOT EXISTS ledger (
                    sequence BIGINT PRIMARY KEY,
                    time TEXT NOT NULL,
                    type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    previous TEXT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
                "CREATE INDEX IF NOT EXISTS ledger_time ON ledger (time)",
                """
                CREATE TABLE IF NOT EXISTS reports (
                    unit TEXT NOT NULL,
                    time DOUBLE PRECISION NOT NULL,
                    latitude DOUBLE PRECISION NOT NULL,
                    longitude DOUBLE PRECISION NOT NULL,
                    altitude DOUBLE PRECISION NOT NULL,
                    speed DOUBLE PRECISION NOT NULL,
                    course DOUBLE PRECISION NOT NULL,
                    uncertainty DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX IF NOT EXISTS reports_unit_time ON reports (unit, time)",
                "CREATE INDEX IF NOT EXISTS reports_time ON reports (time)",
            ]),
            ("2-report-batches", [
                "ALTER TABLE reports ADD COLUMN IF NOT EXISTS batch TEXT",
            ]),
        ]
        // Several servers may start at once on an empty database: two `CREATE TABLE IF NOT
        // EXISTS` at the same moment collide on the catalogue's unique keys (23505), so
        // the loser tries again and finds the table.
        let logger = logger
        _ = try await PostgresStore.serializable(client: client, logger: logger) { connection in
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", logger: logger)
        }
        for (name, statements) in migrations {
            try await PostgresStore.serializable(client: client, logger: logger) { connection in
                let done = try await connection.query("SELECT name FROM schema_migrations WHERE name = \(name)", logger: logger)
                for try await _ in done { return }
                for statement in statements { try await connection.query(statement, logger: logger) }
                let now = Ledger.timestamp(Date())
                try await connection.query("INSERT INTO schema_migrations (name, applied_at) VALUES (\(name), \(now))", logger: logger)
            }
        }
    }

    /// Runs `body` in a serialisable transaction, retried on a serialisation failure or a
    /// key collision with another node (up to 20 times, with a growing random pause).
    static func serializable<Result: Sendable>(
        client: PostgresClient, logger: Logger, _ body: @escaping (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", logger: logger)
                    return try await body(connection)
                }
            } catch {
                attempt += 1
                // Another writer won. Pauses grow with the attempts (random, so that two
                // writers that collided do not collide again at once) up to a quarter of a
                // second: on a loaded machine 20 attempts of at most 5·n ms ran out.
                guard attempt < 40, isRetryable(error) else { throw error }
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...min(250, 5 * attempt * attempt))))
            }
        }
    }

    /// Serialisation failures, unique-key collisions and objects created meanwhile (42P07,
    /// 42710: a schema created by another node at the same moment): another transaction
    /// won; try again.
    static func isRetryable(_ error: any Error) -> Bool {
        let underlying: [(any Error)?]
        if let transaction = error as? PostgresTransactionError {
            underlying = [transaction.beginError, transaction.closureError, transaction.commitError]
        } else {
            underlying = [error]
        }
        return underlying.contains { error in
            guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
            return state == "40001" || state == "23505" || state == "40P01" || state == "42P07" || state == "42710"
        }
    }

    /// A readable reason for `error`, with the server's message when there is one.
    static func describe(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            for inner in [transaction.closureError, transaction.commitError, transaction.beginError] {
                if let inner { return describe(inner) }
            }
        }
        if let timeout = error as? Timeout { return timeout.description }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(psql.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    /// Appends `records` after the ledger's head and stores `reports`, in one
    /// serialisable transaction (retried on a serialisation failure).
    private func write(_ records: [LedgerRecord], _ reports: [PositionReport]) async throws -> [LedgerEntry] {
        let logger = logger
        return try await PostgresStore.serializable(client: client, logger: logger) { connection in
            var all: [LedgerEntry] = []
            if !records.isEmpty {
                var head: (sequence: Int64, hash: String)? = nil
                let rows = try await connection.query(
                    "SELECT sequence, hash FROM ledger ORDER BY sequence DESC LIMIT 1", logger: logger)
                for try await (sequence, hash) in rows.decode((Int64, String).self) { head = (sequence, hash) }
                all = Ledger.seal(records, after: head)
                try await connection.query(
                    """
                    INSERT INTO ledger (sequence, time, type, payload, previous, hash)
                    SELECT * FROM unnest(\(all.map(\.sequence))::BIGINT[], \(all.map(\.time))::TEXT[], \(all.map(\.type))::TEXT[],
                        \(all.map(\.payload))::TEXT[], \(all.map(\.previous))::TEXT[], \(all.map(\.hash))::TEXT[])
                    """, logger: logger)
            }
            if !reports.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO reports (unit, time, latitude, longitude, altitude, speed, course, uncertainty)
                    SELECT * FROM unnest(\(reports.map(\.unit.rawValue))::TEXT[], \(reports.map(\.time.timeIntervalSince1970))::DOUBLE PRECISION[],
                        \(reports.map(\.position.latitude))::DOUBLE PRECISION[], \(reports.map(\.position.longitude))::DOUBLE PRECISION[],
                        \(reports.map(\.altitudeMeters))::DOUBLE PRECISION[], \(reports.map(\.speedMetersPerSecond))::DOUBLE PRECISION[],
                        \(reports.map(\.courseDegrees))::DOUBLE PRECISION[], \(reports.map(\.uncertaintyMeters))::DOUBLE PRECISION[])
                    """, logger: logger)
            }
            return all
        }
    }

    public func commit(_ records: [LedgerRecord], batches: [ReportBatch], expectingHead expected: Int64) async throws -> [LedgerEntry] {
        let logger = logger
        let reports = batches.flatMap { batch in batch.reports.map { (batch.id, $0) } }
        do {
            return try await PostgresStore.within(Self.commitDeadline) { [client] in try await PostgresStore.serializable(client: client, logger: logger) { connection in
                var head: (sequence: Int64, hash: String)? = nil
                let rows = try await connection.query(
                    "SELECT sequence, hash FROM ledger ORDER BY sequence DESC LIMIT 1", logger: logger)
                for try await (sequence, hash) in rows.decode((Int64, String).self) { head = (sequence, hash) }
                guard (head?.sequence ?? 0) == expected else {
                    throw LedgerConflict(expected: expected, actual: head?.sequence ?? 0)
                }
                let all = Ledger.seal(records, after: head)
                if !all.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO ledger (sequence, time, type, payload, previous, hash)
                        SELECT * FROM unnest(\(all.map(\.sequence))::BIGINT[], \(all.map(\.time))::TEXT[], \(all.map(\.type))::TEXT[],
                            \(all.map(\.payload))::TEXT[], \(all.map(\.previous))::TEXT[], \(all.map(\.hash))::TEXT[])
                        """, logger: logger)
                }
                if !reports.isEmpty {
                    let units = reports.map(\.1.unit.rawValue), times = reports.map(\.1.time.timeIntervalSince1970)
                    let latitudes = reports.map(\.1.position.latitude), longitudes = reports.map(\.1.position.longitude)
                    let altitudes = reports.map(\.1.altitudeMeters), speeds = reports.map(\.1.speedMetersPerSecond)
                    let courses = reports.map(\.1.courseDegrees), uncertainties = reports.map(\.1.uncertaintyMeters)
                    let batchIDs = reports.map(\.0)
                    try await connection.query(
                        """
                        INSERT INTO reports (unit, time, latitude, longitude, altitude, speed, course, uncertainty, batch)
                        SELECT * FROM unnest(\(units)::TEXT[], \(times)::DOUBLE PRECISION[],
                            \(latitudes)::DOUBLE PRECISION[], \(longitudes)::DOUBLE PRECISION[],
                            \(altitudes)::DOUBLE PRECISION[], \(speeds)::DOUBLE PRECISION[],
                            \(courses)::DOUBLE PRECISION[], \(uncertainties)::DOUBLE PRECISION[],
                            \(batchIDs)::TEXT[])
                        """, logger: logger)
                }
                return all
            } }
        } catch let conflict as LedgerConflict {
            throw conflict
        } catch let transaction as PostgresTransactionError {
            if let conflict = transaction.closureError as? LedgerConflict { throw conflict }
            throw StoreError("appending to the ledger", PostgresStore.describe(transaction))
        } catch {
            throw StoreError("appending to the ledger", PostgresStore.describe(error))
        }
    }

    public func append(_ records: [LedgerRecord]) async throws -> [LedgerEntry] {
        guard !records.isEmpty else { return [] }
        do {
            return try await write(records, [])
        } catch {
            throw StoreError("appending to the ledger", PostgresStore.describe(error))
        }
    }

    public func appendReports(_ reports: [PositionReport]) async throws {
        guard !reports.isEmpty else { return }
        do {
            _ = try await write([], reports)
        } catch {
            throw StoreError("storing position reports", PostgresStore.describe(error))
        }
    }

    /// How long a read may wait for the server before it fails: the client's pool waits
    /// for a connection as long as it takes, and a request should not.
    static let readDeadline: Duration = .seconds(5)
    /// How long a commit may take; one that fails this way may have committed (the
    /// request is refused and the node reads the ledger back before going on).
    static let commitDeadline: Duration = .seconds(15)

    /// Runs a read within ``readDeadline``; its failure (the server gone, say) is a
    /// ``StoreError`` naming it.
    private func reading<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Self.within(Self.readDeadline, body)
        } catch {
            throw StoreError(what, PostgresStore.describe(error))
        }
    }

    /// No answer from the server in time.
    struct Timeout: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "no answer from PostgreSQL within \(limit)" }
    }

    /// Runs `body`, throwing ``Timeout`` after `limit` and cancelling it. The caller does
    /// not wait for `body` to end: a query on a connection the server dropped may not
    /// notice the cancellation until the connection is torn down.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation)
                let work = Task {
                    do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                }
                race.onLate = { work.cancel() }
                Task {
                    try? await Task.sleep(for: limit)
                    race.finish(.failure(Timeout(limit: limit)))
                }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The first of a body's result and its deadline.
    private final class Race<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?
        private var result: Result<T, any Error>?
        private var lateHandler: (@Sendable () -> Void)?
        private var finished = false

        var onLate: @Sendable () -> Void {
            get { lock.withLock { lateHandler ?? {} } }
            set { lock.withLock { lateHandler = newValue } }
        }

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            let early = lock.withLock { () -> Result<T, any Error>? in
                if let result { return result }
                self.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func finish(_ outcome: Result<T, any Error>) {
            let (waiting, cancel) = lock.withLock { () -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
                guard !finished else { return (nil, nil) }
                finished = true
                defer { continuation = nil }
                if continuation == nil { result = outcome }
                if case .failure = outcome { return (continuation, lateHandler) }
                return (continuation, nil)
            }
            cancel?()
            waiting?.resume(with: outcome)
        }
    }

    public func entries(after sequence: Int64, limit: Int) async throws -> [LedgerEntry] {
        try await reading("reading the ledger") { [client, logger] in
            let rows = try await client.query(
                "SELECT sequence, time, type, payload, previous, hash FROM ledger WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)",
                logger: logger)
            var entries: [LedgerEntry] = []
            for try await (sequence, time, type, payload, previous, hash) in rows.decode((Int64, String, String, String, String, String).self) {
                entries.append(LedgerEntry(sequence: sequence, time: time, type: type, payload: payload, previous: previous, hash: hash))
            }
            return entries
        }
    }

    public func hashes(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, hash: String)] {
        try await reading("reading the ledger") { [client, logger] in
            let rows = try await client.query(
                "SELECT sequence, hash FROM ledger WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)", logger: logger)
            var hashes: [(sequence: Int64, hash: String)] = []
            for try await (sequence, hash) in rows.decode((Int64, String).self) { hashes.append((sequence, hash)) }
            return hashes
        }
    }

    public func head() async throws -> LedgerEntry? {
        try await reading("reading the ledger") { [client, logger] in
            let rows = try await client.query(
                "SELECT sequence, time, type, payload, previous, hash FROM ledger ORDER BY sequence DESC LIMIT 1", logger: logger)
            for try await (sequence, time, type, payload, previous, hash) in rows.decode((Int64, String, String, String, String, String).self) {
                return LedgerEntry(sequence: sequence, time: time, type: type, payload: payload, previous: previous, hash: hash)
            }
            return nil
        }
    }

    public func latestReports(atOrBefore instant: Date) async throws -> [PositionReport] {
        let seconds = instant.timeIntervalSince1970
        return try await reports(
            """
            SELECT r.unit, r.time, r.latitude, r.longitude, r.altitude, r.speed, r.course, r.uncertainty FROM reports r
            JOIN (SELECT unit, MAX(time) AS last FROM reports WHERE time <= \(seconds) GROUP BY unit) m
              ON r.unit = m.unit AND r.time = m.last
            ORDER BY r.unit
            """)
    }

    public func reports(of unit: UnitID, from: Date, to: Date) async throws -> [PositionReport] {
        try await reports(
            """
            SELECT unit, time, latitude, longitude, altitude, speed, course, uncertainty FROM reports
            WHERE unit = \(unit.rawValue) AND time >= \(from.timeIntervalSince1970) AND time <= \(to.timeIntervalSince1970)
            ORDER BY time
            """)
    }

    public func tracks(of units: [(unit: UnitID, from: Date)], to: Date, points: Int) async throws -> [UnitID: [PositionReport]] {
        var tracks: [UnitID: [PositionReport]] = [:]
        for (unit, from) in units {
            // One index seek an instant (reports_unit_time), the instants as Swift computes them.
            let instants = TrackSampling.instants(from: from, to: to, points: points)
            let found = try await reports(
                """
                SELECT s.unit, s.time, s.latitude, s.longitude, s.altitude, s.speed, s.course, s.uncertainty
                FROM unnest(\(instants)::float8[]) WITH ORDINALITY AS i(instant, k)
                CROSS JOIN LATERAL (
                    SELECT unit, time, latitude, longitude, altitude, speed, course, uncertainty FROM reports
                    WHERE unit = \(unit.rawValue) AND time >= \(from.timeIntervalSince1970) AND time <= i.instant
                    ORDER BY time DESC LIMIT 1) s
                ORDER BY i.k
                """)
            var track: [PositionReport] = []
            for report in found where track.last?.time != report.time { track.append(report) }
            tracks[unit] = track
        }
        return tracks
    }

    private func reports(_ query: PostgresQuery) async throws -> [PositionReport] {
        try await reading("reading position reports") { [client, logger] in
            let rows = try await client.query(query, logger: logger)
            var result: [PositionReport] = []
            for try await row in rows.decode((String, Double, Double, Double, Double, Double, Double, Double).self) {
                result.append(PositionReport(
                    unit: UnitID(row.0), time: Date(timeIntervalSince1970: row.1),
                    position: LatLng(uncheckedLatitude: row.2, longitude: row.3), altitudeMeters: row.4,
                    speedMetersPerSecond: row.5, courseDegrees: row.6, uncertaintyMeters: row.7))
            }
            return result
        }
    }

    @discardableResult
    public func pruneReports(before instant: Date) async throws -> Int {
        try await reading("removing old position reports") { [client, logger] in
            let rows = try await client.query(
                "WITH gone AS (DELETE FROM reports WHERE time < \(instant.timeIntervalSince1970) RETURNING 1) SELECT count(*) FROM gone",
                logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }
}
