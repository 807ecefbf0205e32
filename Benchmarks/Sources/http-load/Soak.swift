import ArgumentParser
import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The soak: a fixed rate, open loop, for a long time, with the server's memory, file
/// descriptors and latencies sampled as it goes, then judged.
///
/// Background batches go out on a schedule (by default in the shape that measured the
/// capacity: 4 connections, batches of 5,000; each connection
/// every `connections × batch / rate` seconds, staggered), not paced by the answers,
/// except that a batch whose predecessor on its connection is still out waits for it (a
/// unit's reports must reach the server in order); its round trip is counted from the time it was due,
/// not from when it went out, so a server falling behind shows in the latency instead
/// of slowing the load. The scenario clock runs with the real one: each unit reports
/// every `units / rate` seconds, its report timed when the batch is due.
///
/// Alongside: probes that move units in and out of zones (each move into a zone is
/// timed until its incursion alert arrives on the WebSocket stream), the zone owner's
/// stream over the WebSocket and over server-sent events, and a map client's reads
/// (`GET /v1/alerts` every 5 s, `GET /v1/situation` every 30 s).
///
/// An error is any answer other than 2xx, any report rejected, any connection error, a
/// stream that ends, or an incursion alert that does not arrive within 10 s.
extension HTTPLoad {
    struct SoakVerdict {
        var failures: [String] = []
        var passes: [String] = []
    }

