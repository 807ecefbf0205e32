import DeconflictGeometry
import DeconflictSpatialIndex
import DeconflictTestSupport
import Foundation
import Testing

/// The swept-box index against a brute-force scan while boxes move, appear and vanish.
@Suite("BoxGrid agrees with a brute-force scan")
struct BoxGridTests {
    @Test(arguments: Array(UInt64(1)...UInt64(8)))
    func queriesMatchBruteForceUnderUpdates(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var grid = BoxGrid(cellDegrees: [0.1, 0.5, 1, 5][Int(seed % 4)])
        var truth: [Int: BoundingBox] = [:]
        // Boxes in a busy region, near the antimeridian and anywhere.
        func randomBox() -> BoundingBox {
            let center: LatLng
            switch Int.random(in: 0..<4, using: &rng) {
            case 0, 1:
                center = Generators.position(
                    in: BoundingBox(minLatitude: 32, maxLatitude: 35, minLongitude: 37, maxLongitude: 40), using: &rng)
            case 2:
                center = LatLng(
                    uncheckedLatitude: Double.random(in: -10...10, using: &rng),
                    longitude: [180.0, -180.0, 179.9, -179.9].randomElement(using: &rng)!)
            default:
                center = LatLng(
                    uncheckedLatitude: Double.random(in: -80...80, using: &rng), longitude: Double.random(in: -180...180, using: &rng))
            }
            return BoundingBox.around(center, radiusMeters: pow(10, Double.random(in: 2...5.5, using: &rng)))
        }
        for step in 0..<3_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let key = Int.random(in: 0..<400, using: &rng)
                let box = randomBox()
                grid.update(key, to: box)
                truth[key] = box
            case 5:
                let key = Int.random(in: 0..<400, using: &rng)
                grid.remove(key)
                truth[key] = nil
            default:
                let query = randomBox()
                var found: [Int] = []
                grid.forEach(intersecting: query) { found.append($0) }
                #expect(found.count == Set(found).count, "seed \(seed) step \(step): a box reported twice")
                let expected = Set(truth.filter { $0.value.intersects(query) }.keys)
                #expect(Set(found) == expected, "seed \(seed) step \(step) query \(query)")
                // The cheap scan: every intersecting box, extras only within rounding.
                var candidates: Set<Int> = []
                grid.forEachCandidate(intersecting: query) { candidates.insert($0) }
                #expect(candidates.isSuperset(of: expected), "seed \(seed) step \(step)")
                for extra in candidates.subtracting(expected) {
                    let grown = BoundingBox(
                        minLatitude: truth[extra]!.minLatitude - 1e-4, maxLatitude: truth[extra]!.maxLatitude + 1e-4,
                        minLongitude: truth[extra]!.minLongitude - 1e-4, maxLongitude: truth[extra]!.maxLongitude + 1e-4)
                    #expect(grown.intersects(query), "seed \(seed) step \(step): \(extra) is far from the query")
                }
            }
            #expect(grid.count == truth.count)
        }
    }

    @Test func movingWithinTheSameCellsKeepsOneListing() {
        var grid = BoxGrid(cellDegrees: 1)
        let box = BoundingBox(minLatitude: 33.2, maxLatitude: 33.4, minLongitude: 38.2, maxLongitude: 38.4)
        grid.update(3, to: box)
        let moved = BoundingBox(minLatitude: 33.3, maxLatitude: 33.5, minLongitude: 38.3, maxLongitude: 38.5)
        grid.update(3, to: moved)
        var found: [Int] = []
        grid.forEach(intersecting: BoundingBox(minLatitude: 33.45, maxLatitude: 33.6, minLongitude: 38.45, maxLongitude: 38.6)) {
            found.append($0)
        }
        #expect(found == [3])
        #expect(grid.box(of: 3) == moved)
        #expect(grid.count == 1)
    }
}
