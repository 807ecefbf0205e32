public import DeconflictGeometry

/// An index of moving points (units) keyed by identity, built for very high update
/// rates: a hash of fixed latitude/longitude cells.
///
/// Moving a point within its cell is a lookup and a store; moving it across cells is
/// two swap-removes and an append. Each point keeps its unit vector, so a radius query
/// decides nearly every candidate with one dot product (only points within about 0.5 %
/// of the radius from the edge need the geodesic). Queries visit the cells under the
/// query's box and filter exactly. The methods are inlinable, so that each key type gets
/// code of its own rather than the generic path.
///
/// ```swift
/// var units = PointGrid<Int>()
/// units.update(42, to: convoyPosition)
/// units.forEach(within: 10_000, of: garrison) { unit, position in … }
/// ```
public struct PointGrid<Key: Hashable & Sendable>: Sendable {
    /// Cell size in degrees of latitude and longitude.
    public let cellDegrees: Double
    @usableFromInline let inverseCell: Double
    @usableFromInline let columnsPerRow: Int64

    /// A point's key and where it is listed.
    @usableFromInline
    struct Slot: Sendable {
        @usableFromInline var key: Key
        @usableFromInline var cell: Int64
        @usableFromInline var indexInCell: Int32

        @inlinable
        init(key: Key, cell: Int64, indexInCell: Int32) {
            self.key = key
            self.cell = cell
            self.indexInCell = indexInCell
        }
    }

    /// A point as its cell lists it: key, position and unit vector inline, so that a
    /// query reads one contiguous array per cell and nothing else.
    @usableFromInline
    struct Member: Sendable {
        @usableFromInline var slot: Int32
        @usableFromInline var key: Key
        @usableFromInline var point: PreparedPoint

        @inlinable
        init(slot: Int32, key: Key, point: PreparedPoint) {
            self.slot = slot
            self.key = key
            self.point = point
        }
    }

    @usableFromInline var slots: [Slot] = []
    @usableFromInline var slotOfKey: [Key: Int32] = [:]
    @usableFromInline var cells = CellTable<[Member]>()

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
    @inlinable
    public var count: Int { slots.count }

    /// The position of `key`, if it is in the index.
    @inlinable
    public func position(of key: Key) -> LatLng? {
        guard let slot = slotOfKey[key].map({ slots[Int($0)] }) else { return nil }
        return cells[slot.cell]?[Int(slot.indexInCell)].point.position
    }

    @inlinable
    func row(_ latitude: Double) -> Int64 { Int64(((latitude + 90) * inverseCell).rounded(.down)) }
    @inlinable
    func column(_ longitude: Double) -> Int64 {
        min(columnsPerRow - 2, Int64(((longitude + 180) * inverseCell).rounded(.down)))
    }
    @inlinable
    func cell(_ position: LatLng) -> Int64 {
        row(position.latitude) * columnsPerRow + column(position.longitude)
    }

    /// Inserts `key` at `position`, or moves it there.
    ///
    /// - Complexity: O(1) on average.
    @inlinable
    public mutating func update(_ key: Key, to position: LatLng) {
        let newCell = cell(position)
        let point = PreparedPoint(position)
        if let slotIndex = slotOfKey[key] {
            let index = Int(slotIndex)
            let slot = slots[index]
            if slot.cell == newCell {
                cells.withValue(at: newCell) { $0[Int(slot.indexInCell)].point = point }
                return
            }
            detach(slot: index)
            attach(slot: index, at: point, in: newCell)
        } else {
            let index = slots.count
            slots.append(Slot(key: key, cell: newCell, indexInCell: 0))
            slotOfKey[key] = Int32(index)
            attach(slot: index, at: point, in: newCell)
        }
    }

    /// Removes `key`; returns its last position, or `nil` if it was not there.
    ///
    /// - Complexity: O(1) on average.
    @inlinable @discardableResult
    public mutating func remove(_ key: Key) -> LatLng? {
        guard let slotIndex = slotOfKey.removeValue(forKey: key) else { return nil }
        let index = Int(slotIndex)
        let position = detach(slot: index)
        let last = slots.count - 1
        if index != last {
            // Move the last slot into the hole and repoint everything at it.
            let moved = slots[last]
            slots[index] = moved
            slotOfKey[moved.key] = Int32(index)
            cells.withValue(at: moved.cell) { $0[Int(moved.indexInCell)].slot = Int32(index) }
        }
        slots.removeLast()
        return position
    }

