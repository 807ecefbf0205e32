public import DeconflictEngine
public import DeconflictGeometry
public import DeconflictNode
public import Foundation

/// A 4D volume on the wire: a circle or a polygon, an altitude band and a time window.
public struct VolumeBody: Codable, Hashable, Sendable {
    public struct CircleBody: Codable, Hashable, Sendable {
        public var center: [Double]
        public var radius: Double

        public init(center: [Double], radius: Double) {
            self.center = center
            self.radius = radius
        }
    }

    public var circle: CircleBody?
    /// Rings of `[latitude, longitude]`; the first is the outer ring, the others holes.
    public var polygon: [[[Double]]]?
    /// `[lower, upper]` metres above the WGS84 ellipsoid; everything when absent.
    public var altitude: [Double]?
    public var from: Date?
    public var until: Date?

    public init(circle: CircleBody? = nil, polygon: [[[Double]]]? = nil, altitude: [Double]? = nil, from: Date? = nil, until: Date? = nil) {
        self.circle = circle
        self.polygon = polygon
        self.altitude = altitude
        self.from = from
        self.until = until
    }

    /// The volume, checked; faults are named under `field`.
    public func volume(field: String) throws(FieldError) -> Volume4D {
        let footprint: Footprint
        let band: AltitudeBand
        do {
            footprint = try Footprint(circleCenter: circle?.center, radiusMeters: circle?.radius, polygon: polygon)
        } catch {
            throw FieldError(error, under: field)
        }
        do {
            band = try altitude.map { pair throws(GeometryError) in try AltitudeBand(coordinates: pair) } ?? .all
        } catch {
            throw FieldError(field: "\(field).altitude", reason: error.reason)
        }
        let window: TimeWindow
        do {
            window = try TimeWindow(start: from, end: until)
        } catch {
            throw FieldError(field: "\(field).until", reason: error.reason)
        }
        return Volume4D(footprint: footprint, altitude: band, time: window)
    }
}

/// A zone as declared: the shape the REST API's zone bodies and the GeoJSON import both
/// read into, checked by ``zone(owner:)``.
public struct ZoneBody: Codable, Hashable, Sendable {
    public var id: String
    public var name: String?
    public var kind: Zone.Kind
    /// The declaring party; the caller's own party when absent.
    public var owner: String?
    public var agreement: String?
    public var circle: VolumeBody.CircleBody?
    public var polygon: [[[Double]]]?
    public var altitude: [Double]?
    public var from: Date?
    public var until: Date?
    public var allowed: [String]?
    public var revalidateBy: Date?

    public init(
        id: String, name: String? = nil, kind: Zone.Kind, owner: String? = nil, agreement: String? = nil,
        circle: VolumeBody.CircleBody? = nil, polygon: [[[Double]]]? = nil, altitude: [Double]? = nil, from: Date? = nil,
        until: Date? = nil, allowed: [String]? = nil, revalidateBy: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.owner = owner
        self.agreement = agreement
        self.circle = circle
        self.polygon = polygon
        self.altitude = altitude
        self.from = from
        self.until = until
        self.allowed = allowed
        self.revalidateBy = revalidateBy
    }

    /// The zone, checked; the caller's own party owns it unless `owner` names another.
    public func zone(owner defaultOwner: PartyID) throws(FieldError) -> Zone {
        let volume = try VolumeBody(circle: circle, polygon: polygon, altitude: altitude, from: from, until: until).volume(field: "zone")
        return Zone(
            id: ZoneID(try identifier(id, field: "id")), name: name, kind: kind, owner: owner.map { PartyID($0) } ?? defaultOwner,
            agreement: agreement.map { AgreementID($0) }, volume: volume, allowed: Set((allowed ?? []).map { PartyID($0) }),
            revalidateBy: revalidateBy)
    }
}