    func runSoak(_ api: ServerAPI, scenario: Scenario, rate: Double, origin: Int64, resumeAfter: Int64) async throws {
        guard let pid = serverPid, let soakSeconds = soak else { throw ValidationError("--soak needs --server-pid") }
        let connections = soakConnections ?? self.connections, batch = soakBatch ?? self.batch
        let period = Double(connections * batch) / rate
        // The scenario clock runs with the real one: every unit reports once a round.
        let interval = Double(units) / rate
        let recorder = SoakRecorder()

        // Start where the earlier phases left the units (reports before a unit's last are
        // refused): wait until the clock passes the latest report time sent so far.
        let ahead = Double(resumeAfter - Int64(Date().timeIntervalSince1970 * 1_000)) / 1_000
        if ahead > 0 {
            print(String(format: "soak: waiting %.1f s for the clock to pass the reports already sent", ahead + 1))
            try await Task.sleep(for: .seconds(ahead + 1))
        }

        // The probes wait outside every zone, stationary; the streams open after them.
        var sequence: Int64 = 0
        let placedMillis = Int64(Date().timeIntervalSince1970 * 1_000)
        for chunk in stride(from: 0, to: probes, by: 1_000) {
            let reports = scenario.probes[chunk..<min(chunk + 1_000, probes)].map {
                WireReport(unit: $0.id, millis: placedMillis, position: $0.outside, speed: 0, course: 0)
            }
            let answer = try await api.send(.POST, "/v1/reports", key: unitKey, body: ReportEncoder.batch(reports, format: .json).body)
            guard answer.status == 200, answer.ingest.accepted == reports.count else {
                throw ServerAPI.Failure(description: "placing the probes: \(answer.status) \(answer.text.prefix(300))")
            }
            sequence = max(sequence, answer.sequence)
        }

        let streaming = SoakStreams(recorder: recorder)
        let wsURL = url.replacingOccurrences(of: "http://", with: "ws://") + "/v1/events/ws?after=\(sequence)&access_token=\(zoneKey)"
        let websocket = Task { await streaming.websocket(url: wsURL) }
        let sse = Task { await streaming.serverSentEvents(api: api, key: zoneKey, after: sequence, for: soakSeconds + 600) }
        defer { websocket.cancel(); sse.cancel() }
        let connectBy = ContinuousClock.now + .seconds(10)
        while !streaming.bothOpen {
            guard ContinuousClock.now < connectBy else { throw ServerAPI.Failure(description: "the streams did not open") }
            try await Task.sleep(for: .milliseconds(10))
        }

        let startMillis = Int64(Date().timeIntervalSince1970 * 1_000) + 500
        // Each unit's offset within the round, scaled to the soak's round.
        let tracks = scenario.tracks.map {
            Scenario.Track(id: $0.id, start: $0.start, course: $0.course, speed: $0.speed, phase: $0.phase / scenario.interval * interval)
        }
        var gateways = (0..<connections).map { part in
            Gateway(tracks: stride(from: part, to: tracks.count, by: connections).map { tracks[$0] }, interval: interval, originMillis: origin)
        }
        for index in gateways.indices { gateways[index].skip(toMillis: startMillis) }
        let usableProbes = probes
        print(String(format: "soak: %@ reports/s offered for %.0f s: batches of %d (%@) on %d connections, one every %.2f s each;"
                     + " %d units, each reporting every %.2f s; probes %@/s over %d probe units; sample every %.0f s",
                     grouped(rate), soakSeconds, batch, format.rawValue, connections, period, units, interval,
                     grouped(soakProbeRate), usableProbes, sampleEvery))

        try await Task.sleep(until: .now + .milliseconds(400), clock: .continuous)
        let began = ContinuousClock.now
        let deadline = began + .seconds(soakSeconds)
        let senders = (0..<connections).map { connection in
            let gateway = gateways[connection]
            let offset = period * Double(connection) / Double(connections)
            return Task { [format, unitKey] in
                var gateway = gateway
                var index = 0
                while true {
                    let due = began + .seconds(offset + Double(index) * period)
                    guard due < deadline else { break }
                    // A server more than 10 s behind at the end has failed already (rate and
                    // latency); the batches still owed are not sent, to bound the run's time.
                    guard ContinuousClock.now < deadline + .seconds(10) else { break }
                    index += 1
                    // Encoded while waiting; the reports are timed when the batch is due.
                    let body = gateway.encode(batches: 1, size: batch, format: format, scenario: scenario)[0]
                    try? await Task.sleep(until: due, clock: .continuous)
                    let lag = (ContinuousClock.now - due).seconds
                    do {
                        let answer = try await api.send(.POST, "/v1/reports", key: unitKey, body: body.body, contentType: format.contentType)
                        let roundTrip = (ContinuousClock.now - due).seconds
                        guard answer.status == 200 else {
                            recorder.error("POST /v1/reports \(answer.status)", answer.text)
                            recorder.batch(roundTrip: roundTrip, lag: lag, accepted: 0)
                            continue
                        }
                        let (accepted, rejected) = answer.ingest
                        if rejected > 0 || accepted != body.reports {
                            recorder.error("reports rejected", "\(accepted) of \(body.reports) accepted: \(answer.text)")
                        }
                        recorder.batch(roundTrip: roundTrip, lag: lag, accepted: accepted)
                    } catch {
                        recorder.error("POST /v1/reports failed", "\(error)")
                    }
                }
            }
        }
        // Probes: probe `step % count` moves in its round `step / count`, into its zone's
        // centre on even rounds (an incursion is expected) and back outside on odd ones.
        let probe = Task { [unitKey, soakProbeRate] in
            var step = 0
            while true {
                let due = began + .seconds(Double(step) / soakProbeRate)
                guard due < deadline else { break }
                let unit = scenario.probes[step % usableProbes]
                let entering = (step / usableProbes) % 2 == 0
                step += 1
                try? await Task.sleep(until: due, clock: .continuous)
                let report = WireReport(
                    unit: unit.id, millis: Int64(Date().timeIntervalSince1970 * 1_000),
                    position: entering ? unit.zone.center : unit.outside, speed: 0, course: 0)
                let body = ReportEncoder.batch([report], format: .json).body
                if entering { recorder.expect(unit: unit.id, zone: unit.zone.id, at: .now) }
                let sent = ContinuousClock.now
                do {
                    let answer = try await api.send(.POST, "/v1/reports", key: unitKey, body: body)
                    recorder.probe(roundTrip: (ContinuousClock.now - sent).seconds)
                    if answer.status != 200 || answer.ingest.accepted != 1 {
                        recorder.error("probe POST \(answer.status)", answer.text)
                    }
                } catch {
                    recorder.error("probe POST failed", "\(error)")
                }
            }
        }
        // A map client: the open alerts every 5 s, the whole situation every
        // --soak-situation-every seconds (0: never).
        let situationTicks = soakSituationEvery > 0 ? max(1, Int((soakSituationEvery / 5).rounded())) : 0
        let reader = Task { [zoneKey] in
            var tick = 0
            while true {
                let due = began + .seconds(Double(tick) * 5)
                guard due < deadline else { break }
                let path = situationTicks > 0 && tick % situationTicks == situationTicks / 2 ? "/v1/situation" : "/v1/alerts"
                tick += 1
                try? await Task.sleep(until: due, clock: .continuous)
                let started = ContinuousClock.now
                do {
                    let answer = try await api.send(.GET, path, key: zoneKey)
                    recorder.read(path, time: (ContinuousClock.now - started).seconds)
                    if !(200..<300).contains(answer.status) { recorder.error("GET \(path) \(answer.status)", answer.text) }
                } catch {
                    recorder.error("GET \(path) failed", "\(error)")
                }
            }
        }

        // The sampler.
        var samples: [SoakSample] = []
        var previousCPU = CPUTime.now(server: pid)
        var previousWait = ProcessResources.runQueueWait(of: pid) ?? 0
        var previousAt = began
        let csv = try soakCSV.map { path -> FileHandle in
            _ = FileManager.default.createFile(atPath: path, contents: Data((SoakSample.csvHeader + "\n").utf8))
            guard let handle = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write \(path)") }
            handle.seekToEndOfFile()
            return handle
        }
        defer { try? csv?.close() }
        var tick = 1
        while true {
            let due = began + .seconds(Double(tick) * sampleEvery)
            let last = due >= deadline
            try await Task.sleep(until: min(due, deadline), clock: .continuous)
            if last {
                // The last interval: wait for the batches still out, then a few seconds for
                // the alerts on their way.
                for sender in senders { await sender.value }
                await probe.value
                await reader.value
                let lateBy = ContinuousClock.now + .seconds(5)
                while recorder.pendingCount > 0, ContinuousClock.now < lateBy { try await Task.sleep(for: .milliseconds(50)) }
                recorder.expireMissing(olderThan: 0)
            } else {
                recorder.expireMissing(olderThan: 10)
            }
            streaming.checkOpen()
            let now = ContinuousClock.now
            let cpu = CPUTime.now(server: pid)
            let wall = (now - previousAt).seconds
            let cores = cpu.cores(since: previousCPU, wall: wall)
            previousCPU = cpu
            let waited = ProcessResources.runQueueWait(of: pid) ?? previousWait
            let waiting = max(0, waited - previousWait) / wall
            previousWait = waited
            previousAt = now
            let (seen, errors) = recorder.drain()
            let batches = Percentiles(seen.batchRoundTrips), alerts = Percentiles(seen.alertLatencies)
            let figures = (try? await api.send(.GET, "/metrics", key: zoneKey)).map { ServerFigures(exposition: $0.text) } ?? ServerFigures()
            let sample = SoakSample(
                elapsed: (now - began).seconds,
                rssKB: ProcessResources.residentKB(of: pid) ?? -1,
                fds: ProcessResources.openFiles(of: pid) ?? -1,
                serverCores: cores.server ?? .nan, serverWaitingCores: waiting, generatorCores: cores.generator,
                acceptedReports: seen.acceptedReports, reportsPerSecond: Double(seen.acceptedReports) / wall,
                batches: batches.count, batch: (batches(50), batches(99), batches.max), maximumLag: seen.maximumLag,
                alerts: alerts.count, alert: (alerts(50), alerts(99), alerts.max),
                probeP99: Percentiles(seen.probeRoundTrips)(99),
                reads: seen.readTimes.count, readMax: seen.readTimes.max() ?? .nan,
                streamMessages: seen.streamMessages, sseEvents: seen.sseEvents, errors: errors, server: figures)
            samples.append(sample)
            if let csv { csv.write(Data((sample.csvLine + "\n").utf8)) }
            if last { break }
            tick += 1
        }
        websocket.cancel()
        sse.cancel()

        let verdict = judge(samples, recorder: recorder, rate: rate)
        printSoakSummary(samples, recorder: recorder, rate: rate, verdict: verdict)
        if !verdict.failures.isEmpty { throw ExitCode(1) }
    }

