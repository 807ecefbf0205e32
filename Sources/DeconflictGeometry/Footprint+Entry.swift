// When does a moving unit first enter an outline?

extension Footprint {
    /// The first time, in seconds after the track's time and within `horizon` seconds,
    /// at which the unit is inside the outline; 0 when it already is; `nil` when it
    /// does not enter within the horizon.
    ///
    /// The unit follows the geodesic of its course at constant speed. The answer is
    /// exact to about a microsecond of travel (or 0.1 mm), except for paths that graze
    /// the edge by less than a centimetre.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/negativeHorizon`` or
    ///   ``GeometryError/Code/notFinite`` (field `horizon`).
    public func entryTime(of track: Track, within horizon: Double) throws(GeometryError) -> Double? {
        try GeometryError.requireHorizon(horizon)
        return firstEntry(of: track, from: 0, to: horizon)
    }

    /// The first time in `start...end` (seconds after the track's time) at which the
    /// unit is inside.
    func firstEntry(of track: Track, from start: Double, to end: Double) -> Double? {
        guard end >= start else { return nil }
        let origin = track.position(after: start)
        let originVector = origin.unitVector
        if contains(origin, vector: originVector) { return start }
        let speed = track.speedMetersPerSecond
        guard speed > 0, end > start else { return nil }
        // Out of reach: the unit cannot travel the distance to the outline in time.
        let near = minimumDistanceMeters(to: origin, vector: originVector)
        let travel = speed * (end - start)
        if near > travel { return nil }
        // Nor pass it on the way: the distance changes no faster than the speed, so it
        // stays above (d(start) + d(end) − travel) / 2, and lower bounds of d will do.
        let destination = track.position(after: end)
        if (near + minimumDistanceMeters(to: destination, vector: destination.unitVector) - travel) / 2 > 0 { return nil }
        let timeTolerance = min(1e-6, 1e-4 / speed)
        switch self {
        case .circle(let circle):
            return Footprint.firstEntry(of: track, into: circle, from: start, to: end, tolerance: timeTolerance)
        case .polygon(let polygon):
            return Footprint.firstEntry(of: track, into: polygon, from: start, to: end, tolerance: timeTolerance)
        }
    }

    /// Circles: f(t) = distance to the centre − radius. Between samples f can drop by at
    /// most the distance travelled, so only intervals where the samples allow f ≤ 0 are
    /// searched; f is unimodal along a segment this short.
    private static func firstEntry(
        of track: Track, into circle: Circle, from start: Double, to end: Double, tolerance: Double
    ) -> Double? {
        let speed = track.speedMetersPerSecond
        func f(_ t: Double) -> Double { circle.signedDistance(to: track.position(after: t)) }
        let segmentMeters = 25_000.0
        let segments = max(1, min(100_000, Int((speed * (end - start) / segmentMeters).rounded(.up))))
        let step = (end - start) / Double(segments)
        var previousTime = start
        var previousValue = f(start)
        for index in 1...segments {
            let time = index == segments ? end : start + Double(index) * step
            let value = f(time)
            defer { previousTime = time; previousValue = value }
            if value <= 0 {
                return Minimization.root(previousTime, time, tolerance: tolerance, f)
            }
            // Lowest f that the unit could reach between the two samples.
            if (previousValue + value - speed * (time - previousTime)) / 2 > 0 { continue }
            let lowest = Minimization.minimum(previousTime, time, tolerance: tolerance * 100, f)
            if lowest.value <= 0 {
                return Minimization.root(previousTime, lowest.argument, tolerance: tolerance, f)
            }
        }
        return nil
    }

