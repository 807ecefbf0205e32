import ArgumentParser
import BenchmarkWorkloads
import DeconflictEngine
import DeconflictGeometry
import DeconflictStore
import Foundation
import Logging
import PostgresNIO

/// Sustained position ingest with durability on: `clients` concurrent writers each send
/// batches of reports and wait for each batch to be acknowledged (committed) before the
/// next. Backends: Deconflict's SQLite store, its PostgreSQL store, and the PostGIS way
/// (each report inserted and tested against the zones with `ST_DWithin`/`ST_Intersects`
/// on `geography` with GiST indexes, one statement a report, autocommit).
@main
struct StoreIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-ingest", abstract: "Durable position-report ingest, reports per second.")

    enum Backend: String, ExpressibleByArgument { case sqlite, postgres, postgis }

    @Option(help: "sqlite, postgres or postgis.") var backend: Backend
    @Option(help: "SQLite file (sqlite) or postgres:// URL (postgres, postgis).") var target: String
    @Option(help: "Reports in all.") var reports = 200_000
    @Option(help: "Concurrent writers.") var clients = 8
    @Option(help: "Reports a writer sends per acknowledged batch.") var batch = 500
    @Option(help: "Largest circle radius among the zones, metres (postgis).") var maxRadius = 15_000.0

    func run() async throws {
        let positions = Workloads.points(count: min(reports, 100_000), seed: 7)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let report: @Sendable (Int) -> PositionReport = { index in
            PositionReport(
                unit: UnitID("u\(index % 100_000)"), time: start.addingTimeInterval(Double(index) * 1e-3),
                position: positions[index % positions.count], altitudeMeters: 500, speedMetersPerSecond: 12,
                courseDegrees: Double(index % 360), uncertaintyMeters: 10)
        }
        let perClient = reports / clients
        let clock = ContinuousClock()
        let elapsed: Duration
        switch backend {
        case .sqlite, .postgres:
            let store: any Store = backend == .sqlite ? try SQLiteStore(path: target) : try PostgresStore(url: target)
            elapsed = try await withStore(store) { store in
                let began = clock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in 0..<clients {
                        group.addTask {
                            var sent = 0
                            while sent < perClient {
                                let count = min(batch, perClient - sent)
                                try await store.appendReports((0..<count).map { report(client * perClient + sent + $0) })
                                sent += count
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                return clock.now - began
            }
        case .postgis:
            guard let components = URLComponents(string: target), let host = components.host else {
                throw ValidationError("--target: not a postgres:// URL")
            }
            let logger = {
                var logger = Logger(label: "store-ingest")
                logger.logLevel = .error
                return logger
            }()
            var configuration = PostgresClient.Configuration(
                host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: nil,
                database: String(components.path.dropFirst()), tls: .disable)
            configuration.options.maximumConnections = clients
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let radius = maxRadius
            elapsed = try await withThrowingTaskGroup(of: Void.self) { pool in
            pool.addTask { await client.run() }
            defer { pool.cancelAll() }
            let began = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<clients {
                    group.addTask {
                        for index in (writer * perClient)..<((writer + 1) * perClient) {
                            let r = report(index)
                            let rows = try await client.query(
                                """
                                WITH r AS (
                                    INSERT INTO reports (unit, time, position, speed, course)
                                    VALUES (\(r.unit.rawValue), \(r.time.timeIntervalSince1970),
                                        ST_SetSRID(ST_MakePoint(\(r.position.longitude), \(r.position.latitude)), 4326)::geography,
                                        \(r.speedMetersPerSecond), \(r.courseDegrees))
                                    RETURNING position)
                                SELECT (SELECT count(*) FROM circles c, r
                                        WHERE ST_DWithin(c.center, r.position, \(radius)) AND ST_DWithin(c.center, r.position, c.radius))
                                     + (SELECT count(*) FROM polygons z, r WHERE ST_Intersects(z.area, r.position))
                                """, logger: logger)
                            for try await _ in rows {}
                        }
                    }
                }
                try await group.waitForAll()
            }
            return clock.now - began
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = perClient * clients
        print(String(format: "backend=%@ reports=%d clients=%d batch=%d seconds=%.3f reports_per_second=%.0f",
            backend.rawValue, total, clients, backend == .postgis ? 1 : batch, seconds, Double(total) / seconds))
    }
}
