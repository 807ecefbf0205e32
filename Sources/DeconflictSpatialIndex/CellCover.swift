import DeconflictGeometry

/// The point-query accelerator of ``ShapeIndex``: every outline is listed in the few
/// latitude/longitude cells its box covers, at a level of cell size chosen for its
/// size (2–8 cells a side; each level's cells are 4 times wider than the one below),
/// each listing marked "wholly inside" when the cell is, so that most queries need one
/// table probe per level in use and no exact test.
///
/// A listing of a polygon in a cell that its boundary crosses carries a boundary
/// record (``DeconflictGeometry/Polygon/appendBoundaryRecord(near:to:)``): the edges
/// near the cell and a reference point, so that the exact test reads one run of memory
/// instead of the polygon's own structures.
///
/// The listings live in a dictionary (the truth, cheap to change) and in a frozen copy,
/// an open-addressing table over flat arrays that a query probes without reference
/// counting. Listings added since the last freeze are also kept apart and probed in the
/// dictionary; a removed outline's listings in the frozen copy are overwritten with a
/// tombstone. The frozen copy is rebuilt when the recent listings or the tombstones
/// pass an eighth of it, so updates cost O(1) amortised per listing.
struct CellCover: Sendable {
    /// The cell size of level 0, in degrees; level `l` has cells `4^l` times larger.
    static let baseDegrees = 1.0 / 4_096
    /// An outline spans between a quarter of this and this many cells a side at its level.
    static let cellsPerSide = 8.0
    static let levelCount = 9

    // Per level, 1 / cell size in degrees.
    private static let inverses: [Double] = (0..<levelCount).map { 1 / (baseDegrees * Double(1 << (2 * $0))) }

    // Every listing, by packed cell key.
    private var cells: [UInt64: [Listing]] = [:]
    // Listings added since the last freeze, by cell.
    private var recent: [UInt64: [Listing]] = [:]
    // Boundary records, referenced by listings; compacted at each freeze.
    private(set) var records: [Double] = []
    private var recentCount = 0
    private var removedSinceFreeze = 0
    private var frozen = FrozenCells()
    // The level numbers that hold anything, ascending, with each one's 1 / cell size.
    private var active: [(number: UInt64, inverse: Double)] = []
    // Per slot: the cell keys it is listed in, for removal.
    private var placements: [Int32: [UInt64]] = [:]

    /// The packed key of the cell of `level` that holds the position: a flag bit (so
    /// that no key is 0), the level, the row and the column.
    @inline(__always)
    private static func key(level: UInt64, row: Int, column: Int) -> UInt64 {
        1 << 63 | level << 48 | UInt64(truncatingIfNeeded: row) << 24 | UInt64(truncatingIfNeeded: column)
    }

    /// Lists `slot` in the cells of its box.
    mutating func insert(slot: Int32, footprint: Footprint) {
        list(slot: slot, footprint: footprint)
        if recentCount > max(1_024, frozen.entryCount / 8) { freeze() }
    }

    /// Lists many outlines at once and freezes the result.
    mutating func insert(_ items: [(slot: Int32, footprint: Footprint)]) {
        for item in items { list(slot: item.slot, footprint: item.footprint) }
        freeze()
    }

