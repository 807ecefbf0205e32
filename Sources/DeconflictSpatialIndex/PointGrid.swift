public import DeconflictGeometry

/// An index of moving points (units) keyed by identity, built for very high update
/// rates: a hash of fixed latitude/longitude cells.
///
/// Moving a point within its cell is a lookup and a store; moving it across cells is
/// two swap-removes and an append. Queries visit the cells under the query's box and
/// filter exactly.
///
/// ```swift
/// var units = PointGrid<Int>()
/// units.update(42, to: convoyPosition)
/// units.forEach(within: 10_000, of: garrison) { unit, position in … }
/// ```
public struct PointGrid<Key: Hashable & Sendable>: Sendable {
    /// Cell size in degrees of latitude and longitude.
    public let cellDegrees: Double
    private let inverseCell: Double
    private let columnsPerRow: Int64

    private struct Slot: Sendable {
        var key: Key
        var position: LatLng
        var cell: Int64
        var indexInCell: Int32
    }

    private var slots: [Slot] = []
    private var slotOfKey: [Key: Int32] = [:]
    private var cells: [Int64: [Int32]] = [:]

    /// Creates an empty index.
    ///
    /// - Parameter cellDegrees: the cell size; about the typical query radius works
    ///   best (0.1° is about 11 km of latitude).
    public init(cellDegrees: Double = 0.1) {
        precondition(cellDegrees > 0 && cellDegrees <= 90, "cellDegrees must be in (0, 90]")
        self.cellDegrees = cellDegrees
        inverseCell = 1 / cellDegrees
        columnsPerRow = Int64((360 / cellDegrees).rounded(.up)) + 1
    }

    /// The number of points.
    public var count: Int { slots.count }

    /// The position of `key`, if it is in the index.
    public func position(of key: Key) -> LatLng? {
        slotOfKey[key].map { slots[Int($0)].position }
    }

    private func row(_ latitude: Double) -> Int64 { Int64(((latitude + 90) * inverseCell).rounded(.down)) }
    private func column(_ longitude: Double) -> Int64 {
        min(columnsPerRow - 2, Int64(((longitude + 180) * inverseCell).rounded(.down)))
    }
    private func cell(_ position: LatLng) -> Int64 {
        row(position.latitude) * columnsPerRow + column(position.longitude)
    }

    /// Inserts `key` at `position`, or moves it there.
    ///
    /// - Complexity: O(1) on average.
    public mutating func update(_ key: Key, to position: LatLng) {
        let newCell = cell(position)
        if let slotIndex = slotOfKey[key] {
            let index = Int(slotIndex)
            let oldCell = slots[index].cell
            slots[index].position = position
            if oldCell == newCell { return }
            detach(slot: index)
            attach(slot: index, to: newCell)
        } else {
            let index = slots.count
            slots.append(Slot(key: key, position: position, cell: newCell, indexInCell: 0))
            slotOfKey[key] = Int32(index)
            attach(slot: index, to: newCell)
        }
    }

    /// Removes `key`; returns its last position, or `nil` if it was not there.
    ///
    /// - Complexity: O(1) on average.
    @discardableResult
    public mutating func remove(_ key: Key) -> LatLng? {
        guard let slotIndex = slotOfKey.removeValue(forKey: key) else { return nil }
        let index = Int(slotIndex)
        let position = slots[index].position
        detach(slot: index)
        let last = slots.count - 1
        if index != last {
            // Move the last slot into the hole and repoint everything at it.
            let moved = slots[last]
            slots[index] = moved
            slotOfKey[moved.key] = Int32(index)
            cells[moved.cell]![Int(moved.indexInCell)] = Int32(index)
        }
        slots.removeLast()
        return position
    }

    private mutating func attach(slot index: Int, to cell: Int64) {
        slots[index].cell = cell
        var position: Int32 = 0
        cells[cell, default: []].append(Int32(index))
        position = Int32(cells[cell]!.count - 1)
        slots[index].indexInCell = position
    }

    private mutating func detach(slot index: Int) {
        let cell = slots[index].cell
        let position = Int(slots[index].indexInCell)
        cells[cell]!.withUnsafeMutableBufferPointer { members in
            let last = members.count - 1
            if position != last {
                let moved = members[last]
                members[position] = moved
                slots[Int(moved)].indexInCell = Int32(position)
            }
        }
        cells[cell]!.removeLast()
        if cells[cell]!.isEmpty { cells[cell] = nil }
    }

    /// Calls `body` with every point inside `box` (edges included).
    public func forEach(in box: BoundingBox, _ body: (Key, LatLng) -> Void) {
        visitCells(of: box) { slot in
            if box.contains(slot.position) { body(slot.key, slot.position) }
        }
    }

    /// Calls `body` with every point within `radiusMeters` (geodesic, at most
    /// ``Circle/maximumRadiusMeters``) of `center`, with its position.
    public func forEach(within radiusMeters: Double, of center: LatLng, _ body: (Key, LatLng) -> Void) {
        guard let circle = try? Circle(center: center, radiusMeters: max(radiusMeters, 1e-9)) else { return }
        visitCells(of: circle.boundingBox) { slot in
            if circle.contains(slot.position) { body(slot.key, slot.position) }
        }
    }

    /// The points exactly at `position`.
    public func keys(at position: LatLng) -> [Key] {
        var result: [Key] = []
        forEach(in: BoundingBox(position)) { key, _ in result.append(key) }
        return result
    }

    /// The `limit` points nearest to `center` by geodesic distance, nearest first.
    public func nearest(to center: LatLng, limit: Int) -> [(key: Key, position: LatLng, distanceMeters: Double)] {
        guard limit > 0, !slots.isEmpty else { return [] }
        var radius = cellDegrees * 111_000
        while true {
            var found: [(key: Key, position: LatLng, distanceMeters: Double)] = []
            forEach(within: radius, of: center) { key, position in
                found.append((key, position, Geodesic.distance(center, position)))
            }
            if found.count >= limit || radius >= Circle.maximumRadiusMeters {
                if found.count < limit, radius >= Circle.maximumRadiusMeters {
                    // Beyond the largest radius: fall back to every point.
                    found = slots.map { ($0.key, $0.position, Geodesic.distance(center, $0.position)) }
                }
                found.sort { $0.distanceMeters < $1.distanceMeters }
                return Array(found.prefix(limit))
            }
            radius = min(Circle.maximumRadiusMeters, radius * 4)
        }
    }

    private func visitCells(of box: BoundingBox, _ body: (Slot) -> Void) {
        let r0 = row(box.minLatitude), r1 = row(box.maxLatitude)
        for piece in box.split {
            let c0 = column(piece.minLongitude), c1 = column(piece.maxLongitude)
            // Wide boxes: scanning the occupied cells is cheaper than the empty ones.
            if (r1 - r0 + 1) * (c1 - c0 + 1) > Int64(cells.count) {
                for (cell, members) in cells {
                    let r = cell / columnsPerRow, c = cell % columnsPerRow
                    guard r >= r0, r <= r1, c >= c0, c <= c1 else { continue }
                    for member in members { body(slots[Int(member)]) }
                }
                continue
            }
            for r in r0...r1 {
                for c in c0...c1 {
                    guard let members = cells[r * columnsPerRow + c] else { continue }
                    for member in members { body(slots[Int(member)]) }
                }
            }
        }
    }
}
