import DeconflictGeometry
import DeconflictTestSupport
import Foundation
import Testing

/// The hand-written great-circle polygon code, checked against Google's S2 on seeded
/// random polygons. Decisions may differ only within 0.5 m of an edge.
@Suite("Polygon predicates agree with S2")
struct S2PropertyTests {
    static let seeds: [UInt64] = Array(1...40)

    /// Random star polygons in random places (poles and antimeridian included),
    /// some with holes, and random points in and around them.
    @Test(arguments: seeds)
    func containmentAgreesWithS2(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<10 {
            let rings = randomRings(using: &rng)
            let polygon = try Polygon(outer: rings[0], holes: Array(rings.dropFirst()))
            let oracle = try S2Oracle.make(rings).get()
            let radius = Geodesic.distance(rings[0][0], polygonCenter(rings[0])) * 1.5
            for _ in 0..<200 {
                let point = Geodesic.destination(
                    from: polygonCenter(rings[0]), azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                    distanceMeters: Double.random(in: 0...radius, using: &rng))
                let expected = oracle.contains(point)
                if polygon.contains(point) != expected {
                    // Only tolerated right at the boundary.
                    let meters = oracle.boundaryAngle(point) * Geodesic.maximumCurvatureRadius
                    #expect(meters < 0.5, "seed \(seed): \(point) inside=\(expected) per S2, \(meters) m from the edge")
                }
            }
        }
    }

