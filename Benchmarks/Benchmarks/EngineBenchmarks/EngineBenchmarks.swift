import Benchmark
import BenchmarkWorkloads
import DeconflictEngine
import DeconflictGeometry
import Foundation

/// The engine with every detector on: units of three parties moving across the
/// 1,000 km square, zones of all three over it, an agreement with separation minima
/// between two of the parties. One iteration = 1,000 position reports, each unit in turn
/// moving 10 s further along its course.
final class EngineRun: @unchecked Sendable {
    var engine: Engine
    let workload: EngineWorkload
    private var cursor = 0
    private var round = 1
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    init(units: Int, zones: Int) {
        workload = EngineWorkload(units: units)
        engine = Engine(start: start)
        for party in workload.parties { try! engine.handle(.addParty(Party(id: PartyID(party))), at: start) }
        try! engine.handle(.putAgreement(Agreement(
            id: "blue-red", title: "Blue and red", signatories: ["blue": .signed, "red": .signed])), at: start)
        for (index, footprint) in Workloads.zones(count: zones).enumerated() {
            try! engine.handle(.putZone(Zone(
                id: ZoneID("z\(index)"), kind: .protectedSite, owner: PartyID(workload.parties[index % 3]),
                agreement: index % 3 == 2 ? nil : "blue-red", volume: Volume4D(footprint: footprint))), at: start)
        }
        for unit in workload.units {
            try! engine.handle(.addUnit(Unit(id: UnitID(unit.id), party: PartyID(unit.party), domain: unit.air ? .air : .ground)), at: start)
        }
        for index in workload.units.indices { report(index, round: 0) }
    }

    func report(_ index: Int, round: Int) {
        let unit = workload.units[index]
        let elapsed = Double(round) * 10
        let time = start.addingTimeInterval(elapsed + Double(index) * 1e-6)
        let position = Geodesic.destination(from: unit.start, azimuthDegrees: unit.course, distanceMeters: unit.speed * elapsed)
        _ = try? engine.handle(.report(PositionReport(
            unit: UnitID(unit.id), time: time, position: position, altitudeMeters: unit.air ? 8_000 : 500,
            speedMetersPerSecond: unit.speed, courseDegrees: unit.course)), at: max(time, engine.now))
    }

    func next() {
        report(cursor, round: round)
        cursor += 1
        if cursor == workload.units.count {
            cursor = 0
            round += 1
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(10),
        maxIterations: 50)

    let run = EngineRun(units: 10_000, zones: 1_000)
    Benchmark("Engine: position report, 10k units, 1k zones, all detectors") { benchmark in
        for _ in benchmark.scaledIterations { run.next() }
        blackHole(run.engine.alerts.count)
    }
}
