// Validation of a polygon's rings, in the gnomonic plane where edges are segments.

extension PolygonStorage {
    /// Rejects rings whose vertices all lie on one great circle (a line in the plane).
    ///
    /// A ring of zero signed area whose vertices are not in line (a symmetric bow-tie)
    /// is left to ``checkSimple(grid:projected:edgeEnds:ringStarts:)``, which names the
    /// edges that cross.
    static func checkArea(rings: [[LatLng]], ringStarts: [Int], projected: [Point2]) throws(GeometryError) {
        for ring in rings.indices {
            let range = ringStarts[ring]..<ringStarts[ring + 1]
            var doubleArea = 0.0
            var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
            for index in range {
                let a = projected[index]
                let b = projected[index + 1 == range.upperBound ? range.lowerBound : index + 1]
                doubleArea += a.x * b.y - b.x * a.y
                minX = min(minX, a.x); maxX = max(maxX, a.x); minY = min(minY, a.y); maxY = max(maxY, a.y)
            }
            let extent = max(maxX - minX, maxY - minY)
            let tolerance = 1e-12 * extent * extent
            guard abs(doubleArea) <= tolerance else { continue }
            // In line when every vertex is on the line through the first vertex and the
            // one farthest from it.
            let first = projected[range.lowerBound]
            func reach(_ index: Int) -> Double {
                let p = projected[index]
                return (p.x - first.x) * (p.x - first.x) + (p.y - first.y) * (p.y - first.y)
            }
            let far = range.max { reach($0) < reach($1) }!
            let inLine = range.allSatisfy { abs(orientation(first, projected[far], projected[$0])) <= tolerance }
            guard !inLine else {
                throw GeometryError(
                    .degenerateRing, field: fieldName(ring: ring, vertex: nil),
                    reason: "the ring encloses no area: its vertices lie on one great circle")
            }
        }
    }

    /// Rejects edges that cross or touch, within a ring or between rings, and edges
    /// that fold back over their neighbour.
    static func checkSimple(grid: EdgeGrid, projected: [Point2], edgeEnds: [Int32], ringStarts: [Int]) throws(GeometryError) {
        var ringOf = [Int](repeating: 0, count: projected.count)
        for ring in 0..<(ringStarts.count - 1) {
            for index in ringStarts[ring]..<ringStarts[ring + 1] { ringOf[index] = ring }
        }
        func describe(_ edge: Int) -> String {
            let ring = ringOf[edge]
            let size = ringStarts[ring + 1] - ringStarts[ring]
            let offset = edge - ringStarts[ring]
            return "edge \(offset)-\((offset + 1) % size) of \(fieldName(ring: ring, vertex: nil))"
        }
        for cell in 0..<(grid.columns * grid.rows) {
            let range = Int(grid.cellEdgeStarts[cell])..<Int(grid.cellEdgeStarts[cell + 1])
            guard range.count >= 2 else { continue }
            for i in range {
                let e1 = Int(grid.cellEdges[i])
                let a = projected[e1], b = projected[Int(edgeEnds[e1])]
                for j in (i + 1)..<range.upperBound {
                    let e2 = Int(grid.cellEdges[j])
                    let c = projected[e2], d = projected[Int(edgeEnds[e2])]
                    let problem: Bool
                    if Int(edgeEnds[e1]) == e2 {
                        problem = foldsBack(a, b, d)  // e1 = a→b, e2 = b→d
                    } else if Int(edgeEnds[e2]) == e1 {
                        problem = foldsBack(c, d, b)  // e2 = c→d, e1 = d→b
                    } else {
                        problem = segmentsIntersect(a, b, c, d)
                    }
                    if problem {
                        let ring = ringOf[min(e1, e2)]
                        let first = min(e1, e2), second = max(e1, e2)
                        throw GeometryError(
                            .selfIntersectingRing,
                            field: fieldName(ring: ring, vertex: first - ringStarts[ring]),
                            reason: "\(describe(first)) intersects \(describe(second))")
                    }
                }
            }
        }
    }

    /// Rejects holes that are not inside the outer ring, or that lie in another hole.
    /// (Crossings between rings were already rejected, so one vertex decides.)
    static func checkHoles(projected: [Point2], edgeEnds: [Int32], ringStarts: [Int]) throws(GeometryError) {
        let ringCount = ringStarts.count - 1
        guard ringCount > 1 else { return }
        for hole in 1..<ringCount {
            let vertex = projected[ringStarts[hole]]
            let outer = ringStarts[0]..<ringStarts[1]
            guard EdgeGrid.rayCastInside(vertex, projected: projected, edgeEnds: edgeEnds, edges: outer) else {
                throw GeometryError(
                    .holeOutsideOuterRing, field: fieldName(ring: hole, vertex: nil),
                    reason: "a hole must lie inside the outer ring")
            }
            for other in 1..<ringCount where other != hole {
                let range = ringStarts[other]..<ringStarts[other + 1]
                if EdgeGrid.rayCastInside(vertex, projected: projected, edgeEnds: edgeEnds, edges: range) {
                    throw GeometryError(
                        .nestedHoles, field: fieldName(ring: hole, vertex: nil),
                        reason: "a hole must not lie inside another hole (\(fieldName(ring: other, vertex: nil)))")
                }
            }
        }
    }

    /// True when the path a → b → c turns straight back over itself.
    private static func foldsBack(_ a: Point2, _ b: Point2, _ c: Point2) -> Bool {
        guard orientation(a, b, c) == 0 else { return false }
        return (a.x - b.x) * (c.x - b.x) + (a.y - b.y) * (c.y - b.y) > 0
    }

    /// True when the closed segments a–b and c–d share a point.
    static func segmentsIntersect(_ a: Point2, _ b: Point2, _ c: Point2, _ d: Point2) -> Bool {
        let d1 = orientation(c, d, a), d2 = orientation(c, d, b)
        let d3 = orientation(a, b, c), d4 = orientation(a, b, d)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
            return true
        }
        if d1 == 0, onSegment(c, d, a) { return true }
        if d2 == 0, onSegment(c, d, b) { return true }
        if d3 == 0, onSegment(a, b, c) { return true }
        if d4 == 0, onSegment(a, b, d) { return true }
        return false
    }

    /// For a point p on the line a–b: true when it lies between a and b.
    private static func onSegment(_ a: Point2, _ b: Point2, _ p: Point2) -> Bool {
        min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
    }
}
