import AsyncHTTPClient
import DeconflictEngine
import DeconflictStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults from outside, injected into a running `deconflict serve` under load: the
/// database stopped and started again, a full disk, webhook receivers that are slow or
/// down, clients that stop reading their streams. Each time the server keeps serving
/// what it can, says so on `/readyz` and `/metrics`, recovers by itself, and keeps
/// every write it acknowledged.
@Suite("Fault injection", .serialized, .timeLimit(.minutes(10)))
struct FaultInjectionTests {
    // MARK: The database

    @Test(.enabled(if: PostgresCluster.binaries != nil))
    func postgresStoppedAndStartedUnderLoad() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.remove() }
        try cluster.start()
        let key = try runDeconflict(["party", "add", "writer", "--postgres", cluster.url])
        let server = try await ServerProcess(store: ["--postgres", cluster.url])
        defer { server.stop() }
        let client = Client(base: server.base, key: key, http: HTTPClient.shared)
        let load = try await WriteLoad.start(client, label: "pg")
        try await Task.sleep(for: .seconds(2))
        #expect(try await client.get("/readyz").status == 200)

        try cluster.stop()
        let stopped = ContinuousClock.now
        // Readiness and the metrics say so; reads are still served from memory.
        let notReady = try await waitFor(.seconds(20)) { try await client.get("/readyz").status == 503 }
        #expect(notReady, "/readyz still answers ready with the database stopped")
        let readiness = try await client.get("/readyz")
        #expect(readiness.contentType == "application/problem+json" && readiness.text.contains("store"), "\(readiness.text)")
        #expect(try await metric("deconflict_store_up", client) == 0)
        #expect(try await client.get("/v1/zones").status == 200)
        // A write is refused with 503 (not left hanging, not 500).
        let began = ContinuousClock.now
        let refused = try await client.send(.PUT, "/v1/zones/during-outage", json: WriteLoad.zone("during-outage", 0, 0))
        let refusal = ContinuousClock.now - began
        #expect(refused.status == 503, "\(refused.status) \(refused.text)")
        #expect(refusal < .seconds(20))
        try await Task.sleep(for: .seconds(2))

        try cluster.start()
        let restarted = ContinuousClock.now
        let back = try await waitFor(.seconds(60)) { try await client.get("/readyz").status == 200 }
        let recovery = ContinuousClock.now - restarted
        #expect(back, "/readyz not ready 60 s after the database came back")
        let acknowledgedBefore = load.acknowledged.count
        let writing = try await waitFor(.seconds(30)) { load.acknowledged.count > acknowledgedBefore + 10 }
        #expect(writing, "writes did not resume after the database came back")
        #expect(try await metric("deconflict_store_up", client) == 1)
        let summary = await load.stop()

        #expect(server.process.isRunning, "the server stopped: \(server.output.suffix(2_000))")
        #expect(summary.unexpected.isEmpty, "answers other than success or 503: \(summary.unexpected.prefix(5))")
        // The writers' own requests may have been refused, or (a commit in flight when the
        // server went away, retried once it was back) only delayed: either is right.
        server.stop()
        try await withStore(try PostgresStore(url: cluster.url)) { try await load.verify($0) }
        print("PostgreSQL stopped for \(restarted - stopped) under load: \(summary); a write refused in \(refusal); ready again \(recovery) after PostgreSQL started")
    }

    // MARK: The disk

    @Test(.enabled(if: SmallDisk.canMount))
    func aFullDiskRefusesWritesUntilThereIsRoom() async throws {
        let disk = try SmallDisk(megabytes: 24)
        defer { disk.remove() }
        let path = disk.folder.appendingPathComponent("store.sqlite").path
        let key = try runDeconflict(["party", "add", "writer", "--store", path])
        let server = try await ServerProcess(store: ["--store", path])
        defer { server.stop() }
        let client = Client(base: server.base, key: key, http: HTTPClient.shared)
        let load = try await WriteLoad.start(client, label: "disk")
        try await Task.sleep(for: .seconds(1))

        let filler = try disk.fill()
        let notReady = try await waitFor(.seconds(20)) { try await client.get("/readyz").status == 503 }
        #expect(notReady, "/readyz still answers ready with the disk full")
        #expect(try await metric("deconflict_store_up", client) == 0)
        // A write that needs room is refused with 503. One that fits in pages SQLite
        // already holds (a write-ahead log started again after a checkpoint) may still
        // succeed, durably: write until one needs room.
        var statuses: [Int] = []
        var refused: Client.Answer?
        for index in 0..<50 {
            let answer = try await client.send(.PUT, "/v1/zones/on-full-disk-\(index)", json: WriteLoad.zone("on-full-disk-\(index)", 0, 0))
            statuses.append(answer.status)
            if answer.status != 200 {
                refused = answer
                break
            }
        }
        #expect(refused?.status == 503, "\(statuses) \(refused?.text ?? "")")
        #expect(try await client.get("/v1/zones").status == 200)
        try await Task.sleep(for: .seconds(2))

        try FileManager.default.removeItem(at: filler)
        let acknowledgedBefore = load.acknowledged.count
        let writing = try await waitFor(.seconds(30)) { load.acknowledged.count > acknowledgedBefore + 10 }
        #expect(writing, "writes did not resume after room was made")
        let back = try await waitFor(.seconds(30)) { try await client.get("/readyz").status == 200 }
        #expect(back)
        let summary = await load.stop()
        #expect(server.process.isRunning, "the server stopped: \(server.output.suffix(2_000))")
        #expect(summary.unexpected.isEmpty, "answers other than success or 503: \(summary.unexpected.prefix(5))")
        server.stop()
        let store = try SQLiteStore(path: path)
        #expect(try await store.integrityCheck().isEmpty, "SQLite reports corruption")
        try await load.verify(store)
        print("full disk under load: \(summary)")
    }

    // MARK: Webhook receivers

    @Test func slowAndDeadWebhookReceiversHoldNobodyElseUp() async throws {
        let folder = try temporaryFolder("webhook-faults")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let parties = ["healthy", "dead", "slow"]
        var keys: [String: String] = [:]
        for party in parties { keys[party] = try runDeconflict(["party", "add", party, "--store", path]) }
        let server = try await ServerProcess(store: ["--store", path], extra: ["--webhook-allow", "127.0.0.0/8"])
        defer { server.stop() }

        let healthy = try await HookReceiver.start(port: 0)
        defer { healthy.stop() }
        // Each of the slow receiver's first two deliveries takes longer than the server waits.
        let slow = try await HookReceiver.start(port: 0, delays: [.seconds(12), .seconds(12)])
        defer { slow.stop() }
        let deadPort = try freePort()
        var hooks: [String: String] = [:]
        for (party, port) in [("healthy", healthy.port), ("dead", deadPort), ("slow", slow.port)] {
            let client = Client(base: server.base, key: keys[party], http: HTTPClient.shared)
            let created = try await client.send(.POST, "/v1/webhooks", json: ["url": "http://127.0.0.1:\(port)/hook", "secret": "a-secret-of-enough-length-\(party)"])
            #expect(created.status == 201, "\(created.text)")
            hooks[party] = created.json["id"] as? String
        }
        // Every party declares zones; each write is answered at once.
        var slowest = Duration.zero
        for index in 0..<5 {
            for party in parties {
                let client = Client(base: server.base, key: keys[party], http: HTTPClient.shared)
                let began = ContinuousClock.now
                let answer = try await client.send(.PUT, "/v1/zones/\(party)-\(index)", json: WriteLoad.zone("\(party)-\(index)", Double(index), 1))
                slowest = max(slowest, ContinuousClock.now - began)
                #expect(answer.status == 200, "\(answer.text)")
            }
        }
        #expect(slowest < .seconds(2), "a write waited \(slowest) behind the webhooks")
        // The healthy receiver has everything while the others are stuck.
        // Every party sees every zone, in the order they were declared.
        let declared = (0..<5).flatMap { index in parties.map { "\($0)-\(index)" } }
        #expect(try await waitFor(.seconds(10)) { healthy.zoneEvents.count == declared.count }, "healthy receiver: \(healthy.zoneEvents)")
        #expect(slow.zoneEvents.isEmpty)
        let operatorClient = Client(base: server.base, key: nil, http: HTTPClient.shared)
        let failing = try await waitFor(.seconds(10)) {
            try await metric("deconflict_webhook_failures", labels: "webhook=\"\(hooks["dead"]!)\"", operatorClient) ?? 0 > 0
        }
        #expect(failing, "the dead receiver's failures are not on /metrics")
        #expect(try await metric("deconflict_webhook_backlog", labels: "webhook=\"\(hooks["dead"]!)\"", operatorClient) ?? 0 > 0)

        // The dead receiver comes up: it gets everything, in order, once.
        let revived = try await HookReceiver.start(port: deadPort)
        defer { revived.stop() }
        // Its next attempt comes after the pause it has backed off to, at most a minute
        // (`WebhookDispatcher.maximumPause`), on a loaded machine a while after that.
        #expect(try await waitFor(.seconds(100)) { revived.zoneEvents.count == declared.count }, "revived receiver: \(revived.zoneEvents)")
        #expect(try await waitFor(.seconds(40)) { slow.zoneEvents.count == declared.count }, "slow receiver: \(slow.zoneEvents)")
        for receiver in [healthy, revived, slow] {
            let ids = receiver.eventIDs
            #expect(ids == ids.sorted() && Set(ids).count == ids.count, "\(ids)")
        }
        #expect(revived.zoneEvents == declared)
        #expect(slow.zoneEvents == declared)
        #expect(healthy.zoneEvents == declared)
        #expect(server.process.isRunning)
    }

    // MARK: Streams

    @Test func clientsThatStopReadingTheirStreamsAreDropped() async throws {
        let folder = try temporaryFolder("stalled-streams")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let key = try runDeconflict(["party", "add", "writer", "--store", path])
        let server = try await ServerProcess(store: ["--store", path], environment: ["DECONFLICT_STREAM_STALL_SECONDS": "2"])
        defer { server.stop() }
        let client = Client(base: server.base, key: key, http: HTTPClient.shared)

        // Two clients that read their handshake and then nothing more, a third that reads.
        let stalledSocket = try RawStream(port: server.port, request: [
            "GET /v1/events/ws HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", "Authorization: Bearer \(key)",
        ])
        #expect(stalledSocket.head.hasPrefix("HTTP/1.1 101"), "\(stalledSocket.head)")
        let stalledEvents = try RawStream(port: server.port, request: [
            "GET /v1/events HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream", "Authorization: Bearer \(key)",
        ])
        #expect(stalledEvents.head.hasPrefix("HTTP/1.1 200"), "\(stalledEvents.head)")
        let reader = EventCounter()
        let reading = Task { try await reader.read(server.base, key: key) }
        defer { reading.cancel() }

        // Megabytes of entries: zones with many vertices.
        let zones = 250
        for index in 0..<zones {
            let answer = try await client.send(.PUT, "/v1/zones/big-\(index)", json: WriteLoad.bigZone("big-\(index)", index))
            #expect(answer.status == 200, "\(answer.text)")
        }
        let dropped = try await waitFor(.seconds(30)) { try await metric("deconflict_stream_slow_clients_dropped", client) == 2 }
        let droppedCount = try await metric("deconflict_stream_slow_clients_dropped", client) ?? -1
        #expect(dropped, "stalled clients not dropped: \(droppedCount)")
        // The server closed both: reading them now reaches the end.
        #expect(stalledSocket.drainsToEnd(within: .seconds(10)), "the WebSocket is still open")
        #expect(stalledEvents.drainsToEnd(within: .seconds(10)), "the event stream is still open")
        // The client that reads got everything, and the server still serves.
        #expect(try await waitFor(.seconds(30)) { reader.count >= zones }, "the reading client got \(reader.count) of \(zones)")
        #expect(try await client.get("/readyz").status == 200)
        #expect(server.process.isRunning)
        print("stalled stream clients dropped after \(StreamStallLimit.seconds) s; the server's memory: \(residentMegabytes(server.process.processIdentifier)) MB")
    }
}

