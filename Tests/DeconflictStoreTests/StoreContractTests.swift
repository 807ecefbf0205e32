import DeconflictEngine
import DeconflictGeometry
import DeconflictStore
import Foundation
import Testing

/// A store to test, fresh and empty, and how to open it again on the same data.
struct StoreUnderTest: Sendable, CustomStringConvertible {
    let description: String
    let open: @Sendable () async throws -> any Store

    /// Runs `body` with a store of this backend in use.
    func using<Result: Sendable>(_ body: (any Store) async throws -> Result) async throws -> Result {
        try await withStore(try await open(), body)
    }

    /// A new SQLite file in a temporary folder.
    static func sqlite() -> StoreUnderTest {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("store.sqlite").path
        return StoreUnderTest(description: "SQLite") { try SQLiteStore(path: path) }
    }

    /// A new database on the PostgreSQL server of `DECONFLICT_TEST_POSTGRES`
    /// (`scripts/with-postgres` starts one), or nil without one.
    static func postgres() -> StoreUnderTest? {
        guard let base = postgresURL else { return nil }
        let name = "contract_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        let url = base.replacingOccurrences(of: #"/[^/]*$"#, with: "/\(name)", options: .regularExpression)
        let created = LockedFlag()
        return StoreUnderTest(description: "PostgreSQL") {
            if created.setOnce() { try psql(base, "CREATE DATABASE \(name)") }
            return try PostgresStore(url: url)
        }
    }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["DECONFLICT_TEST_POSTGRES"] }

    /// Every backend this machine can run.
    static func all() -> [StoreUnderTest] { [sqlite()] + [postgres()].compactMap { $0 } }
}

/// A flag set once, from any task.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    /// True the first time only.
    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        defer { set = true }
        return !set
    }
}

/// Runs one SQL statement with `psql` against `url`.
func psql(_ url: String, _ sql: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 else { throw StoreError("psql", message) }
}

@Suite("Store backends available")
struct BackendAvailabilityTests {
    /// The test script starts PostgreSQL; without it the PostgreSQL contract would be
    /// skipped, so a run that requires it fails instead.
    @Test func postgresIsThereWhenRequired() {
        if ProcessInfo.processInfo.environment["DECONFLICT_REQUIRE_POSTGRES"] == "1" {
            #expect(StoreUnderTest.postgresURL != nil, "DECONFLICT_TEST_POSTGRES is not set")
        }
        #expect(StoreUnderTest.all().count == (StoreUnderTest.postgresURL == nil ? 1 : 2))
    }
}

func record(_ index: Int, at seconds: Double = 0) -> LedgerRecord {
    LedgerRecord(
        time: Date(timeIntervalSince1970: 1_790_000_000 + seconds), type: "test.event",
        payload: "{\"index\":\(index),\"text\":\"caf\\u00e9 \\\"quoted\\\"\"}")
}

func report(_ unit: String, at seconds: Double, latitude: Double = 33.5) -> PositionReport {
    PositionReport(
        unit: UnitID(unit), time: Date(timeIntervalSince1970: 1_790_000_000 + seconds),
        position: LatLng(uncheckedLatitude: latitude, longitude: 38.65), altitudeMeters: 500, speedMetersPerSecond: 12.5,
        courseDegrees: 135, uncertaintyMeters: 10)
}

/// One contract every backend passes.
@Suite("Store contract")
struct StoreContractTests {
    @Test(arguments: StoreUnderTest.all())
    func appendedEntriesChainAndComeBackInOrder(_ backend: StoreUnderTest) async throws {
        try await backend.using { store in
            #expect(try await store.head() == nil)
            let first = try await store.append((1...3).map { record($0) })
            #expect(first.map(\.sequence) == [1, 2, 3])
            #expect(first[0].previous == Ledger.genesis)
            let second = try await store.append([record(4)])
            #expect(second[0].sequence == 4 && second[0].previous == first[2].hash)
            let all = try await store.allEntries()
            #expect(all == first + second)
            #expect(try await store.head() == second[0])
            #expect(try await store.entries(after: 2, limit: 1).map(\.sequence) == [3])
            // The hashes alone (what the Merkle tree reads), in order, as the entries have them.
            let hashes = try await store.hashes(after: 1, limit: 2)
            #expect(hashes.map(\.sequence) == [2, 3] && hashes.map(\.hash) == [all[1].hash, all[2].hash])
            #expect(try await store.hashes(after: 4, limit: 10).isEmpty)
            #expect(LedgerVerification.check(all) == .intact(count: 4, head: second[0].hash))
            // The payload text comes back byte for byte.
            #expect(all[0].payload == record(1).payload)
        }
    }

    @Test(arguments: StoreUnderTest.all())
    func concurrentWritersGetOneUnbrokenChain(_ backend: StoreUnderTest) async throws {
        try await backend.using { store in
            let sealed = try await withThrowingTaskGroup(of: [LedgerEntry].self) { group in
                for writer in 0..<40 {
                    group.addTask { try await store.append((0..<5).map { record(writer * 5 + $0) }) }
                }
                var all: [LedgerEntry] = []
                for try await entries in group {
                    // Each writer's records stay together and in order.
                    #expect(entries.map(\.sequence) == Array(entries[0].sequence..<(entries[0].sequence + 5)))
                    all += entries
                }
                return all
            }
            #expect(Set(sealed.map(\.sequence)) == Set(1...200))
            let stored = try await store.allEntries()
            guard case .intact(let count, _) = LedgerVerification.check(stored) else {
                Issue.record("the chain is broken: \(LedgerVerification.check(stored))")
                return
            }
            #expect(count == 200)
        }
    }

