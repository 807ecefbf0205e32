import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Percentiles by nearest rank over a sorted copy.
struct Percentiles {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    var count: Int { sorted.count }
    var max: Double { sorted.last ?? .nan }

    func callAsFunction(_ percent: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}

/// CPU seconds (user + system) of this process and, when its id is given, of the server.
struct CPUTime {
    let process: Double
    let server: Double?

    static func now(server pid: Int32?) -> CPUTime {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return CPUTime(process: own, server: pid.flatMap(Self.seconds(of:)))
    }

    /// utime + stime from `/proc/PID/stat` (fields 14 and 15, after the command name).
    static func seconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so utime (14) and stime (15) are 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Cores busy on average between `earlier` and this, over `wall` seconds: (generator, server).
    func cores(since earlier: CPUTime, wall: Double) -> (generator: Double, server: Double?) {
        let server = self.server.flatMap { now in earlier.server.map { (now - $0) / wall } }
        return ((process - earlier.process) / wall, server)
    }
}

/// A figure for people: thousands separated, no decimals.
func grouped(_ value: Double) -> String {
    guard value.isFinite else { return "–" }
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: value.rounded())) ?? "\(Int(value.rounded()))"
}

/// Milliseconds with two decimals.
func millis(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "–" }
    return String(format: "%.2f ms", seconds * 1_000)
}

/// A CPU share as a percentage of one core.
func percentOfCore(_ cores: Double?) -> String {
    guard let cores, cores.isFinite else { return "–" }
    return String(format: "%.0f %%", cores * 100)
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The machine's floor under any durable commit: `count` writes of 4 KB appended to a
/// file in `directory`, each followed by `fdatasync`, timed one by one (seconds).
func fsyncFloor(directory: String, count: Int = 1_000) -> Percentiles {
    let path = directory + "/fsync-floor.\(getpid())"
    let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return Percentiles([]) }
    defer {
        close(descriptor)
        unlink(path)
    }
    let page = [UInt8](repeating: 0x2A, count: 4_096)
    var times: [Double] = []
    for index in 0..<count {
        let start = DispatchTime.now().uptimeNanoseconds
        let written = page.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(index * 4_096)) }
        guard written == 4_096, fdatasync(descriptor) == 0 else { return Percentiles([]) }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return Percentiles(times)
}
