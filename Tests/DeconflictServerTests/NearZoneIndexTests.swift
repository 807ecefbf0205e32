import DeconflictEngine
import DeconflictGeometry
import DeconflictNode
import DeconflictTestSupport
import Foundation
import Testing

/// Who may locate a unit near a zone of an agreement both parties signed: asked for every
/// unit of a situation, so answered from the zones' spatial index; held here to a scan of
/// every zone, over random zones (circles and polygons, under three agreements with
/// different signatories, one with a sponsor answering for its client) and units placed
/// inside, at the edge of the 10 km margin and far off.
@Suite("Visibility: near an agreed zone, indexed")
struct NearZoneIndexTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func theIndexedAnswerIsTheScansAnswer(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let origin = LatLng(uncheckedLatitude: 33.5, longitude: 38.65)
        var engine = Engine(start: start)
        let parties: [PartyID] = ["coalition", "russia", "syrian-government", "allied-militia"]
        for party in parties { try engine.handle(.addParty(Party(id: party)), at: start) }
        try engine.handle(.setResponsibility(Responsibility(sponsor: "russia", client: "allied-militia", confirmed: true)), at: start)
        let agreements: [(AgreementID, [PartyID: Agreement.Status])] = [
            ("a", ["coalition": .signed, "russia": .signed]),
            ("b", ["coalition": .signed, "syrian-government": .signed]),
            ("c", ["russia": .signed, "syrian-government": .proposed]),
        ]
        for (id, signatories) in agreements {
            try engine.handle(.putAgreement(Agreement(id: id, title: id.rawValue, signatories: signatories)), at: start)
        }
        var zones: [(LatLng, Double)] = []
        for index in 0..<60 {
            let center = Geodesic.destination(
                from: origin, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                distanceMeters: Double.random(in: 0...150_000, using: &rng))
            let radius = Double.random(in: 500...20_000, using: &rng)
            let footprint: Footprint
            if index % 2 == 0 {
                footprint = .circle(try Circle(center: center, radiusMeters: radius))
            } else {
                footprint = .polygon(try Polygon(outer: (0..<6).map { corner in
                    Geodesic.destination(
                        from: center, azimuthDegrees: Double(corner) * 60 + Double.random(in: -15...15, using: &rng),
                        distanceMeters: radius * Double.random(in: 0.4...1, using: &rng))
                }))
            }
            let agreement: AgreementID? = index % 7 == 0 ? nil : agreements[index % 3].0
            try engine.handle(.putZone(Zone(
                id: ZoneID("z\(index)"), kind: .protectedSite, owner: parties[index % 3], agreement: agreement,
                volume: Volume4D(footprint: footprint))), at: start)
            zones.append((center, radius))
        }
        var near = 0, checked = 0
        for index in 0..<800 {
            let unit = Unit(id: UnitID("u\(index)"), party: parties[index % 4], domain: .ground)
            // Around a zone's centre, out to past the zone and its 10 km margin.
            let (center, radius) = zones[Int.random(in: 0..<zones.count, using: &rng)]
            let position = Geodesic.destination(
                from: center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                distanceMeters: Double.random(in: 0...(radius + 2 * Visibility.nearZoneMeters), using: &rng))
            let report = PositionReport(unit: unit.id, time: start, position: position)
            for viewer in parties where viewer != unit.party {
                let indexed = Visibility.isNearAgreedZone(unit, report: report, of: viewer, in: engine)
                #expect(indexed == Visibility.isNearAgreedZoneByScan(unit, report: report, of: viewer, in: engine),
                        "\(unit.id) of \(unit.party) at \(position) seen by \(viewer)")
                checked += 1
                if indexed { near += 1 }
            }
        }
        // Both answers occur often enough for the comparison to mean something.
        #expect(near > checked / 20 && near < checked * 19 / 20, "\(near) of \(checked)")
    }
}
