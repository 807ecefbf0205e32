import BenchmarkWorkloads
import DeconflictEngine
import DeconflictGeometry
import Foundation

/// The engine with every detector on: units of three parties (a fifth of them aircraft
/// at 150–250 m/s on 21 flight levels 1,000 ft apart, the rest on the ground at 5–20 m/s)
/// moving along geodesics across ``Workloads/square``, zones of all three over it (by
/// default protected sites of 0.5–3 km, a tenth of the square at 10,000 zones), an
/// agreement with separation minima between two of the parties. Every unit reports
/// every 10 s of scenario time, in turn, with its position, speed and the course of its
/// geodesic there; with `turnProbability` a report turns the unit by 20–160° first.
/// Time passes (a tick) after every round of reports.
public final class EngineRun {
    public var engine: Engine
    public let unitCount: Int
    public let start = Date(timeIntervalSince1970: 1_790_000_000)
    private let ids: [UnitID]
    private let air: [Bool]
    private let speeds: [Double]
    private let altitudes: [Double]
    private var positions: [LatLng]
    private var courses: [Double]
    private let turnProbability: Double
    private var rng = WorkloadRandom(seed: 9)
    private var cursor = 0
    private var round = 0

    public init(
        units: Int, zones: Int, zoneRadii: ClosedRange<Double> = 500...3_000, flightLevels: Int = 21,
        turnProbability: Double = 0
    ) {
        let workload = EngineWorkload(units: units)
        unitCount = units
        self.turnProbability = turnProbability
        ids = workload.units.map { UnitID($0.id) }
        air = workload.units.map(\.air)
        speeds = workload.units.map(\.speed)
        // FL200 and up, every 1,000 ft.
        altitudes = workload.units.indices.map { index in
            workload.units[index].air ? (20_000 + Double(index % flightLevels) * 1_000) * 0.3048 : 500
        }
        positions = workload.units.map(\.start)
        courses = workload.units.map(\.course)
        engine = Engine(start: start)
        for party in workload.parties { try! engine.handle(.addParty(Party(id: PartyID(party))), at: start) }
        try! engine.handle(.putAgreement(Agreement(
            id: "blue-red", title: "Blue and red", signatories: ["blue": .signed, "red": .signed])), at: start)
        for (index, footprint) in Workloads.zones(count: zones, radii: zoneRadii).enumerated() {
            try! engine.handle(.putZone(Zone(
                id: ZoneID("z\(index)"), kind: .protectedSite, owner: PartyID(workload.parties[index % 3]),
                agreement: index % 3 == 2 ? nil : "blue-red", volume: Volume4D(footprint: footprint))), at: start)
        }
        for unit in workload.units {
            try! engine.handle(.addUnit(Unit(id: UnitID(unit.id), party: PartyID(unit.party), domain: unit.air ? .air : .ground)), at: start)
        }
    }

    /// The next `count` reports, in the order the units send them.
    public func nextReports(_ count: Int) -> [PositionReport] {
        var reports: [PositionReport] = []
        reports.reserveCapacity(count)
        for _ in 0..<count {
            let index = cursor
            if round > 0 {
                let moved = Geodesic.direct(from: positions[index], azimuthDegrees: courses[index], distanceMeters: speeds[index] * 10)
                positions[index] = moved.position
                courses[index] = moved.azimuthDegrees
                if turnProbability > 0, Double.random(in: 0..<1, using: &rng) < turnProbability {
                    courses[index] = (courses[index] + Double.random(in: 20...160, using: &rng)).truncatingRemainder(dividingBy: 360)
                }
            }
            reports.append(PositionReport(
                unit: ids[index], time: start.addingTimeInterval(Double(round) * 10 + Double(index) * 1e-6),
                position: positions[index], altitudeMeters: altitudes[index],
                speedMetersPerSecond: speeds[index], courseDegrees: courses[index]))
            cursor += 1
            if cursor == unitCount {
                cursor = 0
                round += 1
            }
        }
        return reports
    }

    /// Whether the unit of `report` is an aircraft.
    public func isAircraft(_ report: PositionReport) -> Bool {
        Int(report.unit.rawValue.dropFirst()).map { air[$0] } ?? false
    }

    /// Hands `report` to the engine; after the last report of a round, time passes.
    @inline(__always)
    public func handle(_ report: PositionReport) {
        handleReport(report)
        if endsRound(report) { tick(at: report.time) }
    }

    /// Hands `report` to the engine, without the tick.
    @inline(__always)
    public func handleReport(_ report: PositionReport) {
        _ = try? engine.handle(.report(report), at: report.time)
    }

    /// Whether `report` is the last of its round.
    public func endsRound(_ report: PositionReport) -> Bool { report.unit == ids.last }

    /// Time passes: stale tracks, dwell, build-up, escalations.
    public func tick(at time: Date) {
        _ = try? engine.handle(.tick, at: time)
    }

    /// Every unit reports once.
    public func warmUp() {
        for report in nextReports(unitCount) { handle(report) }
    }
}
