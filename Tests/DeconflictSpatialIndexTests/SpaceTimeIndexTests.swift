import DeconflictGeometry
import DeconflictSpatialIndex
import DeconflictTestSupport
import Foundation
import Testing

/// The DSS's space-time index never misses: for random volumes, every entity whose
/// volumes meet a query's is among the index's candidates, including entities and
/// queries too large for buckets, and after removals.
@Suite("DSS space-time index")
struct SpaceTimeIndexTests {
    /// Whether two sets of volumes meet, exactly: times (closed intervals), altitudes and
    /// outlines.
    static func meet(_ a: [Volume4D], _ b: [Volume4D]) -> Bool {
        func timesMeet(_ x: TimeWindow, _ y: TimeWindow) -> Bool {
            if let end = x.end, let start = y.start, end < start { return false }
            if let end = y.end, let start = x.start, end < start { return false }
            return true
        }
        return a.contains { x in
            b.contains { y in timesMeet(x.time, y.time) && x.altitude.overlaps(y.altitude) && x.footprint.intersects(y.footprint) }
        }
    }


    static func volume(_ random: inout SeededGenerator) throws -> Volume4D {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let start = base.addingTimeInterval(Double.random(in: 0...86_400, using: &random))
        // Mostly minutes to hours; now and then weeks (too many buckets).
        let length = Double.random(in: 0...1) < 0.05 ? 30 * 86_400 : Double.random(in: 60...14_400, using: &random)
        let center = try LatLng(latitude: Double.random(in: 46.8...47.2, using: &random), longitude: Double.random(in: 179.7...180, using: &random))
        let radius = Double.random(in: 0...1, using: &random) < 0.05 ? 300_000 : Double.random(in: 50...5_000, using: &random)
        let low = Double.random(in: 0...500, using: &random)
        return Volume4D(
            footprint: .circle(try Circle(center: center, radiusMeters: radius)),
            altitude: try AltitudeBand(lowerMeters: low, upperMeters: low + 100), time: try TimeWindow(start: start, end: start.addingTimeInterval(length)))
    }

    @Test func candidatesIncludeEveryMatch() throws {
        var random = SeededGenerator(seed: 7)
        var index = SpaceTimeIndex()
        var entities: [String: [Volume4D]] = [:]
        for number in 0..<600 {
            let volumes = try (0..<Int.random(in: 1...3, using: &random)).map { _ in try Self.volume(&random) }
            entities["e\(number)"] = volumes
            index.insert("e\(number)", volumes)
        }
        for number in stride(from: 0, to: 600, by: 7) {
            entities["e\(number)"] = nil
            index.remove("e\(number)")
        }
        var matches = 0
        for _ in 0..<300 {
            let query = [try Self.volume(&random)]
            let candidates = index.candidates(query)
            for (id, volumes) in entities where Self.meet(volumes, query) {
                matches += 1
                #expect(candidates.contains(id), "\(id) meets the query but is not a candidate")
            }
            #expect(candidates.isSubset(of: Set(entities.keys)), "a removed entity is still a candidate")
        }
        #expect(matches > 100, "the workload should meet often enough to test something: \(matches)")
    }
}
