import CHeapInUse
import DeconflictAccess
import DeconflictEngine
import DeconflictStore
import DeconflictNode
import Foundation
import Prometheus

extension ServerMetrics {
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
        let held = await node.read { engine in
            (alerts: engine.alerts.count, open: engine.alerts.values.count { $0.state != .resolved }, messages: engine.messages.count)
        }
        let pendingReports = (node.store as? SQLiteStore)?.pendingReportCount ?? 0
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
            ("deconflict_heap_in_use_bytes", "Bytes the C allocator has handed out and not had back (glibc mallinfo2; what the resident size holds beyond it is free memory not yet returned).", Double(deconflict_heap_in_use())),
            ("deconflict_heap_free_bytes", "Bytes the C allocator holds free in its arenas (glibc mallinfo2), given back to the system every --heap-trim-interval.", Double(deconflict_heap_free())),
            ("deconflict_alerts_held", "Alerts in memory: open ones, and resolved ones for an hour (the ledger keeps every alert).", Double(held.alerts)),
            ("deconflict_alerts_open", "Alerts open now.", Double(held.open)),
            ("deconflict_messages_held", "Messages in memory.", Double(held.messages)),
            ("deconflict_store_pending_reports", "Reports held for the SQLite store's reports table: a batch's until each group of units has written its own (by default one group of 40 every quarter of a second).", Double(pendingReports)),
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
