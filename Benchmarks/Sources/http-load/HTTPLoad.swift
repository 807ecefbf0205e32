import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Load against a running `deconflict serve`: HTTP batch ingest, reports per second, and
/// the end-to-end alert latency (report sent, alert delivered on the WebSocket stream)
/// under a fixed background load.
///
/// Setup registers the units, the zones and one agreement between the two parties. The
/// throughput phase posts batches on `--connections` connections as fast as the server
/// answers them. The latency phase offers a fixed background load (`--rate`, by default
/// half the throughput measured) and, apart from it, sends probes: small POSTs of one
/// report each that move a fresh unit from outside into an agreed zone, timed until the
/// zone owner's WebSocket stream delivers the incursion alert.
///
/// Every request body is encoded before its phase starts, so the figures do not include
/// the generator's JSON work; the generator still shares the machine with the server
/// (its CPU use is printed).
@main
struct HTTPLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-load", abstract: "HTTP batch ingest and end-to-end alert latency of a running server.")

    @Option(help: "The server, e.g. http://127.0.0.1:8080.") var url: String
    @Option(help: "The party that owns the zones and receives the alerts.") var zoneParty = "alpha"
    @Option(help: "Its API key.") var zoneKey: String
    @Option(help: "The party that owns the units and reports their positions.") var unitParty = "bravo"
    @Option(help: "Its API key.") var unitKey: String
    @Option(help: "Background units.") var units = 10_000
    @Option(help: "Zones (circles of 2–8 km, all of one agreement).") var zones = 300
    @Option(help: "Probe units for the latency phase (one probe each).") var probes = 1_000
    @Option(help: "Seconds of scenario time between two reports of a unit.") var interval = 0.5
    @Option(help: "Concurrent connections posting batches.") var connections = 4
    @Option(help: "Reports per batch.") var batch = 5_000
    @Option(help: "json (an array) or ndjson.") var format = BodyFormat.json
    @Option(help: "Seconds of the throughput phase.") var duration = 15.0
    @Option(help: "Seconds at the start of the throughput phase left out of its rate, so that it measures what the server sustains past the burst an empty store and empty queues absorb (0: the whole phase).")
    var warmup = 0.0
    @Option(help: "The highest rate the throughput phase can show: reports encoded for it are this × --duration.")
    var maxRate = 200_000.0
    @Option(help: "Seconds of the latency phase.") var latencyDuration = 20.0
    @Option(help: "Background reports per second in the latency phase (default: half the throughput measured).")
    var rate: Double?
    @Option(help: "Probes per second in the latency phase.") var probeRate = 20.0
    @Flag(help: "Skip the throughput phase (then --rate is required).") var skipThroughput = false
    @Flag(help: "Skip the latency phase.") var skipLatency = false
    @Option(help: "A load curve instead of one latency phase: a latency phase at each of these fractions of the capacity measured (or of --rate), e.g. 0.25,0.5,0.75,1,1.25, each with probes of its own; prints one line per point, `curve:` then the columns of --curve-header.")
    var curve: Fractions?
    @Flag(help: "Print the columns of the `curve:` lines and exit.") var curveHeader = false
    @Option(help: "The server's process id, to report its CPU use.") var serverPid: Int32?
    @Option(help: "Concurrent requests during setup.") var setupConcurrency = 16
    @Option(help: "How the throughput phase sends reports: http (POST /v1/reports), cot-xml or cot-protobuf (the CoT TCP listener, one connection per --connections).")
    var transport = Transport.http
    @Option(help: "The server's CoT TCP port (with --transport cot-…).") var cotPort: Int?
    @Option(help: "Seconds of a soak instead of the latency phase: --rate (by default half the throughput measured), open loop, with the server's memory, file descriptors and latencies sampled and judged (needs --server-pid).")
    var soak: Double?
    @Option(help: "Soak: seconds between two samples.") var sampleEvery = 10.0
    @Option(help: "Soak: reports per batch (default: --batch, as the throughput phase that measured the capacity).")
    var soakBatch: Int?
    @Option(help: "Soak: connections posting batches (default: --connections).") var soakConnections: Int?
    @Option(help: "Soak: probe moves per second (every other move of a probe enters a zone and is timed to its alert).")
    var soakProbeRate = 4.0
    @Option(help: "Soak: write the samples to this CSV file.") var soakCSV: String?
    @Option(help: "Soak: seconds between two GET /v1/situation (0: none; GET /v1/alerts goes every 5 s).")
    var soakSituationEvery = 60.0
    @Option(help: "Soak: RSS growth allowed, second quarter's median to the last quarter's, percent (or --soak-rss-growth-mb, whichever is larger).")
    var soakRSSGrowthPercent = 10.0
    @Option(help: "Soak: RSS growth allowed, MB (or --soak-rss-growth-percent, whichever is larger).")
    var soakRSSGrowthMB = 32.0
    @Option(help: "Soak: open file descriptors allowed to differ, second quarter's median to the last quarter's.")
    var soakFDSlack = 4
    @Option(help: "Soak: bound on every interval's p99, batch round trip (from its due time) and alert latency, ms.")
    var soakP99Millis = 2_000.0

    enum Transport: String, ExpressibleByArgument, Sendable {
        case http, cotXML = "cot-xml", cotProtobuf = "cot-protobuf"
    }

    /// How far ahead of the server's clock a report may be sent (the server allows 30 s).
    static let skewAllowanceMillis: Int64 = 25_000
    /// How far behind the clock the scenario may start (tracks go stale after 300 s).
    static let maximumLagSeconds = 200.0

    /// Fractions of the capacity, comma-separated.
    struct Fractions: ExpressibleByArgument, Sendable {
        var values: [Double]

        init?(argument: String) {
            let values = argument.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.count == argument.split(separator: ",").count, values.allSatisfy({ $0 > 0 && $0 <= 4 }) else {
                return nil
            }
            self.values = values
        }
    }

    /// The columns of a `curve:` line.
    static let curveColumns = [
        "fraction", "offered_reports_per_second", "accepted_reports_per_second", "alert_p50_ms", "alert_p90_ms", "alert_p99_ms",
        "alert_p999_ms", "alert_max_ms", "probes", "missing", "batch_p50_ms", "batch_p99_ms", "probe_answer_p50_ms",
        "probe_answer_p99_ms", "server_cores", "fsync_p50_ms", "fsync_p99_ms",
    ]

    func validate() throws {
        if curveHeader { return }
        if let curve {
            guard soak == nil, !skipLatency else { throw ValidationError("--curve runs latency phases: not with --soak or --skip-latency") }
            guard probes >= curve.values.count else { throw ValidationError("--curve needs at least one probe per point: raise --probes") }
        }
        if skipThroughput, !skipLatency || soak != nil, rate == nil { throw ValidationError("--skip-throughput needs --rate") }
        if let soak {
            let soakBatch = self.soakBatch ?? batch, soakConnections = self.soakConnections ?? connections
            guard soak > 0, sampleEvery > 0, soakBatch > 0, soakBatch <= 20_000, soakConnections > 0, units >= soakConnections,
                  soakProbeRate > 0, probes > 0
            else { throw ValidationError("--soak, --sample-every, --soak-batch (≤ 20,000), --soak-connections (≤ --units), --soak-probe-rate and --probes must be positive") }
            if serverPid == nil { throw ValidationError("--soak needs --server-pid") }
        }
        if transport != .http, cotPort == nil { throw ValidationError("--transport \(transport.rawValue) needs --cot-port") }
        guard units >= connections, connections > 0, batch > 0, batch <= 20_000 else {
            throw ValidationError("need --units ≥ --connections > 0 and 0 < --batch ≤ 20,000")
        }
        guard interval > 0, probeRate > 0, duration > 0, latencyDuration > 0 else {
            throw ValidationError("--interval, --probe-rate and the durations must be positive")
        }
        guard warmup >= 0, warmup < duration else { throw ValidationError("--warmup must be at least 0 and under --duration") }
        if warmup > 0, transport != .http { throw ValidationError("--warmup applies to the HTTP throughput phase (--transport http)") }
    }

    func run() async throws {
        if curveHeader {
            print(Self.curveColumns.joined(separator: ","))
            return
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: max(connections, setupConcurrency) + 8)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(ServerAPI(base: url.hasSuffix("/") ? String(url.dropLast()) : url, http: http))
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func measure(_ api: ServerAPI) async throws {
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; generator and server share them")
        let setupStarted = Date()
        let scenario = Scenario(units: units, zones: zones, probes: probes, interval: interval)
        let sequence = try await setUp(api, scenario: scenario)
        print(String(format: "setup: %d units, %d probe units, %d zones, 1 agreement in %.1f s", units, probes, zones,
                     Date().timeIntervalSince(setupStarted)))

        // The scenario starts behind the clock, so that batches sent faster than real time
        // stay within the server's allowed skew for as long as possible.
        let origin = Int64(Date().timeIntervalSince1970 * 1_000) - Int64(Self.maximumLagSeconds * 1_000)
        var gateways = Gateway.split(scenario, into: connections, originMillis: origin)
        var measured: Double?
        if !skipThroughput {
            switch transport {
            case .http: measured = try await throughput(api, gateways: &gateways, scenario: scenario)
            case .cotXML: measured = try await cotThroughput(api, gateways: &gateways, scenario: scenario, encoding: .xml)
            case .cotProtobuf: measured = try await cotThroughput(api, gateways: &gateways, scenario: scenario, encoding: .protobuf)
            }
        }
        if soak != nil, let background = rate ?? measured.map({ $0 / 2 }) {
            // The latest report time sent so far: the soak's reports come after it.
            let latest = gateways.filter { $0.next > 0 }.map { $0.report($0.next - 1, scenario: scenario).millis }.max() ?? 0
            try await runSoak(api, scenario: scenario, rate: background, origin: origin, resumeAfter: latest)
            return
        }
        if let curve, let capacity = rate ?? measured {
            // Each point its own slice of the probes (a probe enters its zone once), and a
            // pause between points so that one's backlog does not weigh on the next.
            let share = probes / curve.values.count
            var after = sequence
            for (index, fraction) in curve.values.enumerated() {
                if index > 0 { try await Task.sleep(for: .seconds(3)) }
                let point = try await latency(
                    api, gateways: &gateways, scenario: scenario, rate: capacity * fraction, after: after,
                    probes: index * share..<(index + 1) * share)
                after = point.sequence
                print("curve:" + ([fraction] + point.columns).map { String(format: "%.4g", $0) }.joined(separator: ","))
            }
        } else if !skipLatency, let background = rate ?? measured.map({ $0 / 2 }) {
            _ = try await latency(api, gateways: &gateways, scenario: scenario, rate: background, after: sequence, probes: 0..<probes)
        }
    }

    // MARK: Setup

    /// Registers the agreement, the zones and the units; the last ledger sequence.
    private func setUp(_ api: ServerAPI, scenario: Scenario) async throws -> Int64 {
        try await api.expect(.PUT, "/v1/agreements/bench", key: zoneKey, json: [
            "id": "bench", "title": "Load benchmark", "signatories": [zoneParty: "signed", unitParty: "proposed"],
        ])
        try await api.expect(.POST, "/v1/agreements/bench/sign", key: unitKey)
        var requests: [(path: String, method: HTTPMethod, key: String, json: [String: Any])] = []
        for zone in scenario.zones {
            requests.append(("/v1/zones/\(zone.id)", .PUT, zoneKey, [
                "id": zone.id, "kind": "deconfliction-zone", "agreement": "bench",
                "circle": ["center": [zone.center.latitude, zone.center.longitude], "radius": zone.radius],
                "altitude": [0, 15_000],
            ]))
        }
        for id in scenario.tracks.map(\.id) + scenario.probes.map(\.id) {
            requests.append(("/v1/units", .POST, unitKey, ["id": id, "domain": "ground", "name": id]))
        }
        let sendable = requests.map { Unchecked(value: $0) }
        var latest: Int64 = 0
        try await withThrowingTaskGroup(of: Int64.self) { group in
            var next = 0
            func add() {
                let request = sendable[next].value
                let wrapped = Unchecked(value: request.json)
                group.addTask { try await api.expect(request.method, request.path, key: request.key, json: wrapped.value).sequence }
                next += 1
            }
            while next < min(setupConcurrency, sendable.count) { add() }
            while let sequence = try await group.next() {
                latest = max(latest, sequence)
                if next < sendable.count { add() }
            }
        }
        return latest
    }

    // MARK: Throughput

    /// Posts batches as fast as the server answers; the accepted reports per second.
    private func throughput(_ api: ServerAPI, gateways: inout [Gateway], scenario: Scenario) async throws -> Double {
        let perConnection = Int((maxRate * duration / Double(connections) / Double(batch)).rounded(.up))
        let encodingStarted = Date()
        var bodies: [[EncodedBatch]] = []
        for index in gateways.indices {
            bodies.append(gateways[index].encode(batches: perConnection, size: batch, format: format, scenario: scenario))
        }
        let bytes = bodies.joined().reduce(0) { $0 + $1.body.readableBytes }
        print(String(format: "throughput: %d batches of %d reports (%@, %.0f bytes a report) encoded in %.1f s",
                     perConnection * connections, batch, format.rawValue, Double(bytes) / Double(perConnection * connections * batch),
                     Date().timeIntervalSince(encodingStarted)))

        let before = CPUTime.now(server: serverPid)
        let began = ContinuousClock.now
        let deadline = began + .seconds(duration)
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for connection in 0..<connections {
                let batches = bodies[connection]
                group.addTask {
                    var outcome = Outcome(connection: connection)
                    for body in batches {
                        guard ContinuousClock.now < deadline else { break }
                        outcome.throttled += try await Self.waitForClock(body.latestMillis)
                        try await outcome.post(body, api: api, key: unitKey, format: format)
                    }
                    outcome.finished = ContinuousClock.now
                    outcome.exhausted = outcome.batches == batches.count
                    return outcome
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let total = Outcome.merged(outcomes)
        let wall = (total.finished - began).seconds
        let cores = CPUTime.now(server: serverPid).cores(since: before, wall: wall)
        let rates = (reports: Double(total.accepted) / wall, batches: Double(total.batches) / wall)
        let roundTrips = Percentiles(total.roundTrips)
        print("throughput: \(connections) connections, batches of \(batch) (\(format.rawValue)), \(String(format: "%.1f", wall)) s")
        print("  accepted \(grouped(rates.reports)) reports/s, \(String(format: "%.1f", rates.batches)) batches/s;"
              + " \(total.accepted) accepted, \(total.rejected) rejected, \(total.failures) failed requests")
        // Past the warm-up: the reports of the batches answered after it, over the time after it.
        var measured = rates.reports
        if warmup > 0 {
            let since = began + .seconds(warmup)
            let sustained = Double(total.answers.filter { $0.at >= since }.reduce(0) { $0 + $1.accepted }) / (total.finished - since).seconds
            print(String(format: "  sustained past the first %.0f s: %@ reports/s (the whole phase: %@); the phase's rate is the sustained one",
                         warmup, grouped(sustained), grouped(rates.reports)))
            measured = sustained
        }
        print("  batch round trip p50 \(millis(roundTrips(50))), p99 \(millis(roundTrips(99))), max \(millis(roundTrips.max))")
        print("  CPU: generator \(percentOfCore(cores.generator)) of a core, server \(percentOfCore(cores.server))")
        if total.throttled > 0 {
            print(String(format: "  note: batches waited %.1f s in all for the server's clock (scenario ahead by the allowed skew)",
                         total.throttled))
        }
        if outcomes.contains(where: \.exhausted) {
            print("  note: a connection used all its encoded batches before the end; raise --max-rate")
        }
        // The latency phase carries on from the first report not sent.
        for outcome in outcomes { gateways[outcome.connection].next -= (perConnection - outcome.batches) * batch }
        return measured
    }

    /// Streams the reports as CoT events on `--connections` TCP connections for
    /// `--duration` seconds; the events the server accepted per second, counted on its
    /// `/metrics` from the first byte sent until the count stops growing.
    private func cotThroughput(_ api: ServerAPI, gateways: inout [Gateway], scenario: Scenario, encoding: CoTEncoding) async throws -> Double {
        let perConnection = Int((maxRate * duration / Double(connections) / Double(batch)).rounded(.up))
        let encodingStarted = Date()
        var bodies: [[EncodedBatch]] = []
        for index in gateways.indices {
            var batches: [EncodedBatch] = []
            for _ in 0..<perConnection {
                let reports = (gateways[index].next..<gateways[index].next + batch).map { gateways[index].report($0, scenario: scenario) }
                gateways[index].next += batch
                batches.append(encoding.encode(reports))
            }
            bodies.append(batches)
        }
        let bytes = bodies.joined().reduce(0) { $0 + $1.body.readableBytes }
        print(String(format: "throughput: CoT %@, %d chunks of %d events (%.0f bytes an event) encoded in %.1f s",
                     encoding.rawValue, perConnection * connections, batch, Double(bytes) / Double(perConnection * connections * batch),
                     Date().timeIntervalSince(encodingStarted)))
        let port = cotPort!
        let startCount = try await api.cotAccepted()
        let before = CPUTime.now(server: serverPid)
        let began = ContinuousClock.now
        let deadline = began + .seconds(duration)
        let party = unitParty, key = unitKey
        let sent = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
            for connection in 0..<connections {
                let batches = bodies[connection]
                group.addTask {
                    let channel = try await CoTConnection.open(port: port, party: party, key: key)
                    let count = SentCount()
                    try await channel.run(party: party, key: key) { outbound in
                        for body in batches {
                            guard ContinuousClock.now < deadline else { break }
                            count.throttled += try await Self.waitForClock(body.latestMillis)
                            try await outbound.write(body.body)
                            count.events += body.reports
                        }
                    }
                    return (count.events, count.throttled)
                }
            }
            return try await group.reduce(into: (0, 0.0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let sendingEnded = ContinuousClock.now
        // The server stores what it read; wait until its count stops growing.
        var last = try await api.cotAccepted()
        var lastChange = ContinuousClock.now
        // The count grows a batch at a time; a pause of 20 s means the rest is not coming.
        while ContinuousClock.now - lastChange < .seconds(20), last - startCount < sent.0 {
            try await Task.sleep(for: .milliseconds(50))
            let now = try await api.cotAccepted()
            if now != last { last = now; lastChange = ContinuousClock.now }
        }
        let accepted = last - startCount
        let wall = (lastChange - began).seconds
        let cores = CPUTime.now(server: serverPid).cores(since: before, wall: wall)
        let rate = Double(accepted) / wall
        print("throughput: CoT \(encoding.rawValue) over \(connections) TCP connections, \(String(format: "%.1f", wall)) s"
              + " (sending \(String(format: "%.1f", (sendingEnded - began).seconds)) s)")
        print("  accepted \(grouped(rate)) events/s; \(sent.0) sent, \(accepted) accepted")
        let counts = try await api.cotCounts().filter { $0.key != "accepted" }
        if !counts.isEmpty { print("  server's other counts: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))") }
        print("  CPU: generator \(percentOfCore(cores.generator)) of a core, server \(percentOfCore(cores.server))")
        if sent.1 > 0 { print(String(format: "  note: connections waited %.1f s in all for the server's clock", sent.1)) }
        return rate
    }

    /// Sleeps until the server's clock allows a report at `millis`; the seconds slept.
    static func waitForClock(_ millis: Int64) async throws -> Double {
        let ahead = millis - Int64(Date().timeIntervalSince1970 * 1_000) - skewAllowanceMillis
        guard ahead > 0 else { return 0 }
        try await Task.sleep(for: .milliseconds(ahead))
        return Double(ahead) / 1_000
    }

    // MARK: Latency

    /// What one latency phase measured.
    struct LatencyPoint {
        /// The ledger sequence after the probes were placed.
        var sequence: Int64
        /// The columns of a `curve:` line after the fraction (milliseconds, reports/s, cores).
        var columns: [Double]
    }

    /// A fixed background load plus probes (`probeSlice` of the scenario's); prints the
    /// alert latency.
    private func latency(
        _ api: ServerAPI, gateways: inout [Gateway], scenario: Scenario, rate: Double, after: Int64, probes probeSlice: Range<Int>
    ) async throws -> LatencyPoint {
        let probeList = Array(scenario.probes[probeSlice])
        let usable = min(probeList.count, Int(probeRate * latencyDuration))
        guard usable > 0 else { throw ValidationError("no probes: raise --probes") }
        // The floor under every durable answer, measured before the load starts.
        let floor = fsyncFloor(directory: NSTemporaryDirectory())
        // Background batches on a schedule: each connection every `period`, staggered.
        let period = Double(connections * batch) / rate
        let perConnection = Int((latencyDuration / period).rounded(.up))
        let rounds = Double(perConnection * batch) / (Double(units) / Double(connections))
        let lag = min(Self.maximumLagSeconds, max(0, rounds * interval - latencyDuration)) + 5
        let startMillis = Int64((Date().timeIntervalSince1970 - lag) * 1_000)
        var bodies: [[EncodedBatch]] = []
        for index in gateways.indices {
            gateways[index].skip(toMillis: startMillis)
            bodies.append(gateways[index].encode(batches: perConnection, size: batch, format: format, scenario: scenario))
        }

        // The probes wait outside every zone, stationary; then the stream opens after them.
        let placedMillis = Int64(Date().timeIntervalSince1970 * 1_000)
        var sequence = after
        for chunk in stride(from: 0, to: probeList.count, by: batch) {
            let reports = probeList[chunk..<min(chunk + batch, probeList.count)].map {
                WireReport(unit: $0.id, millis: placedMillis, position: $0.outside, speed: 0, course: 0)
            }
            let answer = try await api.send(.POST, "/v1/reports", key: unitKey, body: ReportEncoder.batch(reports, format: .json).body)
            guard answer.status == 200, answer.ingest.accepted == reports.count else {
                throw ServerAPI.Failure(description: "placing the probes: \(answer.status) \(answer.text.prefix(300))")
            }
            sequence = max(sequence, answer.sequence)
        }
        let probeBodies = probeList.prefix(usable).enumerated().map { index, probe in
            let millis = placedMillis + Int64(Double(index) / probeRate * 1_000)
            let report = WireReport(unit: probe.id, millis: millis, position: probe.zone.center, speed: 0, course: 0)
            return ReportEncoder.batch([report], format: .json)
        }
        let listener = AlertListener()
        let streamURL = url.replacingOccurrences(of: "http://", with: "ws://")
            + "/v1/events/ws?after=\(sequence)&access_token=\(zoneKey)"
        let stream = Task { try await listener.run(url: streamURL) }
        defer { stream.cancel() }
        let connectBy = ContinuousClock.now + .seconds(10)
        while !listener.connected {
            guard ContinuousClock.now < connectBy else { throw ServerAPI.Failure(description: "the WebSocket did not open") }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(500))

        let before = CPUTime.now(server: serverPid)
        let began = ContinuousClock.now
        let deadline = began + .seconds(latencyDuration)
        let sent = SentProbes()
        let (background, probeAnswers) = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for connection in 0..<connections {
                let batches = bodies[connection]
                let offset = period * Double(connection) / Double(connections)
                group.addTask {
                    var outcome = Outcome()
                    for (index, body) in batches.enumerated() {
                        let due = began + .seconds(offset + Double(index) * period)
                        guard due < deadline else { break }
                        try await Task.sleep(until: due, clock: .continuous)
                        outcome.throttled += try await Self.waitForClock(body.latestMillis)
                        try await outcome.post(body, api: api, key: unitKey, format: format)
                    }
                    outcome.finished = ContinuousClock.now
                    return outcome
                }
            }
            // Probes, each its own POST of one report, on their own connection.
            let timed = Array(probeList.prefix(usable))
            let probeTask = Task {
                var outcome = Outcome()
                for (index, probe) in timed.enumerated() {
                    let due = began + .seconds(Double(index) / probeRate)
                    guard due < deadline else { break }
                    try await Task.sleep(until: due, clock: .continuous)
                    sent.record(probe.id)
                    let raised = try await outcome.post(probeBodies[index], api: api, key: unitKey, format: .json)
                    if raised == 0 { outcome.withoutAlert += 1 }
                }
                outcome.finished = ContinuousClock.now
                return outcome
            }
            let background = try await group.reduce(into: []) { $0.append($1) }
            return (Outcome.merged(background), try await probeTask.value)
        }
        let wall = (background.finished - began).seconds
        let cores = CPUTime.now(server: serverPid).cores(since: before, wall: wall)
        // Stragglers: a few seconds for alerts still on their way.
        let zoneOf = Dictionary(uniqueKeysWithValues: scenario.probes.map { ($0.id, $0.zone.id) })
        let lateBy = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < lateBy,
              sent.all.contains(where: { listener.arrival(of: $0.unit, in: zoneOf[$0.unit] ?? "") == nil }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        var latencies: [Double] = []
        var missing = 0
        for (unit, at) in sent.all {
            if let arrival = listener.arrival(of: unit, in: zoneOf[unit] ?? "") {
                latencies.append((arrival - at).seconds)
            } else {
                missing += 1
            }
        }
        let alert = Percentiles(latencies)
        let answers = Percentiles(probeAnswers.roundTrips)
        let roundTrips = Percentiles(background.roundTrips)
        let (messages, alerts) = listener.counts
        print("latency: offered \(grouped(rate)) reports/s in batches of \(batch) on \(connections) connections"
              + " (\(String(format: "%.0f", 1 / period * Double(connections))) batches/s), probes \(grouped(probeRate))/s"
              + " in their own POSTs of one report, \(String(format: "%.1f", wall)) s")
        print("  background achieved \(grouped(Double(background.accepted) / wall)) reports/s;"
              + " \(background.rejected) rejected, \(background.failures) failed requests;"
              + " batch round trip p50 \(millis(roundTrips(50))), p99 \(millis(roundTrips(99)))")
        print("  alert latency (POST written → alert.raised on the WebSocket), \(alert.count) of \(sent.all.count) probes, \(missing) missing:"
              + " p50 \(millis(alert(50))), p90 \(millis(alert(90))), p99 \(millis(alert(99))), p99.9 \(millis(alert(99.9))), max \(millis(alert.max))")
        print("  fsync floor (4 KB appended + fdatasync in \(NSTemporaryDirectory()), \(floor.count) times, before the load):"
              + " p50 \(millis(floor(50))), p99 \(millis(floor(99))), p99.9 \(millis(floor(99.9))), max \(millis(floor.max))")
        print("  probe POST answered (durable): p50 \(millis(answers(50))), p99 \(millis(answers(99)));"
              + " \(probeAnswers.withoutAlert) probes answered without an alert raised")
        print("  stream: \(messages) messages, \(alerts) alert.raised")
        print("  CPU: generator \(percentOfCore(cores.generator)) of a core, server \(percentOfCore(cores.server))")
        if background.throttled > 0 {
            print(String(format: "  note: batches waited %.1f s in all for the server's clock", background.throttled))
        }
        let ms = { (seconds: Double) in seconds * 1_000 }
        return LatencyPoint(sequence: sequence, columns: [
            rate, Double(background.accepted) / wall, ms(alert(50)), ms(alert(90)), ms(alert(99)), ms(alert(99.9)), ms(alert.max),
            Double(sent.all.count), Double(missing), ms(roundTrips(50)), ms(roundTrips(99)), ms(answers(50)), ms(answers(99)),
            cores.server ?? .nan, ms(floor(50)), ms(floor(99)),
        ])
    }
}

/// What one connection saw.
/// What one CoT connection sent.
final class SentCount: @unchecked Sendable {
    var events = 0
    var throttled = 0.0
}

struct Outcome: Sendable {
    var connection = 0
    var batches = 0
    var accepted = 0
    var rejected = 0
    var failures = 0
    var withoutAlert = 0
    var throttled = 0.0
    var roundTrips: [Double] = []
    /// When each answer was read, and the reports it accepted.
    var answers: [(at: ContinuousClock.Instant, accepted: Int)] = []
    var finished = ContinuousClock.now
    var exhausted = false

    /// Posts one encoded batch, timing it from just before the request is written to the
    /// whole answer read; the alerts it raised.
    @discardableResult
    mutating func post(_ body: EncodedBatch, api: ServerAPI, key: String, format: BodyFormat) async throws -> Int {
        let started = ContinuousClock.now
        let answer = try await api.send(.POST, "/v1/reports", key: key, body: body.body, contentType: format.contentType)
        roundTrips.append((ContinuousClock.now - started).seconds)
        batches += 1
        guard answer.status == 200 else {
            failures += 1
            if failures <= 3 { print("  \(answer.status): \(answer.text.prefix(300))") }
            return 0
        }
        let (accepted, rejected) = answer.ingest
        answers.append((ContinuousClock.now, accepted))
        self.accepted += accepted
        self.rejected += rejected
        if rejected > 0, self.rejected == rejected { print("  rejected: \(answer.text.prefix(300))") }
        return answer.alertsRaised
    }

    static func merged(_ outcomes: [Outcome]) -> Outcome {
        var total = Outcome()
        total.finished = outcomes.map(\.finished).max() ?? total.finished
        for outcome in outcomes {
            total.batches += outcome.batches
            total.accepted += outcome.accepted
            total.rejected += outcome.rejected
            total.failures += outcome.failures
            total.throttled += outcome.throttled
            total.roundTrips += outcome.roundTrips
            total.answers += outcome.answers
        }
        return total
    }
}

/// When each probe's POST was about to be written.
final class SentProbes: Sendable {
    private let list = Mutex<[(unit: String, at: ContinuousClock.Instant)]>([])

    func record(_ unit: String) { list.withLock { $0.append((unit, ContinuousClock.now)) } }

    var all: [(unit: String, at: ContinuousClock.Instant)] { list.withLock { $0 } }
}

/// A value built from dictionaries, carried into a task.
struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
}
