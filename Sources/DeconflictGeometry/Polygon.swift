/// A polygon on the WGS84 ellipsoid whose edges are great-circle arcs, with optional
/// holes.
///
/// Vertices are geodetic latitude and longitude, and an edge is the shorter great-circle
/// arc between its two vertices on the unit sphere of those coordinates: the convention
/// of S2 and of PostGIS `geography`. Orientation does not matter: a ring bounds the
/// smaller of the two regions it separates, and the whole polygon must fit within a
/// hemisphere. The first ring is the outer boundary, the others are holes. Rings may be
/// given closed (last vertex repeating the first) or open.
///
/// ```swift
/// let site = try Polygon(outer: [
///     LatLng(latitude: 33.45, longitude: 38.60), LatLng(latitude: 33.45, longitude: 38.70),
///     LatLng(latitude: 33.55, longitude: 38.70), LatLng(latitude: 33.55, longitude: 38.60),
/// ])
/// site.contains(try LatLng(latitude: 33.5, longitude: 38.65)) // true
/// ```
public struct Polygon: Hashable, Sendable {
    /// The most vertices a polygon may have, over all its rings (ASTM F3548 uses 10,000).
    public static let maximumVertexCount = 10_000

    let storage: PolygonStorage

    /// The outer ring, open (the first vertex is not repeated at the end).
    public var outer: [LatLng] { storage.rings[0] }
    /// The holes, each an open ring.
    public var holes: [[LatLng]] { Array(storage.rings.dropFirst()) }
    /// The number of vertices over all rings.
    public var vertexCount: Int { storage.vectors.count }

    /// Creates a validated polygon.
    ///
    /// Consecutive repeated vertices and a closing vertex equal to the first are dropped.
    ///
    /// - Throws: ``GeometryError`` with one of the codes
    ///   ``GeometryError/Code/tooFewVertices``, ``GeometryError/Code/tooManyVertices``,
    ///   ``GeometryError/Code/selfIntersectingRing``, ``GeometryError/Code/degenerateRing``,
    ///   ``GeometryError/Code/polygonTooLarge``, ``GeometryError/Code/holeOutsideOuterRing``
    ///   or ``GeometryError/Code/nestedHoles``; the field names the ring and vertex
    ///   (`outer`, `holes[0][4]`).
    public init(outer: [LatLng], holes: [[LatLng]] = []) throws(GeometryError) {
        storage = try PolygonStorage(rings: [outer] + holes)
    }

    public static func == (lhs: Polygon, rhs: Polygon) -> Bool { lhs.storage.rings == rhs.storage.rings }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage.rings) }

    /// The box around the polygon, including the bulge of edges toward the poles.
    public var boundingBox: BoundingBox { storage.boundingBox }

    /// A spherical cap containing the polygon.
    var cap: SphericalCap { storage.cap }

    /// True when `point` is inside the polygon (and not in a hole).
    ///
    /// Points exactly on an edge may go either way.
    /// - Complexity: O(1) for most points (a grid over the polygon decides them);
    ///   O(k) near an edge, with k the number of edges in the grid cell.
    public func contains(_ point: LatLng) -> Bool {
        storage.contains(point.unitVector)
    }

    func contains(vector: Vector3) -> Bool { storage.contains(vector) }

    /// The geodesic distance in metres from `point` to the nearest point of the
    /// polygon's boundary (outer ring or holes), measured on the WGS84 ellipsoid.
    public func boundaryDistance(to point: LatLng) -> Double {
        storage.boundaryDistance(point)
    }

    /// The signed geodesic distance in metres from `point` to the boundary:
    /// negative inside, positive outside.
    public func signedDistance(to point: LatLng) -> Double {
        let distance = boundaryDistance(to: point)
        return contains(point) ? -distance : distance
    }
}

/// The immutable, precomputed form of a polygon shared by its copies.
final class PolygonStorage: Sendable {
    /// Cleaned rings: outer first, then holes.
    let rings: [[LatLng]]
    /// Unit vectors of every vertex, ring after ring.
    let vectors: [Vector3]
    /// Index in `vectors` where each ring starts; one extra entry holds the total.
    let ringStarts: [Int]
    /// The projection in which edges are straight segments.
    let frame: GnomonicFrame
    /// Gnomonic coordinates of every vertex.
    let projected: [Point2]
    /// Index of the vertex at the end of each edge (edge `i` runs from vertex `i`).
    let edgeEnds: [Int32]
    let grid: EdgeGrid
    let cap: SphericalCap
    let boundingBox: BoundingBox

    /// Vertices must lie at least this far (as a cosine) inside the hemisphere around
    /// the polygon's centre: about 88.9 degrees.
    static let hemisphereMargin = 0.02

