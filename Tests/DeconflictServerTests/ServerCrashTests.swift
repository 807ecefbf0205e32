import AsyncHTTPClient
import DeconflictEngine
import NIOHTTP1
import DeconflictStore
import Foundation
import Testing

/// Kill -9 the server at random moments while a client streams writes to it, then
/// restart it: every write the client saw acknowledged must be there (through the API
/// and in the store), the ledger must verify, and the database must be sound.
@Suite("Server crash: acknowledged writes survive kill -9", .serialized, .timeLimit(.minutes(10)))
struct ServerCrashTests {
    /// What the client saw acknowledged.
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var zones: Set<String> = []
        private var reports: Set<String> = []

        func zone(_ id: String) { lock.withLock { _ = zones.insert(id) } }
        func reports(_ keys: [String]) { lock.withLock { reports.formUnion(keys) } }
        var allZones: Set<String> { lock.withLock { zones } }
        var allReports: Set<String> { lock.withLock { reports } }
    }

    /// `unit@milliseconds`, how a report is compared.
    static func key(_ unit: String, _ seconds: Double) -> String { "\(unit)@\(Int64((seconds * 1_000).rounded()))" }

    func crashRepeatedly(store arguments: [String], rounds: Int, open: () async throws -> any Store) async throws
        -> (zones: Int, reports: Int, recoveries: [Duration])
    {
        let key = try runDeconflict(["party", "add", "writer"] + arguments)
        let http = HTTPClient.shared
        let acknowledged = Acknowledged()
        var recoveries: [Duration] = []
        var generator = SystemRandomNumberGenerator()
        let writers = 3
        for round in 0...rounds {
            let server = try await ServerProcess(store: arguments)
            if round > 0 { recoveries.append(server.startup) }
            let client = Client(base: server.base, key: key, http: http)
            if round == 0 {
                for writer in 0..<writers {
                    let answer = try await client.send(.POST, "/v1/units", json: ["id": "u\(writer)", "domain": "ground"])
                    #expect(answer.status == 201, "\(answer.text)")
                }
            }
            // Everything acknowledged before the last kill is there.
            let zones = try await client.get("/v1/zones").json["zones"] as? [[String: Any]] ?? []
            let present = Set(zones.compactMap { $0["id"] as? String })
            let lost = acknowledged.allZones.subtracting(present)
            #expect(lost.isEmpty, "round \(round): \(lost.count) acknowledged zones lost, e.g. \(lost.first ?? "")")
            if round == rounds {
                server.stop()
                break
            }
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            var step = 0
                            while !Task.isCancelled {
                                step += 1
                                do {
                                    if step % 2 == 0 {
                                        let id = "z-\(round)-\(writer)-\(step)"
                                        let answer = try await client.send(.PUT, "/v1/zones/\(id)", json: [
                                            "id": id, "kind": "protected-site",
                                            "circle": ["center": [10.0 + Double(writer), 20.0 + Double(step % 100) / 1_000], "radius": 500],
                                        ])
                                        if answer.status == 200 { acknowledged.zone(id) }
                                    } else {
                                        // Whole milliseconds, as the wire carries them.
                                        let now = Int64(Date().timeIntervalSince1970 * 1_000)
                                        let times = (0..<20).map { now - 20 + Int64($0) }
                                        let reports = times.map { time in
                                            [
                                                "unit": "u\(writer)", "time": timestamp(milliseconds: time),
                                                "position": [-10.0 - Double(writer), -20.0], "speedMetersPerSecond": 0,
                                            ] as [String: Any]
                                        }
                                        let answer = try await client.send(.POST, "/v1/reports", json: reports)
                                        if answer.status == 200, (answer.json["accepted"] as? Int) == 20 {
                                            acknowledged.reports(times.map { Self.key("u\(writer)", Double($0) / 1_000) })
                                        }
                                    }
                                } catch {
                                    return  // the server is gone
                                }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...700, using: &generator)))
            server.kill9()
            load.cancel()
            await load.value
        }

        return try await withStore(try await open()) { store in
            let entries = try await store.allEntries()
            guard case .intact = LedgerVerification.check(entries) else {
                Issue.record("the ledger does not verify: \(LedgerVerification.check(entries))")
                return (0, 0, recoveries)
            }
            if let sqlite = store as? SQLiteStore {
                #expect(try await sqlite.integrityCheck().isEmpty, "SQLite reports corruption")
            }
            var stored: Set<String> = []
            for writer in 0..<writers {
                for report in try await store.reports(of: .init("u\(writer)"), from: .distantPast, to: .distantFuture) {
                    stored.insert(Self.key("u\(writer)", report.time.timeIntervalSince1970))
                }
            }
            let lostReports = acknowledged.allReports.subtracting(stored)
            #expect(lostReports.isEmpty, "\(lostReports.count) acknowledged reports lost, e.g. \(lostReports.first ?? "")")
            #expect(acknowledged.allZones.count > rounds, "too few writes to test anything: \(acknowledged.allZones.count) zones")
            return (acknowledged.allZones.count, acknowledged.allReports.count, recoveries)
        }
    }

    @Test func sqliteServerSurvivesKillNine() async throws {
        let folder = try temporaryFolder("server-crash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let rounds = postgresURL == nil ? 20 : 12
        let result = try await crashRepeatedly(store: ["--store", path], rounds: rounds) { try SQLiteStore(path: path) }
        let sorted = result.recoveries.sorted()
        print("server on SQLite: \(rounds) kills; \(result.zones) zones and \(result.reports) reports acknowledged, all kept; restart to listening median \(sorted[sorted.count / 2]), max \(sorted.last ?? .zero)")
    }

    @Test func postgresServerSurvivesKillNine() async throws {
        guard let url = try freshPostgresDatabase("servercrash") else { return }
        let rounds = 10
        let result = try await crashRepeatedly(store: ["--postgres", url], rounds: rounds) { try PostgresStore(url: url) }
        let sorted = result.recoveries.sorted()
        print("server on PostgreSQL: \(rounds) kills; \(result.zones) zones and \(result.reports) reports acknowledged, all kept; restart to listening median \(sorted[sorted.count / 2]), max \(sorted.last ?? .zero)")
    }
}
