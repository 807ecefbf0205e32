import DeconflictEngine
import DeconflictGeometry
import DeconflictStore
import Foundation

/// Appends to a store as fast as it acknowledges, printing `ack RUN FIRST LAST` for every
/// ledger batch and `reports UNIT` for every report (or report batch) once durable, until
/// killed.
/// The crash tests run it, kill it with SIGKILL at random moments and check that every
/// acknowledged write survived.
///
///   deconflict-store-writer FILE_OR_URL
@main
struct Writer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: deconflict-store-writer FILE_OR_URL\n".utf8))
            exit(2)
        }
        let target = arguments[1]
        let store: any Store = target.hasPrefix("postgres://")
            ? try PostgresStore(url: target) : try SQLiteStore(path: target)
        // A run of its own, so indices from runs cut short never collide.
        let run = String(UUID().uuidString.prefix(8))
        say("ready \(run)")
        // Several writers at once, each write its own transaction.
        try await withStore(store) { store in try await withThrowingTaskGroup(of: Void.self) { group in
            let counter = Counter(0)
            for _ in 0..<4 {
                group.addTask {
                    while true {
                        let first = await counter.take(5)
                        let records = (first..<(first + 5)).map { index in
                            LedgerRecord(
                                time: Date(), type: "soak.write", payload: "{\"index\":\(index),\"run\":\"\(run)\"}")
                        }
                        _ = try await store.append(records)
                        say("ack \(run) \(first) \(first + 4)")
                        let report = PositionReport(
                            unit: UnitID("soak-\(run)-\(first)"), time: Date(),
                            position: LatLng(uncheckedLatitude: 33.5, longitude: 38.65))
                        try await store.appendReports([report])
                        say("reports soak-\(run)-\(first)")
                    }
                }
            }
            // Report batches committed as a node commits them, each carried by its ledger
            // entry (``ReportLines``): a running SQLite store leaves them out of its
            // `reports` table until a flush, so a kill finds some only in the ledger.
            group.addTask {
                var head = try await store.head()?.sequence ?? 0
                var index = 0
                while true {
                    index += 1
                    let unit = "batch-\(run)-\(index)"
                    let reports = (0..<20).map { step in
                        PositionReport(
                            unit: UnitID(unit), time: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000).rounded() / 1_000 + Double(step) / 100),
                            position: LatLng(uncheckedLatitude: 33.5 + Double(step) / 1_000, longitude: 38.65))
                    }
                    let id = "\(run)-\(index)"
                    let lines = reports.map { "\"\(ReportLines.line($0))\"" }.joined(separator: ",")
                    let record = LedgerRecord(time: Date(), type: ReportLines.ledgerType, payload: "{\"batch\":\"\(id)\",\"by\":\"writer\",\"reports\":[\(lines)]}")
                    while true {
                        do {
                            head = try await store.commit([record], batches: [ReportBatch(id: id, reports: reports)], expectingHead: head).last!.sequence
                            break
                        } catch is LedgerConflict {
                            head = try await store.head()?.sequence ?? 0
                        }
                    }
                    say("reports \(unit)")
                    // Once a run: the batch waits for a flush (a SQLite store running).
                    if index == 1 || index % 50 == 0, ((store as? SQLiteStore)?.pendingReportCount ?? 0) > 0 { say("pending") }
                }
            }
            try await group.waitForAll()
        } }
    }
}

/// Writes a line to standard output at once (no buffering: the process dies by SIGKILL).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Hands out consecutive indices to the writers.
actor Counter {
    private var next: Int
    init(_ start: Int) { next = start }
    func take(_ count: Int) -> Int {
        defer { next += count }
        return next
    }
}
