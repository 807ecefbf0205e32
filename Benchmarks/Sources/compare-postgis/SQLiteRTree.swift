import ArgumentParser
import BenchmarkWorkloads
import CSQLite
import DeconflictGeometry
import Foundation

/// The point-in-zone workload the way an application on SQLite does it: the zones'
/// bounding boxes in an R*Tree, the candidates it returns tested exactly by the
/// application (here with Deconflict's own exact test, so only the index differs).
struct SQLiteRTree: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqlite",
        abstract: "Time the point-in-zone queries through SQLite's R*Tree plus the exact test, in one thread.")

    @Option(help: "Number of zones.") var zones = 10_000
    @Option(help: "Number of query points.") var points = 100_000
    @Option(help: "Timed repetitions; the median is reported.") var repetitions = 5
    @Option(help: "The database file (created afresh).") var database = "/tmp/deconflict-rtree.sqlite"

    func run() throws {
        let footprints = Workloads.zones(count: zones)
        try? FileManager.default.removeItem(atPath: database)
        var handle: OpaquePointer?
        guard sqlite3_open(database, &handle) == SQLITE_OK, let db = handle else {
            throw ValidationError("cannot open \(database)")
        }
        defer { sqlite3_close(db) }
        func execute(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw ValidationError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
        try execute("CREATE VIRTUAL TABLE zone_box USING rtree(id, min_lon, max_lon, min_lat, max_lat)")
        try execute("BEGIN")
        let insert = try prepare(db, "INSERT INTO zone_box VALUES (?, ?, ?, ?, ?)")
        for (id, zone) in footprints.enumerated() {
            // Zones here never cross the antimeridian, so one box each.
            let box = zone.boundingBox
            sqlite3_bind_int64(insert, 1, Int64(id))
            sqlite3_bind_double(insert, 2, box.minLongitude)
            sqlite3_bind_double(insert, 3, box.maxLongitude)
            sqlite3_bind_double(insert, 4, box.minLatitude)
            sqlite3_bind_double(insert, 5, box.maxLatitude)
            guard sqlite3_step(insert) == SQLITE_DONE else { throw ValidationError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(insert)
        }
        sqlite3_finalize(insert)
        try execute("COMMIT")

        let query = try prepare(db, "SELECT id FROM zone_box WHERE min_lon <= ?1 AND max_lon >= ?1 AND min_lat <= ?2 AND max_lat >= ?2")
        defer { sqlite3_finalize(query) }
        let queries = Workloads.points(count: points)
        var candidates = 0, matches = 0
        let median = medianSeconds(repetitions: repetitions, prepare: { (candidates, matches) = (0, 0) }) {
            for point in queries {
                let prepared = PreparedPoint(point)
                sqlite3_bind_double(query, 1, point.longitude)
                sqlite3_bind_double(query, 2, point.latitude)
                while sqlite3_step(query) == SQLITE_ROW {
                    candidates += 1
                    if footprints[Int(sqlite3_column_int64(query, 0))].contains(prepared) { matches += 1 }
                }
                sqlite3_reset(query)
            }
        }
        print("points=\(points) zones=\(zones) candidates=\(candidates) matches=\(matches)")
        print("median_seconds=\(median) queries_per_second=\(Int(Double(points) / median))")
    }

    private func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw ValidationError("\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        return statement
    }
}
