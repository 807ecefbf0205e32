// Whole latitude/longitude cells against an outline, for indexes that list outlines by
// cell: a cell wholly inside needs no test at query time, one wholly outside need not
// be listed.

/// A regular grid of latitude/longitude cells: `rows` × `columns` cells of
/// `cellDegrees` a side, the first with its south-west corner at
/// (`minLatitude`, `minLongitude`), with `minLongitude` ≥ −180. Cells that reach past
/// 180° are never classified.
public struct CellGrid: Hashable, Sendable {
    public var minLatitude: Double
    public var minLongitude: Double
    public var cellDegrees: Double
    public var rows: Int
    public var columns: Int

    public init(minLatitude: Double, minLongitude: Double, cellDegrees: Double, rows: Int, columns: Int) {
        self.minLatitude = minLatitude
        self.minLongitude = minLongitude
        self.cellDegrees = cellDegrees
        self.rows = rows
        self.columns = columns
    }

    /// The box of a cell, its latitudes clamped to the poles.
    public func box(row: Int, column: Int) -> BoundingBox {
        let south = minLatitude + Double(row) * cellDegrees, west = minLongitude + Double(column) * cellDegrees
        return BoundingBox(
            minLatitude: max(-90, south), maxLatitude: min(90, south + cellDegrees),
            minLongitude: west, maxLongitude: west + cellDegrees)
    }
}

extension Footprint {
    /// Classifies every cell of `grid`, row after row: `true` when the whole cell is
    /// inside the outline, `false` when none of it is, `nil` when the boundary may pass
    /// through it. A `true` or `false` is certain; `nil` is the cautious answer.
    ///
    /// Polygons: a cell that no edge's box touches lies wholly on one side of the
    /// boundary, which its centre tells. Circles: the spherical caps of
    /// ``ContainmentFilter``, then the geodesic distance to the cell's centre plus or
    /// minus the most the ellipsoid allows for the cell's angular radius.
    public func classifyCells(_ grid: CellGrid) -> [Bool?] {
        var unused: [Double] = []
        return classifyCells(grid, records: &unused, makingRecords: false).map(\.inside)
    }

    /// Classifies every cell of `grid` as ``classifyCells(_:)`` does and, for a polygon,
    /// appends to `arena` a boundary record for each cell its boundary crosses where one
    /// suits (see ``Polygon/appendBoundaryRecord(near:to:)``).
    public func classifyCells(_ grid: CellGrid, records arena: inout [Double]) -> [CellClass] {
        classifyCells(grid, records: &arena, makingRecords: true)
    }

    private func classifyCells(_ grid: CellGrid, records arena: inout [Double], makingRecords: Bool) -> [CellClass] {
        var result = [CellClass](repeating: CellClass(inside: nil, record: nil), count: grid.rows * grid.columns)
        guard grid.rows > 0, grid.columns > 0, grid.minLongitude >= -180 else { return result }
        // Columns wholly west of 180°; the others stay undecided.
        let columns = min(grid.columns, Int(((180 - grid.minLongitude) / grid.cellDegrees).rounded(.down)))
        guard columns > 0 else { return result }
        switch self {
        case .circle(let circle):
            let filter = ContainmentFilter(self)
            for row in 0..<grid.rows {
                for column in 0..<columns {
                    let box = grid.box(row: row, column: column)
                    result[row * grid.columns + column].inside = filter.classify(box) ?? circle.classify(box)
                }
            }
        case .polygon(let polygon):
            let storage = polygon.storage
            // The edges near each cell: those whose box touches it, widened by the most a
            // great circle bulges across a cell.
            var near = [[Int32]](repeating: [], count: result.count)
            let pad = Polygon.bulge(acrossDegrees: grid.cellDegrees)
            for edge in storage.vectors.indices {
                let box = storage.edgeBox(edge)
                let firstRow = max(0, Int(((box.minLatitude - pad - grid.minLatitude) / grid.cellDegrees).rounded(.down)))
                let lastRow = min(grid.rows - 1, Int(((box.maxLatitude + pad - grid.minLatitude) / grid.cellDegrees).rounded(.down)))
                guard firstRow <= lastRow else { continue }
                for piece in box.split {
                    let first = max(0, Int(((piece.minLongitude - 1e-9 - grid.minLongitude) / grid.cellDegrees).rounded(.down)))
                    let last = min(grid.columns - 1, Int(((piece.maxLongitude + 1e-9 - grid.minLongitude) / grid.cellDegrees).rounded(.down)))
                    guard first <= last else { continue }
                    for row in firstRow...lastRow {
                        for column in first...last { near[row * grid.columns + column].append(Int32(edge)) }
                    }
                }
            }
            for row in 0..<grid.rows {
                for column in 0..<columns {
                    let cell = row * grid.columns + column
                    let box = grid.box(row: row, column: column)
                    if near[cell].isEmpty {
                        // No edge comes near: the cell lies wholly on one side.
                        let middle = LatLng(
                            uncheckedLatitude: (box.minLatitude + box.maxLatitude) / 2,
                            longitude: (box.minLongitude + box.maxLongitude) / 2)
                        result[cell].inside = storage.contains(middle.unitVector)
                    } else if makingRecords {
                        result[cell].record = polygon.appendBoundaryRecord(near: box, edges: near[cell], to: &arena)
                    }
                }
            }
        }
        return result
    }
}