    private mutating func list(slot: Int32, footprint: Footprint) {
        let box = footprint.boundingBox
        let span = max(box.maxLatitude - box.minLatitude, box.longitudeSpan)
        var number = 0
        while CellCover.cellsPerSide / CellCover.inverses[number] < span, number < CellCover.levelCount - 1 {
            number += 1
        }
        let inverse = CellCover.inverses[number]
        if !active.contains(where: { $0.number == UInt64(number) }) {
            active.append((UInt64(number), inverse))
            active.sort { $0.number < $1.number }
        }
        var keys: [UInt64] = []
        let size = 1 / inverse
        let firstRow = Int(((box.minLatitude + 90) * inverse).rounded(.down))
        let lastRow = Int(((box.maxLatitude + 90) * inverse).rounded(.down))
        for piece in box.split {
            let firstColumn = Int(((piece.minLongitude + 180) * inverse).rounded(.down))
            let lastColumn = Int(((piece.maxLongitude + 180) * inverse).rounded(.down))
            let grid = CellGrid(
                minLatitude: Double(firstRow) * size - 90, minLongitude: Double(firstColumn) * size - 180,
                cellDegrees: size, rows: lastRow - firstRow + 1, columns: lastColumn - firstColumn + 1)
            let classes = footprint.classifyCells(grid, records: &records)
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let cell = classes[row * grid.columns + column]
                    if cell.inside == false { continue }
                    let key = CellCover.key(level: UInt64(number), row: firstRow + row, column: firstColumn + column)
                    let entry = Listing(slot: slot, whole: cell.inside == true, record: cell.record)
                    cells[key, default: []].append(entry)
                    recent[key, default: []].append(entry)
                    recentCount += 1
                    keys.append(key)
                }
            }
        }
        placements[slot] = keys
    }

    /// Removes `slot` from every cell it is listed in.
    mutating func remove(slot: Int32) {
        guard let keys = placements.removeValue(forKey: slot) else { return }
        for key in keys {
            frozen.bury(slot: slot, key: key)
            cells[key]?.removeAll { $0.slot == slot }
            if cells[key]?.isEmpty == true { cells[key] = nil }
            if recent[key] != nil {
                let before = recent[key]!.count
                recent[key]!.removeAll { $0.slot == slot }
                recentCount -= before - recent[key]!.count
                if recent[key]!.isEmpty { recent[key] = nil }
            }
        }
        removedSinceFreeze += keys.count
        if removedSinceFreeze > max(1_024, frozen.entryCount / 8) { freeze() }
    }

    /// Rebuilds the frozen copy from every listing, and the records without those of
    /// removed outlines.
    private mutating func freeze() {
        var compacted: [Double] = []
        compacted.reserveCapacity(records.count)
        for key in cells.keys {
            for index in cells[key]!.indices {
                guard let record = cells[key]![index].record else { continue }
                let length = 5 + 6 * Int(records[record + 4])
                cells[key]![index].record = compacted.count
                compacted.append(contentsOf: records[record..<record + length])
            }
        }
        records = compacted
        frozen = FrozenCells(cells)
        recent = [:]
        recentCount = 0
        removedSinceFreeze = 0
    }

    /// Calls `body` with each listing where `point` falls.
    @inline(__always)
    func forEach(at point: LatLng, _ body: (Listing) -> Void) {
        let latitude = point.latitude + 90, longitude = point.longitude + 180
        for level in active {
            let key = CellCover.key(
                level: level.number, row: Int((latitude * level.inverse).rounded(.down)),
                column: Int((longitude * level.inverse).rounded(.down)))
            frozen.forEach(key: key, body)
            if recentCount > 0, let entries = recent[key] {
                for entry in entries { body(entry) }
            }
        }
    }

    /// Whether `point` is inside the polygon of a listing with a record.
    @inline(__always)
    func contains(_ point: PreparedPoint, record: Int) -> Bool {
        records.withUnsafeBufferPointer { Polygon.contains(point, record: $0, at: record) }
    }
}

/// One outline listed in one cell.
struct Listing: Sendable {
    // slot << 1 | 1 when the cell is wholly inside; all ones once removed.
    private var entry: UInt32
    // Where the boundary record starts, plus one; 0 for none.
    private var recordPlusOne: UInt32

    static let tombstone = Listing(entry: .max, recordPlusOne: 0)

    private init(entry: UInt32, recordPlusOne: UInt32) {
        self.entry = entry
        self.recordPlusOne = recordPlusOne
    }

    init(slot: Int32, whole: Bool, record: Int?) {
        entry = UInt32(slot) << 1 | (whole ? 1 : 0)
        recordPlusOne = record.map { UInt32($0 + 1) } ?? 0
    }

