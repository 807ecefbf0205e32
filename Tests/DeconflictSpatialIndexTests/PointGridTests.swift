import DeconflictGeometry
import DeconflictSpatialIndex
import DeconflictTestSupport
import Foundation
import Testing

/// The unit index against a brute-force scan while points move, appear and vanish.
@Suite("PointGrid agrees with a brute-force scan")
struct PointGridTests {
    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func queriesMatchBruteForceUnderUpdates(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var grid = PointGrid<Int>(cellDegrees: [0.05, 0.1, 1, 5][Int(seed % 4)])
        var truth: [Int: LatLng] = [:]
        // Half the points in a busy region, half anywhere (poles and ±180° included).
        func randomPosition() -> LatLng {
            if Bool.random(using: &rng) {
                return Generators.position(
                    in: BoundingBox(minLatitude: 32, maxLatitude: 35, minLongitude: 37, maxLongitude: 40), using: &rng)
            }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return LatLng(uncheckedLatitude: Double.random(in: 88...90, using: &rng), longitude: Double.random(in: -180...180, using: &rng))
            case 1: return LatLng(uncheckedLatitude: Double.random(in: -10...10, using: &rng), longitude: [180.0, -180.0, 179.99, -179.99].randomElement(using: &rng)!)
            default: return Generators.anywhere(using: &rng)
            }
        }
        for step in 0..<4_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let key = Int.random(in: 0..<600, using: &rng)
                let position: LatLng
                if let old = truth[key], Bool.random(using: &rng) {
                    // Small moves, mostly within the same cell.
                    position = Geodesic.destination(
                        from: old, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                        distanceMeters: Double.random(in: 0...2_000, using: &rng))
                } else {
                    position = randomPosition()
                }
                grid.update(key, to: position)
                truth[key] = position
            case 5:
                let key = Int.random(in: 0..<600, using: &rng)
                #expect(grid.remove(key) == truth.removeValue(forKey: key))
            case 6..<8:
                let center = randomPosition()
                let radius = pow(10, Double.random(in: 2...6.2, using: &rng))
                var found: [Int] = []
                grid.forEach(within: radius, of: center) { key, _ in found.append(key) }
                let expected = truth.filter { Geodesic.distance(center, $0.value) <= radius }.keys
                #expect(found.count == Set(found).count)
                #expect(Set(found) == Set(expected), "seed \(seed) step \(step) radius \(radius) at \(center)")
            case 8:
                let box = BoundingBox.around(randomPosition(), radiusMeters: pow(10, Double.random(in: 3...6, using: &rng)))
                var found: [Int] = []
                grid.forEach(in: box) { key, _ in found.append(key) }
                #expect(Set(found) == Set(truth.filter { box.contains($0.value) }.keys), "seed \(seed) step \(step)")
            default:
                let center = randomPosition()
                let nearest = grid.nearest(to: center, limit: 5)
                let expected = truth.map { ($0.key, Geodesic.distance(center, $0.value)) }.sorted { $0.1 < $1.1 }.prefix(5)
                #expect(nearest.map(\.distanceMeters) == expected.map(\.1), "seed \(seed) step \(step)")
            }
            #expect(grid.count == truth.count)
        }
        for (key, position) in truth {
            #expect(grid.position(of: key) == position)
            #expect(grid.keys(at: position).contains(key))
        }
    }
}
