/// A closed range of altitudes in metres above the WGS84 ellipsoid.
///
/// Ground operations are a band too, for example `-500...200` around the terrain.
public struct AltitudeBand: Hashable, Sendable, CustomStringConvertible {
    /// Lower bound, metres above the WGS84 ellipsoid.
    public let lowerMeters: Double
    /// Upper bound, metres above the WGS84 ellipsoid.
    public let upperMeters: Double

    /// Creates a band.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/notFinite`` or
    ///   ``GeometryError/Code/altitudeBandInverted`` (field `lowerMeters`).
    public init(lowerMeters: Double, upperMeters: Double) throws(GeometryError) {
        try GeometryError.requireFinite(lowerMeters, field: "lowerMeters")
        try GeometryError.requireFinite(upperMeters, field: "upperMeters")
        guard lowerMeters <= upperMeters else {
            throw GeometryError(
                .altitudeBandInverted, field: "lowerMeters",
                reason: "lower altitude \(lowerMeters) m is above upper altitude \(upperMeters) m")
        }
        self.lowerMeters = lowerMeters
        self.upperMeters = upperMeters
    }

    /// Every altitude a vehicle or person can have: −1,000 m to 1,000 km.
    public static let all = try! AltitudeBand(lowerMeters: -1_000, upperMeters: 1_000_000)

    public var description: String { "\(lowerMeters)...\(upperMeters) m" }

    /// True when the altitude is within the band (bounds included).
    public func contains(_ altitudeMeters: Double) -> Bool {
        altitudeMeters >= lowerMeters && altitudeMeters <= upperMeters
    }

    /// True when the bands share an altitude (touching bands overlap).
    public func overlaps(_ other: AltitudeBand) -> Bool {
        lowerMeters <= other.upperMeters && other.lowerMeters <= upperMeters
    }

    /// The vertical gap in metres between the bands; 0 when they overlap.
    public func separation(from other: AltitudeBand) -> Double {
        max(0, max(lowerMeters - other.upperMeters, other.lowerMeters - upperMeters))
    }
}