    // MARK: Judging

    /// Errors, memory, file descriptors and latency, each against its bound.
    func judge(_ samples: [SoakSample], recorder: SoakRecorder, rate: Double) -> SoakVerdict {
        var verdict = SoakVerdict()
        let totals = recorder.totals
        if totals.errors == 0 {
            verdict.passes.append("errors: none")
        } else {
            let kinds = totals.kinds.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            verdict.failures.append("errors: \(totals.errors) (\(kinds))")
        }
        if totals.alerts.isEmpty { verdict.failures.append("alerts: no probe's alert was timed") }

        // Memory and descriptors: the second quarter of the samples (after the warm-up)
        // against the last quarter, each by its median, so that one sample taken in a
        // burst does not decide.
        let count = samples.count
        if count < 8 {
            verdict.failures.append("memory: \(count) samples, too few to judge (need 8: lower --sample-every or soak longer)")
        } else {
            let second = Array(samples[count / 4..<count / 2]), lastQuarter = Array(samples[count * 3 / 4..<count])
            let base = median(second.map { Double($0.rssKB) }), end = median(lastQuarter.map { Double($0.rssKB) })
            let allowed = max(base * soakRSSGrowthPercent / 100, soakRSSGrowthMB * 1_024)
            let line = String(format: "memory: RSS median %.1f MB in the second quarter, %.1f MB in the last (%+.1f MB, %+.1f %%; bound +%.1f MB)",
                              base / 1_024, end / 1_024, (end - base) / 1_024, (end - base) / base * 100, allowed / 1_024)
            if end - base > allowed { verdict.failures.append(line) } else { verdict.passes.append(line) }

            let fdBase = median(second.map { Double($0.fds) }), fdEnd = median(lastQuarter.map { Double($0.fds) })
            let fdHighest = lastQuarter.map(\.fds).max() ?? 0
            // A leak grows; fewer descriptors (idle client connections closed) is not one.
            let fdLine = String(format: "file descriptors: median %.0f in the second quarter, %.0f in the last (highest %d; growth bound +%d, highest +%d)",
                                fdBase, fdEnd, fdHighest, soakFDSlack, 2 * soakFDSlack)
            if fdEnd - fdBase > Double(soakFDSlack) || Double(fdHighest) - fdBase > Double(2 * soakFDSlack) {
                verdict.failures.append(fdLine)
            } else {
                verdict.passes.append(fdLine)
            }
        }

        // Latency: every interval's p99 within the bound, for the batches (from the time
        // each was due) and for the alerts.
        let bound = soakP99Millis / 1_000
        let slowBatches = samples.filter { $0.batch.p99 > bound }, slowAlerts = samples.filter { $0.alert.p99 > bound }
        func over(_ slow: [SoakSample]) -> String {
            let times = slow.prefix(8).map { String(format: "%.0f s", $0.elapsed) }.joined(separator: ", ")
            return "; over it in \(slow.count) of \(samples.count) intervals, at " + times + (slow.count > 8 ? ", …" : "")
        }
        let worstBatch = samples.map(\.batch.p99).filter(\.isFinite).max() ?? .nan
        let worstAlert = samples.map(\.alert.p99).filter(\.isFinite).max() ?? .nan
        let batchLine = "latency: batch round trip p99 per interval at most \(millis(worstBatch)) (bound \(millis(bound)))"
        let alertLine = "latency: alert p99 per interval at most \(millis(worstAlert)) (bound \(millis(bound)))"
        if slowBatches.isEmpty { verdict.passes.append(batchLine) } else {
            verdict.failures.append(batchLine + over(slowBatches))
        }
        if slowAlerts.isEmpty { verdict.passes.append(alertLine) } else {
            verdict.failures.append(alertLine + over(slowAlerts))
        }
        // The rate held: reports accepted against reports offered over the soak's time.
        let wall = soak ?? samples.last?.elapsed ?? 0
        let achieved = Double(totals.accepted) / max(wall, 1)
        let rateLine = "rate: \(grouped(achieved)) reports/s accepted of \(grouped(rate)) offered"
        if achieved < rate * 0.95 { verdict.failures.append(rateLine + " (under 95 %)") } else { verdict.passes.append(rateLine) }
        return verdict
    }