/// What ``Footprint/classifyCells(_:records:)`` found of one cell.
public struct CellClass: Hashable, Sendable {
    /// `true` when the whole cell is inside, `false` when none of it is, `nil` when the
    /// boundary may pass through it.
    public var inside: Bool?
    /// Where the cell's boundary record starts in the arena, if it has one.
    public var record: Int?
}

extension ContainmentFilter {
    func classify(_ box: BoundingBox) -> Bool? {
        classify(
            minLatitude: box.minLatitude, maxLatitude: box.maxLatitude,
            minLongitude: box.minLongitude, maxLongitude: box.maxLongitude)
    }
}

extension Circle {
    /// Whole cell inside (`true`), outside (`false`) or undecided, from the geodesic
    /// distance to the cell's centre. Every point of the cell is within the angle of
    /// its farthest corner from the centre (along a meridian or a parallel the angle to
    /// a point has a single minimum), hence within that angle times the largest radius
    /// of curvature in metres.
    func classify(_ box: BoundingBox) -> Bool? {
        let middle = LatLng(
            uncheckedLatitude: (box.minLatitude + box.maxLatitude) / 2,
            longitude: (box.minLongitude + box.maxLongitude) / 2)
        let m = middle.unitVector
        let corners = [
            LatLng(uncheckedLatitude: box.minLatitude, longitude: box.minLongitude),
            LatLng(uncheckedLatitude: box.minLatitude, longitude: box.maxLongitude),
            LatLng(uncheckedLatitude: box.maxLatitude, longitude: box.minLongitude),
            LatLng(uncheckedLatitude: box.maxLatitude, longitude: box.maxLongitude),
        ]
        let reach = corners.map { m.angle(to: $0.unitVector) }.max()! * Geodesic.maximumCurvatureRadius * (1 + 1e-9) + 1e-6
        let distance = Geodesic.distance(center, middle)
        if distance + reach <= radiusMeters { return true }
        if distance - reach > radiusMeters { return false }
        return nil
    }
}

extension PolygonStorage {
    /// The latitude/longitude box of one great-circle edge, with its bulge toward a
    /// pole; every longitude when it touches a pole.
    func edgeBox(_ edge: Int) -> BoundingBox {
        let a = vectors[edge], b = vectors[Int(edgeEnds[edge])]
        let start = LatLng(a), end = LatLng(b)
        var minLatitude = min(start.latitude, end.latitude), maxLatitude = max(start.latitude, end.latitude)
        for latitude in PolygonStorage.extremeLatitudes(a, b) {
            minLatitude = min(minLatitude, latitude)
            maxLatitude = max(maxLatitude, latitude)
        }
        var step = end.longitude - start.longitude
        if step > 180 { step -= 360 }
        if step < -180 { step += 360 }
        if maxLatitude >= 90 - 1e-9 || minLatitude <= -90 + 1e-9 || abs(step) >= 180 - 1e-9 {
            return BoundingBox(minLatitude: minLatitude, maxLatitude: maxLatitude, minLongitude: -180, maxLongitude: 180)
        }
        let west = step >= 0 ? start.longitude : end.longitude
        return BoundingBox(
            minLatitude: minLatitude, maxLatitude: maxLatitude,
            minLongitude: west, maxLongitude: wrapLongitude(west + abs(step)))
    }

    /// The latitudes of the points of the minor arc a → b that lie further toward a pole
    /// than both ends (none, or one).
    static func extremeLatitudes(_ a: Vector3, _ b: Vector3) -> [Double] {
        let normal = a.cross(b)
        guard normal.norm > 0 else { return [] }
        let n = normal.normalized()
        // The highest point of the great circle: the pole direction projected onto
        // the circle's plane.
        let top = Vector3(0, 0, 1) - n.z * n
        guard top.norm > 1e-15 else { return [] }
        let t = top.normalized()
        return [t, -t].filter { arcContains(a, b, normal: normal, $0) }.map { asin(max(-1, min(1, $0.z))).degrees }
    }
}

// MARK: - Boundary records

extension Polygon {
    /// The most edges a boundary record holds; a cell that more edges come near is left
    /// to ``contains(_:)``.
    public static let maximumRecordEdges = 24

