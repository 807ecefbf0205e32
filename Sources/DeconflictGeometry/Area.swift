#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CGeodesic

extension Geodesic {
    /// The area in square metres on the WGS84 ellipsoid enclosed by a ring of positions
    /// joined by geodesics (Karney's algorithm, PROJ's `geod_polygonarea`), whichever way
    /// round the ring goes.
    public static func area(of ring: [LatLng]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var latitudes = ring.map(\.latitude)
        var longitudes = ring.map(\.longitude)
        var area = 0.0, perimeter = 0.0
        geod_polygonarea(ellipsoid, &latitudes, &longitudes, Int32(ring.count), &area, &perimeter)
        return abs(area)
    }
}

extension Footprint {
    /// The area in square metres: a polygon's outer ring less its holes; a circle's
    /// spherical cap on the sphere of the ellipsoid's mean radius (within 0.5 % of the
    /// ellipsoidal figure for any radius this type allows).
    public var areaSquareMeters: Double {
        switch self {
        case .circle(let circle):
            let radius = (2 * Geodesic.equatorialRadius + Geodesic.polarRadius) / 3
            return 2 * Double.pi * radius * radius * (1 - cos(circle.radiusMeters / radius))
        case .polygon(let polygon):
            return max(0, Geodesic.area(of: polygon.outer) - polygon.holes.reduce(0) { $0 + Geodesic.area(of: $1) })
        }
    }
}
