public import DeconflictGeometry

/// Outlines (zones) indexed for exact queries.
///
/// Point queries go through a multi-level cell cover (most points are decided by one
/// hash probe per level and a cell marked "wholly inside", by two spherical caps, or by
/// the boundary record of a crossed cell); box and radius queries through an ``RTree``
/// over the outlines' boxes; the geometry's exact predicates decide whatever the broad
/// phases leave open.
///
/// ```swift
/// var zones = ShapeIndex<String>()
/// zones.insert("at-tanf", .circle(try Circle(center: garrison, radiusMeters: 55_000)))
/// zones.forEach(containing: PreparedPoint(convoy)) { id in print("inside", id) }
/// ```
public struct ShapeIndex<Key: Hashable & Sendable>: Sendable {
    // The key of each slot; the geometry lives in the non-generic `storage`, so the
    // query path runs specialised code whatever the key type.
    @usableFromInline var keys: [Key?] = []
    private var slots: [Key: Int32] = [:]
    @usableFromInline var storage = ShapeStorage()

    /// Creates an empty index.
    public init() {}

    /// Creates an index holding `items`, packed in one pass.
    public init(_ items: some Sequence<(Key, Footprint)>) {
        var footprints: [Footprint] = []
        for (key, footprint) in items {
            precondition(slots[key] == nil, "duplicate key \(key)")
            slots[key] = Int32(keys.count)
            keys.append(key)
            footprints.append(footprint)
        }
        storage = ShapeStorage(footprints)
    }

    /// The number of outlines.
    public var count: Int { slots.count }

    /// The outline stored under `key`.
    public subscript(key: Key) -> Footprint? {
        slots[key].flatMap { storage.footprints[Int($0)] }
    }

    /// Adds or replaces the outline under `key`.
    public mutating func insert(_ key: Key, _ footprint: Footprint) {
        remove(key)
        slots[key] = storage.insert(footprint)
        keys.append(key)
    }

    /// Removes the outline under `key`; returns it, or `nil` if there was none.
    @discardableResult
    public mutating func remove(_ key: Key) -> Footprint? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        keys[Int(slot)] = nil
        return storage.remove(slot)
    }

    /// Calls `body` with the key of every outline that contains `point`.
    ///
    /// - Complexity: one hash probe per level of cell size in use, plus a test of the
    ///   few edges near the point for each outline whose boundary crosses its cell.
    @inlinable
    public func forEach(containing point: PreparedPoint, _ body: (Key) -> Void) {
        storage.forEachSlot(containing: point) { slot in
            if let key = keys[Int(slot)] { body(key) }
        }
    }

    /// Calls `body(index, key)` for every point of a batch and every outline that
    /// contains it: the answer of ``forEach(containing:_:)`` for each point.
    ///
    /// The points are visited in the order of a Z-order curve over their cells, not in
    /// the order given, so that neighbouring points share the index's cache lines: the
    /// batch form of the query for a stream of position reports.
    ///
    /// - Complexity: O(n log n) to order the n points, then the single-point cost each.
    @inlinable
    public func forEach(containingEach points: [PreparedPoint], _ body: (Int, Key) -> Void) {
        storage.forEachSlot(containingEach: points) { index, slot in
            if let key = keys[Int(slot)] { body(index, key) }
        }
    }

    /// The keys of the outlines that contain `point`.
    public func keys(containing point: LatLng) -> [Key] {
        var result: [Key] = []
        forEach(containing: PreparedPoint(point)) { result.append($0) }
        return result
    }

    /// Calls `body` with every outline that shares a point with `footprint`.
    public func forEach(intersecting footprint: Footprint, _ body: (Key) -> Void) {
        storage.tree.forEach(intersecting: footprint.boundingBox) { slot in
            guard let candidate = storage.footprints[Int(slot)], let key = keys[Int(slot)] else { return }
            if candidate.intersects(footprint) { body(key) }
        }
    }

    /// Calls `body` with every outline whose box intersects `box` (a broad-phase answer).
    public func forEach(intersecting box: BoundingBox, _ body: (Key, Footprint) -> Void) {
        storage.tree.forEach(intersecting: box) { slot in
            guard let footprint = storage.footprints[Int(slot)], let key = keys[Int(slot)] else { return }
            body(key, footprint)
        }
    }

    /// Calls `body` with every outline within `radiusMeters` (geodesic) of `center`,
    /// that is, whose outline meets the circle of that radius.
    public func forEach(within radiusMeters: Double, of center: LatLng, _ body: (Key) -> Void) {
        guard let reach = try? Circle(center: center, radiusMeters: max(radiusMeters, 1e-9)) else { return }
        forEach(intersecting: .circle(reach), body)
    }
}

