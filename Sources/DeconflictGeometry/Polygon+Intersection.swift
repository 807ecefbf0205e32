// Polygon/polygon overlap: crossing edges, or a vertex of one inside the other.

extension PolygonStorage {
    /// True when the two polygons share at least one point.
    ///
    /// If no edges cross, each ring of one polygon is wholly inside or wholly outside
    /// the other, so testing one vertex of every ring in the other polygon decides.
    static func intersects(_ a: PolygonStorage, _ b: PolygonStorage) -> Bool {
        guard a.cap.intersects(b.cap), a.boundingBox.intersects(b.boundingBox) else { return false }
        if edgesCross(a, b) { return true }
        for start in a.ringStarts.dropLast() where b.contains(a.vectors[start]) { return true }
        for start in b.ringStarts.dropLast() where a.contains(b.vectors[start]) { return true }
        return false
    }

    /// True when an edge of `a` crosses an edge of `b`.
    static func edgesCross(_ a: PolygonStorage, _ b: PolygonStorage) -> Bool {
        let (small, large) = a.vectors.count <= b.vectors.count ? (a, b) : (b, a)
        if small.vectors.count * large.vectors.count <= 4_096 {
            for i in small.vectors.indices {
                let p = small.vectors[i], q = small.vectors[Int(small.edgeEnds[i])]
                for j in large.vectors.indices
                where arcsCross(p, q, large.vectors[j], large.vectors[Int(large.edgeEnds[j])]) {
                    return true
                }
            }
            return false
        }
        // Larger inputs: find candidate edges through the large polygon's grid, in its
        // gnomonic plane where both sets of edges are straight segments.
        var marks = [Bool](repeating: false, count: large.vectors.count)
        var candidates: [Int32] = []
        let margin = hemisphereMargin / 2
        for i in small.vectors.indices {
            let p = small.vectors[i], q = small.vectors[Int(small.edgeEnds[i])]
            guard p.dot(large.frame.center) >= margin, q.dot(large.frame.center) >= margin else {
                for j in large.vectors.indices
                where arcsCross(p, q, large.vectors[j], large.vectors[Int(large.edgeEnds[j])]) {
                    return true
                }
                continue
            }
            let pp = large.frame.project(p), qq = large.frame.project(q)
            candidates.removeAll(keepingCapacity: true)
            large.grid.edges(
                inBoxFrom: Point2(x: min(pp.x, qq.x), y: min(pp.y, qq.y)),
                to: Point2(x: max(pp.x, qq.x), y: max(pp.y, qq.y)),
                into: &candidates, marks: &marks)
            var found = false
            for edge in candidates {
                marks[Int(edge)] = false
                if !found,
                    segmentsIntersect(
                        pp, qq, large.projected[Int(edge)], large.projected[Int(large.edgeEnds[Int(edge)])])
                {
                    found = true
                }
            }
            if found { return true }
        }
        return false
    }

    /// True when the minor arcs a → b and c → d cross at a point interior to both
    /// (S2's "simple crossing" test; arcs that only touch may go either way).
    static func arcsCross(_ a: Vector3, _ b: Vector3, _ c: Vector3, _ d: Vector3) -> Bool {
        let ab = a.cross(b)
        let acb = -ab.dot(c), bda = ab.dot(d)
        if acb * bda <= 0 { return false }
        let cd = c.cross(d)
        let cbd = -cd.dot(b), dac = cd.dot(a)
        return acb * cbd > 0 && acb * dac > 0
    }
}
