import Foundation
import DeconflictNode
public import Prometheus

/// The server's Prometheus metrics, served at `/metrics` in the text exposition format.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    package let reportsAccepted: Counter
    package let reportsRejected: Counter
    package let requestDuration: DurationHistogram
    package let cotConnections: Gauge

    public init() {
        reportsAccepted = registry.makeCounter(name: "deconflict_reports_accepted_total", help: "Position reports accepted.")
        reportsRejected = registry.makeCounter(name: "deconflict_reports_rejected_total", help: "Position reports refused, one by one.")
        requestDuration = registry.makeDurationHistogram(
            name: "deconflict_http_request_duration_seconds",
            buckets: [.microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)],
            help: "Time to answer an HTTP request (streams excluded).")
        cotConnections = registry.makeGauge(name: "deconflict_cot_connections", help: "Cursor-on-Target connections open (TCP and TLS).")
    }

    /// Counts an HTTP connection closed at once because the listener holds its maximum
    /// (``HTTPConnectionLimits``).
    public func httpConnectionRefused() {
        registry.makeCounter(
            name: "deconflict_http_connections_refused_total",
            help: "HTTP connections closed on arrival because the listener held its maximum."
        ).increment()
    }

    /// Counts CoT messages (or connections) by what became of them: accepted, refused,
    /// ignored, malformed, unauthenticated, timed-out, connection-refused, failed.
    package func cotEvent(_ result: String, count: Int = 1) {
        registry.makeCounter(
            name: "deconflict_cot_events_total", labels: [("result", result)],
            help: "Cursor-on-Target messages and connections, by what became of them."
        ).increment(by: Int64(count))
    }
}
