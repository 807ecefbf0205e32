import Foundation
import Synchronization

/// What the soak's tasks saw since the last sample, and in all; shared by the senders,
/// the probe, the readers, the stream listeners and the sampler.
final class SoakRecorder: Sendable {
    struct Interval {
        var batchRoundTrips: [Double] = []
        var acceptedReports = 0
        var maximumLag = 0.0
        var alertLatencies: [Double] = []
        var probeRoundTrips: [Double] = []
        var readTimes: [Double] = []
        var streamMessages = 0
        var sseEvents = 0
    }

    private struct State {
        var interval = Interval()
        var allBatchRoundTrips: [Double] = []
        var allAlertLatencies: [Double] = []
        var allProbeRoundTrips: [Double] = []
        /// Read times by path.
        var allReadTimes: [String: [Double]] = [:]
        var acceptedReports = 0
        var errors = 0
        var errorKinds: [String: Int] = [:]
        var firstErrors: [String] = []
        /// Incursions expected on the stream: "unit zone" → when the probe's POST was about to be written.
        var pending: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    /// An error of kind `kind` (counted by kind), with a line kept for the first few.
    func error(_ kind: String, _ detail: String) {
        state.withLock { state in
            state.errors += 1
            state.errorKinds[kind, default: 0] += 1
            if state.firstErrors.count < 10 { state.firstErrors.append("\(kind): \(detail.prefix(300))") }
        }
    }

    func batch(roundTrip: Double, lag: Double, accepted: Int) {
        state.withLock { state in
            state.interval.batchRoundTrips.append(roundTrip)
            state.interval.maximumLag = max(state.interval.maximumLag, lag)
            state.interval.acceptedReports += accepted
            state.allBatchRoundTrips.append(roundTrip)
            state.acceptedReports += accepted
        }
    }

    func probe(roundTrip: Double) {
        state.withLock { state in
            state.interval.probeRoundTrips.append(roundTrip)
            state.allProbeRoundTrips.append(roundTrip)
        }
    }

    func read(_ path: String, time: Double) {
        state.withLock { state in
            state.interval.readTimes.append(time)
            state.allReadTimes[path, default: []].append(time)
        }
    }

    /// A probe is about to move into `zone`: its incursion alert is now expected.
    func expect(unit: String, zone: String, at: ContinuousClock.Instant) {
        state.withLock { $0.pending["\(unit) \(zone)"] = at }
    }

    /// A stream message arrived at `at`; `incursions` are the "unit zone" keys of an
    /// incursion alert it raised, if it is one.
    func streamMessage(incursions: [String], at: ContinuousClock.Instant) {
        state.withLock { state in
            state.interval.streamMessages += 1
            for key in incursions {
                if let sent = state.pending.removeValue(forKey: key) {
                    let latency = (at - sent).seconds
                    state.interval.alertLatencies.append(latency)
                    state.allAlertLatencies.append(latency)
                }
            }
        }
    }

    func sseEvent(count: Int) { state.withLock { $0.interval.sseEvents += count } }

    /// Expected alerts older than `limit` seconds: counted as errors and forgotten.
    func expireMissing(olderThan limit: Double) {
        let now = ContinuousClock.now
        let missing = state.withLock { state in
            let late = state.pending.filter { (now - $0.value).seconds > limit }.map(\.key)
            for key in late { state.pending.removeValue(forKey: key) }
            return late
        }
        for key in missing { error("alert missing", "no incursion alert for \(key) within \(limit) s") }
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// The interval since the last call, and the errors so far.
    func drain() -> (interval: Interval, errors: Int) {
        state.withLock { state in
            let interval = state.interval
            state.interval = Interval()
            return (interval, state.errors)
        }
    }

    var totals: (batches: [Double], alerts: [Double], probes: [Double], reads: [String: [Double]], accepted: Int,
                 errors: Int, kinds: [String: Int], first: [String]) {
        state.withLock {
            ($0.allBatchRoundTrips, $0.allAlertLatencies, $0.allProbeRoundTrips, $0.allReadTimes, $0.acceptedReports,
             $0.errors, $0.errorKinds, $0.firstErrors)
        }
    }
}

/// One row of the soak's samples.
struct SoakSample {
    var elapsed: Double
    var rssKB: Int
    var fds: Int
    var serverCores: Double
    /// Seconds per second the server's threads waited for a CPU (another process had it).
    var serverWaitingCores: Double
    var generatorCores: Double
    var acceptedReports: Int
    var reportsPerSecond: Double
    var batches: Int
    var batch: (p50: Double, p99: Double, max: Double)
    var maximumLag: Double
    var alerts: Int
    var alert: (p50: Double, p99: Double, max: Double)
    var probeP99: Double
    var reads: Int
    var readMax: Double
    var streamMessages: Int
    var sseEvents: Int
    var errors: Int
    /// The server's own figures from /metrics: the C allocator's bytes in use, the alerts
    /// it holds in memory, and the reports not yet in the SQLite reports table.
    var server: ServerFigures