enum StreamStallLimit { static let seconds = 2 }

// MARK: - Helpers

/// Polls `condition` until it holds or `limit` passes.
func waitFor(_ limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return try await condition()
}

/// A sample's value from `/metrics`, or nil when it is not there.
func metric(_ name: String, labels: String? = nil, _ client: Client) async throws -> Double? {
    let text = try await Client(base: client.base, key: nil, http: client.http).get("/metrics").text
    let prefix = labels.map { "\(name){\($0)} " } ?? "\(name) "
    for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
        return Double(line.dropFirst(prefix.count))
    }
    return nil
}

func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

func residentMegabytes(_ pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return -1 }
    return kilobytes / 1_024
}

/// Writers putting zones and posting report batches as fast as they are answered,
/// remembering what was acknowledged.
final class WriteLoad: Sendable {
    struct Summary: CustomStringConvertible {
        var acknowledged = 0
        var refused = 0
        var unexpected: [String] = []
        var description: String { "\(acknowledged) writes acknowledged, \(refused) refused with 503" }
    }

    let zones = Mutex<Set<String>>([])
    let reports = Mutex<Set<String>>([])
    let summary = Mutex(Summary())
    private let task = Mutex<Task<Void, Never>?>(nil)
    static let writers = 3

    var acknowledged: (count: Int, zones: Set<String>) { (summary.withLock { $0.acknowledged }, zones.withLock { $0 }) }