/// The geometry behind a ``ShapeIndex``, by slot number.
@usableFromInline
struct ShapeStorage: Sendable {
    private(set) var footprints: [Footprint?] = []
    private var filters: [ContainmentFilter] = []
    private(set) var tree = RTree<Int32>()
    private var handles: [RTree<Int32>.Handle?] = []
    private var cover = CellCover()

    @usableFromInline init() {}

    init(_ items: [Footprint]) {
        footprints = items
        filters = items.map(ContainmentFilter.init)
        cover.insert(items.indices.map { (Int32($0), items[$0]) })
        tree = RTree(items.enumerated().map { ($0.element.boundingBox, Int32($0.offset)) })
        // Bulk-loaded handles are positions.
        handles = items.indices.map { RTree<Int32>.Handle(index: $0) }
    }

    mutating func insert(_ footprint: Footprint) -> Int32 {
        let slot = Int32(footprints.count)
        let filter = ContainmentFilter(footprint)
        footprints.append(footprint)
        filters.append(filter)
        cover.insert(slot: slot, footprint: footprint)
        handles.append(tree.insert(slot, box: footprint.boundingBox))
        return slot
    }

    mutating func remove(_ slot: Int32) -> Footprint? {
        let footprint = footprints[Int(slot)]
        footprints[Int(slot)] = nil
        if let handle = handles[Int(slot)] { tree.remove(handle) }
        handles[Int(slot)] = nil
        cover.remove(slot: slot)
        return footprint
    }

    @usableFromInline
    func forEachSlot(containing point: PreparedPoint, _ body: (Int32) -> Void) {
        cover.forEach(at: point.position) { listing in
            if let inside = decide(listing, point) {
                if inside { body(listing.slot) }
            } else if footprints[Int(listing.slot)]?.contains(point) == true {
                body(listing.slot)
            }
        }
    }

    /// Whether a listed outline contains `point`, when the cell's listing, the
    /// outline's filter or its boundary record can tell; `nil` leaves it to the
    /// outline's own exact test.
    @inline(__always)
    private func decide(_ listing: Listing, _ point: PreparedPoint) -> Bool? {
        if listing.whole { return true }
        if let inside = filters[Int(listing.slot)].classify(point) { return inside }
        if let record = listing.record { return cover.contains(point, record: record) }
        return nil
    }

    /// The batch form of ``forEachSlot(containing:_:)``: points in Z-order, in groups
    /// whose table probes, filter tests and exact tests each run as one pass, so that
    /// the processor overlaps their cache misses.
    @usableFromInline
    func forEachSlot(containingEach points: [PreparedPoint], _ body: (Int, Int32) -> Void) {
        let order = ZOrder.order(points)
        let groupSize = 32
        var group: [LatLng] = []
        group.reserveCapacity(groupSize)
        var listings: [(point: Int32, listing: Listing)] = []
        var undecided: [(point: Int32, slot: Int32)] = []
        var start = 0
        while start < order.count {
            let members = order[start..<min(order.count, start + groupSize)]
            group.removeAll(keepingCapacity: true)
            for index in members { group.append(points[index].position) }
            listings.removeAll(keepingCapacity: true)
            cover.collect(group[...], into: &listings)
            undecided.removeAll(keepingCapacity: true)
            for (point, listing) in listings {
                switch decide(listing, points[members[start + Int(point)]]) {
                case false?: continue
                case true?: body(members[start + Int(point)], listing.slot)
                case nil: undecided.append((point, listing.slot))
                }
            }
            for (point, slot) in undecided {
                let index = members[start + Int(point)]
                if footprints[Int(slot)]?.contains(points[index]) == true { body(index, slot) }
            }
            start += groupSize
        }
    }
}
