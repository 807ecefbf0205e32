import DeconflictGeometry
import DeconflictSpatialIndex
import DeconflictTestSupport
import Foundation
import Testing

@Suite("ShapeIndex answers exactly what a scan of every zone answers")
struct ShapeIndexTests {
    @Test(arguments: Array(UInt64(1)...UInt64(6)))
    func exactQueriesMatchBruteForce(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        // A busy region, plus zones across the antimeridian and around a pole.
        let regions = Generators.testRegions
        var truth: [Int: Footprint] = [:]
        for key in 0..<600 {
            truth[key] = Generators.zone(in: regions[key % 3], radii: 1_000...150_000, using: &rng)
        }
        var index = ShapeIndex(truth.map { ($0.key, $0.value) })
        for step in 0..<1_500 {
            let region = regions[Int.random(in: 0..<3, using: &rng)]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                let key = Int.random(in: 0..<800, using: &rng)
                let zone = Generators.zone(in: region, radii: 1_000...150_000, using: &rng)
                index.insert(key, zone)
                truth[key] = zone
            case 1:
                let key = Int.random(in: 0..<800, using: &rng)
                #expect((index.remove(key) == nil) == (truth.removeValue(forKey: key) == nil))
            case 2:
                let center = Generators.position(in: region, using: &rng)
                let radius = Double.random(in: 1...80_000, using: &rng)
                let reach = Footprint.circle(try Circle(center: center, radiusMeters: radius))
                var found: [Int] = []
                index.forEach(within: radius, of: center) { found.append($0) }
                #expect(Set(found) == Set(truth.filter { $0.value.intersects(reach) }.keys), "seed \(seed) step \(step)")
            default:
                let point = Generators.position(in: region, using: &rng)
                let expected = Set(truth.filter { $0.value.contains(point) }.keys)
                #expect(Set(index.keys(containing: point)) == expected, "seed \(seed) step \(step) \(point)")
            }
            #expect(index.count == truth.count)
        }
    }

    /// Zones added and removed one at a time from an empty index (so its cell table is
    /// frozen again and again, and removed zones leave tombstones), checked by single
    /// and batch point queries after every change.
    @Test(arguments: Array(UInt64(1)...UInt64(3)))
    func churnAndBatchQueriesMatchBruteForce(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let region = BoundingBox(minLatitude: 29, maxLatitude: 38, minLongitude: 33, maxLongitude: 44)
        var truth: [Int: Footprint] = [:]
        var index = ShapeIndex<Int>()
        for step in 0..<400 {
            let key = Int.random(in: 0..<150, using: &rng)
            if truth[key] != nil, Bool.random(using: &rng) {
                #expect(index.remove(key) == truth.removeValue(forKey: key))
            } else {
                let zone = Generators.zone(in: region, radii: 2_000...200_000, using: &rng)
                index.insert(key, zone)
                truth[key] = zone
            }
            let points = (0..<40).map { _ in PreparedPoint(Generators.position(in: region, using: &rng)) }
            var batch = Array(repeating: Set<Int>(), count: points.count)
            index.forEach(containingEach: points) { point, key in
                #expect(batch[point].insert(key).inserted, "seed \(seed) step \(step): zone \(key) reported twice")
            }
            for (number, point) in points.enumerated() {
                let expected = Set(truth.filter { $0.value.contains(point.position) }.keys)
                #expect(Set(index.keys(containing: point.position)) == expected, "seed \(seed) step \(step)")
                #expect(batch[number] == expected, "seed \(seed) step \(step) batch")
            }
        }
    }
}
