public import DeconflictGeometry

/// Outlines (zones) indexed for exact queries: an ``RTree`` over their boxes as the
/// broad phase, the geometry's exact predicates as the narrow phase.
///
/// ```swift
/// var zones = ShapeIndex<String>()
/// zones.insert("at-tanf", .circle(try Circle(center: garrison, radiusMeters: 55_000)))
/// zones.forEach(containing: PreparedPoint(convoy)) { id in print("inside", id) }
/// ```
public struct ShapeIndex<Key: Hashable & Sendable>: Sendable {
    private var tree = RTree<Int32>()
    private var shapes: [(key: Key, footprint: Footprint)?] = []
    private var handles: [Key: (slot: Int32, handle: RTree<Int32>.Handle)] = [:]

    /// Creates an empty index.
    public init() {}

    /// Creates an index holding `items`, packed in one pass.
    public init(_ items: some Sequence<(Key, Footprint)>) {
        var entries: [(BoundingBox, Int32)] = []
        for (key, footprint) in items {
            precondition(handles[key] == nil, "duplicate key \(key)")
            let slot = Int32(shapes.count)
            shapes.append((key, footprint))
            entries.append((footprint.boundingBox, slot))
            handles[key] = (slot, RTree<Int32>.Handle(index: Int(slot)))
        }
        tree = RTree(entries)
    }

    /// The number of outlines.
    public var count: Int { handles.count }

    /// The outline stored under `key`.
    public subscript(key: Key) -> Footprint? {
        handles[key].flatMap { shapes[Int($0.slot)]?.footprint }
    }

    /// Adds or replaces the outline under `key`.
    public mutating func insert(_ key: Key, _ footprint: Footprint) {
        remove(key)
        let slot = Int32(shapes.count)
        shapes.append((key, footprint))
        handles[key] = (slot, tree.insert(slot, box: footprint.boundingBox))
    }

    /// Removes the outline under `key`; returns it, or `nil` if there was none.
    @discardableResult
    public mutating func remove(_ key: Key) -> Footprint? {
        guard let entry = handles.removeValue(forKey: key) else { return nil }
        tree.remove(entry.handle)
        let footprint = shapes[Int(entry.slot)]?.footprint
        shapes[Int(entry.slot)] = nil
        return footprint
    }

    /// Calls `body` with the key of every outline that contains `point`.
    ///
    /// - Complexity: O(log n + k) for k candidates whose boxes contain the point.
    public func forEach(containing point: PreparedPoint, _ body: (Key) -> Void) {
        tree.forEach(containing: point.position) { slot in
            guard let shape = shapes[Int(slot)] else { return }
            if shape.footprint.contains(point) { body(shape.key) }
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
        tree.forEach(intersecting: footprint.boundingBox) { slot in
            guard let shape = shapes[Int(slot)] else { return }
            if shape.footprint.intersects(footprint) { body(shape.key) }
        }
    }

    /// Calls `body` with every outline whose box intersects `box` (a broad-phase answer).
    public func forEach(intersecting box: BoundingBox, _ body: (Key, Footprint) -> Void) {
        tree.forEach(intersecting: box) { slot in
            guard let shape = shapes[Int(slot)] else { return }
            body(shape.key, shape.footprint)
        }
    }

    /// Calls `body` with every outline within `radiusMeters` (geodesic) of `center`,
    /// that is, whose outline meets the circle of that radius.
    public func forEach(within radiusMeters: Double, of center: LatLng, _ body: (Key) -> Void) {
        guard let reach = try? Circle(center: center, radiusMeters: max(radiusMeters, 1e-9)) else { return }
        forEach(intersecting: .circle(reach), body)
    }
}
