import AsyncHTTPClient
import DeconflictEngine
import DeconflictStore
import Foundation
import NIOHTTP1
import Testing

/// What the server holds in memory, on /metrics: the C allocator's bytes in use, the
/// alerts and messages it keeps, and the reports committed but not yet in the SQLite
/// reports table, which a running server writes there within about a second.
@Suite("Metrics: what the server holds")
struct MemoryMetricsTests {
    @Test func theServerCountsWhatItHoldsAndDrainsItsPendingReports() async throws {
        let folder = try temporaryFolder("memory-metrics")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = ["--store", path]
        let keys = try ["coalition", "russia"].map { try runDeconflict(["party", "add", $0] + store) }
        let server = try await ServerProcess(store: store)
        defer { server.stop() }
        let coalition = Client(base: server.base, key: keys[0], http: .shared)

        let heap = try #require(try await metric("deconflict_heap_in_use_bytes", coalition))
        #expect(heap > 1_000_000 && heap < 4_000_000_000, "heap in use \(heap)")
        #expect(try await metric("deconflict_alerts_held", coalition) == 0)
        #expect(try await metric("deconflict_messages_held", coalition) == 0)

        for id in ["first", "second"] {
            let answer = try await coalition.send(.POST, "/v1/messages", json: ["id": id, "kind": "notice", "to": ["russia"], "text": "Convoy at 0600"])
            #expect(answer.status == 201, "\(answer.text)")
        }
        #expect(try await metric("deconflict_messages_held", coalition) == 2)

        // Reports: acknowledged at once, in the reports table within a few seconds.
        for unit in 0..<20 {
            let answer = try await coalition.send(.POST, "/v1/units", json: ["id": "u\(unit)", "domain": "ground"])
            #expect((200..<300).contains(answer.status), "\(answer.text)")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        for batch in 0..<5 {
            let reports = (0..<200).map { index in
                [
                    "unit": "u\(index % 20)", "time": timestamp(milliseconds: now - 2_000 + Int64(batch * 200 + index)),
                    "position": ["lat": -10.0 - Double(index % 20) / 100, "lng": -20.0], "speedMetersPerSecond": 0,
                ] as [String: Any]
            }
            let answer = try await coalition.send(.POST, "/v1/reports", json: reports)
            #expect(answer.status == 200 && answer.json["accepted"] as? Int == 200, "\(answer.status) \(answer.text.prefix(300))")
        }
        let drained = try await waitFor(.seconds(10)) { try await metric("deconflict_store_pending_reports", coalition) == 0 }
        #expect(drained, "reports still pending for the table after 10 s")
        let sqlite = try SQLiteStore(path: path)
        let stored = try await sqlite.reports(of: "u7", from: .distantPast, to: .distantFuture)
        #expect(stored.count == 50, "\(stored.count) reports of u7 in the table")
    }
}
