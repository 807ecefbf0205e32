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
    func box(row: Int, column: Int) -> BoundingBox {
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
        var result = [Bool?](repeating: nil, count: grid.rows * grid.columns)
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
                    result[row * grid.columns + column] = filter.classify(box) ?? circle.classify(box)
                }
            }
        case .polygon(let polygon):
            let storage = polygon.storage
            var crossed = [Bool](repeating: false, count: result.count)
            let pad = 1e-9
            for edge in storage.vectors.indices {
                let box = storage.edgeBox(edge)
                let firstRow = max(0, Int(((box.minLatitude - pad - grid.minLatitude) / grid.cellDegrees).rounded(.down)))
                let lastRow = min(grid.rows - 1, Int(((box.maxLatitude + pad - grid.minLatitude) / grid.cellDegrees).rounded(.down)))
                guard firstRow <= lastRow else { continue }
                for piece in box.split {
                    let first = max(0, Int(((piece.minLongitude - pad - grid.minLongitude) / grid.cellDegrees).rounded(.down)))
                    let last = min(grid.columns - 1, Int(((piece.maxLongitude + pad - grid.minLongitude) / grid.cellDegrees).rounded(.down)))
                    guard first <= last else { continue }
                    for row in firstRow...lastRow {
                        for column in first...last { crossed[row * grid.columns + column] = true }
                    }
                }
            }
            for row in 0..<grid.rows {
                for column in 0..<columns where !crossed[row * grid.columns + column] {
                    let box = grid.box(row: row, column: column)
                    let middle = LatLng(
                        uncheckedLatitude: (box.minLatitude + box.maxLatitude) / 2,
                        longitude: (box.minLongitude + box.maxLongitude) / 2)
                    result[row * grid.columns + column] = storage.contains(middle.unitVector)
                }
            }
        }
        return result
    }
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
