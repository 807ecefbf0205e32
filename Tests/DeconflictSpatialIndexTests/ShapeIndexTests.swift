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
        let regions = [
            BoundingBox(minLatitude: 29, maxLatitude: 38, minLongitude: 33, maxLongitude: 44),
            BoundingBox(minLatitude: -20, maxLatitude: 20, minLongitude: 179, maxLongitude: 180),
            BoundingBox(minLatitude: 86, maxLatitude: 89.9, minLongitude: -180, maxLongitude: 180),
        ]
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
}
