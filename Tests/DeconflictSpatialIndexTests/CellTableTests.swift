@testable import DeconflictSpatialIndex
import DeconflictTestSupport
import Testing

/// The grids' cell table against `Dictionary` under random inserts, updates and
/// removals, with keys crowded into a few probe runs so that deletion's backward shift
/// and growth are exercised.
@Suite("CellTable agrees with Dictionary")
struct CellTableTests {
    @Test(arguments: Array(UInt64(1)...UInt64(8)))
    func randomOperations(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var table = CellTable<[Int32]>()
        var truth: [Int64: [Int32]] = [:]
        // Small key spaces collide often; large ones make the table grow.
        let keySpace: Int64 = [40, 300, 5_000, 1 << 40][Int(seed % 4)]
        for step in 0..<20_000 {
            let key = Int64.random(in: 0..<keySpace, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                table.withValue(at: key, default: []) { $0.append(Int32(step)) }
                truth[key, default: []].append(Int32(step))
            case 5..<8:
                #expect(table.removeValue(forKey: key) == truth.removeValue(forKey: key))
            default:
                let changed = table.withValue(at: key) { value in
                    value[0] = Int32(-step)
                    return value.count
                }
                #expect(changed == truth[key]?.count)
                truth[key]?[0] = Int32(-step)
            }
            #expect(table[key] == truth[key], "step \(step), key \(key)")
            #expect(table.count == truth.count)
        }
        var seen: [Int64: [Int32]] = [:]
        for (key, value) in table { seen[key] = value }
        #expect(seen == truth)
        for key in truth.keys { #expect(table[key] == truth[key]) }
    }
}