    @inlinable
    mutating func attach(slot index: Int, at point: PreparedPoint, in cell: Int64) {
        let count = cells.withValue(at: cell, default: []) { members in
            members.append(Member(slot: Int32(index), key: slots[index].key, point: point))
            return members.count
        }
        slots[index].cell = cell
        slots[index].indexInCell = Int32(count - 1)
    }

    /// Takes slot `index` out of its cell; returns the position it had there.
    @inlinable @discardableResult
    mutating func detach(slot index: Int) -> LatLng {
        let cell = slots[index].cell
        let position = Int(slots[index].indexInCell)
        let (removed, empty) = slots.withUnsafeMutableBufferPointer { slots in
            cells.withValue(at: cell) { members in
                let removed = members[position].point.position
                let last = members.count - 1
                if position != last {
                    let moved = members[last]
                    members[position] = moved
                    slots[Int(moved.slot)].indexInCell = Int32(position)
                }
                members.removeLast()
                return (removed, members.isEmpty)
            }
        }!
        if empty { cells.removeValue(forKey: cell) }
        return removed
    }

    /// Calls `body` with every point inside `box` (edges included).
    @inlinable
    public func forEach(in box: BoundingBox, _ body: (Key, LatLng) -> Void) {
        visitCells(of: box) { member in
            if box.contains(member.point.position) { body(member.key, member.point.position) }
        }
    }

    /// Calls `body` with every point within `radiusMeters` (geodesic, at most
    /// ``Circle/maximumRadiusMeters``) of `center`, with its position.
    @inlinable
    public func forEach(within radiusMeters: Double, of center: LatLng, _ body: (Key, LatLng) -> Void) {
        guard let circle = try? Circle(center: center, radiusMeters: max(radiusMeters, 1e-9)) else { return }
        visitCells(of: circle.boundingBox) { member in
            if circle.contains(member.point) { body(member.key, member.point.position) }
        }
    }

    /// The points exactly at `position`.
    @inlinable
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
                    found = []
                    for (_, members) in cells {
                        for member in members {
                            let position = member.point.position
                            found.append((member.key, position, Geodesic.distance(center, position)))
                        }
                    }
                }
                found.sort { $0.distanceMeters < $1.distanceMeters }
                return Array(found.prefix(limit))
            }
            radius = min(Circle.maximumRadiusMeters, radius * 4)
        }
    }

    /// Calls `body` with each member of the cells under `box`.
    @inlinable
    func visitCells(of box: BoundingBox, _ body: (Member) -> Void) {
        if box.crossesAntimeridian {
            for piece in box.split { visitCells(rows: row(box.minLatitude)...row(box.maxLatitude), piece, body) }
        } else {
            visitCells(rows: row(box.minLatitude)...row(box.maxLatitude), box, body)
        }
    }

    /// The cells of `rows` under `piece`, which does not cross the antimeridian.
    @inlinable
    func visitCells(rows: ClosedRange<Int64>, _ piece: BoundingBox, _ body: (Member) -> Void) {
        let c0 = column(piece.minLongitude), c1 = column(piece.maxLongitude)
        do {
            func visit(_ members: [Member]) {
                members.withUnsafeBufferPointer { members in
                    for member in members { body(member) }
                }
            }
            // Wide boxes: scanning the occupied cells is cheaper than the empty ones.
            if Int64(rows.count) * (c1 - c0 + 1) > Int64(cells.count) {
                for (cell, members) in cells {
                    let r = cell / columnsPerRow, c = cell % columnsPerRow
                    guard rows.contains(r), c >= c0, c <= c1 else { continue }
                    visit(members)
                }
                return
            }
            for r in rows {
                for c in c0...c1 {
                    guard let members = cells[r * columnsPerRow + c] else { continue }
                    visit(members)
                }
            }
        }
    }
}
