import DeconflictGeometry
import DeconflictSpatialIndex
import DeconflictTestSupport
import Foundation
import Testing

/// The zone index against a brute-force scan, over seeded random boxes and queries,
/// through bulk loading, insertions and removals.
@Suite("RTree agrees with a brute-force scan")
struct RTreeTests {
    private func randomBox(using rng: inout SeededGenerator) -> BoundingBox {
        let center = Generators.anywhere(using: &rng)
        let radius = pow(10, Double.random(in: 2...6, using: &rng))
        if Int.random(in: 0..<10, using: &rng) == 0 {
            // Boxes across the antimeridian.
            let south = Double.random(in: -80...70, using: &rng)
            return BoundingBox(
                minLatitude: south, maxLatitude: south + Double.random(in: 0...10, using: &rng),
                minLongitude: Double.random(in: 170...180, using: &rng), maxLongitude: Double.random(in: -180 ... -170, using: &rng))
        }
        return BoundingBox.around(center, radiusMeters: radius)
    }

    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func pointAndBoxQueriesMatchBruteForce(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var live: [Int: BoundingBox] = [:]
        var handles: [Int: RTree<Int>.Handle] = [:]
        let initial = (0..<Int.random(in: 0...2_000, using: &rng)).map { ($0, randomBox(using: &rng)) }
        var tree = RTree(initial.map { ($0.1, $0.0) })
        for (id, box) in initial { live[id] = box }
        // Handles of bulk-loaded elements are their positions.
        var next = initial.count
        for step in 0..<3_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<3:
                let box = randomBox(using: &rng)
                handles[next] = tree.insert(next, box: box)
                live[next] = box
                next += 1
            case 3..<5:
                guard let id = handles.keys.randomElement(using: &rng) else { continue }
                #expect(tree.remove(handles[id]!) == id)
                handles[id] = nil
                live[id] = nil
            default:
                let point = Generators.anywhere(using: &rng)
                let expected = Set(live.filter { $0.value.contains(point) }.keys)
                #expect(Set(tree.elements(containing: point)) == expected, "seed \(seed) step \(step)")
                let query = randomBox(using: &rng)
                let hits = tree.elements(intersecting: query)
                #expect(hits.count == Set(hits).count, "seed \(seed): duplicates")
                #expect(Set(hits) == Set(live.filter { $0.value.intersects(query) }.keys), "seed \(seed) step \(step)")
            }
            #expect(tree.count == live.count)
        }
    }

    @Test func radiusQueryFindsEveryBoxWithinReach() throws {
        var rng = SeededGenerator(seed: 99)
        let zones = (0..<3_000).map { _ in
            Generators.zone(
                in: BoundingBox(minLatitude: 30, maxLatitude: 39, minLongitude: 34, maxLongitude: 45),
                radii: 500...20_000, using: &rng)
        }
        let tree = RTree(zones.enumerated().map { ($0.element.boundingBox, $0.offset) })
        for _ in 0..<300 {
            let center = Generators.position(
                in: BoundingBox(minLatitude: 30, maxLatitude: 39, minLongitude: 34, maxLongitude: 45), using: &rng)
            let radius = Double.random(in: 100...50_000, using: &rng)
            var candidates = Set<Int>()
            tree.forEach(near: center, radiusMeters: radius) { candidates.insert($0) }
            // Every zone whose outline comes within the radius must be a candidate.
            let reach = Footprint.circle(try Circle(center: center, radiusMeters: radius))
            for (index, zone) in zones.enumerated() where zone.intersects(reach) {
                #expect(candidates.contains(index))
            }
        }
    }

    @Test func emptyTreeAnswersNothing() {
        let tree = RTree<Int>()
        #expect(tree.elements(containing: LatLng(uncheckedLatitude: 0, longitude: 0)).isEmpty)
        #expect(tree.count == 0)
    }
}
