import Foundation
import HummingbirdWSClient
import Logging
import Synchronization

/// Follows the zone owner's live stream over the WebSocket and notes when each incursion
/// alert arrives, by unit and zone (a point inside two overlapping zones raises one alert
/// for each), with the clock read as soon as the message is in.
final class AlertListener: Sendable {
    private struct State {
        var connected = false
        var messages = 0
        var alerts = 0
        /// Arrival by "unit zone".
        var incursions: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    var connected: Bool { state.withLock { $0.connected } }
    /// Stream messages and `alert.raised` messages seen so far.
    var counts: (messages: Int, alerts: Int) { state.withLock { ($0.messages, $0.alerts) } }

    /// When the incursion alert of `unit` in `zone` came, if it did.
    func arrival(of unit: String, in zone: String) -> ContinuousClock.Instant? {
        state.withLock { $0.incursions["\(unit) \(zone)"] }
    }

    /// Reads the stream until the task running it is cancelled.
    func run(url: String) async throws {
        let logger = Logger(label: "http-load.stream")
        try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 24), logger: logger) { inbound, _, _ in
            self.state.withLock { $0.connected = true }
            for try await message in inbound.messages(maxSize: 1 << 24) {
                let at = ContinuousClock.now
                guard case .text(let text) = message else { continue }
                self.note(text, at: at)
            }
        }
    }

    private func note(_ text: String, at: ContinuousClock.Instant) {
        // Only new alerts are parsed; everything else is counted and dropped.
        guard text.contains("\"alert.raised\""),
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              object["type"] as? String == "alert.raised",
              let alert = (object["data"] as? [String: Any])?["alert"] as? [String: Any]
        else {
            state.withLock { $0.messages += 1 }
            return
        }
        let units = alert["kind"] as? String == "incursion" ? (alert["units"] as? [String] ?? []) : []
        let zone = alert["zone"] as? String ?? ""
        state.withLock { state in
            state.messages += 1
            state.alerts += 1
            for unit in units where state.incursions["\(unit) \(zone)"] == nil {
                state.incursions["\(unit) \(zone)"] = at
            }
        }
    }
}
