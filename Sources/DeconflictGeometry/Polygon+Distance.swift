// Distances from a point to a polygon's boundary: spherical bounds first, then the
// exact ellipsoidal distance on the few edges that can still be the nearest.

extension PolygonStorage {
    /// The angle (radians, unit sphere) from `point` to the great-circle arc a → b.
    static func arcAngle(from point: Vector3, _ a: Vector3, _ b: Vector3) -> Double {
        let normal = a.cross(b)
        if normal.normSquared > 0 {
            let n = normal.normalized()
            let offPlane = point.dot(n)
            let foot = point - offPlane * n
            if foot.normSquared > 0, arcContains(a, b, normal: normal, foot) {
                return atan2(abs(offPlane), foot.norm)
            }
        }
        return min(point.angle(to: a), point.angle(to: b))
    }

    /// The smallest angle (radians) from `point` to any edge.
    func boundaryAngle(_ point: Vector3) -> Double {
        var best = Double.infinity
        for edge in vectors.indices {
            best = min(best, PolygonStorage.arcAngle(from: point, vectors[edge], vectors[Int(edgeEnds[edge])]))
        }
        return best
    }

    /// A lower bound in metres on the geodesic distance from `point` to the polygon
    /// (0 inside).
    func minimumDistanceMeters(to point: Vector3) -> Double {
        if cap.minimumDistanceMeters(to: point) > 0 { return cap.minimumDistanceMeters(to: point) }
        if contains(point) { return 0 }
        return boundaryAngle(point) * Geodesic.minimumCurvatureRadius
    }

    /// The geodesic distance in metres from `point` to the boundary.
    func boundaryDistance(_ point: LatLng) -> Double {
        let p = point.unitVector
        var angles: [(edge: Int, angle: Double)] = []
        angles.reserveCapacity(vectors.count)
        var smallest = Double.infinity
        for edge in vectors.indices {
            let angle = PolygonStorage.arcAngle(from: p, vectors[edge], vectors[Int(edgeEnds[edge])])
            angles.append((edge, angle))
            smallest = min(smallest, angle)
        }
        // Ellipsoidal distance lies within [a(1−e²)·θ, a²/b·θ] of the spherical angle θ.
        let upperBound = smallest * Geodesic.maximumCurvatureRadius
        var candidates = angles.filter { $0.angle * Geodesic.minimumCurvatureRadius <= upperBound }
        candidates.sort { $0.angle < $1.angle }
        var best = Double.infinity
        for candidate in candidates {
            if candidate.angle * Geodesic.minimumCurvatureRadius > best { break }
            best = min(best, arcDistance(from: point, edge: candidate.edge))
        }
        return best
    }

    /// The exact geodesic distance from `point` to the arc of `edge`, minimised over the
    /// arc by sampling and golden-section search.
    func arcDistance(from point: LatLng, edge: Int) -> Double {
        let a = vectors[edge], b = vectors[Int(edgeEnds[edge])]
        let omega = a.angle(to: b)
        let sinOmega = sin(omega)
        guard omega > 1e-15, sinOmega > 1e-15 else {
            return Geodesic.distance(point, LatLng(a))
        }
        func along(_ t: Double) -> Vector3 {
            (sin((1 - t) * omega) / sinOmega) * a + (sin(t * omega) / sinOmega) * b
        }
        // A millimetre along the arc is enough: the distance is flat at its minimum.
        let arcLength = omega * Geodesic.maximumCurvatureRadius
        let tolerance = 1e-3 / max(arcLength, 1)
        let samples = max(2, min(16, Int(arcLength / 10_000) + 2))
        return Minimization.sampledMinimum(0, 1, samples: samples, tolerance: tolerance) { t in
            Geodesic.distance(point, LatLng(along(t)))
        }.value
    }
}
