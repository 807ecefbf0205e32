public import DeconflictEngine
public import DeconflictGeometry
public import Foundation

/// How CoT events become Deconflict's units and reports, and Deconflict's zones and
/// alerts become CoT events.
public enum CoTMapping {
    /// What an inbound event is to Deconflict.
    public enum Inbound: Equatable, Sendable {
        /// A position of one of the sender's own units (affiliation friend or assumed
        /// friend): the unit (added on first sight) and its report.
        case report(DeconflictEngine.Unit, PositionReport)
        /// The client asks to switch the stream to TAK protocol `version`.
        case protocolRequest(version: Int)
        /// A keep-alive (`t-x-c-t`), answered with `t-x-c-t-r`.
        case ping
        /// Something Deconflict does not take (another party's forces as the sender sees
        /// them, drawings, chat…), with the reason.
        case ignored(String)
    }

    /// Maps an event of `party`'s connection. The party is the connection's, never the
    /// event's: CoT carries no party.
    ///
    /// - uid → unit id (unit ids are what the event's uid is: TAK's links then point at
    ///   the right marker);
    /// - type: affiliation `f`/`a` → the party's own unit, anything else ignored;
    ///   dimension `A` (air) or `P` (space) → air, otherwise ground;
    /// - point → position; hae → altitude (0 when unknown), ce → horizontal uncertainty
    ///   (0 when unknown), track speed and course;
    /// - time → the report's time; an event already stale when it arrives is ignored.
    public static func inbound(_ event: CoTEvent, party: PartyID, now: Date) -> Inbound {
        let type = event.type.description
        if type == "t-x-takp-q" { return .protocolRequest(version: event.takProtocolRequest ?? 0) }
        if type == "t-x-c-t" { return .ping }
        guard event.type.isAtom else { return .ignored("type \(type) is not a unit's position") }
        guard let affiliation = event.type.affiliation else { return .ignored("type \(type) has no affiliation") }
        guard affiliation == .friend || affiliation == .assumedFriend else {
            return .ignored("affiliation \(affiliation.rawValue): only a party's own forces (f, a) are reported through its connection")
        }
        guard event.stale > now else { return .ignored("stale on arrival (stale \(event.stale))") }
        let domain: Domain = event.type.dimension == .air || event.type.dimension == .space ? .air : .ground
        let unit = DeconflictEngine.Unit(id: UnitID(event.uid), party: party, domain: domain, name: event.callsign ?? event.uid)
        guard let position = try? LatLng(latitude: event.latitude, longitude: event.longitude) else {
            return .ignored("not a position: \(event.latitude), \(event.longitude)")
        }
        let report = PositionReport(
            unit: unit.id, time: event.time, position: position,
            altitudeMeters: event.heightAboveEllipsoid ?? 0, speedMetersPerSecond: event.speed ?? 0,
            courseDegrees: (event.course ?? 0).truncatingRemainder(dividingBy: 360), uncertaintyMeters: event.circularError ?? 0)
        return .report(unit, report)
    }

    /// The uid of a zone's shape on TAK maps.
    public static func uid(of zone: ZoneID) -> String { "deconflict.zone.\(zone.rawValue)" }
    /// The uid of an alert's emergency on TAK maps.
    public static func uid(of alert: AlertID) -> String { "deconflict.alert.\(alert.rawValue)" }

    /// A zone as a TAK shape: a circle as `u-d-c-c` with an ellipse, a polygon as `u-d-f`
    /// with one link point per vertex; the altitude band in a `__geofence` detail;
    /// coloured by kind, grey once past its revalidation time.
    public static func shape(_ zone: Zone, now: Date, stale: Date) -> CoTOutboundEvent {
        let (stroke, fill) = colours(zone, now: now)
        let band = zone.volume.altitude
        let geofence = CoTDetail.geofence(minimumMeters: band.lowerMeters, maximumMeters: band.upperMeters)
        var remarks = "\(zone.kind.rawValue) of \(zone.owner.rawValue)"
        if let agreement = zone.agreement { remarks += " under \(agreement.rawValue)" }
        remarks += "; \(Int(band.lowerMeters)) to \(Int(band.upperMeters)) m"
        if zone.isStale(at: now) { remarks += "; STALE: past its revalidation time" }
        let type: String
        let center: LatLng
        var detail: String
        switch zone.volume.footprint {
        case .circle(let circle):
            type = "u-d-c-c"
            center = circle.center
            detail = CoTDetail.circle(radiusMeters: circle.radiusMeters, stroke: stroke, fill: fill)
        case .polygon(let polygon):
            type = "u-d-f"
            let ring = polygon.outer
            center = (try? LatLng(latitude: ring.map(\.latitude).reduce(0, +) / Double(ring.count),
                                  longitude: ring.map(\.longitude).reduce(0, +) / Double(ring.count))) ?? ring[0]
            detail = CoTDetail.polygon(ring.map { ($0.latitude, $0.longitude) }, stroke: stroke, fill: fill)
        }
        detail += geofence + CoTDetail.remarks(remarks)
        return CoTOutboundEvent(
            uid: uid(of: zone.id), type: type, how: "h-e", time: now, stale: stale, latitude: center.latitude,
            longitude: center.longitude, callsign: zone.name, detail: detail)
    }

