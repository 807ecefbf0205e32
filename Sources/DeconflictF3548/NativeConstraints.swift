import DeconflictLedger
import Crypto
import DeconflictStore
package import DeconflictEngine
package import DeconflictGeometry
package import Foundation

/// Native zones in the F3548 airspace: every zone declared through Deconflict's own API
/// (not made from a DSS constraint) is also a constraint reference managed by
/// `deconflict`, whose details, with the OVN, this server publishes at
/// `/uss/v1/constraints/{id}` as the constraint's managing USS would. USSs thus find
/// the parties' zones with their constraint queries, and a USS that asks for constraint
/// notifications must hold their OVNs in its keys, as for any other constraint.
///
/// Ids and OVNs are derived from the zone (a version 4 UUID from the zone's id, an OVN
/// from its declaration), so every node agrees on them without recording them. A zone
/// without a start starts now; one without an end is published for the next 24 hours.
package extension Airspace {
    static let nativeManager = "deconflict"

    struct NativeConstraint: Sendable {
        package let id: String
        package let zone: Zone
        package let ovn: String
        package let start: Date
        package let end: Date
    }

    /// The constraint id of a native zone: a version 4 UUID made from SHA-256 of its id.
    static func nativeID(_ zone: ZoneID) -> String {
        var bytes = Array(SHA256.hash(data: Data("deconflict.zone:\(zone.rawValue)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    static func native(_ zone: Zone, at now: Date) -> NativeConstraint? {
        guard !zone.id.rawValue.hasPrefix("constraint:") else { return nil }
        let start = zone.volume.time.start ?? now
        let end = zone.volume.time.end ?? now.addingTimeInterval(maximumSubscriptionDuration)
        guard end >= now else { return nil }
        let declaration = (try? RFC3339.encoder().encode(CommandRecord.ZoneRecord(zone))) ?? Data()
        let digest = SHA256.hash(data: declaration).map { String(format: "%02x", $0) }.joined()
        return NativeConstraint(id: nativeID(zone.id), zone: zone, ovn: "deconflict_" + digest.prefix(40), start: start, end: end)
    }

    /// Native zones meeting `volumes`, by id.
    static func natives(in engine: Engine, meeting volumes: [Volume4D], at now: Date) -> [NativeConstraint] {
        engine.zones.values.compactMap { zone in
            guard Self.meet([zone.volume], volumes) else { return nil }
            return native(zone, at: now)
        }.sorted { $0.id < $1.id }
    }

    static func native(id: String, in engine: Engine, at now: Date) -> NativeConstraint? {
        engine.zones.values.lazy.compactMap { native($0, at: now) }.first { $0.id == id }
    }

    func describe(_ native: NativeConstraint, base: String, withOVN: Bool = false) -> F3548.ConstraintReference {
        F3548.ConstraintReference(
            id: native.id, manager: Self.nativeManager, ussAvailability: "Normal", version: 1,
            ovn: withOVN ? native.ovn : Self.hiddenOVN, timeStart: F3548.Time(native.start), timeEnd: F3548.Time(native.end),
            ussBaseUrl: base)
    }

    /// The constraint's details as its managing USS publishes them: the zone's volume
    /// (a polygon's outer ring: F3548 outlines have no holes), the altitude band within
    /// the interface's range, the published times.
    func details(_ native: NativeConstraint, base: String) -> F3548.ConstraintDetailsAnswer {
        let volume = native.zone.volume
        var outline = F3548.Volume3D()
        switch volume.footprint {
        case .circle(let circle):
            outline.outlineCircle = F3548.Circle(
                center: F3548.LatLngPoint(lat: circle.center.latitude, lng: circle.center.longitude),
                radius: F3548.Radius(value: circle.radiusMeters, units: "M"))
        case .polygon(let polygon):
            outline.outlinePolygon = F3548.PolygonOutline(vertices: polygon.outer.map { F3548.LatLngPoint(lat: $0.latitude, lng: $0.longitude) })
        }
        let range = F3548.altitudeRange
        func altitude(_ meters: Double) -> F3548.Altitude {
            F3548.Altitude(value: min(max(meters, range.lowerBound), range.upperBound), reference: "W84", units: "M")
        }
        outline.altitudeLower = altitude(volume.altitude.lowerMeters)
        outline.altitudeUpper = altitude(volume.altitude.upperMeters)
        return F3548.ConstraintDetailsAnswer(constraint: .init(
            reference: describe(native, base: base, withOVN: true),
            details: .init(
                volumes: [F3548.Volume4D(volume: outline, timeStart: F3548.Time(native.start), timeEnd: F3548.Time(native.end))],
                type: "deconflict.\(native.zone.kind.rawValue)")))
    }
}