    var isTombstone: Bool { entry == .max }
    var slot: Int32 { Int32(entry >> 1) }
    var whole: Bool { entry & 1 == 1 }
    var record: Int? {
        get { recordPlusOne == 0 ? nil : Int(recordPlusOne) - 1 }
        set { recordPlusOne = newValue.map { UInt32($0 + 1) } ?? 0 }
    }
}

extension CellCover {
    /// Appends `(point, entry)` for every listing at each of `points` (positions within
    /// the group, 0-based), level after level: the probes of different points do not
    /// depend on each other, so the processor overlaps their cache misses.
    func collect(_ points: ArraySlice<LatLng>, into listings: inout [(point: Int32, listing: Listing)]) {
        for level in active {
            for (offset, point) in points.enumerated() {
                let key = CellCover.key(
                    level: level.number, row: Int(((point.latitude + 90) * level.inverse).rounded(.down)),
                    column: Int(((point.longitude + 180) * level.inverse).rounded(.down)))
                frozen.forEach(key: key) { listings.append((Int32(offset), $0)) }
                if recentCount > 0, let entries = recent[key] {
                    for entry in entries { listings.append((Int32(offset), entry)) }
                }
            }
        }
    }
}

/// Cell listings frozen into flat arrays: an open-addressing table (linear probing, at
/// most half full) from a cell key to its run of entries.
struct FrozenCells: Sendable {
    private struct Bucket {
        var key: UInt64  // 0 when empty
        var start: UInt32
        var count: UInt32
    }

    private var buckets: [Bucket] = [Bucket(key: 0, start: 0, count: 0)]
    private var entries: [Listing] = []
    private var mask: UInt64 = 0

    var entryCount: Int { entries.count }

    init() {}

    init(_ cells: [UInt64: [Listing]]) {
        var capacity = 2
        while capacity < 2 * cells.count { capacity <<= 1 }
        mask = UInt64(capacity - 1)
        buckets = Array(repeating: Bucket(key: 0, start: 0, count: 0), count: capacity)
        for key in cells.keys {
            var index = FrozenCells.index(of: key, mask: mask)
            while buckets[index].key != 0 { index = (index + 1) & Int(mask) }
            buckets[index].key = key
        }
        entries.reserveCapacity(cells.values.reduce(0) { $0 + $1.count })
        for index in buckets.indices where buckets[index].key != 0 {
            let list = cells[buckets[index].key]!
            buckets[index].start = UInt32(entries.count)
            buckets[index].count = UInt32(list.count)
            entries.append(contentsOf: list)
        }
    }

    /// The home bucket of a key: Fibonacci hashing, the top bits of the key times
    /// 2^64 / φ.
    @inline(__always)
    private static func index(of key: UInt64, mask: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32 & mask)
    }

    /// Where the entries of the cell `key` are, if it has any.
    @inline(__always)
    private func run(of key: UInt64) -> Range<Int>? {
        buckets.withUnsafeBufferPointer { buckets in
            var index = FrozenCells.index(of: key, mask: mask)
            while true {
                let bucket = buckets[index]
                if bucket.key == key { return Int(bucket.start)..<Int(bucket.start + bucket.count) }
                if bucket.key == 0 { return nil }
                index = (index + 1) & Int(mask)
            }
        }
    }

    @inline(__always)
    func forEach(key: UInt64, _ body: (Listing) -> Void) {
        guard let run = run(of: key) else { return }
        entries.withUnsafeBufferPointer { entries in
            for listing in entries[run] where !listing.isTombstone { body(listing) }
        }
    }

    /// Overwrites the entries of `slot` in the cell `key` with tombstones.
    mutating func bury(slot: Int32, key: UInt64) {
        guard let run = run(of: key) else { return }
        for index in run where !entries[index].isTombstone && entries[index].slot == slot {
            entries[index] = .tombstone
        }
    }
}