    /// Appends to `arena` what an exact membership test needs of the polygon within
    /// `cell`: a reference point in the cell, whether it is inside, and every edge that
    /// comes near the cell. Returns where the record starts, or `nil` when the cell does
    /// not suit one (more than ``maximumRecordEdges`` edges, wider than 10°, within 1° of
    /// a pole, across the antimeridian, or no reference point clear of every edge):
    /// then ask ``contains(_:)``.
    ///
    /// A point of the cell is inside when the reference is and the great-circle arc from
    /// the reference to it crosses an even number of edges. That arc stays within the
    /// cell widened by the most a great circle bulges across it, so the record keeps
    /// every edge whose box touches the widened cell. The crossing tests are the
    /// polygon's own (``contains(_:)`` works in a gnomonic plane, where the signs of
    /// orientations are those of the triple products used here).
    public func appendBoundaryRecord(near cell: BoundingBox, to arena: inout [Double]) -> Int? {
        let pad = Polygon.bulge(acrossDegrees: cell.maxLongitude - cell.minLongitude)
        let widened = BoundingBox(
            minLatitude: cell.minLatitude - pad, maxLatitude: cell.maxLatitude + pad,
            minLongitude: cell.minLongitude - 1e-9, maxLongitude: min(180, cell.maxLongitude + 1e-9))
        let edges = storage.vectors.indices.filter { storage.edgeBox($0).intersects(widened) }.map(Int32.init)
        return appendBoundaryRecord(near: cell, edges: edges, to: &arena)
    }

    /// How far, in degrees, a great-circle arc between two points of a cell `degrees`
    /// wide can leave it toward a pole: less than Δλ²/16 radians; twice that, and a
    /// nanodegree, to be safe.
    static func bulge(acrossDegrees degrees: Double) -> Double {
        (degrees.radians * degrees.radians / 8).degrees + 1e-9
    }

    /// The record of `cell` from the indices of the edges that come near it.
    func appendBoundaryRecord(near cell: BoundingBox, edges indices: [Int32], to arena: inout [Double]) -> Int? {
        let width = cell.maxLongitude - cell.minLongitude, height = cell.maxLatitude - cell.minLatitude
        guard width > 0, height > 0, width <= 10, height <= 10, indices.count <= Polygon.maximumRecordEdges,
              cell.minLatitude >= -89, cell.maxLatitude <= 89, cell.maxLongitude <= 180, cell.minLongitude >= -180
        else { return nil }
        let center = LatLng(
            uncheckedLatitude: (cell.minLatitude + cell.maxLatitude) / 2,
            longitude: (cell.minLongitude + cell.maxLongitude) / 2
        ).unitVector
        var edges: [(Vector3, Vector3)] = []
        for edge in indices {
            let a = storage.vectors[Int(edge)], b = storage.vectors[Int(storage.edgeEnds[Int(edge)])]
            // All points of the test within one open hemisphere, well clear of its rim.
            guard a.dot(center) > 0.05, b.dot(center) > 0.05 else { return nil }
            edges.append((a, b))
        }
        // A reference point clear of every edge, so that its status is not in doubt.
        let fractions: [(Double, Double)] = [(0.5, 0.5), (0.3, 0.7), (0.7, 0.3), (0.25, 0.25), (0.75, 0.75), (0.6, 0.4)]
        var reference: Vector3?
        for (f, g) in fractions {
            let candidate = LatLng(
                uncheckedLatitude: cell.minLatitude + f * height, longitude: cell.minLongitude + g * width
            ).unitVector
            if edges.allSatisfy({ PolygonStorage.arcAngle(from: candidate, $0.0, $0.1) > 1e-9 }) {
                reference = candidate
                break
            }
        }
        guard let reference else { return nil }
        let offset = arena.count
        arena += [reference.x, reference.y, reference.z, storage.contains(reference) ? 1 : 0, Double(edges.count)]
        for (a, b) in edges { arena += [a.x, a.y, a.z, b.x, b.y, b.z] }
        return offset
    }

    /// Whether `point`, which must lie in the record's cell, is inside the polygon,
    /// from a record written by ``appendBoundaryRecord(near:to:)``.
    @inline(__always)
    public static func contains(_ point: PreparedPoint, record arena: UnsafeBufferPointer<Double>, at offset: Int) -> Bool {
        let reference = Vector3(arena[offset], arena[offset + 1], arena[offset + 2])
        var inside = arena[offset + 3] != 0
        let count = Int(arena[offset + 4])
        let p = point.vector
        let ray = reference.cross(p)
        var base = offset + 5
        for _ in 0..<count {
            let a = Vector3(arena[base], arena[base + 1], arena[base + 2])
            let b = Vector3(arena[base + 3], arena[base + 4], arena[base + 5])
            base += 6
            // Half-open on the ray's great circle, strict on the edge's: the EdgeGrid rule.
            if (ray.dot(a) >= 0) == (ray.dot(b) >= 0) { continue }
            let normal = a.cross(b)
            if (normal.dot(reference) > 0) != (normal.dot(p) > 0) { inside.toggle() }
        }
        return inside
    }
}