    static let csvHeader = "elapsed_s,rss_kb,fds,server_cpu_cores,server_runqueue_wait_cores,generator_cpu_cores,reports_accepted,reports_per_s,batches,"
        + "batch_p50_ms,batch_p99_ms,batch_max_ms,max_send_lag_ms,alerts_timed,alert_p50_ms,alert_p99_ms,alert_max_ms,"
        + "probe_post_p99_ms,reads,read_max_ms,ws_messages,sse_events,errors_total,heap_in_use_kb,alerts_held,pending_reports"

    var csvLine: String {
        func ms(_ seconds: Double) -> String { seconds.isFinite ? String(format: "%.2f", seconds * 1_000) : "" }
        return [
            String(format: "%.1f", elapsed), "\(rssKB)", "\(fds)", String(format: "%.3f", serverCores), String(format: "%.3f", serverWaitingCores),
            String(format: "%.3f", generatorCores), "\(acceptedReports)", String(format: "%.0f", reportsPerSecond), "\(batches)",
            ms(batch.p50), ms(batch.p99), ms(batch.max), ms(maximumLag), "\(alerts)", ms(alert.p50), ms(alert.p99),
            ms(alert.max), ms(probeP99), "\(reads)", ms(readMax), "\(streamMessages)", "\(sseEvents)", "\(errors)",
            server.heapKB.map(String.init) ?? "", server.alertsHeld.map(String.init) ?? "", server.pendingReports.map(String.init) ?? "",
        ].joined(separator: ",")
    }
}

/// Figures the server publishes on /metrics (nil when absent).
struct ServerFigures {
    var heapKB: Int?
    var alertsHeld: Int?
    var pendingReports: Int?

    /// Reads them from a Prometheus exposition.
    init(exposition text: String) {
        func value(_ name: String) -> Double? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
                return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
        heapKB = value("deconflict_heap_in_use_bytes").map { Int($0 / 1_024) }
        alertsHeld = value("deconflict_alerts_held").map { Int($0) }
        pendingReports = value("deconflict_store_pending_reports").map { Int($0) }
    }

    init() {}
}

/// The server's resident memory and open file descriptors, from /proc.
enum ProcessResources {
    /// VmRSS of /proc/PID/status, in kB.
    static func residentKB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    /// Seconds the server's threads have waited for a CPU while runnable, summed over
    /// its threads (the second field of /proc/PID/task/TID/schedstat; threads that ended
    /// drop out of the sum, so it is read per interval and clamped at zero).
    static func runQueueWait(of pid: Int32) -> Double? {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var nanoseconds = 0.0
        for thread in threads {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/schedstat", encoding: .utf8) else { continue }
            let fields = text.split(separator: " ")
            if fields.count > 1, let wait = Double(fields[1]) { nanoseconds += wait }
        }
        return nanoseconds / 1e9
    }

    /// Entries of /proc/PID/fd.
    static func openFiles(of pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }
}

/// The median of `values` (the lower middle of an even count); NaN when empty.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[(sorted.count - 1) / 2]
}
