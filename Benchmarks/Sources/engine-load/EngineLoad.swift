import ArgumentParser
import EngineWorkload
import Foundation
import CHeapStats

/// Feeds the engine workload report by report and prints the throughput, the latency
/// percentiles of single reports and the heap bytes per tracked unit.
@main
struct EngineLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-load", abstract: "Throughput, per-report latency and memory per unit of the engine.")

    @Option(help: "Units.") var units = 100_000
    @Option(help: "Zones.") var zones = 10_000
    @Option(help: "Rounds of reports (each unit once per round) after the first.") var rounds = 10
    @Option(help: "Probability that a report turns its unit.") var turnProbability = 0.0
    @Flag(help: "Also print one CSV line: units,zones,reports_per_second,p50_us,p99_us,p999_us,heap_bytes_per_unit.")
    var csv = false

    func run() throws {
        // The zones' share of the heap, from an engine with the zones alone.
        let heapBefore = Int(heap_bytes_in_use())
        var zonesOnly: EngineRun? = EngineRun(units: 0, zones: zones)
        let zonesBytes = Int(heap_bytes_in_use()) - heapBefore
        zonesOnly = nil
        _ = zonesOnly
        let full = EngineRun(units: units, zones: zones, turnProbability: turnProbability)
        let setup = ContinuousClock.now
        full.warmUp()
        let warmUp = ContinuousClock.now - setup
        let heapTracking = Int(heap_bytes_in_use())
        var latencies: [Duration] = []
        latencies.reserveCapacity(units * rounds)
        var total = Duration.zero
        var aircraft = (count: 0, time: Duration.zero)
        var ticks: [Duration] = []
        for _ in 0..<rounds {
            let reports = full.nextReports(units)
            let clock = ContinuousClock()
            for report in reports {
                let begin = clock.now
                full.handleReport(report)
                let took = clock.now - begin
                if full.endsRound(report) {
                    let tickBegin = clock.now
                    full.tick(at: report.time)
                    ticks.append(clock.now - tickBegin)
                }
                latencies.append(took)
                total += took
                if full.isAircraft(report) {
                    aircraft.count += 1
                    aircraft.time += took
                }
            }
        }
        let heapAfter = Int(heap_bytes_in_use())
        latencies.sort()
        func percentileMicroseconds(_ p: Double) -> Double {
            let value = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            return Double(value.components.attoseconds) / 1e12 + Double(value.components.seconds) * 1e6
        }
        func percentile(_ p: Double) -> String { String(format: "%.2f µs", percentileMicroseconds(p)) }
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        // Everything else the engine holds is the units': their records, indexes and alerts.
        let perUnit = Double(heapAfter - heapBefore - zonesBytes) / Double(units)
        print("units \(units), zones \(zones), rounds \(rounds), turn probability \(turnProbability)")
        print("first report of every unit: \(warmUp)")
        print(String(format: "reports: %d in %.3f s of engine time: %.0f reports/s", latencies.count, seconds, Double(latencies.count) / seconds))
        func microseconds(_ duration: Duration, _ count: Int) -> String {
            String(format: "%.1f µs", (Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12) / Double(max(1, count)))
        }
        print("mean per report: aircraft \(microseconds(aircraft.time, aircraft.count)), ground \(microseconds(total - aircraft.time, latencies.count - aircraft.count))")
        print("latency per report: p50 \(percentile(0.5)), p90 \(percentile(0.9)), p99 \(percentile(0.99)), p99.9 \(percentile(0.999)), max \(percentile(1))")
        print("tick after each round (not in the figures above): \(ticks.map { microseconds($0, 1) }.joined(separator: ", "))")
        print(String(format: "heap per tracked unit: %.0f bytes (after the first reports: %.0f; heap with zones only: %.1f MB)",
            perUnit, Double(heapTracking - heapBefore - zonesBytes) / Double(units), Double(zonesBytes) / 1e6))
        let alerts = full.engine.alerts.count
        print("alerts raised: \(alerts), open: \(full.engine.alerts.values.filter { $0.state != .resolved }.count)")
        if csv {
            print(String(format: "csv:%d,%d,%.0f,%.2f,%.2f,%.2f,%.0f", units, zones, Double(latencies.count) / seconds,
                percentileMicroseconds(0.5), percentileMicroseconds(0.99), percentileMicroseconds(0.999), perUnit))
        }
    }
}