    static func zone(_ id: String, _ x: Double, _ y: Double) -> [String: Any] {
        ["id": id, "kind": "protected-site", "circle": ["center": [10.0 + x / 10, 20.0 + y / 10], "radius": 500]]
    }

    /// A polygon zone of 800 vertices (about 30 kB on a stream).
    static func bigZone(_ id: String, _ index: Int) -> [String: Any] {
        let center = (30.0 + Double(index % 50) / 10, 40.0 + Double(index / 50) / 10)
        let ring = (0..<800).map { step -> [Double] in
            let angle = Double(step) / 800 * 2 * .pi
            return [center.0 + 0.02 * sin(angle), center.1 + 0.02 * cos(angle)]
        }
        return ["id": id, "kind": "protected-site", "polygon": [ring]]
    }

    static func start(_ client: Client, label: String) async throws -> WriteLoad {
        let load = WriteLoad()
        for writer in 0..<writers {
            let answer = try await client.send(.POST, "/v1/units", json: ["id": "u\(writer)", "domain": "ground"])
            #expect(answer.status == 201, "\(answer.text)")
        }
        load.task.withLock { $0 = Task { await load.run(client, label: label) } }
        return load
    }

    private func run(_ client: Client, label: String) async {
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<Self.writers {
                group.addTask {
                    var step = 0
                    while !Task.isCancelled {
                        step += 1
                        do {
                            let answer: Client.Answer
                            var onSuccess: () -> Void
                            if step % 2 == 0 {
                                let id = "\(label)-\(writer)-\(step)"
                                answer = try await client.send(.PUT, "/v1/zones/\(id)", json: Self.zone(id, Double(writer), Double(step % 100) / 10))
                                onSuccess = { self.zones.withLock { _ = $0.insert(id) } }
                            } else {
                                let now = Int64(Date().timeIntervalSince1970 * 1_000)
                                let times = (0..<20).map { now - 20 + Int64($0) }
                                let body = times.map { time -> [String: Any] in
                                    ["unit": "u\(writer)", "time": timestamp(milliseconds: time), "position": [-10.0 - Double(writer), -20.0], "speedMetersPerSecond": 0]
                                }
                                answer = try await client.send(.POST, "/v1/reports", json: body)
                                onSuccess = { self.reports.withLock { $0.formUnion(times.map { ServerCrashTests.key("u\(writer)", Double($0) / 1_000) }) } }
                            }
                            switch answer.status {
                            case 200, 201:
                                onSuccess()
                                self.summary.withLock { $0.acknowledged += 1 }
                            case 503 where answer.contentType == "application/problem+json":
                                self.summary.withLock { $0.refused += 1 }
                                try await Task.sleep(for: .milliseconds(50))
                            default:
                                self.summary.withLock { $0.unexpected.append("\(answer.status) \(answer.text.prefix(200))") }
                                try await Task.sleep(for: .milliseconds(50))
                            }
                        } catch is CancellationError {
                            return
                        } catch {
                            if Task.isCancelled { return }
                            self.summary.withLock { $0.unexpected.append("\(error)") }
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
        }
    }

    func stop() async -> Summary {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        return summary.withLock { $0 }
    }

    /// Every acknowledged write is in `store`, and its ledger verifies.
    func verify(_ store: any Store) async throws {
        let entries = try await store.allEntries()
        guard case .intact = LedgerVerification.check(entries) else {
            Issue.record("the ledger does not verify: \(LedgerVerification.check(entries))")
            return
        }
        // Every identifier of the writers' zones the ledger names.
        var storedZones: Set<String> = []
        for entry in entries {
            for match in entry.payload.matches(of: /"([a-z]+-\d+-\d+)"/) { storedZones.insert(String(match.1)) }
        }
        let acknowledgedZones = zones.withLock { $0 }
        let lostZones = acknowledgedZones.subtracting(storedZones)
        #expect(lostZones.isEmpty, "\(lostZones.count) acknowledged zones lost, e.g. \(lostZones.first ?? "")")
        var stored: Set<String> = []
        for writer in 0..<Self.writers {
            for report in try await store.reports(of: .init("u\(writer)"), from: .distantPast, to: .distantFuture) {
                stored.insert(ServerCrashTests.key("u\(writer)", report.time.timeIntervalSince1970))
            }
        }
        let lostReports = reports.withLock { $0 }.subtracting(stored)
        #expect(lostReports.isEmpty, "\(lostReports.count) acknowledged reports lost")
        #expect(!acknowledgedZones.isEmpty)
    }
}

/// A PostgreSQL server of the test's own, in a temporary folder on a free port, that it
/// stops and starts (as the postgres user when run as root).
final class PostgresCluster: Sendable {
    static let binaries: String? = (10...40).reversed().lazy
        .map { "/usr/lib/postgresql/\($0)/bin" }
        .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }

    let folder: String
    let port: Int
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    init() throws {
        folder = try temporaryFolder("pg-cluster").path
        port = try freePort()
        if getuid() == 0 { try Self.run("/usr/bin/chown", ["postgres", folder]) }
        try run("initdb", ["-D", "\(folder)/data", "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    }

    func start() throws {
        try run("pg_ctl", [
            "-D", "\(folder)/data", "-l", "\(folder)/server.log", "-w",
            "-o", "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=on", "start",
        ])
    }

    /// Stops the server at once, as a crash or a pulled cable would (`-m immediate`).
    func stop() throws { try run("pg_ctl", ["-D", "\(folder)/data", "-m", "immediate", "stop"]) }

    func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let path = "\(Self.binaries!)/\(tool)"
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try Self.run(path, arguments)
        }
    }

    private static func run(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        // Through a shell that closes every descriptor past the standard three first: the
        // server pg_ctl starts would inherit them, and the one Foundation watches for the
        // child's exit would then stay open as long as the server runs.
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@""#, "run", path,
        ] + arguments
        // To a file, not a pipe: the server pg_ctl starts inherits it and keeps it open.
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cluster-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw HarnessError("\(path) \(arguments.joined(separator: " ")): \(text)") }
    }
}

/// A small tmpfs of its own, to fill up.
struct SmallDisk {
    static let canMount: Bool = {
        guard getuid() == 0, let disk = try? SmallDisk(megabytes: 1) else { return false }
        disk.remove()
        return true
    }()