    @Test(arguments: StoreUnderTest.all())
    func reportsAreKeptQueriedAndPruned(_ backend: StoreUnderTest) async throws {
        try await backend.using { store in
            try await store.appendReports([
                report("convoy", at: 0), report("convoy", at: 60, latitude: 33.4), report("gun-1", at: 30),
                report("convoy", at: 120, latitude: 33.3),
            ])
            let atNinety = try await store.latestReports(atOrBefore: Date(timeIntervalSince1970: 1_790_000_090))
            #expect(atNinety.map(\.unit) == ["convoy", "gun-1"])
            #expect(atNinety[0] == report("convoy", at: 60, latitude: 33.4))
            let convoy = try await store.reports(
                of: "convoy", from: Date(timeIntervalSince1970: 1_790_000_030), to: Date(timeIntervalSince1970: 1_790_000_200))
            #expect(convoy.map(\.time.timeIntervalSince1970) == [1_790_000_060, 1_790_000_120])
            #expect(try await store.pruneReports(before: Date(timeIntervalSince1970: 1_790_000_060)) == 2)
            #expect(try await store.latestReports(atOrBefore: Date(timeIntervalSince1970: 1_790_000_050)).isEmpty)
        }
    }

    /// A situation's tracks: at most `points` reports a unit, spread evenly in time, read
    /// by index seeks; held to the same thinning of every report of the window, over
    /// random histories (units reporting densely, rarely, in bursts, on the instants
    /// themselves, or not at all in the window).
    @Test(arguments: StoreUnderTest.all())
    func tracksAreTheWindowThinnedEvenlyInTime(_ backend: StoreUnderTest) async throws {
        try await backend.using { store in
            var generator = SystemRandomNumberGenerator()
            var all: [String: [PositionReport]] = [:]
            for unit in 0..<12 {
                var seconds = 0.0
                var reports: [PositionReport] = []
                let spacing = [0.5, 3, 40, 200][unit % 4]
                for _ in 0..<Int.random(in: 0...150, using: &generator) {
                    // Now and then exactly on a whole second, where instants of round windows fall.
                    seconds += Bool.random(using: &generator) ? spacing.rounded(.up) : Double.random(in: 0.001...(2 * spacing), using: &generator)
                    reports.append(report("u\(unit)", at: seconds, latitude: 33 + Double(reports.count) / 1_000))
                }
                all["u\(unit)"] = reports
                try await store.appendReports(reports)
            }
            for _ in 0..<20 {
                let start = Double.random(in: -100...3_000, using: &generator).rounded()
                let end = start + [0, 1, 60, 600, 6_000][Int.random(in: 0..<5, using: &generator)]
                let points = [1, 2, 7, 60][Int.random(in: 0..<4, using: &generator)]
                let to = Date(timeIntervalSince1970: 1_790_000_000 + end)
                let windows = all.keys.sorted().map { (unit: UnitID($0), from: Date(timeIntervalSince1970: 1_790_000_000 + start)) }
                let tracks = try await store.tracks(of: windows, to: to, points: points)
                for (unit, from) in windows {
                    let expected = TrackSampling.thin(all[unit.rawValue] ?? [], from: from, to: to, points: points)
                    #expect(tracks[unit] == expected, "\(unit) from \(start) to \(end), \(points) points")
                    #expect(expected.count <= points)
                    // The last point is the unit's last report in the window.
                    #expect(expected.last == (all[unit.rawValue] ?? []).last { $0.time >= from && $0.time <= to })
                }
            }
        }
    }

    @Test(arguments: StoreUnderTest.all())
    func whatWasAcknowledgedIsThereAfterReopening(_ backend: StoreUnderTest) async throws {
        let sealed = try await backend.using { store in
            let sealed = try await store.append((1...10).map { record($0) })
            try await store.appendReports([report("convoy", at: 5)])
            return sealed
        }
        try await backend.using { (reopened: any Store) async throws in
            #expect(try await reopened.allEntries() == sealed)
            #expect(try await reopened.latestReports(atOrBefore: Date(timeIntervalSince1970: 1_790_000_010)).count == 1)
            // And the chain goes on from where it was.
            #expect(try await reopened.append([record(11)])[0].previous == sealed.last!.hash)
        }
    }
}

@Suite("PostgreSQL: several nodes on one database")
struct SharedPostgresTests {
    /// Two stores (two nodes) append at once to one database: serialisable transactions
    /// retried on conflict make one unbroken chain with every write in it.
    @Test func twoNodesAppendingAtOnceMakeOneChain() async throws {
        guard let base = StoreUnderTest.postgresURL else { return }
        let name = "nodes_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try psql(base, "CREATE DATABASE \(name)")
        let url = base.replacingOccurrences(of: #"/[^/]*$"#, with: "/\(name)", options: .regularExpression)
        try await withStore(try PostgresStore(url: url)) { first in
            try await withStore(try PostgresStore(url: url)) { second in
                let sealed = try await withThrowingTaskGroup(of: [LedgerEntry].self) { group in
                    for writer in 0..<60 {
                        let node = writer % 2 == 0 ? first : second
                        group.addTask { try await node.append((0..<3).map { record(writer * 3 + $0) }) }
                    }
                    var all: [LedgerEntry] = []
                    for try await entries in group { all += entries }
                    return all
                }
                #expect(Set(sealed.map(\.sequence)) == Set(1...180))
                let stored = try await first.allEntries()
                #expect(stored.count == 180)
                #expect(Set(stored.map(\.payload)) == Set((0..<180).map { record($0).payload }))
                guard case .intact = LedgerVerification.check(stored) else {
                    Issue.record("broken: \(LedgerVerification.check(stored))")
                    return
                }
            }
        }
    }
}
