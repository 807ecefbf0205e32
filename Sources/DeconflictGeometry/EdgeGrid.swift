/// A uniform grid over a polygon in the gnomonic plane that answers point-in-polygon
/// in constant time for most points.
///
/// Each cell is either wholly outside, wholly inside, or crossed by edges. A crossed
/// cell keeps the list of edges through it and a reference point whose inside/outside
/// status was computed once at build time; a query point in that cell starts from the
/// reference status and flips it for every edge the segment reference → point
/// crosses. Only edges in the cell can cross that segment because cells are convex.
struct EdgeGrid: Sendable {
    let minX: Double
    let minY: Double
    let cellWidth: Double
    let cellHeight: Double
    let columns: Int
    let rows: Int
    /// Edges per cell in compressed rows: the edges of cell `c` are
    /// `cellEdges[cellEdgeStarts[c]..<cellEdgeStarts[c + 1]]`.
    let cellEdgeStarts: [Int32]
    let cellEdges: [Int32]
    /// Per cell, packed for the query path: state, reference point and status, and
    /// where its segments start in ``segments``.
    let cells: [Cell]
    /// The segments of every crossed cell, cell after cell, as coordinates: one
    /// contiguous run per cell, so a query touches few cache lines.
    let segments: [Segment]

    struct Cell: Sendable {
        var referenceX: Double
        var referenceY: Double
        var segmentStart: Int32
        var segmentCount: Int32
        var state: UInt8
        var referenceInside: Bool
    }

    struct Segment: Sendable {
        var ax: Double
        var ay: Double
        var bx: Double
        var by: Double
    }

    private static let outside: UInt8 = 0
    private static let inside: UInt8 = 1
    private static let crossed: UInt8 = 2