    func printSoakSummary(_ samples: [SoakSample], recorder: SoakRecorder, rate: Double, verdict: SoakVerdict) {
        // At most about 30 rows: each row the samples of a window, its latencies the
        // highest p99 and the median p50 of the intervals in it.
        let step = max(1, Int((Double(samples.count) / 30).rounded(.up)))
        print("")
        print("   time │  RSS MB │ FDs │ server CPU │ CPU wait │ reports/s │ batch p50 / p99 ms │ alerts │ alert p50 / p99 ms │ reads │ errors")
        print("────────┼─────────┼─────┼────────────┼──────────┼───────────┼────────────────────┼────────┼────────────────────┼───────┼───────")
        func ms(_ seconds: Double) -> String { seconds.isFinite ? String(format: "%.0f", seconds * 1_000) : "–" }
        for start in stride(from: 0, to: samples.count, by: step) {
            let window = samples[start..<min(start + step, samples.count)]
            let last = window.last!
            let accepted = window.reduce(0) { $0 + $1.acceptedReports }
            let span = last.elapsed - (start > 0 ? samples[start - 1].elapsed : 0)
            let batchP50 = median(window.map(\.batch.p50).filter(\.isFinite))
            let batchP99 = window.map(\.batch.p99).filter(\.isFinite).max() ?? .nan
            let alertP50 = median(window.map(\.alert.p50).filter(\.isFinite))
            let alertP99 = window.map(\.alert.p99).filter(\.isFinite).max() ?? .nan
            let cpu = window.map(\.serverCores).reduce(0, +) / Double(window.count)
            let wait = window.map(\.serverWaitingCores).reduce(0, +) / Double(window.count)
            func pair(_ a: Double, _ b: Double) -> String {
                let text = "\(ms(a)) / \(ms(b))"
                return String(repeating: " ", count: max(0, 18 - text.count)) + text
            }
            print(String(format: "%6.0f s │ %7.1f │ %3d │ %8.0f %% │ %6.0f %% │ %9.0f │ ", last.elapsed, Double(last.rssKB) / 1_024,
                         last.fds, cpu * 100, wait * 100, Double(accepted) / span)
                  + pair(batchP50, batchP99)
                  + String(format: " │ %6d │ ", window.reduce(0) { $0 + $1.alerts })
                  + pair(alertP50, alertP99)
                  + String(format: " │ %5d │ %6d", window.reduce(0) { $0 + $1.reads }, last.errors))
        }
        let totals = recorder.totals
        let batches = Percentiles(totals.batches), alerts = Percentiles(totals.alerts)
        let probes = Percentiles(totals.probes)
        print("")
        print("soak overall: \(totals.accepted) reports accepted, \(batches.count) batches; \(alerts.count) probe alerts timed;"
              + " \(totals.reads.values.reduce(0) { $0 + $1.count }) reads; \(totals.errors) errors")
        print("  batch round trip (from due): p50 \(millis(batches(50))), p99 \(millis(batches(99))), max \(millis(batches.max))")
        print("  alert latency (probe POST written → alert.raised on the WebSocket): p50 \(millis(alerts(50))),"
              + " p99 \(millis(alerts(99))), max \(millis(alerts.max))")
        print("  probe POST answered: p50 \(millis(probes(50))), p99 \(millis(probes(99)))")
        for (path, times) in totals.reads.sorted(by: { $0.key < $1.key }) {
            let reads = Percentiles(times)
            print("  GET \(path): \(reads.count) reads, p50 \(millis(reads(50))), max \(millis(reads.max))")
        }
        if let first = samples.first, let last = samples.last {
            print(String(format: "  server RSS %.1f MB at the first sample, %.1f MB at the last; FDs %d, %d; CPU %.0f %% of a core on average,"
                         + " and its threads waited for a CPU %.0f %% of a core (CPU wait: other processes had the cores)",
                         Double(first.rssKB) / 1_024, Double(last.rssKB) / 1_024, first.fds, last.fds,
                         samples.map(\.serverCores).reduce(0, +) / Double(samples.count) * 100,
                         samples.map(\.serverWaitingCores).reduce(0, +) / Double(samples.count) * 100))
            print(String(format: "  generator CPU %.0f %% of a core on average; WebSocket %d messages, SSE %d events",
                         samples.map(\.generatorCores).reduce(0, +) / Double(samples.count) * 100,
                         samples.reduce(0) { $0 + $1.streamMessages }, samples.reduce(0) { $0 + $1.sseEvents }))
        }
        if samples.count >= 8 {
            // The server's own figures, by the same quarters as the memory check.
            let second = Array(samples[samples.count / 4..<samples.count / 2]), lastQuarter = Array(samples[samples.count * 3 / 4..<samples.count])
            func quarters(_ value: (SoakSample) -> Int?) -> String {
                let a = second.compactMap(value).map(Double.init), b = lastQuarter.compactMap(value).map(Double.init)
                guard !a.isEmpty, !b.isEmpty else { return "–" }
                return String(format: "%.0f → %.0f", median(a), median(b))
            }
            print("  server figures, median of the second quarter → of the last: heap in use (kB) \(quarters { $0.server.heapKB }),"
                  + " alerts held \(quarters { $0.server.alertsHeld }), reports pending for the table \(quarters { $0.server.pendingReports })")
        }
        for line in totals.first { print("  error: \(line)") }
        print("")
        for line in verdict.passes { print("PASS  \(line)") }
        for line in verdict.failures { print("FAIL  \(line)") }
        print(verdict.failures.isEmpty ? "soak: PASSED" : "soak: FAILED (\(verdict.failures.count) of the checks above)")
    }
}

