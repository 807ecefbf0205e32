/// The horizontal outline of a volume: a geodesic circle or a great-circle polygon.
public enum Footprint: Hashable, Sendable {
    case circle(Circle)
    case polygon(Polygon)

    /// The box around the outline.
    public var boundingBox: BoundingBox {
        switch self {
        case .circle(let circle): circle.boundingBox
        case .polygon(let polygon): polygon.boundingBox
        }
    }

    var cap: SphericalCap {
        switch self {
        case .circle(let circle): circle.cap
        case .polygon(let polygon): polygon.cap
        }
    }

    /// True when `point` is inside the outline.
    public func contains(_ point: LatLng) -> Bool {
        switch self {
        case .circle(let circle): circle.contains(point)
        case .polygon(let polygon): polygon.contains(point)
        }
    }

    /// True when the prepared point is inside the outline.
    public func contains(_ point: PreparedPoint) -> Bool {
        contains(point.position, vector: point.vector)
    }

    func contains(_ point: LatLng, vector: Vector3) -> Bool {
        switch self {
        case .circle(let circle): circle.contains(point, vector: vector)
        case .polygon(let polygon): polygon.contains(vector: vector)
        }
    }

    /// The signed geodesic distance in metres from `point` to the outline's edge:
    /// negative inside, positive outside.
    public func signedDistance(to point: LatLng) -> Double {
        switch self {
        case .circle(let circle): circle.signedDistance(to: point)
        case .polygon(let polygon): polygon.signedDistance(to: point)
        }
    }

    /// A lower bound in metres on the geodesic distance from `point` to the outline
    /// (0 when inside), cheap to compute.
    func minimumDistanceMeters(to point: LatLng, vector: Vector3) -> Double {
        switch self {
        case .circle(let circle):
            let angle = circle.centerVector.angle(to: vector)
            return max(0, angle * Geodesic.minimumCurvatureRadius - circle.radiusMeters)
        case .polygon(let polygon):
            return polygon.storage.minimumDistanceMeters(to: vector)
        }
    }

    /// True when the two outlines share at least one point.
    ///
    /// Circle/circle compares the geodesic distance between centres with the sum of the
    /// radii; circle/polygon asks whether the centre is inside or the boundary within
    /// the radius; polygon/polygon looks for crossing edges, then for a vertex of one
    /// inside the other.
    public func intersects(_ other: Footprint) -> Bool {
        guard cap.intersects(other.cap) else { return false }
        switch (self, other) {
        case (.circle(let a), .circle(let b)):
            return Geodesic.distance(a.center, b.center) <= a.radiusMeters + b.radiusMeters
        case (.circle(let circle), .polygon(let polygon)), (.polygon(let polygon), .circle(let circle)):
            return Footprint.intersects(circle, polygon)
        case (.polygon(let a), .polygon(let b)):
            return PolygonStorage.intersects(a.storage, b.storage)
        }
    }

    private static func intersects(_ circle: Circle, _ polygon: Polygon) -> Bool {
        if polygon.contains(vector: circle.centerVector) { return true }
        let angle = polygon.storage.boundaryAngle(circle.centerVector)
        if angle * Geodesic.minimumCurvatureRadius > circle.radiusMeters { return false }
        if angle * Geodesic.maximumCurvatureRadius <= circle.radiusMeters { return true }
        return polygon.boundaryDistance(to: circle.center) <= circle.radiusMeters
    }
}
