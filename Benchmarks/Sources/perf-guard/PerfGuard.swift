import ArgumentParser
import BenchmarkWorkloads
import CCallgrind
import DeconflictCoT
import DeconflictGeometry
import DeconflictSpatialIndex
import EngineWorkload
import Foundation

/// Small, fixed workloads for the regression guard: each case sets up outside the
/// measured region and runs its hot path inside it, so that `valgrind --tool=callgrind
/// --instr-atstart=no` counts the instructions and allocations of exactly that work.
/// `Benchmarks/scripts/perf-guard.sh` runs every case and compares the counts with the
/// committed thresholds.
@main
struct PerfGuard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perf-guard",
        abstract: "Run one fixed workload with its hot path inside a callgrind region.")

    enum Case: String, CaseIterable, ExpressibleByArgument {
        case zoneQuery = "zone-query"
        case unitSeparation = "unit-separation"
        case engineReports = "engine-reports"
        case cotXML = "cot-xml"
        case cotProtobuf = "cot-protobuf"
    }

    @Argument(help: "The workload: \(Case.allCases.map(\.rawValue).joined(separator: ", ")).")
    var workload: Case

    func run() throws {
        let result: Int
        switch workload {
        case .zoneQuery: result = zoneQuery()
        case .unitSeparation: result = unitSeparation()
        case .engineReports: result = engineReports()
        case .cotXML: result = try cot(xml: true)
        case .cotProtobuf: result = try cot(xml: false)
        }
        // The answer, so a change that skips work shows up as a different result too.
        print("\(workload.rawValue) result=\(result)")
    }

    /// 20,000 point-in-zone queries against 1,000 mixed zones.
    func zoneQuery() -> Int {
        let index = Workloads.index(Workloads.zones(count: 1_000))
        let points = Workloads.points(count: 20_000).map(PreparedPoint.init)
        var matches = 0
        measured {
            for point in points { index.forEach(containing: point) { _ in matches += 1 } }
        }
        return matches
    }

    /// 20,000 reports against 20,000 units: move one, then find every unit within 5 NM.
    func unitSeparation() -> Int {
        var units = Workloads.UnitMoves(units: 20_000)
        var grid = PointGrid<Int32>()
        for (unit, position) in units.positions.enumerated() { grid.update(Int32(unit), to: position) }
        let moves = units.moves(count: 20_000)
        var found = 0
        measured {
            for (unit, position) in moves {
                grid.update(Int32(unit), to: position)
                grid.forEach(within: 9_260, of: position) { _, _ in found += 1 }
            }
        }
        return found
    }

    /// Two rounds of reports from 2,000 units among 200 zones, every detector on, after
    /// each unit's first report.
    func engineReports() -> Int {
        let run = EngineRun(units: 2_000, zones: 200)
        run.warmUp()
        let reports = run.nextReports(4_000)
        measured {
            for report in reports { run.handle(report) }
        }
        return run.engine.alerts.count
    }

    /// 2,000 CoT events as TAK clients send them, decoded from XML or from TAK protocol
    /// version 1.
    func cot(xml: Bool) throws -> Int {
        var rng = WorkloadRandom(seed: 11)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let messages: [Data] = Workloads.points(count: 2_000).enumerated().map { index, point in
            let time = start.addingTimeInterval(Double(index))
            let speed = Double.random(in: 0...30, using: &rng), course = Double.random(in: 0..<360, using: &rng)
            let event = CoTOutboundEvent(
                uid: "unit-\(index % 500)", type: "a-f-G-U-C", how: "m-g", time: time, stale: time.addingTimeInterval(300),
                latitude: point.latitude, longitude: point.longitude, heightAboveEllipsoid: 0, circularError: 10,
                detail: #"<track speed="\#(speed)" course="\#(course)"/>"#)
            return xml ? event.xml() : CoTProtobuf.encode(event)
        }
        var decoded = 0
        var failure: CoTError?
        measured {
            for message in messages {
                do throws(CoTError) {
                    let event = xml ? try CoTXML.decode(message) : try CoTProtobuf.decode(message)
                    if event.latitude > 0 { decoded += 1 }
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw ValidationError("a generated event was refused: \(failure)") }
        return decoded
    }

    func measured(_ body: () -> Void) {
        callgrind_region_begin()
        body()
        callgrind_region_end()
    }
}
