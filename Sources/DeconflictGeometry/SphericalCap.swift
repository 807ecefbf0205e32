/// The points of the unit sphere within `angle` radians of `center`: a cheap bound
/// around a shape, used to discard far-away candidates before any exact test.
struct SphericalCap: Hashable, Sendable {
    /// Unit vector at the middle of the cap.
    var center: Vector3
    /// Angular radius in radians, 0...π.
    var angle: Double

    /// A lower bound, in metres, on the geodesic distance from `point` to any point
    /// of the cap; 0 when the point is inside the cap.
    func minimumDistanceMeters(to point: Vector3) -> Double {
        max(0, center.angle(to: point) - angle) * Geodesic.minimumCurvatureRadius
    }

    /// True when the two caps share a point.
    func intersects(_ other: SphericalCap) -> Bool {
        center.angle(to: other.center) <= angle + other.angle
    }

    /// The latitude/longitude box around the cap.
    var boundingBox: BoundingBox {
        let centerLatitude = atan2(center.z, hypot(center.x, center.y))
        let centerLongitude = atan2(center.y, center.x).degrees
        let north = centerLatitude + angle
        let south = centerLatitude - angle
        if north >= .pi / 2 || south <= -.pi / 2 || angle >= .pi / 2 {
            return BoundingBox(
                minLatitude: max(-90, south.degrees), maxLatitude: min(90, north.degrees),
                minLongitude: -180, maxLongitude: 180)
        }
        // Half-width in longitude of a cap that does not reach a pole.
        let halfWidth = asin(min(1, sin(angle) / cos(centerLatitude))).degrees
        if halfWidth >= 180 {
            return BoundingBox(minLatitude: south.degrees, maxLatitude: north.degrees, minLongitude: -180, maxLongitude: 180)
        }
        return BoundingBox(
            minLatitude: south.degrees, maxLatitude: north.degrees,
            minLongitude: wrapLongitude(centerLongitude - halfWidth),
            maxLongitude: wrapLongitude(centerLongitude + halfWidth))
    }
}
