import DeconflictEngine
import DeconflictGeometry
@testable import DeconflictCoT
import Foundation
import Testing

/// How CoT events become reports of the connection's party, and zones and alerts
/// become the shapes and emergencies TAK draws.
@Suite("CoT mapping")
struct CoTMappingTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func event(_ type: String, uid: String = "ANDROID-1", stale: TimeInterval = 60, hae: Double? = 612, ce: Double? = 12) throws -> CoTEvent {
        CoTEvent(
            uid: uid, type: try #require(CoTType(type)), how: "m-g", time: now, stale: now.addingTimeInterval(stale),
            latitude: 33.55, longitude: 38.6, heightAboveEllipsoid: hae, circularError: ce, linearError: nil,
            callsign: "Convoy", speed: 12.5, course: 450)
    }

    @Test func ownForcesBecomeReportsOfTheConnectionsParty() throws {
        guard case .report(let unit, let report) = CoTMapping.inbound(try Self.event("a-f-G-U-C"), party: "coalition", now: Self.now) else {
            Issue.record("a friendly ground unit is not a report")
            return
        }
        #expect(unit.id == "ANDROID-1" && unit.party == "coalition" && unit.domain == .ground && unit.name == "Convoy")
        #expect(report.time == Self.now && report.position.latitude == 33.55 && report.position.longitude == 38.6)
        #expect(report.altitudeMeters == 612 && report.uncertaintyMeters == 12 && report.speedMetersPerSecond == 12.5)
        #expect(report.courseDegrees == 90)
        // Air (and space) dimensions are air units; assumed friends are own forces too.
        guard case .report(let aircraft, _) = CoTMapping.inbound(try Self.event("a-a-A-M-F-Q"), party: "russia", now: Self.now) else {
            Issue.record("an assumed-friend aircraft is not a report")
            return
        }
        #expect(aircraft.domain == .air && aircraft.party == "russia")
        // Unknown height and error: 0.
        guard case .report(_, let unknown) = CoTMapping.inbound(try Self.event("a-f-G", hae: nil, ce: nil), party: "coalition", now: Self.now) else {
            Issue.record("no report")
            return
        }
        #expect(unknown.altitudeMeters == 0 && unknown.uncertaintyMeters == 0)
    }

    @Test func whatIsNotAPartysOwnFreshPositionIsIgnored() throws {
        for type in ["a-h-G-U-C", "a-n-A", "a-u-G", "a-s-G", "b-m-p-s-p-i", "u-d-f", "a"] {
            guard case .ignored = CoTMapping.inbound(try Self.event(type), party: "coalition", now: Self.now) else {
                Issue.record("\(type) was not ignored")
                continue
            }
        }
        guard case .ignored(let reason) = CoTMapping.inbound(try Self.event("a-f-G", stale: -1), party: "coalition", now: Self.now.addingTimeInterval(1)) else {
            Issue.record("a stale event was taken")
            return
        }
        #expect(reason.contains("stale"))
        var request = try Self.event("t-x-takp-q")
        request.takProtocolRequest = 1
        #expect(CoTMapping.inbound(request, party: "coalition", now: Self.now) == .protocolRequest(version: 1))
        #expect(CoTMapping.inbound(try Self.event("t-x-c-t"), party: "coalition", now: Self.now) == .ping)
    }

    @Test func zonesAreDrawnAsShapesWithTheirAltitudeBand() throws {
        let band = try AltitudeBand(lowerMeters: 0, upperMeters: 15_000)
        let circle = Zone(
            id: "at-tanf-55km", name: "At Tanf", kind: .deconflictionZone, owner: "coalition", agreement: "at-tanf",
            volume: Volume4D(footprint: .circle(try Circle(center: LatLng(latitude: 33.5, longitude: 38.65), radiusMeters: 55_000)), altitude: band, time: .always))
        let shape = CoTMapping.shape(circle, now: Self.now, stale: Self.now.addingTimeInterval(120))
        #expect(shape.type == "u-d-c-c" && shape.uid == "deconflict.zone.at-tanf-55km")
        #expect(shape.latitude == 33.5 && shape.longitude == 38.65)
        #expect(shape.detail.contains(#"<ellipse major="55000" minor="55000" angle="360"/>"#))
        #expect(shape.detail.contains(#"minElevation="0" maxElevation="15000""#))
        let ring = [(33.0, 44.0), (33.0, 44.2), (33.2, 44.2), (33.2, 44.0)].map { try! LatLng(latitude: $0.0, longitude: $0.1) }
        let polygon = Zone(
            id: "site", kind: .protectedSite, owner: "ngo",
            volume: Volume4D(footprint: .polygon(try Polygon(outer: ring)), altitude: band, time: .always), revalidateBy: Self.now.addingTimeInterval(-1))
        let drawn = CoTMapping.shape(polygon, now: Self.now, stale: Self.now.addingTimeInterval(120))
        #expect(drawn.type == "u-d-f")
        // Every vertex, and the first again to close it.
        #expect(drawn.detail.components(separatedBy: "<link point=").count - 1 == 5)
        #expect(drawn.detail.contains(#"<link point="33,44"/>"#))
        #expect(drawn.detail.contains("STALE"), "a zone past its revalidation time says so")
        #expect(drawn.detail.contains(CoTDetail.argb(0xFF80_8080)), "and is grey")
        // Both parse back as CoT.
        for event in [shape, drawn] {
            let parsed = try CoTXML.decode(event.xml())
            #expect(parsed.uid == event.uid && parsed.stale == Self.now.addingTimeInterval(120))
        }
    }

    /// An approach is a warning on TAK maps, not a "Geo-fence Breached" emergency: it
    /// says what is expected and when, and its marker is deleted once resolved; an
    /// incursion is the breach, and is cancelled when resolved.
    @Test func anApproachIsAWarningAndOnlyABreachIsAnEmergency() throws {
        let start = Self.now
        let garrison = try LatLng(latitude: 33.5, longitude: 38.65)
        var engine = Engine(start: start)
        for party in ["coalition", "russia"] { try engine.handle(.addParty(Party(id: PartyID(party))), at: start) }
        try engine.handle(.putAgreement(Agreement(
            id: "at-tanf", title: "At Tanf", signatories: ["coalition": .proposed, "russia": .proposed],
            parameters: Agreement.Parameters(groundSeparationMeters: 1_000))), at: start)
        try engine.handle(.sign("at-tanf", by: "coalition"), at: start)
        try engine.handle(.sign("at-tanf", by: "russia"), at: start)
        try engine.handle(.putZone(Zone(
            id: "at-tanf-55km", kind: .deconflictionZone, owner: "coalition", agreement: "at-tanf",
            volume: Volume4D(footprint: .circle(try Circle(center: garrison, radiusMeters: 55_000)), altitude: .all, time: .always))), at: start)
        try engine.handle(.addUnit(Unit(id: "convoy", party: "russia", domain: .ground)), at: start)
        func report(_ seconds: Double, meters: Double) throws -> [Event] {
            let position = Geodesic.destination(from: garrison, azimuthDegrees: 315, distanceMeters: meters)
            let course = Geodesic.inverse(position, garrison).initialAzimuthDegrees
            return try engine.handle(.report(PositionReport(
                unit: "convoy", time: start.addingTimeInterval(seconds), position: position, speedMetersPerSecond: 12.5,
                courseDegrees: course)), at: start.addingTimeInterval(seconds))
        }
        func drawn(_ alert: Alert) throws -> CoTOutboundEvent {
            let event = CoTMapping.alert(alert, position: garrison, unitType: "a-u-G", now: Self.now, stale: Self.now.addingTimeInterval(120))
            _ = try CoTXML.decode(event.xml())
            return event
        }
        let approach = try #require(try report(0, meters: 80_000).compactMap { $0.type == "alert.raised" ? $0.alert : nil }.first { $0.kind == .approach })
        let warning = try drawn(approach)
        #expect(warning.type == "b-m-p-s-m" && !warning.detail.contains("<emergency"), "\(warning.xml())")
        #expect(warning.detail.contains("approach toward at-tanf-55km: convoy; expected to enter in 2000 s"), "\(warning.detail)")
        #expect(warning.detail.contains(#"<link uid="convoy""#))
        let entered = try report(2_100, meters: 53_750)
        let resolvedApproach = try #require(entered.compactMap { $0.type == "alert.resolved" ? $0.alert : nil }.first { $0.kind == .approach })
        let deleted = try drawn(resolvedApproach)
        #expect(deleted.type == "t-x-d-d" && deleted.detail.contains(#"<link uid="\#(CoTMapping.uid(of: approach.id))""#))
        let incursion = try #require(entered.compactMap { $0.type == "alert.raised" ? $0.alert : nil }.first { $0.kind == .incursion })
        let breach = try drawn(incursion)
        #expect(breach.type == "b-a-g" && breach.detail.contains(#"<emergency type="Geo-fence Breached">"#), "\(breach.xml())")
        #expect(breach.detail.contains("m inside the edge"))
    }
}
