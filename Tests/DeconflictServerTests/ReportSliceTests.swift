import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import DeconflictStore
import Foundation
import Testing

/// A large batch of reports is applied and written in slices, so a small write is not
/// queued behind the whole batch; the answer and the ledger are those of the batch.
@Suite("Node: large batches in slices")
struct ReportSliceTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A node on a fresh SQLite store with parties `p` and `q`, `count` ground units of
    /// `p` (`u0`, `u1`, …) and one of `q` (`other`).
    static func node(units count: Int, slice: Int, clock: TestClock) async throws -> (Node, SQLiteStore, URL) {
        let folder = try temporaryFolder("slices")
        let store = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
        var configuration = Node.Configuration()
        configuration.clock = { clock.now }
        configuration.reportSlice = slice
        let node = try await Node(store: store, configuration: configuration)
        for party in ["p", "q"] { try await node.execute(LedgerCommand(.addParty(Party(id: PartyID(party))), by: .operator)) }
        for index in 0..<count {
            try await node.execute(LedgerCommand(.addUnit(Unit(id: UnitID("u\(index)"), party: "p", domain: .ground)), by: .operator))
        }
        try await node.execute(LedgerCommand(.addUnit(Unit(id: "other", party: "q", domain: .ground)), by: .operator))
        return (node, store, folder)
    }

    static func report(_ unit: String, _ index: Int, at time: Date) throws -> PositionReport {
        PositionReport(unit: UnitID(unit), time: time, position: try LatLng(latitude: 33.5, longitude: 38.6 + Double(index) / 10_000))
    }

    @Test("a batch over the slice is answered as one, written as several entries in order, and replays")
    func aLargeBatchIsWrittenInSlices() async throws {
        let clock = TestClock(Self.start)
        let (node, store, folder) = try await Self.node(units: 250, slice: 100, clock: clock)
        defer { try? FileManager.default.removeItem(at: folder) }
        var reports = try (0..<250).map { try Self.report("u\($0)", $0, at: Self.start) }
        // Refused before applying (another party's unit), and by the engine in the
        // third slice (a negative speed).
        reports.insert(try Self.report("other", 0, at: Self.start), at: 150)
        reports[205].speedMetersPerSecond = -1
        let result = try await node.ingest(reports, by: "p")

        #expect(result.accepted == 249)
        #expect(result.rejected.map(\.index) == [150, 205])
        #expect(result.rejected.map(\.error.field) == ["[150].unit", "[205].speedMetersPerSecond"])
        let batches = try await store.allEntries().filter { $0.type == ReportBatchPayload.ledgerType }
        #expect(batches.map { try! ReportBatchPayload.decode($0.payload).reports.count } == [100, 100, 49])
        #expect(Set(batches.map { try! ReportBatchPayload.decode($0.payload).batch }).count == 3)
        #expect(result.entries.filter { $0.type == ReportBatchPayload.ledgerType }.map(\.sequence) == batches.map(\.sequence))
        // Every accepted report once, in the request's order; the times in order.
        let written = batches.flatMap { try! ReportBatchPayload.decode($0.payload).positionReports.map(\.unit.rawValue) }
        let expected = reports.enumerated().filter { ![150, 205].contains($0.offset) }.map(\.element.unit.rawValue)
        #expect(written == expected)
        let times = try await store.allEntries().map(\.time)
        #expect(times == times.sorted())
        #expect(try await store.reports(of: "u42", from: .distantPast, to: .distantFuture).count == 1)

        var configuration = Node.Configuration()
        configuration.clock = { clock.now }
        let reopened = try await Node(store: try SQLiteStore(path: store.path), configuration: configuration)
        #expect(await reopened.read(NodeTests.Snapshot.init) == (await node.read(NodeTests.Snapshot.init)))
    }

    @Test("a report sent while a large batch is applied is written before the batch's last slice")
    func aSmallWriteIsNotQueuedBehindAWholeBatch() async throws {
        let clock = TestClock(Self.start)
        let (node, store, folder) = try await Self.node(units: 101, slice: 100, clock: clock)
        defer { try? FileManager.default.removeItem(at: folder) }
        clock.set(Self.start.addingTimeInterval(100))
        let before = await node.head
        // 100 units, a report a second each for 100 seconds.
        let large = try (0..<10_000).map { try Self.report("u\($0 % 100)", $0, at: Self.start.addingTimeInterval(Double($0 / 100))) }
        let batch = Task { try await node.ingest(large, by: "p") }
        // Once the batch's first slice is durable, the batch is still being applied.
        while await node.head == before { try await Task.sleep(for: .milliseconds(1)) }
        let small = try await node.ingest([try Self.report("u100", 0, at: Self.start)], by: "p")
        let answered = try await batch.value
        #expect(answered.accepted == 10_000)
        let smallSequence = try #require(small.entries.first?.sequence)
        let lastSlice = try #require(answered.entries.last?.sequence)
        #expect(smallSequence < lastSlice, "the report waited for the whole batch: entry \(smallSequence), batch up to \(lastSlice)")
        #expect(try await store.allEntries().filter { $0.type == ReportBatchPayload.ledgerType }.count == 101)
    }
}
