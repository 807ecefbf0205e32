import DeconflictEngine
import DeconflictGeometry
import DeconflictNode
import Foundation
import Testing

/// The zone's owner sees the intruder: a unit of a party with no agreement it could be
/// seen under (the seed's militia gun, claimed by nobody who confirmed it) is disclosed to
/// the owner of the zone it entered while the alert is open, under the zone's agreement's
/// `disclosesIntruders` (on by default); not before, not after, not when the signatories
/// turned it off.
@Suite("Visibility: intruders disclosed to the zone's owner")
struct DisclosureTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let garrison = LatLng(uncheckedLatitude: 33.5, longitude: 38.65)

    static func engine(disclosing: Bool) throws -> Engine {
        var engine = Engine(start: start)
        for party in ["coalition", "russia", "allied-militia"] { try engine.handle(.addParty(Party(id: PartyID(party))), at: start) }
        try engine.handle(.setResponsibility(Responsibility(sponsor: "russia", client: "allied-militia", confirmed: false)), at: start)
        try engine.handle(.putAgreement(Agreement(
            id: "at-tanf", title: "At Tanf", signatories: ["coalition": .proposed, "russia": .proposed],
            parameters: Agreement.Parameters(disclosesIntruders: disclosing))), at: start)
        try engine.handle(.sign("at-tanf", by: "coalition"), at: start)
        try engine.handle(.sign("at-tanf", by: "russia"), at: start)
        try engine.handle(.putZone(Zone(
            id: "at-tanf-55km", kind: .deconflictionZone, owner: "coalition", agreement: "at-tanf",
            volume: Volume4D(footprint: .circle(try Circle(center: garrison, radiusMeters: 55_000)), altitude: .all, time: .always))), at: start)
        try engine.handle(.addUnit(Unit(id: "gun-1", party: "allied-militia", domain: .ground)), at: start)
        return engine
    }

    static func report(_ engine: inout Engine, at seconds: Double, meters: Double) throws -> [Event] {
        let position = Geodesic.destination(from: garrison, azimuthDegrees: 200, distanceMeters: meters)
        return try engine.handle(.report(PositionReport(
            unit: "gun-1", time: start.addingTimeInterval(seconds), position: position)), at: start.addingTimeInterval(seconds))
    }

    @Test func anIntruderIsLocatedByTheZonesOwnerWhileTheAlertIsOpen() throws {
        var engine = try Self.engine(disclosing: true)
        let gun = try #require(engine.unit("gun-1"))
        // Far outside: nothing discloses it.
        _ = try Self.report(&engine, at: 0, meters: 120_000)
        #expect(!Visibility.mayLocate(gun, report: engine.lastReport(of: "gun-1"), by: "coalition", in: engine))
        // Inside, 20 km from the edge: the incursion is open, and the coalition sees it.
        let raised = try Self.report(&engine, at: 60, meters: 35_000)
        let alert = try #require(raised.compactMap { $0.type == "alert.raised" ? $0.alert : nil }.first { $0.kind == .incursion })
        #expect(!Visibility.isNearAgreedZone(gun, report: engine.lastReport(of: "gun-1"), of: "coalition", in: engine))
        #expect(Visibility.mayLocate(gun, report: engine.lastReport(of: "gun-1"), by: "coalition", in: engine))
        #expect(Visibility.disclosedSince(gun, to: "coalition", in: engine) == alert.raisedAt)
        // Russia signed too, but the zone is not its own: nothing is disclosed to it.
        #expect(!Visibility.mayLocate(gun, report: engine.lastReport(of: "gun-1"), by: "russia", in: engine))
        // Resolved: hidden again.
        _ = try engine.handle(.resolve(alert.id, by: "coalition", reason: "handled"), at: Self.start.addingTimeInterval(120))
        #expect(!Visibility.mayLocate(gun, report: engine.lastReport(of: "gun-1"), by: "coalition", in: engine))
    }

    @Test func anAgreementMayWithholdTheDisclosure() throws {
        var engine = try Self.engine(disclosing: false)
        let gun = try #require(engine.unit("gun-1"))
        let raised = try Self.report(&engine, at: 60, meters: 35_000)
        #expect(raised.contains { $0.type == "alert.raised" && $0.alert?.kind == .incursion })
        #expect(!Visibility.mayLocate(gun, report: engine.lastReport(of: "gun-1"), by: "coalition", in: engine))
        #expect(Visibility.disclosedSince(gun, to: "coalition", in: engine) == nil)
    }

    /// The engine finds a unit's open zone alerts from the unit's own record; held here to
    /// the full look through every alert, report after report and tick after tick, as the unit approaches,
    /// enters, dwells in, leaves and comes back to the zone.
    @Test func aUnitsOpenZoneAlertsAreThoseAFullLookFinds() throws {
        var engine = try Self.engine(disclosing: true)
        func fullLook() -> Set<AlertID> {
            Set(engine.alerts.values.filter {
                $0.state != .resolved && [.incursion, .approach, .dwell].contains($0.kind) && $0.units.contains("gun-1")
            }.map(\.id))
        }
        var seen: Set<Alert.Kind> = []
        let path: [Double] = [90_000, 80_000, 70_000, 60_000, 50_000, 40_000, 40_000, 40_000, 60_000, 70_000, 50_000, 30_000]
        for (step, meters) in path.enumerated() {
            let position = Geodesic.destination(from: Self.garrison, azimuthDegrees: 200, distanceMeters: meters)
            let course = Geodesic.inverse(position, Self.garrison).initialAzimuthDegrees
            let time = Self.start.addingTimeInterval(Double(step) * 600)
            _ = try engine.handle(.report(PositionReport(
                unit: "gun-1", time: time, position: position, speedMetersPerSecond: meters > 40_000 ? 15 : 0, courseDegrees: course)), at: time)
            for moment in [time, time.addingTimeInterval(300)] {
                if moment > time { _ = try engine.handle(.tick, at: moment) }
                let found = engine.openZoneAlerts(of: "gun-1")
                #expect(Set(found.map(\.id)) == fullLook(), "step \(step)")
                seen.formUnion(found.map(\.kind))
            }
        }
        #expect(seen.isSuperset(of: [.approach, .incursion, .dwell]), "the path met only \(seen)")
    }
}
