// The latitude/longitude box of a polygon with great-circle edges.

extension PolygonStorage {
    static func boundingBox(
        rings: [[LatLng]], vectors: [Vector3], projected: [Point2], edgeEnds: [Int32], outerCount: Int,
        frame: GnomonicFrame, grid: EdgeGrid
    ) -> BoundingBox {
        func containsPole(_ pole: Vector3) -> Bool {
            pole.dot(frame.center) > 0 && grid.contains(frame.project(pole))
        }
        let outer = rings[0]
        var minLatitude = 90.0, maxLatitude = -90.0
        var unwrapped = outer[0].longitude
        var lowest = unwrapped, highest = unwrapped
        for index in 0..<outerCount {
            let a = vectors[index], b = vectors[Int(edgeEnds[index])]
            minLatitude = min(minLatitude, outer[index].latitude)
            maxLatitude = max(maxLatitude, outer[index].latitude)
            // An arc can reach further toward a pole than either end.
            for latitude in extremeLatitudes(a, b) {
                minLatitude = min(minLatitude, latitude)
                maxLatitude = max(maxLatitude, latitude)
            }
            // Longitudes unwrapped along the ring; a minor arc never spans 180°.
            var step = outer[(index + 1) % outer.count].longitude - outer[index].longitude
            if step > 180 { step -= 360 }
            if step < -180 { step += 360 }
            unwrapped += step
            lowest = min(lowest, unwrapped)
            highest = max(highest, unwrapped)
        }
        let containsNorthPole = containsPole(Vector3(0, 0, 1))
        let containsSouthPole = containsPole(Vector3(0, 0, -1))
        if containsNorthPole { maxLatitude = 90 }
        if containsSouthPole { minLatitude = -90 }
        // A ring winding around a pole, or touching one, spans every longitude.
        if containsNorthPole || containsSouthPole || highest - lowest >= 360 || maxLatitude >= 90 || minLatitude <= -90 {
            return BoundingBox(minLatitude: minLatitude, maxLatitude: maxLatitude, minLongitude: -180, maxLongitude: 180)
        }
        return BoundingBox(
            minLatitude: minLatitude, maxLatitude: maxLatitude,
            minLongitude: wrapLongitude(lowest), maxLongitude: wrapLongitude(highest))
    }

    /// True when `point` (on the great circle of a and b) lies on the minor arc a → b.
    static func arcContains(_ a: Vector3, _ b: Vector3, normal: Vector3, _ point: Vector3) -> Bool {
        a.cross(point).dot(normal) >= 0 && point.cross(b).dot(normal) >= 0
    }
}