    /// Points placed within centimetres of edges: the grid's crossed cells do the work.
    @Test(arguments: seeds.prefix(10))
    func nearEdgePointsAgreeWithS2(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var checked = 0
        for _ in 0..<10 {
            let rings = randomRings(using: &rng)
            let polygon = try Polygon(outer: rings[0], holes: Array(rings.dropFirst()))
            let oracle = try S2Oracle.make(rings).get()
            for _ in 0..<200 {
                let ring = rings[Int.random(in: 0..<rings.count, using: &rng)]
                let index = Int.random(in: 0..<ring.count, using: &rng)
                let a = ring[index], b = ring[(index + 1) % ring.count]
                let inverse = Geodesic.inverse(a, b)
                let along = Geodesic.destination(
                    from: a, azimuthDegrees: inverse.initialAzimuthDegrees,
                    distanceMeters: inverse.distanceMeters * Double.random(in: 0.05...0.95, using: &rng))
                let offset = pow(10, Double.random(in: -1...2, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1)
                let point = Geodesic.destination(
                    from: along, azimuthDegrees: inverse.initialAzimuthDegrees + 90, distanceMeters: offset)
                let meters = oracle.boundaryAngle(point) * Geodesic.minimumCurvatureRadius
                guard meters >= 0.5 else { continue }
                checked += 1
                #expect(polygon.contains(point) == oracle.contains(point), "seed \(seed): \(point), \(meters) m from the edge")
            }
        }
        #expect(checked > 1_000)
    }

    /// The exact ellipsoidal distance to the boundary is bracketed by S2's spherical
    /// angle times the extreme radii of curvature.
    @Test(arguments: seeds.prefix(10))
    func boundaryDistanceIsBracketedByS2Angle(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<5 {
            let rings = randomRings(using: &rng)
            let polygon = try Polygon(outer: rings[0], holes: Array(rings.dropFirst()))
            let oracle = try S2Oracle.make(rings).get()
            let center = polygonCenter(rings[0])
            for _ in 0..<20 {
                let point = Geodesic.destination(
                    from: center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                    distanceMeters: Double.random(in: 0...2_000_000, using: &rng))
                let angle = oracle.boundaryAngle(point)
                let meters = polygon.boundaryDistance(to: point)
                #expect(meters >= angle * Geodesic.minimumCurvatureRadius - 1e-6, "seed \(seed) \(point)")
                #expect(meters <= angle * Geodesic.maximumCurvatureRadius + 1e-6, "seed \(seed) \(point)")
                let signed = polygon.signedDistance(to: point)
                #expect((signed < 0) == polygon.contains(point))
            }
        }
    }

    /// Random quadrilaterals: whatever S2 accepts we accept, and whatever S2 refuses as
    /// self-intersecting we refuse.
    @Test(arguments: seeds.prefix(10))
    func validityAgreesWithS2(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var refused = 0
        for _ in 0..<300 {
            let center = Generators.anywhere(using: &rng)
            let ring = (0..<Int.random(in: 4...7, using: &rng)).map { _ in
                Geodesic.destination(
                    from: center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                    distanceMeters: Double.random(in: 1_000...200_000, using: &rng))
            }
            let ours = Result { () throws(GeometryError) in try Polygon(outer: ring) }
            let theirs = S2Oracle.make([ring])
            switch (ours, theirs) {
            case (.success, .success), (.failure, .failure):
                if case .failure = ours { refused += 1 }
            case (.success, .failure(let refusal)):
                Issue.record("seed \(seed): S2 refuses \(ring) (\(refusal.message)) but it was accepted")
            case (.failure(let error), .success):
                Issue.record("seed \(seed): S2 accepts \(ring) but it was refused: \(error)")
            }
        }
        // Random vertex orders self-intersect often: the test exercises both answers.
        #expect(refused > 30)
    }

    /// Polygon/polygon overlap, for pairs placed near each other.
    @Test(arguments: seeds.prefix(20))
    func polygonIntersectionAgreesWithS2(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var overlapping = 0
        for _ in 0..<40 {
            let first = randomRings(using: &rng, allowHoles: true)
            let center = polygonCenter(first[0])
            let size = Geodesic.distance(first[0][0], center)
            let secondCenter = Geodesic.destination(
                from: center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                distanceMeters: size * Double.random(in: 0...2.5, using: &rng))
            let count = Int.random(in: 3...(Bool.random(using: &rng) ? 12 : 150), using: &rng)
            let second = [Generators.starRing(
                around: secondCenter, count: count, minimumMeters: size * 0.2, maximumMeters: size * 0.9, using: &rng)]
            let a = try Polygon(outer: first[0], holes: Array(first.dropFirst()))
            let b = try Polygon(outer: second[0])
            let expected = try S2Oracle.make(first).get().intersects(try S2Oracle.make(second).get())
            if expected { overlapping += 1 }
            #expect(Footprint.polygon(a).intersects(.polygon(b)) == expected, "seed \(seed)")
            #expect(Footprint.polygon(b).intersects(.polygon(a)) == expected, "seed \(seed)")
        }
        #expect(overlapping > 5)
    }

    // MARK: - Generators

    private func polygonCenter(_ ring: [LatLng]) -> LatLng {
        var x = 0.0, y = 0.0, z = 0.0
        for vertex in ring {
            let phi = vertex.latitude * .pi / 180, lambda = vertex.longitude * .pi / 180
            x += cos(phi) * cos(lambda); y += cos(phi) * sin(lambda); z += sin(phi)
        }
        return LatLng(uncheckedLatitude: atan2(z, hypot(x, y)) * 180 / .pi, longitude: atan2(y, x) * 180 / .pi)
    }

    private func randomRings(using rng: inout SeededGenerator, allowHoles: Bool = true) -> [[LatLng]] {
        let center: LatLng
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: center = LatLng(uncheckedLatitude: Double.random(in: 85...90, using: &rng), longitude: Double.random(in: -180...180, using: &rng))
        case 1: center = LatLng(uncheckedLatitude: Double.random(in: -90 ... -85, using: &rng), longitude: Double.random(in: -180...180, using: &rng))
        case 2: center = LatLng(uncheckedLatitude: Double.random(in: -60...60, using: &rng), longitude: Double.random(in: 179...180, using: &rng) * (Bool.random(using: &rng) ? 1 : -1))
        default: center = Generators.anywhere(using: &rng)
        }
        let radius = pow(10, Double.random(in: 1.7...6.1, using: &rng))
        let count = Int.random(in: 3...(Int.random(in: 0..<4, using: &rng) == 0 ? 300 : 24), using: &rng)
        var rings = [Generators.starRing(around: center, count: count, minimumMeters: radius * 0.5, maximumMeters: radius, using: &rng)]
        if allowHoles, Int.random(in: 0..<3, using: &rng) == 0 {
            rings.append(Generators.starRing(
                around: center, count: Int.random(in: 3...12, using: &rng), minimumMeters: radius * 0.04,
                maximumMeters: radius * 0.1, using: &rng))
        }
        return rings
    }
}
