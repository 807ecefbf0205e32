import CS2Shim
package import DeconflictGeometry
import Foundation

/// Intersections as the InterUSS reference DSS finds them: each footprint is covered by
/// S2 cells at level 13 (about 1 km² each; S2's own coverer, through `CS2Shim`), and two
/// footprints meet when their coverings share a cell. F3548's discovery is conservative
/// by design (a DSS may return more than intersects exactly; USSs do the exact check),
/// and a pool of DSS instances must agree on what meets what: the DSS interface uses
/// these coverings, Deconflict's own alerts keep exact geometry.
package enum CellCovering {
    /// The reference's cell level (its `DefaultMinimumCellLevel` and maximum).
    package static let level: Int32 = 13
    /// How far beyond its footprint a covering may reach, metres: a level-13 cell's
    /// diagonal is under 2 km. Searches of the space-time index widen by this much.
    package static let reachMeters = 2_500.0

    private static let cache = Cache()

    /// The covering's cell ids (all at ``level``); empty when S2 rejects the outline
    /// (then nothing meets it by cells).
    package static func cells(_ footprint: Footprint) -> Set<UInt64> {
        if let known = cache.get(footprint) { return known }
        var coordinates: [Double]
        var radius = 0.0
        switch footprint {
        case .circle(let circle):
            coordinates = [circle.center.latitude, circle.center.longitude]
            radius = circle.radiusMeters
        case .polygon(let polygon):
            coordinates = polygon.outer.flatMap { [$0.latitude, $0.longitude] }
        }
        let count = Int32(coordinates.count / 2)
        var room = 4_096
        var result: Set<UInt64> = []
        while true {
            var ids = [UInt64](repeating: 0, count: room)
            let total = ids.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CUnsignedLongLong.self) { cells in
                    s2shim_covering(coordinates, count, radius, level, cells.baseAddress, Int32(room))
                }
            }
            if total < 0 { break }
            if Int(total) <= room {
                result = Set(ids.prefix(Int(total)))
                break
            }
            room = Int(total)
        }
        cache.set(footprint, result)
        return result
    }

    /// Whether the two footprints' coverings share a cell.
    package static func meet(_ a: Footprint, _ b: Footprint) -> Bool {
        let first = cells(a), second = cells(b)
        return first.count <= second.count ? !first.isDisjoint(with: second) : !second.isDisjoint(with: first)
    }

    /// Coverings by footprint: each is computed once (an S2 covering costs far more
    /// than a set lookup). Emptied when it grows past 100,000 footprints.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var coverings: [Footprint: Set<UInt64>] = [:]

        package func get(_ footprint: Footprint) -> Set<UInt64>? { lock.withLock { coverings[footprint] } }

        package func set(_ footprint: Footprint, _ cells: Set<UInt64>) {
            lock.withLock {
                if coverings.count >= 100_000 { coverings.removeAll() }
                coverings[footprint] = cells
            }
        }
    }
}