    let folder: URL

    init(megabytes: Int) throws {
        folder = try temporaryFolder("small-disk")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: folder)
            throw HarnessError("mount failed")
        }
    }

    /// Writes a file until the disk is full; the file.
    func fill() throws -> URL {
        let file = folder.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let chunk = Data(repeating: 0x55, count: 64 * 1_024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        return file
    }

    func remove() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/umount")
        process.arguments = ["-l", folder.path]
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A webhook receiver on a port of its choosing (or a given one), optionally slow to
/// answer its first deliveries.
final class HookReceiver: Sendable {
    final class Log: Sendable {
        let received = Mutex<[(id: Int64, zone: String?)]>([])
    }

    let port: Int
    private let task: Task<Void, any Error>
    private let log: Log

    var eventIDs: [Int64] { log.received.withLock { $0.map(\.id) } }
    var zoneEvents: [String] { log.received.withLock { $0.compactMap(\.zone) } }

    private init(port: Int, task: Task<Void, any Error>, log: Log) {
        self.port = port
        self.task = task
        self.log = log
    }

    static func start(port requested: Int, delays: [Duration] = []) async throws -> HookReceiver {
        let port = requested == 0 ? try freePort() : requested
        let delays = Mutex(delays)
        let log = Log()
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 22))
            if let delay = delays.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { try await Task.sleep(for: delay) }
            let id = Int64(request.headers[HTTPField.Name("Deconflict-Event-Id")!] ?? "") ?? -1
            let zone = body.contains("\"zone.changed\"") ? body.firstMatch(of: /"id":"([a-z]+-\d+)"/).map { String($0.1) } : nil
            // Deliveries are at least once: a receiver drops an id it has seen (the slow
            // one's first answers come after the server gave up and tried again).
            log.received.withLock { received in
                if !received.contains(where: { $0.id == id }) { received.append((id, zone)) }
            }
            return .ok
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let task = Task { try await application.runService() }
        // Until it listens.
        for _ in 0..<100 {
            if (try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(1))) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return HookReceiver(port: port, task: task, log: log)
    }

    func stop() { task.cancel() }
}

