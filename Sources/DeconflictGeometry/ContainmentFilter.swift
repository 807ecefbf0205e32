/// A compact, conservative containment test for an outline: two spherical caps around
/// one centre, an inner one wholly inside the outline and an outer one holding all of
/// it. Forty bytes that an index can keep in one contiguous array, so that most points
/// are decided without touching the outline's own (larger, colder) data.
///
/// ```swift
/// switch filter.classify(point) {
/// case true?: inside
/// case false?: outside
/// case nil: footprint.contains(point) // near the edge: ask the exact test
/// }
/// ```
public struct ContainmentFilter: Sendable {
    private let x: Double
    private let y: Double
    private let z: Double
    /// Squared chord below which a point is certainly inside (−1 when no inner cap).
    private let insideChordSquared: Double
    /// Squared chord above which a point is certainly outside.
    private let outsideChordSquared: Double

    public init(_ footprint: Footprint) {
        switch footprint {
        case .circle(let circle):
            let center = circle.centerVector
            (x, y, z) = (center.x, center.y, center.z)
            let inner = circle.radiusMeters / Geodesic.maximumCurvatureRadius * (1 - 1e-12)
            let outer = circle.radiusMeters / Geodesic.minimumCurvatureRadius * (1 + 1e-12)
            insideChordSquared = ContainmentFilter.chordSquared(inner) * (1 - 1e-12)
            outsideChordSquared = ContainmentFilter.chordSquared(outer) * (1 + 1e-12)
        case .polygon(let polygon):
            let storage = polygon.storage
            let center = storage.cap.center
            (x, y, z) = (center.x, center.y, center.z)
            outsideChordSquared = ContainmentFilter.chordSquared(storage.cap.angle) * (1 + 1e-12) + 1e-300
            if storage.contains(center) {
                // Every point closer to the centre than the nearest edge is inside.
                let inner = storage.boundaryAngle(center) * (1 - 1e-9)
                insideChordSquared = ContainmentFilter.chordSquared(inner) * (1 - 1e-12)
            } else {
                insideChordSquared = -1
            }
        }
    }

    private static func chordSquared(_ angle: Double) -> Double {
        let chord = 2 * sin(min(angle, .pi) / 2)
        return chord * chord
    }

    /// `true` when the point is certainly inside, `false` when certainly outside, `nil`
    /// when only the exact test can tell.
    @inline(__always)
    public func classify(_ point: PreparedPoint) -> Bool? {
        let dx = point.vector.x - x, dy = point.vector.y - y, dz = point.vector.z - z
        let chord = dx * dx + dy * dy + dz * dz
        if chord < insideChordSquared { return true }
        if chord > outsideChordSquared { return false }
        return nil
    }

    /// Classifies a latitude/longitude cell (not crossing the antimeridian, narrower
    /// than 180° of longitude): `true` when every point of it is certainly inside,
    /// `false` when none can be, `nil` otherwise.
    ///
    /// On the sphere the farthest point of such a cell from any centre is one of its
    /// corners (along a meridian or a parallel the angle to the centre has a single
    /// minimum), so four corners inside the inner cap put the whole cell inside it.
    public func classify(minLatitude: Double, maxLatitude: Double, minLongitude: Double, maxLongitude: Double) -> Bool? {
        let corners = [
            LatLng(uncheckedLatitude: minLatitude, longitude: minLongitude),
            LatLng(uncheckedLatitude: minLatitude, longitude: maxLongitude),
            LatLng(uncheckedLatitude: maxLatitude, longitude: minLongitude),
            LatLng(uncheckedLatitude: maxLatitude, longitude: maxLongitude),
        ].map(\.unitVector)
        let center = Vector3(x, y, z)
        if corners.allSatisfy({ center.chordSquared(to: $0) < insideChordSquared }) { return true }
        // Disjoint when the cell's own circumscribing cap misses the outer cap.
        let middle = LatLng(
            uncheckedLatitude: (minLatitude + maxLatitude) / 2, longitude: (minLongitude + maxLongitude) / 2
        ).unitVector
        let cellRadius = corners.map { middle.angle(to: $0) }.max()! * (1 + 1e-9)
        let outerAngle = 2 * asin(min(1, outsideChordSquared.squareRoot() / 2))
        if middle.angle(to: center) - cellRadius > outerAngle * (1 + 1e-9) { return false }
        return nil
    }
}