    init(rings input: [[LatLng]]) throws(GeometryError) {
        var rings: [[LatLng]] = []
        var total = 0
        for (index, ring) in input.enumerated() {
            let name = index == 0 ? "outer" : "holes[\(index - 1)]"
            let cleaned = PolygonStorage.clean(ring)
            guard Set(cleaned).count >= 3 else {
                throw GeometryError(
                    .tooFewVertices, field: name,
                    reason: "a ring needs at least 3 distinct vertices, got \(Set(cleaned).count)")
            }
            total += cleaned.count
            guard total <= Polygon.maximumVertexCount else {
                throw GeometryError(
                    .tooManyVertices, field: name,
                    reason: "a polygon may have at most \(Polygon.maximumVertexCount) vertices, got \(input.reduce(0) { $0 + $1.count })")
            }
            rings.append(cleaned)
        }
        self.rings = rings

        var vectors: [Vector3] = []
        vectors.reserveCapacity(total)
        var ringStarts: [Int] = []
        var edgeEnds: [Int32] = []
        edgeEnds.reserveCapacity(total)
        for ring in rings {
            let start = vectors.count
            ringStarts.append(start)
            for vertex in ring { vectors.append(vertex.unitVector) }
            for offset in 0..<ring.count {
                edgeEnds.append(Int32(start + (offset + 1) % ring.count))
            }
        }
        ringStarts.append(vectors.count)
        self.vectors = vectors
        self.ringStarts = ringStarts
        self.edgeEnds = edgeEnds

        // The centre of the outer ring's vertices fixes the projection.
        var sum = Vector3(0, 0, 0)
        for index in 0..<ringStarts[1] { sum = sum + vectors[index] }
        guard sum.norm > 1e-9 * Double(ringStarts[1]) else {
            throw GeometryError(.polygonTooLarge, field: "outer", reason: "the polygon must fit within a hemisphere")
        }
        let frame = GnomonicFrame(center: sum.normalized())
        self.frame = frame
        var maxAngle = 0.0
        var projected: [Point2] = []
        projected.reserveCapacity(total)
        for (ringIndex, ring) in rings.enumerated() {
            for offset in ring.indices {
                let vector = vectors[ringStarts[ringIndex] + offset]
                guard vector.dot(frame.center) >= PolygonStorage.hemisphereMargin else {
                    throw GeometryError(
                        .polygonTooLarge, field: PolygonStorage.fieldName(ring: ringIndex, vertex: offset),
                        reason: "the polygon must fit within a hemisphere; this vertex is \(Int(frame.center.angle(to: vector).degrees)) degrees from its centre")
                }
                maxAngle = max(maxAngle, frame.center.angle(to: vector))
                projected.append(frame.project(vector))
            }
        }
        self.projected = projected
        // Edges bulge away from the centre by less than their endpoints' distance
        // in the gnomonic plane, so the cap through the farthest vertex holds them.
        cap = SphericalCap(center: frame.center, angle: maxAngle * (1 + 1e-12) + 1e-15)

        try PolygonStorage.checkArea(rings: rings, ringStarts: ringStarts, projected: projected)
        grid = EdgeGrid(projected: projected, edgeEnds: edgeEnds, outerCount: ringStarts[1])
        try PolygonStorage.checkSimple(grid: grid, projected: projected, edgeEnds: edgeEnds, ringStarts: ringStarts)
        try PolygonStorage.checkHoles(projected: projected, edgeEnds: edgeEnds, ringStarts: ringStarts)
        boundingBox = PolygonStorage.boundingBox(
            rings: rings, vectors: vectors, projected: projected, edgeEnds: edgeEnds, outerCount: ringStarts[1], frame: frame, grid: grid)
    }

    static func fieldName(ring: Int, vertex: Int?) -> String {
        let base = ring == 0 ? "outer" : "holes[\(ring - 1)]"
        guard let vertex else { return base }
        return "\(base)[\(vertex)]"
    }

    /// Drops consecutive duplicates and a closing vertex equal to the first.
    static func clean(_ ring: [LatLng]) -> [LatLng] {
        var cleaned: [LatLng] = []
        cleaned.reserveCapacity(ring.count)
        for vertex in ring where cleaned.last != vertex {
            cleaned.append(vertex)
        }
        while cleaned.count > 1, cleaned.first == cleaned.last { cleaned.removeLast() }
        return cleaned
    }

    // MARK: - Containment

    func contains(_ point: Vector3) -> Bool {
        guard point.dot(frame.center) > 0 else { return false }
        return grid.contains(frame.project(point))
    }
}

/// A point in the gnomonic plane.
struct Point2: Hashable, Sendable {
    var x: Double
    var y: Double
}

/// The gnomonic projection about a centre: great circles become straight lines.
struct GnomonicFrame: Sendable {
    let center: Vector3
    let east: Vector3
    let north: Vector3

    init(center: Vector3) {
        self.center = center
        let pole = Vector3(0, 0, 1)
        var east = pole.cross(center)
        if east.norm < 1e-9 { east = Vector3(0, 1, 0).cross(center) }
        self.east = east.normalized()
        self.north = center.cross(self.east).normalized()
    }

    /// Projects a unit vector in the open hemisphere around the centre.
    func project(_ vector: Vector3) -> Point2 {
        let w = vector.dot(center)
        return Point2(x: vector.dot(east) / w, y: vector.dot(north) / w)
    }

    /// The unit vector whose projection is `point`.
    func unproject(_ point: Point2) -> Vector3 {
        (center + point.x * east + point.y * north).normalized()
    }
}

/// Twice the signed area of the triangle (a, b, c): positive when counter-clockwise.
@inline(__always)
func orientation(_ a: Point2, _ b: Point2, _ c: Point2) -> Double {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}
