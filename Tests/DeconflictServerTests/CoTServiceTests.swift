import DeconflictCoT
import DeconflictCoTService
import DeconflictEngine
import DeconflictLedger
import DeconflictNode
@testable import DeconflictAccess
@testable import DeconflictAPI
import DeconflictStore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Synchronization
import Testing

/// The CoT TCP listener's time limits, in process with short limits: a connection that
/// does not authenticate, one that starts a message and stalls (a slow sender), and one
/// that falls silent (half-open) are each dropped; a connection that keeps sending whole
/// messages is not. The limits are a few seconds and the upper bounds generous, so that a busy
/// machine (the whole suite runs in parallel) delays a drop without failing the test;
/// what fails is a connection never dropped, or dropped before its limit.
@Suite("CoT connection limits", .timeLimit(.minutes(3)))
struct CoTServiceTests {
    final class Port: Sendable {
        let value = Mutex(0)
    }

    /// Connects, sends `messages` (with `pause` between them), and returns how long the
    /// server took to close the connection after the last one (nil: still open after
    /// `window`).
    static func closedAfter(
        port: Int, _ messages: [Data], pause: Duration = .zero, window: Duration = .seconds(30)
    ) async throws -> Duration? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let began = ContinuousClock.now
            for message in messages {
                do {
                    try await outbound.write(ByteBuffer(data: message))
                } catch {
                    // Closed by the server before everything was sent: a drop, counted
                    // from the connection's start (negative: before the last message).
                    return began - ContinuousClock.now
                }
                try await Task.sleep(for: pause)
            }
            let sent = ContinuousClock.now
            return try await withThrowingTaskGroup(of: Duration?.self) { group in
                group.addTask {
                    do { for try await _ in inbound {} } catch {}
                    return ContinuousClock.now - sent
                }
                group.addTask {
                    try await Task.sleep(for: window)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        }
    }

    /// Starts a CoT service of the seeded node: the TCP port it listens on, and its task.
    static func start(_ settings: CoTSettings, on seeded: SeededServer) async throws -> (Int, Task<Void, any Error>) {
        let port = Port()
        let service = CoTService(node: seeded.node, authenticator: seeded.server.authenticator, settings: settings, metrics: ServerMetrics()) { _, value in
            port.value.withLock { $0 = value }
        }
        let running = Task { try await service.run() }
        while port.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        return (port.value.withLock { $0 }, running)
    }

    @Test func silentSlowAndUnauthenticatedConnectionsAreDropped() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var settings = CoTSettings()
        settings.tcpPort = 0
        settings.authenticationTimeout = .seconds(3)
        settings.messageTimeout = .seconds(3)
        settings.idleTimeout = .seconds(5)
        let (listening, running) = try await Self.start(settings, on: seeded)
        defer { running.cancel() }
        let auth = Data(#"<auth><cot username="coalition" password="\#(seeded.keys["coalition"]!)"/></auth>"#.utf8)
        let now = await seeded.node.read { $0.now }
        func event(_ offset: TimeInterval) -> Data {
            CoTOutboundEvent(
                uid: "limits-patrol", type: "a-f-G-U-C", time: now.addingTimeInterval(offset), stale: now.addingTimeInterval(300),
                latitude: 33.41, longitude: 38.61).xml()
        }

        // Never authenticates: dropped after about three seconds.
        let unauthenticated = try await Self.closedAfter(port: listening, [])
        #expect(unauthenticated.map { $0 < .seconds(20) } == true, "not authenticating: \(String(describing: unauthenticated))")
        // Starts a message and stalls.
        let slow = try await Self.closedAfter(port: listening, [auth, event(0).prefix(40)])
        #expect(slow.map { $0 < .seconds(20) } == true, "a stalled message: \(String(describing: slow))")
        // Authenticates, then falls silent: dropped, but not before the idle limit (5 s;
        // the clock here starts a little after the server's).
        let silent = try await Self.closedAfter(port: listening, [auth])
        #expect(silent.map { $0 >= .seconds(3) && $0 < .seconds(20) } == true, "silence: \(String(describing: silent))")
        // Whole messages every half second for three seconds (each gap well inside the
        // limits): kept open throughout.
        let began = ContinuousClock.now
        let busy = try await Self.closedAfter(port: listening, [auth] + (0..<6).map { event(Double($0) * 0.5) }, pause: .milliseconds(500))
        #expect(ContinuousClock.now - began > .seconds(3))
        #expect(busy.map { $0 >= .seconds(1) } != false, "a busy connection was dropped \(String(describing: busy)) after its last message")
        // What it sent was stored.
        let stored = await seeded.node.read { $0.lastReport(of: "limits-patrol") }
        #expect(stored != nil)
    }