    /// ARGB stroke and fill: deconfliction zones orange, protected sites blue, no-fly
    /// areas red, corridors green; stale zones grey.
    static func colours(_ zone: Zone, now: Date) -> (UInt32, UInt32) {
        let rgb: UInt32 = if zone.isStale(at: now) { 0x808080 } else {
            switch zone.kind {
            case .deconflictionZone: 0xFF8C00
            case .protectedSite: 0x1E90FF
            case .noFlyArea: 0xFF0000
            case .corridor: 0x00C000
            }
        }
        return (0xFF00_0000 | rgb, 0x4000_0000 | rgb)
    }

    /// A removed zone: TAK's delete event for its shape.
    public static func deletion(of zone: ZoneID, now: Date) -> CoTOutboundEvent {
        deletion(uid: uid(of: zone), now: now)
    }

    /// Another party's unit the viewer may no longer locate: TAK's delete event for it,
    /// so the map does not keep showing where it was.
    public static func deletion(of unit: UnitID, now: Date) -> CoTOutboundEvent {
        deletion(uid: unit.rawValue, now: now)
    }

    /// TAK's delete event (`t-x-d-d`, forced) for the item `uid`.
    private static func deletion(uid target: String, now: Date) -> CoTOutboundEvent {
        CoTOutboundEvent(
            uid: "deconflict.delete.\(target)", type: "t-x-d-d", how: "h-e", time: now, stale: now.addingTimeInterval(60),
            latitude: 0, longitude: 0,
            detail: CoTDetail.link(uid: target, type: "none", relation: "none") + "<__forcedelete/>")
    }

    /// A unit of the viewer's own party as TAK draws a friendly (`a-f-G`, `a-f-A`), at
    /// its last report, stale `staleAfter` seconds after that report: a party's devices
    /// see each other, and its units reported through the API or other connections.
    public static func ownUnit(_ unit: DeconflictEngine.Unit, report: PositionReport, staleAfter: TimeInterval) -> CoTOutboundEvent {
        CoTOutboundEvent(
            uid: unit.id.rawValue, type: unit.domain == .air ? "a-f-A" : "a-f-G", how: "m-g", time: report.time,
            stale: report.time.addingTimeInterval(staleAfter), latitude: report.position.latitude,
            longitude: report.position.longitude, heightAboveEllipsoid: report.altitudeMeters,
            circularError: report.uncertaintyMeters > 0 ? report.uncertaintyMeters : nil, callsign: unit.name,
            detail: CoTDetail.track(courseDegrees: report.courseDegrees, speedMetersPerSecond: report.speedMetersPerSecond)
                + CoTDetail.remarks("Deconflict: unit of \(unit.party.rawValue)"))
    }

    /// Another party's unit the viewer may locate (near a zone of an agreement both
    /// signed, or disclosed as an intruder into one of the viewer's zones), drawn with the
    /// unknown affiliation (`a-u-G`, `a-u-A`): the parties share a space, not a side, and
    /// the service judges no one's intent. Its remarks name its party and why it is shown.
    public static func otherUnit(
        _ unit: DeconflictEngine.Unit, report: PositionReport, staleAfter: TimeInterval, why: String
    ) -> CoTOutboundEvent {
        CoTOutboundEvent(
            uid: unit.id.rawValue, type: unit.domain == .air ? "a-u-A" : "a-u-G", how: "m-g", time: report.time,
            stale: report.time.addingTimeInterval(staleAfter), latitude: report.position.latitude,
            longitude: report.position.longitude, heightAboveEllipsoid: report.altitudeMeters,
            circularError: report.uncertaintyMeters > 0 ? report.uncertaintyMeters : nil, callsign: unit.name.isEmpty ? unit.id.rawValue : unit.name,
            detail: CoTDetail.track(courseDegrees: report.courseDegrees, speedMetersPerSecond: report.speedMetersPerSecond)
                + CoTDetail.remarks("Deconflict: unit of \(unit.party.rawValue), \(why)"))
    }