/// A client speaking HTTP over a plain socket with a small receive buffer, which reads
/// its answer's head and then nothing until asked.
final class RawStream: @unchecked Sendable {
    let descriptor: Int32
    let head: String

    init(port: Int, request lines: [String]) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var size: Int32 = 4_096
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("connect failed: \(errno)") }
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        // The head, a byte at a time so nothing after it is read.
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while !bytes.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), recv(descriptor, &byte, 1, 0) == 1 { bytes.append(byte) }
        head = String(decoding: bytes, as: UTF8.self)
    }

    /// Reads what is waiting until the server's end of the stream; whether that came
    /// within `limit`.
    func drainsToEnd(within limit: Duration) -> Bool {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { return true }  // reset: closed too
        }
        return false
    }

    deinit { close(descriptor) }
}

/// Reads a party's event stream (server-sent events), counting zone changes.
final class EventCounter: Sendable {
    private let seen = Atomic<Int>(0)
    var count: Int { seen.load(ordering: .relaxed) }

    func read(_ base: String, key: String) async throws {
        var request = HTTPClientRequest(url: base + "/v1/events")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        var pending = ""
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            for event in takeServerSentEvents(from: &pending) where event.event == "zone.changed" {
                seen.add(1, ordering: .relaxed)
            }
        }
    }
}
