import DeconflictEngine
import DeconflictGeometry
import DeconflictTestSupport
import Foundation
import Testing

/// A report on a unit's planned track skips the zone searches; the answers must be the
/// ones a full search of every report gives.
@Suite("Engine: plans change no answer")
struct PlanTests {
    /// What an alert event says, without the figures that depend on when they were
    /// last refreshed.
    struct Said: Hashable, CustomStringConvertible {
        let time: Date
        let type: String
        let kind: Alert.Kind
        let units: [UnitID]
        let zone: ZoneID?

        var description: String { "\(time.timeIntervalSince(Scenario.start)) \(type) \(kind) \(units) \(zone?.rawValue ?? "-")" }
    }

    static func said(_ events: [Event]) -> [Said] {
        events.compactMap { event in
            guard let alert = event.alert, event.type != "alert.updated" else { return nil }
            return Said(time: event.time, type: event.type, kind: alert.kind, units: alert.units, zone: alert.zone)
        }
    }

    /// Runs one random scenario: zones of three parties around the garrison, ground
    /// units and aircraft on straight tracks with the odd turn, a report every 10 s and a
    /// tick every minute.
    static func run(seed: UInt64, configuration: Engine.Configuration) throws -> [Said] {
        var rng = SeededGenerator(seed: seed)
        let start = Scenario.start
        var engine = Engine(configuration: configuration, start: start)
        let parties: [PartyID] = ["coalition", "russia", "syrian-government"]
        for party in parties { try engine.handle(.addParty(Party(id: party)), at: start) }
        try engine.handle(.putAgreement(Agreement(
            id: "at-tanf", title: "At Tanf", signatories: ["coalition": .signed, "russia": .signed, "syrian-government": .signed])),
            at: start)
        for index in 0..<12 {
            let center = Geodesic.destination(
                from: Scenario.garrison, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                distanceMeters: Double.random(in: 0...60_000, using: &rng))
            let radius = Double.random(in: 2_000...15_000, using: &rng)
            let footprint: Footprint
            if index % 2 == 0 {
                footprint = .circle(try Circle(center: center, radiusMeters: radius))
            } else {
                let corners = (0..<5).map { corner in
                    Geodesic.destination(
                        from: center, azimuthDegrees: Double(corner) * 72 + Double.random(in: -20...20, using: &rng),
                        distanceMeters: radius * Double.random(in: 0.5...1, using: &rng))
                }
                footprint = .polygon(try Polygon(outer: corners))
            }
            try engine.handle(.putZone(Zone(
                id: ZoneID("z\(index)"), kind: .protectedSite, owner: parties[index % 3], agreement: "at-tanf",
                volume: Volume4D(footprint: footprint))), at: start)
        }
        struct Mover { var id: UnitID; var position: LatLng; var course: Double; let speed: Double; let air: Bool }
        var movers: [Mover] = []
        for index in 0..<24 {
            let air = index % 4 == 0
            let id = UnitID("u\(index)")
            try engine.handle(.addUnit(Unit(id: id, party: parties[index % 3], domain: air ? .air : .ground)), at: start)
            movers.append(Mover(
                id: id,
                position: Geodesic.destination(
                    from: Scenario.garrison, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                    distanceMeters: Double.random(in: 0...90_000, using: &rng)),
                course: Double.random(in: 0..<360, using: &rng),
                speed: air ? Double.random(in: 100...250, using: &rng) : Double.random(in: 3...20, using: &rng), air: air))
        }
        var said: [Said] = []
        for round in 0..<120 {
            let time = start.addingTimeInterval(Double(round) * 10)
            for index in movers.indices {
                if round > 0 {
                    // Along the geodesic, reporting its course there; a turn now and then.
                    let moved = Geodesic.direct(from: movers[index].position, azimuthDegrees: movers[index].course, distanceMeters: movers[index].speed * 10)
                    movers[index].position = moved.position
                    movers[index].course = moved.azimuthDegrees
                    if Int.random(in: 0..<15, using: &rng) == 0 {
                        movers[index].course = (movers[index].course + Double.random(in: 20...160, using: &rng))
                            .truncatingRemainder(dividingBy: 360)
                    }
                }
                let mover = movers[index]
                said += Self.said(try engine.handle(.report(PositionReport(
                    unit: mover.id, time: time, position: mover.position, altitudeMeters: mover.air ? 8_000 : 500,
                    speedMetersPerSecond: mover.speed, courseDegrees: mover.course)), at: time))
            }
            if round % 6 == 5 { said += Self.said(try engine.handle(.tick, at: time)) }
        }
        return said
    }

    @Test(arguments: Array(UInt64(1)...UInt64(3)))
    func plannedAndFullSearchesRaiseAndResolveTheSame(seed: UInt64) throws {
        var full = Engine.Configuration()
        full.planSeconds = 0
        full.airPlanSeconds = 0
        let planned = try Self.run(seed: seed, configuration: Engine.Configuration())
        let searched = try Self.run(seed: seed, configuration: full)
        #expect(Set(planned.map(\.kind)).isSuperset(of: [.approach, .incursion]), "the scenario exercises the zone detectors")
        #expect(planned.count == searched.count)
        for (a, b) in zip(planned, searched) where a != b {
            Issue.record("planned \(a) but a full search gave \(b)")
            break
        }
    }
}