/// The zone owner's live streams during the soak: the WebSocket (whose incursion alerts
/// time the probes) and server-sent events (counted). Either ending is an error.
final class SoakStreams: Sendable {
    private let recorder: SoakRecorder
    private let open = Mutex((websocket: false, sse: false, websocketEnded: false, sseEnded: false, reported: false))

    init(recorder: SoakRecorder) { self.recorder = recorder }

    var bothOpen: Bool { open.withLock { $0.websocket && $0.sse } }

    /// Counts a stream that ended (once per stream).
    func checkOpen() {
        let ended = open.withLock { state -> [String] in
            guard !state.reported else { return [] }
            var ended: [String] = []
            if state.websocketEnded { ended.append("WebSocket") }
            if state.sseEnded { ended.append("SSE") }
            if !ended.isEmpty { state.reported = true }
            return ended
        }
        for name in ended { recorder.error("stream ended", "the \(name) stream ended during the soak") }
    }

    func websocket(url: String) async {
        let logger = Logger(label: "http-load.soak.stream")
        do {
            // Frames as large as a stream may send (the client's default, 16 KB, is smaller
            // than one entry recording a read of thousands of units: it closed the stream).
            let close = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 24), logger: logger) { inbound, _, _ in
                self.open.withLock { $0.websocket = true }
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    let at = ContinuousClock.now
                    guard case .text(let text) = message else { continue }
                    self.recorder.streamMessage(incursions: Self.incursions(in: text), at: at)
                }
            }
            if let close, !Task.isCancelled { recorder.error("WebSocket closed", "\(close.closeCode) \(close.reason ?? "")") }
        } catch {
            if !Task.isCancelled { recorder.error("WebSocket failed", "\(error)") }
        }
        if !Task.isCancelled { open.withLock { $0.websocketEnded = true } }
    }

    func serverSentEvents(api: ServerAPI, key: String, after: Int64, for seconds: Double) async {
        do {
            var request = HTTPClientRequest(url: api.base + "/v1/events?after=\(after)")
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            let response = try await api.http.execute(request, timeout: .seconds(Int64(seconds)))
            guard response.status == .ok else {
                recorder.error("SSE \(response.status.code)", "GET /v1/events")
                open.withLock { $0.sseEnded = true }
                return
            }
            open.withLock { $0.sse = true }
            let marker = Array("\nevent: ".utf8)
            for try await chunk in response.body {
                // Events counted by their "event:" lines (a chunk can split one; rare, and only a count).
                let bytes = Array(chunk.readableBytesView)
                var count = 0
                if bytes.count >= marker.count {
                    for index in 0...(bytes.count - marker.count) where bytes[index] == 10 && bytes[index..<index + marker.count].elementsEqual(marker) {
                        count += 1
                    }
                }
                recorder.sseEvent(count: count)
            }
        } catch {
            if !Task.isCancelled { recorder.error("SSE failed", "\(error)") }
        }
        if !Task.isCancelled { open.withLock { $0.sseEnded = true } }
    }

    /// The "unit zone" keys of an incursion alert raised, if the message is one.
    static func incursions(in text: String) -> [String] {
        guard text.contains("\"alert.raised\""),
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              object["type"] as? String == "alert.raised",
              let alert = (object["data"] as? [String: Any])?["alert"] as? [String: Any],
              alert["kind"] as? String == "incursion"
        else { return [] }
        let zone = alert["zone"] as? String ?? ""
        return (alert["units"] as? [String] ?? []).map { "\($0) \(zone)" }
    }
}
