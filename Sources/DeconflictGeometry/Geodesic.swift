internal import CGeodesic

/// Geodesic computations on the WGS84 ellipsoid, by Karney's algorithms (PROJ's
/// `geodesic.h`, accurate to about 15 nanometres).
public enum Geodesic {
    /// WGS84 semi-major axis in metres.
    public static let equatorialRadius = 6_378_137.0
    /// WGS84 flattening.
    public static let flattening = 1 / 298.257_223_563
    /// WGS84 semi-minor axis in metres.
    public static let polarRadius = equatorialRadius * (1 - flattening)

    /// The smallest radius of curvature of the ellipsoid, a(1 − e²), reached by the
    /// meridian at the equator. No geodesic is shorter than this radius times the
    /// angle between its ends on the unit sphere of ``LatLng``.
    public static let minimumCurvatureRadius = equatorialRadius * (1 - flattening) * (1 - flattening)
    /// The largest radius of curvature, a²/b, reached at the poles. The great-circle
    /// path between two points is never longer than this radius times their angle,
    /// so neither is the geodesic.
    public static let maximumCurvatureRadius = equatorialRadius * equatorialRadius / polarRadius

    /// The shared, immutable ellipsoid parameters.
    nonisolated(unsafe) static let ellipsoid: UnsafeMutablePointer<geod_geodesic> = {
        let pointer = UnsafeMutablePointer<geod_geodesic>.allocate(capacity: 1)
        geod_init(pointer, equatorialRadius, flattening)
        return pointer
    }()

    /// The solution of the inverse geodesic problem between two positions.
    public struct Inverse: Hashable, Sendable {
        /// Geodesic distance in metres.
        public var distanceMeters: Double
        /// Azimuth at the first point, degrees clockwise from north.
        public var initialAzimuthDegrees: Double
        /// Azimuth at the second point (direction of travel), degrees clockwise from north.
        public var finalAzimuthDegrees: Double
    }

    /// Solves the inverse problem: the shortest path from `a` to `b`.
    public static func inverse(_ a: LatLng, _ b: LatLng) -> Inverse {
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        geod_inverse(ellipsoid, a.latitude, a.longitude, b.latitude, b.longitude, &s12, &azi1, &azi2)
        return Inverse(distanceMeters: s12, initialAzimuthDegrees: azi1, finalAzimuthDegrees: azi2)
    }

    /// The geodesic distance in metres between `a` and `b`.
    public static func distance(_ a: LatLng, _ b: LatLng) -> Double {
        var s12 = 0.0
        geod_inverse(ellipsoid, a.latitude, a.longitude, b.latitude, b.longitude, &s12, nil, nil)
        return s12
    }

    /// Solves the direct problem: the position reached from `start` after travelling
    /// `distanceMeters` along the geodesic with the initial azimuth `azimuthDegrees`.
    public static func destination(
        from start: LatLng, azimuthDegrees: Double, distanceMeters: Double
    ) -> LatLng {
        var lat = 0.0, lon = 0.0
        geod_direct(ellipsoid, start.latitude, start.longitude, azimuthDegrees, distanceMeters, &lat, &lon, nil)
        return LatLng(uncheckedLatitude: lat, longitude: wrapLongitude(lon))
    }

    /// Solves the direct problem and also gives the azimuth of travel on arrival,
    /// degrees clockwise from north.
    public static func direct(
        from start: LatLng, azimuthDegrees: Double, distanceMeters: Double
    ) -> (position: LatLng, azimuthDegrees: Double) {
        var lat = 0.0, lon = 0.0, azi2 = 0.0
        geod_direct(ellipsoid, start.latitude, start.longitude, azimuthDegrees, distanceMeters, &lat, &lon, &azi2)
        return (LatLng(uncheckedLatitude: lat, longitude: wrapLongitude(lon)), azi2)
    }
}

/// A geodesic from a start position in a given direction, prepared for many positions
/// along it (a unit moving at constant speed and course). Immutable once made.
final class GeodesicLine: @unchecked Sendable {
    private let line: UnsafeMutablePointer<geod_geodesicline>

    init(start: LatLng, azimuthDegrees: Double) {
        line = .allocate(capacity: 1)
        // caps 0: latitude, longitude, azimuth and positions by distance.
        geod_lineinit(line, Geodesic.ellipsoid, start.latitude, start.longitude, azimuthDegrees, 0)
    }

    deinit { line.deallocate() }

    /// The position `distanceMeters` along the line (negative goes backwards).
    func position(atDistance distanceMeters: Double) -> LatLng {
        var lat = 0.0, lon = 0.0
        geod_position(line, distanceMeters, &lat, &lon, nil)
        return LatLng(uncheckedLatitude: lat, longitude: wrapLongitude(lon))
    }
}
