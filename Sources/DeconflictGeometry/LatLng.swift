/// A position on the WGS84 ellipsoid: geodetic latitude and longitude in degrees.
///
/// Latitude is in −90...90 (positive north), longitude in −180...180 (positive east).
/// Both bounds are inclusive; −180 and 180 name the same meridian.
///
/// ```swift
/// let garrison = try LatLng(latitude: 33.50, longitude: 38.65)
/// ```
public struct LatLng: Hashable, Sendable, CustomStringConvertible {
    /// Geodetic latitude in degrees, −90...90.
    public let latitude: Double
    /// Longitude in degrees, −180...180.
    public let longitude: Double

    /// Creates a validated position.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/notFinite``,
    ///   ``GeometryError/Code/latitudeOutOfRange`` or
    ///   ``GeometryError/Code/longitudeOutOfRange``; the field is `latitude` or `longitude`.
    public init(latitude: Double, longitude: Double) throws(GeometryError) {
        try GeometryError.requireFinite(latitude, field: "latitude")
        try GeometryError.requireFinite(longitude, field: "longitude")
        guard (-90.0...90.0).contains(latitude) else {
            throw GeometryError(
                .latitudeOutOfRange, field: "latitude",
                reason: "latitude must be within -90...90 degrees, got \(latitude)")
        }
        guard (-180.0...180.0).contains(longitude) else {
            throw GeometryError(
                .longitudeOutOfRange, field: "longitude",
                reason: "longitude must be within -180...180 degrees, got \(longitude)")
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Creates a position without validation. The caller guarantees finite values in range.
    public init(uncheckedLatitude latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public var description: String { "(\(latitude), \(longitude))" }

    /// The point on the unit sphere with this latitude and longitude taken as spherical
    /// coordinates: the frame in which polygon edges are great-circle arcs.
    var unitVector: Vector3 {
        let phi = latitude.radians, lambda = longitude.radians
        let cosPhi = cos(phi)
        return Vector3(cosPhi * cos(lambda), cosPhi * sin(lambda), sin(phi))
    }

    /// The position whose spherical coordinates are those of `vector` (any length > 0).
    init(_ vector: Vector3) {
        let latitude = atan2(vector.z, hypot(vector.x, vector.y)).degrees
        let longitude = (vector.x == 0 && vector.y == 0) ? 0 : atan2(vector.y, vector.x).degrees
        self.init(uncheckedLatitude: min(90, max(-90, latitude)), longitude: longitude)
    }
}

/// A position with its unit vector computed once, for testing one position against
/// many shapes (the trigonometry is the dearest part of a containment test).
public struct PreparedPoint: Sendable {
    /// The position.
    public let position: LatLng
    let vector: Vector3

    public init(_ position: LatLng) {
        self.position = position
        self.vector = position.unitVector
    }
}
