package import DeconflictGeometry
import Foundation

/// Finds the entities whose volumes may meet a query's: each entity is listed under the
/// buckets of space (cells of ``cellDegrees`` latitude and longitude) and time (spans of
/// ``bucketSeconds``) its volumes' bounding boxes and windows touch. A busy area with
/// many intents at different times thus costs a query only the intents of its own
/// times. An entity that would need more than ``maximumKeys`` buckets (a continent, a
/// month) is kept apart and always a candidate; so is every entity when a query itself
/// is that large. Candidates still need the exact test.
package struct SpaceTimeIndex: Sendable {
    package init() {}

    package static let cellDegrees = 0.05
    package static let bucketSeconds = 600.0
    package static let maximumKeys = 4_096

    private var buckets: [Int64: Set<String>] = [:]
    private var keys: [String: [Int64]] = [:]
    private var oversize: Set<String> = []
    package private(set) var all: Set<String> = []

    /// The bucket keys of `volumes`, or nil when there would be too many.
    package static func keys(of volumes: [Volume4D], marginMeters: Double = 0) -> [Int64]? {
        var result = Set<Int64>()
        for volume in volumes {
            guard let start = volume.time.start, let end = volume.time.end else { return nil }
            var box = volume.footprint.boundingBox
            if marginMeters > 0 {
                // Widened by the margin; near a pole or the antimeridian, every entity.
                let latitude = marginMeters / 111_000
                let nearest = max(abs(box.minLatitude), abs(box.maxLatitude)) + latitude
                guard nearest < 89, !box.crossesAntimeridian else { return nil }
                let longitude = latitude / cos(nearest * .pi / 180)
                guard box.minLongitude - longitude > -180, box.maxLongitude + longitude < 180 else { return nil }
                box = BoundingBox(
                    minLatitude: box.minLatitude - latitude, maxLatitude: box.maxLatitude + latitude,
                    minLongitude: box.minLongitude - longitude, maxLongitude: box.maxLongitude + longitude)
            }
            let firstBucket = Int64((start.timeIntervalSince1970 / bucketSeconds).rounded(.down))
            let lastBucket = Int64((end.timeIntervalSince1970 / bucketSeconds).rounded(.down))
            let rows = cells(box.minLatitude, box.maxLatitude, wrap: false)
            let columns = box.crossesAntimeridian
                ? cells(box.minLongitude, 180, wrap: true) + cells(-180, box.maxLongitude, wrap: true)
                : cells(box.minLongitude, box.maxLongitude, wrap: true)
            let count = (lastBucket - firstBucket + 1) * Int64(rows.count) * Int64(columns.count)
            guard count + Int64(result.count) <= Int64(maximumKeys) else { return nil }
            for bucket in firstBucket...lastBucket {
                for row in rows {
                    for column in columns { result.insert(pack(bucket, row, column)) }
                }
            }
        }
        return Array(result)
    }

    private static func cells(_ low: Double, _ high: Double, wrap: Bool) -> [Int64] {
        let first = Int64((low / cellDegrees).rounded(.down)), last = Int64((high / cellDegrees).rounded(.down))
        return first <= last ? Array(first...last) : []
    }

    private static func pack(_ bucket: Int64, _ row: Int64, _ column: Int64) -> Int64 {
        // 32 bits of time bucket (10-minute spans from 1970 fit until year 83,000), 16 of each cell.
        (bucket << 32) | ((row & 0xFFFF) << 16) | (column & 0xFFFF)
    }

    package mutating func insert(_ id: String, _ volumes: [Volume4D]) {
        remove(id)
        all.insert(id)
        guard let list = Self.keys(of: volumes) else {
            oversize.insert(id)
            return
        }
        keys[id] = list
        for key in list { buckets[key, default: []].insert(id) }
    }

    package mutating func remove(_ id: String) {
        guard all.remove(id) != nil else { return }
        oversize.remove(id)
        for key in keys.removeValue(forKey: id) ?? [] {
            buckets[key]?.remove(id)
            if buckets[key]?.isEmpty == true { buckets[key] = nil }
        }
    }

    /// The ids that may meet `volumes`.
    package func candidates(_ volumes: [Volume4D], marginMeters: Double = 0) -> Set<String> {
        guard let list = Self.keys(of: volumes, marginMeters: marginMeters) else { return all }
        var result = oversize
        for key in list { if let ids = buckets[key] { result.formUnion(ids) } }
        return result
    }
}
