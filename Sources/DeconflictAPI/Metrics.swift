import Foundation
public import DeconflictNode
public import Prometheus

/// The server's Prometheus metrics, served at `/metrics` in the text exposition format.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    package let reportsAccepted: Counter
    package let reportsRejected: Counter
    let requestDuration: DurationHistogram
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

    /// Counts CoT messages (or connections) by what became of them: accepted, refused,
    /// ignored, malformed, unauthenticated, timed-out, connection-refused, failed.
    package func cotEvent(_ result: String, count: Int = 1) {
        registry.makeCounter(
            name: "deconflict_cot_events_total", labels: [("result", result)],
            help: "Cursor-on-Target messages and connections, by what became of them."
        ).increment(by: Int64(count))
    }

    /// Counts a request by method and status class.
    func request(method: String, status: Int) {
        registry.makeCounter(
            name: "deconflict_http_requests_total", labels: [("method", method), ("status", String(status))],
            help: "HTTP requests answered, by method and status."
        ).increment()
    }

    /// The exposition, with the node's figures read now.
    func exposition(node: Node, webhooks dispatcher: WebhookDispatcher) async -> String {
        let statistics = await node.statistics
        let head = await node.head
        let fault = await node.storeFault
        let now = Date()
        let webhooks = dispatcher.allStatuses()
        let gauges: [(String, String, Double)] = [
            ("deconflict_store_up", "1 while the store answers and takes writes, 0 while it fails (see /readyz for why).", fault.isCurrent(at: now) ? 0 : 1),
            ("deconflict_store_failures", "Store operations (commits, ledger reads) that failed since the node started.", Double(statistics.storeFailures)),
            ("deconflict_stream_slow_clients_dropped", "Live streams closed because their client stopped reading.", Double(node.hub.slowClientsDropped)),
            ("deconflict_ledger_head", "The last ledger sequence this node applied.", Double(head)),
            ("deconflict_ledger_commits", "Commits this node made since it started.", Double(statistics.commits)),
            ("deconflict_ledger_conflicts", "Commits refused because another writer appended first.", Double(statistics.conflicts)),
            ("deconflict_ledger_foreign_entries", "Entries other writers appended that this node applied.", Double(statistics.foreignEntries)),
            ("deconflict_replay_seconds", "How long the start-up replay of the ledger took.", statistics.replaySeconds),
            ("deconflict_stream_subscribers", "Live streams and webhooks following the ledger.", Double(node.hub.subscriberCount)),
        ]
        for (name, help, value) in gauges { registry.makeGauge(name: name, help: help).set(value) }
        for (id, status) in webhooks {
            let labels = [("webhook", id)]
            registry.makeGauge(name: "deconflict_webhook_failures", labels: labels, help: "Failed deliveries of a webhook since the node started.")
                .set(Double(status.totalFailures))
            registry.makeGauge(name: "deconflict_webhook_backlog", labels: labels, help: "Ledger entries not yet delivered to a webhook (its receiver is slow or down).")
                .set(Double(max(0, head - status.deliveredThrough)))
        }
        return registry.emitToString()
    }
}
