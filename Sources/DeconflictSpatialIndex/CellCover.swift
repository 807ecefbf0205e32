public import DeconflictGeometry

/// The point-query accelerator of ``ShapeIndex``: every outline is listed in the few
/// latitude/longitude cells its box covers, at a level of cell size chosen for its
/// size (2–4 cells a side), each listing marked "wholly inside" when the cell is, so
/// that most queries need a hash lookup per level in use and no exact test.
struct CellCover: Sendable {
    /// The cell size of level 0, in degrees; level `l` has cells `2^l` times larger.
    static let baseDegrees = 1.0 / 4_096
    /// An outline spans between half this and this many cells a side at its level.
    static let cellsPerSide = 8.0

    private struct Level: Sendable {
        let degrees: Double
        let inverse: Double
        // Entries per cell: slot << 1 | 1 when the cell is wholly inside the outline.
        var cells: [Int64: [UInt32]] = [:]

        init(number: Int) {
            degrees = CellCover.baseDegrees * Double(1 << number)
            inverse = 1 / degrees
        }

        @inline(__always)
        func key(latitude: Double, longitude: Double) -> Int64 {
            let row = Int64(((latitude + 90) * inverse).rounded(.down))
            let column = Int64(((longitude + 180) * inverse).rounded(.down))
            return row << 32 | column
        }
    }

    // Levels indexed by number; `active` lists the numbers that hold anything.
    private var levels: [Level] = []
    private var active: [Int] = []
    // Per slot: its level and the cell keys it is listed in, for removal.
    private var placements: [Int32: (level: Int, keys: [Int64])] = [:]

    /// Lists `slot` in the cells of its box.
    mutating func insert(slot: Int32, box: BoundingBox, filter: ContainmentFilter) {
        let span = max(box.maxLatitude - box.minLatitude, box.longitudeSpan)
        var number = 0
        while CellCover.baseDegrees * Double(1 << number) * CellCover.cellsPerSide < span, number < 20 { number += 1 }
        while levels.count <= number { levels.append(Level(number: levels.count)) }
        if !active.contains(number) {
            active.append(number)
            active.sort()
        }
        var level = levels[number]
        levels[number] = Level(number: number)  // keep the cells uniquely referenced
        var keys: [Int64] = []
        let size = level.degrees
        let firstRow = Int64(((box.minLatitude + 90) * level.inverse).rounded(.down))
        let lastRow = Int64(((box.maxLatitude + 90) * level.inverse).rounded(.down))
        for piece in box.split {
            let firstColumn = Int64(((piece.minLongitude + 180) * level.inverse).rounded(.down))
            let lastColumn = Int64(((piece.maxLongitude + 180) * level.inverse).rounded(.down))
            for row in firstRow...lastRow {
                for column in firstColumn...lastColumn {
                    let south = Double(row) * size - 90, west = Double(column) * size - 180
                    let whole = filter.classify(
                        minLatitude: max(-90, south), maxLatitude: min(90, south + size),
                        minLongitude: west, maxLongitude: west + size)
                    if whole == false { continue }
                    let key = row << 32 | column
                    level.cells[key, default: []].append(UInt32(slot) << 1 | (whole == true ? 1 : 0))
                    keys.append(key)
                }
            }
        }
        levels[number] = level
        placements[slot] = (number, keys)
    }

    /// Removes `slot` from every cell it is listed in.
    mutating func remove(slot: Int32) {
        guard let placement = placements.removeValue(forKey: slot) else { return }
        var level = levels[placement.level]
        levels[placement.level] = Level(number: placement.level)  // keep the cells uniquely referenced
        for key in placement.keys {
            level.cells[key]?.removeAll { $0 >> 1 == UInt32(slot) }
            if level.cells[key]?.isEmpty == true { level.cells[key] = nil }
        }
        levels[placement.level] = level
    }

    /// Calls `body` with each slot listed where `point` falls, and whether the cell is
    /// wholly inside that slot's outline.
    @inline(__always)
    func forEach(at point: LatLng, _ body: (Int32, Bool) -> Void) {
        for number in active {
            let key = levels[number].key(latitude: point.latitude, longitude: point.longitude)
            guard let entries = levels[number].cells[key] else { continue }
            for entry in entries { body(Int32(entry >> 1), entry & 1 == 1) }
        }
    }
}