    /// A CoT event timed further ahead than the node allows is refused whole: the unit it
    /// would have created is not added and the ledger records nothing of it, while an
    /// event on time on the same connection is stored.
    @Test func anEventTooFarAheadLeavesNothingBehind() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var settings = CoTSettings()
        settings.tcpPort = 0
        let (listening, running) = try await Self.start(settings, on: seeded)
        defer { running.cancel() }
        let auth = Data(#"<auth><cot username="coalition" password="\#(seeded.keys["coalition"]!)"/></auth>"#.utf8)
        let now = await seeded.node.read { $0.now }
        func event(_ uid: String, _ offset: TimeInterval) -> Data {
            CoTOutboundEvent(
                uid: uid, type: "a-f-G-U-C", time: now.addingTimeInterval(offset), stale: now.addingTimeInterval(600),
                latitude: 33.41, longitude: 38.61).xml()
        }
        let before = try await seeded.node.store.entries(after: 0, limit: 1_000_000).count
        _ = try await Self.closedAfter(
            port: listening, [auth, event("ahead-patrol", 120), event("timely-patrol", 0)], window: .seconds(3))
        var stored = false
        for _ in 0..<200 where !stored {
            stored = await seeded.node.read { $0.lastReport(of: "timely-patrol") } != nil
            if !stored { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(stored, "the event on time was not stored")
        #expect(await seeded.node.read { $0.unit("ahead-patrol") } == nil)
        let entries = try await seeded.node.store.entries(after: 0, limit: 1_000_000)
        let mentions = entries.filter { $0.payload.contains("ahead-patrol") }
        #expect(mentions.isEmpty, "\(mentions.map(\.type))")
        #expect(entries.count > before)
    }

    /// Connects, sends `messages`, and returns everything the server sent within `window`.
    static func received(port: Int, _ messages: [Data], window: Duration) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        // The window ends by closing the connection, which ends the reading below.
        let underlying = channel.channel
        underlying.eventLoop.scheduleTask(in: .nanoseconds(Int64(window / .nanoseconds(1)))) { underlying.close(promise: nil) }
        return try await channel.executeThenClose { inbound, outbound in
            for message in messages { try await outbound.write(ByteBuffer(data: message)) }
            var text = ""
            do {
                for try await buffer in inbound { text += String(buffer: buffer) }
            } catch {}
            return text
        }
    }

    /// A party's TAK devices see each other: a unit one device reports is drawn on the
    /// party's other devices as a friendly, and not sent back to the device reporting it.
    @Test func aPartysDevicesSeeEachOtherButNotThemselves() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var settings = CoTSettings()
        settings.tcpPort = 0
        settings.refreshInterval = .seconds(1)
        let (listening, running) = try await Self.start(settings, on: seeded)
        defer { running.cancel() }
        let auth = Data(#"<auth><cot username="coalition" password="\#(seeded.keys["coalition"]!)"/></auth>"#.utf8)
        let now = await seeded.node.read { $0.now }
        let report = CoTOutboundEvent(
            uid: "alpha-1", type: "a-f-G-U-C", time: now, stale: now.addingTimeInterval(600), latitude: 33.41, longitude: 38.61,
            callsign: "Alpha 1").xml()
        async let other = Self.received(port: listening, [auth], window: .seconds(8))
        try await Task.sleep(for: .seconds(1))
        let reporter = try await Self.received(port: listening, [auth, report], window: .seconds(5))
        let seen = try await other
        #expect(seen.contains(#"uid="alpha-1" type="a-f-G""#), "the other device was not sent alpha-1: \(seen.suffix(2_000))")
        #expect(seen.contains(#"callsign="Alpha 1""#))
        #expect(!reporter.contains(#"uid="alpha-1""#), "the reporting device was sent its own position back")
        // Zones still reach both.
        #expect(reporter.contains("u-d-c-c") && seen.contains("u-d-c-c"))
    }

    /// A TAK map shows what the console shows: another party's unit the party may locate
    /// (here the militia's guns inside the coalition's zone while their alerts are open)
    /// is sent with the unknown affiliation, its read recorded in the ledger; a unit a party
    /// may not locate (the coalition's patrol, for the militia) is never sent to it; once the alert is resolved the unit is deleted from the map.
    @Test func aZoneOwnersDevicesSeeTheIntruderOnlyWhileItsAlertIsOpen() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var settings = CoTSettings()
        settings.tcpPort = 0
        settings.refreshInterval = .seconds(1)
        let (listening, running) = try await Self.start(settings, on: seeded)
        defer { running.cancel() }
        let (located, hidden, alerts) = await seeded.node.read { engine in
            var located: [UnitID] = []
            var hidden: [UnitID] = []
            for unit in engine.units.values {
                guard let report = engine.lastReport(of: unit.id) else { continue }
                if unit.party != "coalition", Visibility.mayLocate(unit, report: report, by: "coalition", in: engine) { located.append(unit.id) }
                if unit.party != "allied-militia", !Visibility.mayLocate(unit, report: report, by: "allied-militia", in: engine) { hidden.append(unit.id) }
            }
            let alerts = located.flatMap { engine.openZoneAlerts(of: $0).map(\.id) }
            return (located.sorted(), hidden.sorted(), alerts)
        }
        try #require(!located.isEmpty && !hidden.isEmpty, "the seed discloses \(located) to the coalition and hides \(hidden) from the militia")
        let auth = Data(#"<auth><cot username="coalition" password="\#(seeded.keys["coalition"]!)"/></auth>"#.utf8)
        let militia = Data(#"<auth><cot username="allied-militia" password="\#(seeded.keys["allied-militia"]!)"/></auth>"#.utf8)
        let device = try await CoTDevice(port: listening, [auth])
        async let seenByMilitia = Self.received(port: listening, [militia], window: .seconds(6))
        // Every unit the coalition may locate is drawn on its device (waited for, up to 30 s).
        let sent = located.map { #"<event version="2.0" uid="\#($0)" type="a-u-"# }
        var text = try await device.text(containing: sent)
        for (unit, needle) in zip(located, sent) {
            #expect(text.contains(needle), "\(unit) was not sent: \(text.suffix(1_500))")
        }
        // The coalition resolves the alerts that disclose the units: they leave its map.
        for alert in alerts {
            try await seeded.node.execute(LedgerCommand(.engine(.resolve(alert, by: "coalition", reason: "seen to")), by: .party("coalition")))
        }
        let stillLocated = await seeded.node.read { engine in
            located.filter { Visibility.mayLocate(engine.unit($0)!, report: engine.lastReport(of: $0), by: "coalition", in: engine) }
        }
        let deleted = located.filter { !stillLocated.contains($0) }.map { #"uid="deconflict.delete.\#($0)" type="t-x-d-d""# }
        text = try await device.text(containing: deleted)
        await device.close()
        for needle in deleted {
            #expect(text.contains(needle), "not deleted after its alert was resolved: \(needle)")
        }
        #expect(stillLocated.count < located.count, "resolving the alerts disclosed nothing less")
        let militiaText = try await seenByMilitia
        #expect(militiaText.contains("u-d-c-c"), "the militia's device was sent nothing")
        for unit in hidden { #expect(!militiaText.contains(#"uid="\#(unit)""#), "\(unit) was sent though the militia may not locate it") }
        // Each unit sent is a read in the ledger, once per minute however often it was sent.
        let reads = try await seeded.node.store.allEntries().filter {
            $0.type == "command" && $0.payload.contains("\"recordRead\"") && $0.payload.contains("\"by\":\"coalition\"")
        }
        for unit in located { #expect(reads.filter { $0.payload.contains(unit.rawValue) }.count == 1, "reads of \(unit): \(reads.count)") }
    }
}

/// A device connected for as long as a test needs: what it received so far, read while
/// the test goes on, so the test waits for what it expects rather than for a fixed time.
final class CoTDevice: Sendable {
    private final class Received: Sendable {
        let text = Mutex("")
    }

    private let received = Received()
    private let reading: Task<Void, Never>
    private let channel: any Channel

    init(port: Int, _ messages: [Data]) async throws {
        let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        channel = connection.channel
        let received = received
        reading = Task {
            try? await connection.executeThenClose { inbound, outbound in
                for message in messages { try await outbound.write(ByteBuffer(data: message)) }
                do {
                    for try await buffer in inbound { received.text.withLock { $0 += String(buffer: buffer) } }
                } catch {}
            }
        }
    }

    /// What was received once it holds every one of `needles`, or at `timeout`.
    func text(containing needles: [String], timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = received.text.withLock { $0 }
            if needles.allSatisfy(text.contains) || ContinuousClock.now >= deadline { return text }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func close() async {
        channel.close(promise: nil)
        await reading.value
    }
}
