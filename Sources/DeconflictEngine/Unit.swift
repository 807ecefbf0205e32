#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import DeconflictGeometry

/// Where a unit moves: on the ground or in the air. Separation minima differ.
public enum Domain: String, Hashable, Sendable, Codable {
    case ground
    case air
}

/// A convoy, a vehicle, a battery, an aircraft: something of a party's that moves.
public struct Unit: Hashable, Sendable {
    public let id: UnitID
    public var party: PartyID
    public var domain: Domain
    public var name: String

    public init(id: UnitID, party: PartyID, domain: Domain, name: String? = nil) {
        self.id = id
        self.party = party
        self.domain = domain
        self.name = name ?? id.rawValue
    }
}

/// One position of a unit, as reported.
public struct PositionReport: Hashable, Sendable {
    public var unit: UnitID
    public var time: Date
    public var position: LatLng
    /// Metres above the WGS84 ellipsoid.
    public var altitudeMeters: Double
    /// Ground speed, metres per second.
    public var speedMetersPerSecond: Double
    /// Degrees clockwise from true north.
    public var courseDegrees: Double
    /// Radius of the horizontal uncertainty, metres (0 when unknown to be better).
    public var uncertaintyMeters: Double

    public init(
        unit: UnitID, time: Date, position: LatLng, altitudeMeters: Double = 0, speedMetersPerSecond: Double = 0,
        courseDegrees: Double = 0, uncertaintyMeters: Double = 0
    ) {
        self.unit = unit
        self.time = time
        self.position = position
        self.altitudeMeters = altitudeMeters
        self.speedMetersPerSecond = speedMetersPerSecond
        self.courseDegrees = courseDegrees
        self.uncertaintyMeters = uncertaintyMeters
    }

    /// The report as a track to project forward.
    func track() throws(GeometryError) -> Track {
        try Track(
            position: position, altitudeMeters: altitudeMeters, time: time,
            speedMetersPerSecond: speedMetersPerSecond, courseDegrees: courseDegrees)
    }
}
