import DeconflictEngine
import DeconflictGeometry
@testable import DeconflictAPI
import DeconflictLedger
import DeconflictStore
import Foundation
import Synchronization
import Testing
import DeconflictNode
import DeconflictGeoJSON

/// A clock the test moves.
final class TestClock: Sendable {
    private let time: Mutex<Date>
    init(_ start: Date) { time = Mutex(start) }
    var now: Date { time.withLock { $0 } }
    func set(_ date: Date) { time.withLock { $0 = date } }
}

/// The seed scenario, read from the command's resources.
func seedScenario() throws -> ScenarioScript {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/deconflict/Scenarios/at-tanf.json")
    return try ScenarioScript.decode(try Data(contentsOf: url))
}

/// Plays a scenario through a node, as its parties would through the API.
func play(_ script: ScenarioScript, on node: Node, clock: TestClock) async throws {
    for step in try script.commands() {
        clock.set(step.time)
        switch step.command {
        case .report(let report):
            let party = await node.read { $0.unit(report.unit)!.party }
            let result = try await node.ingest([report], by: party)
            #expect(result.rejected.isEmpty, "\(result.rejected.map(\.error))")
        case .tick:
            try await node.tick()
        default:
            try await node.execute(LedgerCommand(step.command, by: .operator))
        }
    }
}