    /// Polygons: the path is cut into chords of at most 10 km (off the true geodesic by
    /// under a centimetre), each chord is crossed with the polygon's edges in the
    /// gnomonic plane, and every candidate crossing is refined by bisection on the
    /// exact position and membership.
    private static func firstEntry(
        of track: Track, into polygon: Polygon, from start: Double, to end: Double, tolerance: Double
    ) -> Double? {
        let storage = polygon.storage
        let speed = track.speedMetersPerSecond
        func isInside(_ t: Double) -> Bool { storage.contains(track.position(after: t).unitVector) }
        let chordMeters = 10_000.0
        let segments = max(1, min(1_000_000, Int((speed * (end - start) / chordMeters).rounded(.up))))
        let step = (end - start) / Double(segments)
        var marks = [Bool](repeating: false, count: storage.vectors.count)
        var candidates: [Int32] = []
        var previousTime = start
        var previous = track.position(after: start).unitVector
        let margin = PolygonStorage.hemisphereMargin / 2
        for index in 1...segments {
            let time = index == segments ? end : start + Double(index) * step
            let current = track.position(after: time).unitVector
            defer { previousTime = time; previous = current }
            // Skip chords that cannot reach the polygon's cap.
            if storage.cap.minimumDistanceMeters(to: previous) > speed * (time - previousTime) { continue }
            var crossingTimes: [Double] = []
            if previous.dot(storage.frame.center) >= margin, current.dot(storage.frame.center) >= margin {
                let p = storage.frame.project(previous), q = storage.frame.project(current)
                candidates.removeAll(keepingCapacity: true)
                storage.grid.edges(
                    inBoxFrom: Point2(x: min(p.x, q.x), y: min(p.y, q.y)),
                    to: Point2(x: max(p.x, q.x), y: max(p.y, q.y)), into: &candidates, marks: &marks)
                let chordAngle = previous.angle(to: current)
                for edge in candidates {
                    marks[Int(edge)] = false
                    let a = storage.projected[Int(edge)], b = storage.projected[Int(storage.edgeEnds[Int(edge)])]
                    guard let u = Footprint.segmentParameter(p, q, a, b) else { continue }
                    // Fraction of the chord's angle at the crossing point.
                    let point = storage.frame.unproject(Point2(x: p.x + u * (q.x - p.x), y: p.y + u * (q.y - p.y)))
                    let fraction = chordAngle > 0 ? min(1, previous.angle(to: point) / chordAngle) : 1
                    crossingTimes.append(previousTime + fraction * (time - previousTime))
                }
            } else if !isInside(time) {
                continue
            }
            if crossingTimes.isEmpty {
                if isInside(time) {
                    return Minimization.bisect(previousTime, time, tolerance: tolerance, isInside)
                }
                continue
            }
            crossingTimes.sort()
            var boundaries = [previousTime] + crossingTimes + [time]
            boundaries = boundaries.map { min(max($0, previousTime), time) }
            var lastOutside = previousTime
            for piece in 0..<(boundaries.count - 1) {
                let middle = (boundaries[piece] + boundaries[piece + 1]) / 2
                if isInside(middle) {
                    return Minimization.bisect(lastOutside, middle, tolerance: tolerance, isInside)
                }
                lastOutside = middle
            }
            if isInside(time) {
                return Minimization.bisect(lastOutside, time, tolerance: tolerance, isInside)
            }
        }
        return nil
    }

    /// Where, as a fraction of p → q, the segment p–q meets the segment a–b; `nil` when
    /// they do not meet.
    static func segmentParameter(_ p: Point2, _ q: Point2, _ a: Point2, _ b: Point2) -> Double? {
        let rx = q.x - p.x, ry = q.y - p.y
        let sx = b.x - a.x, sy = b.y - a.y
        let denominator = rx * sy - ry * sx
        if denominator == 0 {
            return PolygonStorage.segmentsIntersect(p, q, a, b) ? 0 : nil
        }
        let qpx = a.x - p.x, qpy = a.y - p.y
        let t = (qpx * sy - qpy * sx) / denominator
        let u = (qpx * ry - qpy * rx) / denominator
        let slack = 1e-12
        guard t >= -slack, t <= 1 + slack, u >= -slack, u <= 1 + slack else { return nil }
        return min(1, max(0, t))
    }
}