    /// Whether TAK maps show an alert of this kind as a breach: a unit is inside a zone
    /// it should not be in (incursion, dwell, a build-up in a zone). The others warn of
    /// what may come or of a rule not kept (an approach, a loss of separation ahead, a
    /// stale track, a late notice…), and an emergency would say something untrue.
    public static func isBreach(_ kind: Alert.Kind) -> Bool {
        kind == .incursion || kind == .dwell || kind == .buildUp
    }

    /// An alert on a TAK map at `position`, linked to the unit it is about.
    ///
    /// - A breach (``isBreach(_:)``) is an emergency, `b-a-g` "Geo-fence Breached"; once
    ///   resolved, its cancellation (`b-a-o-can`, same uid).
    /// - Any other alert is a warning marker (`b-m-p-s-m`, yellow; a loss of separation
    ///   red), its text saying what is expected and when; once resolved, the marker is
    ///   deleted (`t-x-d-d`).
    ///
    /// With `linkingUnits` false (the viewer may not locate the unit) the event names the
    /// unit in its text but links to nothing the map would never receive.
    public static func alert(
        _ alert: Alert, position: LatLng, unitType: String, linkingUnits: Bool = true, now: Date, stale: Date
    ) -> CoTOutboundEvent {
        var text = "\(alert.kind.rawValue)"
        if let zone = alert.zone { text += " \(alert.kind == .approach ? "toward" : "in") \(zone.rawValue)" }
        if !alert.units.isEmpty { text += ": " + alert.units.map(\.rawValue).joined(separator: ", ") }
        if let seconds = alert.secondsAhead, alert.state != .resolved {
            text += alert.kind == .approach ? "; expected to enter in \(Int(seconds)) s" : "; in \(Int(seconds)) s"
        }
        if let meters = alert.distanceMeters, alert.state != .resolved, alert.kind == .incursion, meters < 0 {
            text += "; \(Int(-meters)) m inside the edge"
        }
        var remarks = "Deconflict alert \(alert.id.rawValue), \(alert.state.rawValue)"
        if let resolution = alert.resolution { remarks += ": \(resolution)" }
        let resolved = alert.state == .resolved
        let links = linkingUnits ? alert.units.map { CoTDetail.link(uid: $0.rawValue, type: unitType) }.joined() : ""
        let callsign = "\(alert.kind.rawValue) \(alert.units.first?.rawValue ?? alert.zone?.rawValue ?? "")"
        if isBreach(alert.kind) {
            return CoTOutboundEvent(
                uid: uid(of: alert.id), type: resolved ? "b-a-o-can" : "b-a-g", how: "m-g", time: now,
                stale: resolved ? now.addingTimeInterval(60) : stale, latitude: position.latitude, longitude: position.longitude,
                callsign: callsign,
                detail: CoTDetail.emergency("Geo-fence Breached", text: text, cancel: resolved) + links + CoTDetail.remarks(remarks))
        }
        if resolved {
            return CoTOutboundEvent(
                uid: "deconflict.delete.\(uid(of: alert.id))", type: "t-x-d-d", how: "h-e", time: now, stale: now.addingTimeInterval(60),
                latitude: 0, longitude: 0,
                detail: CoTDetail.link(uid: uid(of: alert.id), type: "none", relation: "none") + "<__forcedelete/>" + CoTDetail.remarks(remarks))
        }
        let colour: UInt32 = alert.kind == .separation ? 0xFFFF_0000 : 0xFFFF_FF00
        return CoTOutboundEvent(
            uid: uid(of: alert.id), type: "b-m-p-s-m", how: "m-g", time: now, stale: stale,
            latitude: position.latitude, longitude: position.longitude, callsign: callsign,
            detail: CoTDetail.colour(colour) + links + CoTDetail.remarks("Warning: \(text). \(remarks)"))
    }

    /// A reply of the server's own (pong, protocol offer and response).
    package static func control(type: String, detail: String, now: Date) -> CoTOutboundEvent {
        CoTOutboundEvent(
            uid: type == "t-x-c-t-r" ? "deconflict-pong" : "protouid", type: type, how: "m-g", time: now,
            stale: now.addingTimeInterval(60), latitude: 0, longitude: 0, detail: detail)
    }
}