@Suite("Node: state rebuilt from the ledger")
struct NodeTests {
    func sqlite() throws -> (SQLiteStore, URL) {
        let folder = try temporaryFolder("node")
        return (try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path), folder)
    }

    /// After the seed scenario, a node opened on the same store has the same zones,
    /// units, last reports, alerts (ids, states, acknowledgements) and messages.
    @Test func replayRebuildsTheSameState() async throws {
        let script = try seedScenario()
        let (store, folder) = try sqlite()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = TestClock(script.start)
        var configuration = Node.Configuration()
        configuration.clock = { clock.now }
        let node = try await Node(store: store, configuration: configuration)
        try await play(script, on: node, clock: clock)

        let reopened = try await Node(store: try SQLiteStore(path: store.path), configuration: configuration)
        let before = await node.read(Snapshot.init)
        let after = await reopened.read(Snapshot.init)
        #expect(before.alerts.count >= 5, "the scenario raised too little to compare: \(before.alerts.count)")
        #expect(after == before)
        #expect(await reopened.statistics.replayedEntries == Int(await node.head))
    }

    /// What a replay must reproduce.
    struct Snapshot: Equatable, Sendable {
        let zones: [ZoneID]
        let alerts: [String]
        let messages: [String]
        let reports: [String]

        init(_ engine: Engine) {
            zones = engine.zones.keys.sorted()
            // Resolved alerts leave memory after a while, at whichever tick comes: only
            // the open ones are compared.
            alerts = engine.alerts.values.filter { $0.state != .resolved }.sorted { $0.id < $1.id }.map { alert in
                "\(alert.id) \(alert.kind) \(alert.state) \(alert.units) \(alert.addressees.map { "\($0.party):\($0.acknowledgedAt?.timeIntervalSince1970 ?? -1)" })"
            }
            messages = engine.messages.values.sorted { $0.id < $1.id }.map { "\($0.id) \($0.receipts.count) \($0.deadline?.timeIntervalSince1970 ?? -1)" }
            reports = engine.reports.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.time.timeIntervalSince1970) \($0.value.position)" }
        }
    }

    /// Reports older than the retention leave the reports table; the ledger keeps them,
    /// so a node reopened afterwards rebuilds the same state.
    @Test func retentionPrunesOldReports() async throws {
        let (store, folder) = try sqlite()
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = TestClock(start)
        var configuration = Node.Configuration()
        configuration.clock = { clock.now }
        configuration.reportRetention = 3_600
        let node = try await Node(store: store, configuration: configuration)
        try await node.execute(LedgerCommand(.addParty(Party(id: "p")), by: .operator))
        try await node.execute(LedgerCommand(.addUnit(Unit(id: "u", party: "p", domain: .ground)), by: .operator))
        for minute in 0..<180 {
            clock.set(start.addingTimeInterval(Double(minute) * 60))
            let report = PositionReport(
                unit: "u", time: clock.now, position: try LatLng(latitude: 10, longitude: Double(minute) / 1_000))
            _ = try await node.ingest([report], by: "p")
        }
        try await node.prune()
        let kept = try await store.reports(of: "u", from: .distantPast, to: .distantFuture)
        #expect(kept.count == 61, "kept \(kept.count) reports, expected the last hour's 61")
        #expect(kept.first?.time == start.addingTimeInterval(119 * 60))
        let batches = try await store.allEntries().filter { $0.type == ReportBatchPayload.ledgerType }
        #expect(batches.count == 180)
        let reopened = try await Node(store: try SQLiteStore(path: store.path), configuration: configuration)
        let before = await node.read(Snapshot.init)
        #expect(await reopened.read(Snapshot.init) == before)
        #expect(await reopened.read { $0.lastReport(of: "u")?.time } == start.addingTimeInterval(179 * 60))
    }

    /// Another writer appends to the same SQLite file (the command line adding a party
    /// while the server runs): the node's next commit meets it, the node goes back to
    /// its checkpoint, applies the ledger after it (its own committed entries and the
    /// other writer's), applies its request again and commits. Whether the checkpoint is
    /// the start (long interval) or the last commit (zero interval), the result is the
    /// same and nothing is lost.
    @Test(arguments: [Duration.seconds(3_600), .zero])
    func anotherWriterIsMetFromTheCheckpoint(_ interval: Duration) async throws {
        let (store, folder) = try sqlite()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = Node.Configuration()
        configuration.checkpointInterval = interval
        let node = try await Node(store: store, configuration: configuration)
        try await node.execute(LedgerCommand(.addParty(Party(id: "alpha")), by: .operator))
        try await node.execute(LedgerCommand(.addUnit(DeconflictEngine.Unit(id: "a1", party: "alpha", domain: .ground)), by: .party("alpha")))
        // The other writer: a second node on the same file.
        let other = try await Node(store: try SQLiteStore(path: store.path))
        try await other.execute(LedgerCommand(.addParty(Party(id: "bravo")), by: .operator))
        // The first node has not seen it; its next write conflicts, replays, succeeds.
        let zone = ZoneBody(
            id: "z1", name: nil, kind: .protectedSite, owner: nil, agreement: nil, circle: .init(center: [33.0, 38.0], radius: 1_000),
            polygon: nil, altitude: nil, from: nil, until: nil, allowed: nil, revalidateBy: nil)
        try await node.execute(LedgerCommand(.putZone(try zone.zone(owner: "alpha")), by: .party("alpha")))
        let report = PositionReport(unit: "a1", time: Date(), position: try LatLng(latitude: 33.0, longitude: 38.0))
        let result = try await node.ingest([report], by: "alpha")
        #expect(result.accepted == 1)
        let seen = await node.read { ($0.parties.keys.map(\.rawValue).sorted(), $0.zones.keys.map(\.rawValue), $0.lastReport(of: "a1") != nil) }
        #expect(seen.0 == ["alpha", "bravo"])
        #expect(seen.1 == ["z1"])
        #expect(seen.2)
        #expect(await node.statistics.conflicts >= 1)
        // The ledger holds each write once, and a fresh node agrees.
        let reopened = try await Node(store: try SQLiteStore(path: store.path))
        let again = await reopened.read { ($0.parties.keys.map(\.rawValue).sorted(), $0.zones.keys.map(\.rawValue), $0.lastReport(of: "a1") != nil) }
        #expect(again.0 == seen.0 && again.1 == seen.1 && again.2 == seen.2)
        let commands = try await store.allEntries().filter { $0.type == LedgerCommand.ledgerType }.count
        #expect(commands == 4)
    }
}