    init(projected: [Point2], edgeEnds: [Int32], outerCount: Int) {
        var minX = Double.infinity, minY = Double.infinity
        var maxX = -Double.infinity, maxY = -Double.infinity
        for point in projected[0..<outerCount] {
            minX = min(minX, point.x); maxX = max(maxX, point.x)
            minY = min(minY, point.y); maxY = max(maxY, point.y)
        }
        let padX = max((maxX - minX) * 1e-9, 1e-15)
        let padY = max((maxY - minY) * 1e-9, 1e-15)
        minX -= padX; maxX += padX; minY -= padY; maxY += padY
        let width = maxX - minX, height = maxY - minY
        // About one cell per edge, roughly square: denser grids decide a query in fewer
        // steps but, over thousands of polygons, miss the cache more.
        let target = Double(max(4, min(projected.count, 65_536)))
        let aspect = width / height
        let columns = max(1, min(1024, Int((target * aspect).squareRoot().rounded())))
        let rows = max(1, min(1024, Int((target / aspect).squareRoot().rounded())))
        self.minX = minX
        self.minY = minY
        self.columns = columns
        self.rows = rows
        cellWidth = width / Double(columns)
        cellHeight = height / Double(rows)

        // Register every edge in every cell it passes through.
        let cellCount = columns * rows
        var perCell = [[Int32]](repeating: [], count: cellCount)
        for edge in projected.indices {
            let a = projected[edge], b = projected[Int(edgeEnds[edge])]
            let c0 = max(0, min(columns - 1, Int(((min(a.x, b.x) - minX) / cellWidth).rounded(.down))))
            let c1 = max(0, min(columns - 1, Int(((max(a.x, b.x) - minX) / cellWidth).rounded(.down))))
            let r0 = max(0, min(rows - 1, Int(((min(a.y, b.y) - minY) / cellHeight).rounded(.down))))
            let r1 = max(0, min(rows - 1, Int(((max(a.y, b.y) - minY) / cellHeight).rounded(.down))))
            for row in r0...r1 {
                for column in c0...c1 {
                    let x0 = minX + Double(column) * cellWidth, y0 = minY + Double(row) * cellHeight
                    if EdgeGrid.segment(a, b, touchesBoxFromX: x0, y0, x0 + cellWidth, y0 + cellHeight) {
                        perCell[row * columns + column].append(Int32(edge))
                    }
                }
            }
        }
        var starts: [Int32] = [0]
        starts.reserveCapacity(cellCount + 1)
        var flat: [Int32] = []
        for list in perCell {
            flat.append(contentsOf: list)
            starts.append(Int32(flat.count))
        }
        cellEdgeStarts = starts
        cellEdges = flat

        // Classify cells row by row from the crossings of each row's centre line.
        // 0 outside, 1 inside, 2 crossed by edges.
        var states = [UInt8](repeating: EdgeGrid.outside, count: cellCount)
        var references = [Point2](repeating: Point2(x: 0, y: 0), count: cellCount)
        var referenceInside = [Bool](repeating: false, count: cellCount)
        var seen = [Int32](repeating: -1, count: projected.count)
        for row in 0..<rows {
            let y = minY + (Double(row) + 0.5) * cellHeight
            var crossings: [Double] = []
            for column in 0..<columns {
                let cell = row * columns + column
                for index in Int(starts[cell])..<Int(starts[cell + 1]) {
                    let edge = Int(flat[index])
                    if seen[edge] == Int32(row) { continue }
                    seen[edge] = Int32(row)
                    let a = projected[edge], b = projected[Int(edgeEnds[edge])]
                    if (a.y > y) != (b.y > y) {
                        crossings.append(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x))
                    }
                }
            }
            crossings.sort()
            var passed = 0
            for column in 0..<columns {
                let cell = row * columns + column
                let x = minX + (Double(column) + 0.5) * cellWidth
                while passed < crossings.count, crossings[passed] < x { passed += 1 }
                let centerInside = passed % 2 == 1
                let edgeRange = Int(starts[cell])..<Int(starts[cell + 1])
                if edgeRange.isEmpty {
                    states[cell] = centerInside ? EdgeGrid.inside : EdgeGrid.outside
                    continue
                }
                states[cell] = EdgeGrid.crossed
                let center = Point2(x: x, y: y)
                let tolerance = 1e-9 * max(cellWidth, cellHeight)
                if EdgeGrid.clearance(of: center, edges: flat[edgeRange], projected: projected, edgeEnds: edgeEnds) > tolerance {
                    references[cell] = center
                    referenceInside[cell] = centerInside
                } else {
                    // The centre lies on an edge: pick another point of the cell and
                    // classify it by a full ray cast (rare; build time only).
                    var chosen = center
                    for (fx, fy) in [(0.31, 0.27), (0.73, 0.61), (0.19, 0.83), (0.87, 0.13), (0.43, 0.57)] {
                        let candidate = Point2(
                            x: minX + (Double(column) + fx) * cellWidth, y: minY + (Double(row) + fy) * cellHeight)
                        chosen = candidate
                        if EdgeGrid.clearance(of: candidate, edges: flat[edgeRange], projected: projected, edgeEnds: edgeEnds) > tolerance {
                            break
                        }
                    }
                    references[cell] = chosen
                    referenceInside[cell] = EdgeGrid.rayCastInside(chosen, projected: projected, edgeEnds: edgeEnds)
                }
            }
        }
        var cells: [Cell] = []
        cells.reserveCapacity(cellCount)
        var segments: [Segment] = []
        segments.reserveCapacity(flat.count)
        for cell in 0..<cellCount {
            let start = Int(starts[cell]), end = Int(starts[cell + 1])
            cells.append(Cell(
                referenceX: references[cell].x, referenceY: references[cell].y,
                segmentStart: Int32(segments.count), segmentCount: Int32(end - start),
                state: states[cell], referenceInside: referenceInside[cell]))
            for index in start..<end {
                let a = projected[Int(flat[index])], b = projected[Int(edgeEnds[Int(flat[index])])]
                segments.append(Segment(ax: a.x, ay: a.y, bx: b.x, by: b.y))
            }
        }
        self.cells = cells
        self.segments = segments
    }

    /// True when the projected point is inside the polygon.
    @inline(__always)
    func contains(_ point: Point2) -> Bool {
        let fx = (point.x - minX) / cellWidth
        let fy = (point.y - minY) / cellHeight
        guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return false }
        let index = Int(fy) * columns + Int(fx)
        return cells.withUnsafeBufferPointer { cells in
            let cell = cells[index]
            if cell.state != EdgeGrid.crossed { return cell.state == EdgeGrid.inside }
            let reference = Point2(x: cell.referenceX, y: cell.referenceY)
            var inside = cell.referenceInside
            segments.withUnsafeBufferPointer { segments in
                for segment in segments[Int(cell.segmentStart)..<Int(cell.segmentStart + cell.segmentCount)] {
                    let a = Point2(x: segment.ax, y: segment.ay), b = Point2(x: segment.bx, y: segment.by)
                    // Half-open rule on the line reference → point, strict on the edge's line.
                    if (orientation(reference, point, a) >= 0) == (orientation(reference, point, b) >= 0) { continue }
                    let fromReference = orientation(a, b, reference), fromPoint = orientation(a, b, point)
                    if (fromReference > 0) != (fromPoint > 0) { inside.toggle() }
                }
            }
            return inside
        }
    }

    /// The edges registered in the cells that the box touches, each once.
    func edges(inBoxFrom low: Point2, to high: Point2, into result: inout [Int32], marks: inout [Bool]) {
        guard high.x >= minX, high.y >= minY,
            low.x <= minX + Double(columns) * cellWidth, low.y <= minY + Double(rows) * cellHeight
        else { return }
        let c0 = max(0, min(columns - 1, Int(((low.x - minX) / cellWidth).rounded(.down))))
        let c1 = max(0, min(columns - 1, Int(((high.x - minX) / cellWidth).rounded(.down))))
        let r0 = max(0, min(rows - 1, Int(((low.y - minY) / cellHeight).rounded(.down))))
        let r1 = max(0, min(rows - 1, Int(((high.y - minY) / cellHeight).rounded(.down))))
        for row in r0...r1 {
            for column in c0...c1 {
                let cell = row * columns + column
                for index in Int(cellEdgeStarts[cell])..<Int(cellEdgeStarts[cell + 1]) {
                    let edge = Int(cellEdges[index])
                    if !marks[edge] {
                        marks[edge] = true
                        result.append(Int32(edge))
                    }
                }
            }
        }
    }

    /// Even-odd ray cast toward −x over every edge: the slow, obviously right answer.
    static func rayCastInside(_ point: Point2, projected: [Point2], edgeEnds: [Int32], edges: Range<Int>? = nil) -> Bool {
        var inside = false
        for edge in edges ?? projected.indices {
            let a = projected[edge], b = projected[Int(edgeEnds[edge])]
            if (a.y > point.y) != (b.y > point.y) {
                let x = a.x + (point.y - a.y) / (b.y - a.y) * (b.x - a.x)
                if x < point.x { inside.toggle() }
            }
        }
        return inside
    }

    /// The smallest distance from `point` to the given edges.
    private static func clearance(of point: Point2, edges: ArraySlice<Int32>, projected: [Point2], edgeEnds: [Int32]) -> Double {
        var best = Double.infinity
        for edge in edges {
            let a = projected[Int(edge)], b = projected[Int(edgeEnds[Int(edge)])]
            best = min(best, segmentDistance(point, a, b))
        }
        return best
    }

    static func segmentDistance(_ p: Point2, _ a: Point2, _ b: Point2) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        var t = lengthSquared > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared : 0
        t = max(0, min(1, t))
        return hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
    }

    /// Conservative segment/box overlap (Liang–Barsky clipping on a slightly larger box).
    static func segment(_ a: Point2, _ b: Point2, touchesBoxFromX x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bool {
        let marginX = (x1 - x0) * 1e-9, marginY = (y1 - y0) * 1e-9
        let minX = x0 - marginX, maxX = x1 + marginX, minY = y0 - marginY, maxY = y1 + marginY
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        for (p, q) in [(-dx, a.x - minX), (dx, maxX - a.x), (-dy, a.y - minY), (dy, maxY - a.y)] {
            if p == 0 {
                if q < 0 { return false }
            } else {
                let r = q / p
                if p < 0 {
                    if r > t1 { return false }
                    t0 = max(t0, r)
                } else {
                    if r < t0 { return false }
                    t1 = min(t1, r)
                }
            }
        }
        return true
    }
}
