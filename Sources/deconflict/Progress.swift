import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress of long work on a terminal: one line on standard error, redrawn at most ten
/// times a second, only when standard error is a terminal; the summary at the end is
/// always printed.
final class Progress {
    private let label: String
    private let total: Int64?
    private let began = ContinuousClock.now
    private var lastDrawn = ContinuousClock.now - .seconds(1)
    private let terminal = isatty(STDERR_FILENO) == 1
    private(set) var done: Int64 = 0

    init(_ label: String, total: Int64?) {
        self.label = label
        self.total = total
    }

    var elapsedSeconds: Double { (ContinuousClock.now - began) / .seconds(1) }

    func advance(to done: Int64) {
        self.done = done
        guard terminal, ContinuousClock.now - lastDrawn >= .milliseconds(100) else { return }
        lastDrawn = ContinuousClock.now
        let rate = Double(done) / Swift.max(elapsedSeconds, 1e-3)
        var line = "\r\(label): \(done)"
        if let total, total > 0 {
            line += "/\(total) (\(Int(Double(done) * 100 / Double(total)))%)"
            if rate > 0 { line += String(format: ", %.0f s left", Double(total - done) / rate) }
        }
        line += String(format: ", %.0f/s ", rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the progress line and prints `summary` with the time taken.
    func finish(_ summary: String) {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data(String(format: "%@ in %.2f s\n", summary, elapsedSeconds).utf8))
    }
}
