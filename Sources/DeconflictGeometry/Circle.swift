/// A geodesic circle: every position within ``radiusMeters`` of ``center``, distances
/// measured along geodesics of the WGS84 ellipsoid.
///
/// ```swift
/// let zone = try Circle(center: LatLng(latitude: 33.50, longitude: 38.65), radiusMeters: 55_000)
/// zone.contains(try LatLng(latitude: 33.70, longitude: 38.40)) // true
/// ```
public struct Circle: Hashable, Sendable {
    /// The largest accepted radius, 2,000 km. Larger areas are better described as polygons,
    /// and this keeps every circle well inside a hemisphere.
    public static let maximumRadiusMeters = 2_000_000.0

    /// The centre.
    public let center: LatLng
    /// The radius in metres, geodesic on the WGS84 ellipsoid.
    public let radiusMeters: Double

    // Precomputed for the fast path.
    let centerVector: Vector3
    /// Squared chord below which a point is certainly inside.
    private let insideChordSquared: Double
    /// Squared chord above which a point is certainly outside.
    private let outsideChordSquared: Double

    /// Creates a circle.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/notFinite`` or
    ///   ``GeometryError/Code/radiusNotPositive`` or ``GeometryError/Code/radiusTooLarge``
    ///   (field `radiusMeters`).
    public init(center: LatLng, radiusMeters: Double) throws(GeometryError) {
        try GeometryError.requireFinite(radiusMeters, field: "radiusMeters")
        guard radiusMeters > 0 else {
            throw GeometryError(.radiusNotPositive, field: "radiusMeters", reason: "radius must be positive, got \(radiusMeters)")
        }
        guard radiusMeters <= Circle.maximumRadiusMeters else {
            throw GeometryError(
                .radiusTooLarge, field: "radiusMeters",
                reason: "radius must be at most \(Int(Circle.maximumRadiusMeters)) m, got \(radiusMeters)")
        }
        self.center = center
        self.radiusMeters = radiusMeters
        self.centerVector = center.unitVector
        // s ≤ a²/b · θ: a point whose angle is below r / (a²/b) is inside.
        let innerAngle = radiusMeters / Geodesic.maximumCurvatureRadius * (1 - 1e-12)
        // s ≥ a(1 − e²) · θ: a point whose angle is above r / (a(1 − e²)) is outside.
        let outerAngle = radiusMeters / Geodesic.minimumCurvatureRadius * (1 + 1e-12)
        insideChordSquared = Circle.chordSquared(angle: innerAngle) * (1 - 1e-12)
        outsideChordSquared = Circle.chordSquared(angle: outerAngle) * (1 + 1e-12)
    }

    private static func chordSquared(angle: Double) -> Double {
        let chord = 2 * sin(min(angle, .pi) / 2)
        return chord * chord
    }

    public static func == (lhs: Circle, rhs: Circle) -> Bool {
        lhs.center == rhs.center && lhs.radiusMeters == rhs.radiusMeters
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(center)
        hasher.combine(radiusMeters)
    }

    /// The box around the circle.
    public var boundingBox: BoundingBox { cap.boundingBox }

    /// A spherical cap containing the circle.
    var cap: SphericalCap {
        SphericalCap(center: centerVector, angle: radiusMeters / Geodesic.minimumCurvatureRadius)
    }

    /// True when `point` is within the radius (on the boundary counts as inside).
    ///
    /// A spherical filter with a proven bound decides most points with one dot product;
    /// only points within about 0.5 % of the radius from the boundary need Karney's
    /// geodesic.
    public func contains(_ point: LatLng) -> Bool {
        contains(point, vector: point.unitVector)
    }

    /// True when `point` is within the radius; the point's unit vector is already known.
    public func contains(_ point: PreparedPoint) -> Bool {
        contains(point.position, vector: point.vector)
    }

    func contains(_ point: LatLng, vector: Vector3) -> Bool {
        let chord = centerVector.chordSquared(to: vector)
        if chord <= insideChordSquared { return true }
        if chord >= outsideChordSquared { return false }
        return Geodesic.distance(center, point) <= radiusMeters
    }

    /// The signed geodesic distance in metres from `point` to the circle's edge:
    /// negative inside, positive outside, zero on the edge.
    public func signedDistance(to point: LatLng) -> Double {
        Geodesic.distance(center, point) - radiusMeters
    }
}
