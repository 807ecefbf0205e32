import Foundation
import Synchronization

/// Ends a live stream whose client stopped reading.
///
/// A stream writes with back-pressure: when the client stops reading, the socket's
/// buffers fill and the write waits. A write still waiting after ``limit`` ends the
/// stream, so a stalled client holds neither a task nor memory for long; it resumes
/// from the last sequence it read (`?after=` or `Last-Event-ID`) and loses nothing.
final class StreamWatchdog: Sendable {
    /// How long one write may wait for the client: 30 s, or
    /// `DECONFLICT_STREAM_STALL_SECONDS`.
    static let limit: Duration = {
        if let text = ProcessInfo.processInfo.environment["DECONFLICT_STREAM_STALL_SECONDS"], let seconds = Double(text), seconds > 0 {
            return .milliseconds(Int64(seconds * 1_000))
        }
        return .seconds(30)
    }()

    /// The stream was ended because a write waited longer than ``limit``.
    struct Stalled: Error, CustomStringConvertible {
        var description: String { "the client stopped reading for longer than \(StreamWatchdog.limit)" }
    }

    /// When the write under way began (uptime nanoseconds), or 0.
    private let started = Atomic<UInt64>(0)

    init() {}

    /// Runs one write, timed.
    func write(_ body: () async throws -> Void) async throws {
        started.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .relaxed)
        defer { started.store(0, ordering: .relaxed) }
        try await body()
    }

    /// Returns (by throwing ``Stalled``) when a write has waited longer than ``limit``;
    /// run it next to the writer and cancel the writer when it throws.
    func watch() async throws {
        let limit = UInt64(Self.limit / .nanoseconds(1))
        let interval = Swift.min(Self.limit / 4, .seconds(1))
        while true {
            try await Task.sleep(for: interval)
            let began = started.load(ordering: .relaxed)
            if began != 0, DispatchTime.now().uptimeNanoseconds &- began > limit { throw Stalled() }
        }
    }
}
