public import DeconflictGeometry

/// A packed R-tree over latitude/longitude boxes, for shapes that change rarely (zones).
///
/// The tree is bulk-loaded (sort-tile-recursive) into flat arrays of 16-wide nodes.
/// Insertions go to a small unsorted buffer and removals leave tombstones; the tree is
/// repacked when either grows past an eighth of its size, so updates cost O(log n)
/// amortised and queries stay fast. Boxes that cross the antimeridian are stored as two
/// pieces, so queries near ±180° longitude work.
///
/// ```swift
/// var zones = RTree<String>()
/// let handle = zones.insert("at-tanf", box: circle.boundingBox)
/// zones.forEach(containing: convoy) { id in print(id) }
/// zones.remove(handle)
/// ```
public struct RTree<Element: Sendable>: Sendable {
    /// Identifies an inserted element, for removal.
    public struct Handle: Hashable, Sendable {
        let index: Int
    }

    static var nodeSize: Int { 16 }

    // Every element ever inserted, by handle index; `nil` once removed.
    private var elements: [Element?] = []
    private var boxes: [BoundingBox] = []
    private var liveCount = 0

    // The packed tree over the pieces of the elements present at the last repack.
    // Level 0 holds the leaves; node `i` of level `l` covers children
    // `i * nodeSize ..< (i + 1) * nodeSize` of level `l - 1`.
    private var levels: [Level] = []
    // Elements added since the last repack.
    private var pending: [Int] = []
    // Elements removed since the last repack.
    private var removedSinceRepack = 0

    private struct Level: Sendable {
        var minLongitude: [Double] = []
        var minLatitude: [Double] = []
        var maxLongitude: [Double] = []
        var maxLatitude: [Double] = []
        // Leaves only: the element of each piece.
        var element: [Int32] = []
    }

    /// Creates an empty tree.
    public init() {}

    /// Creates a tree holding `items`, packed in one pass.
    ///
    /// - Complexity: O(n log n).
    public init(_ items: some Sequence<(BoundingBox, Element)>) {
        for (box, element) in items {
            elements.append(element)
            boxes.append(box)
        }
        liveCount = elements.count
        repack()
    }

    /// The number of elements in the tree.
    public var count: Int { liveCount }

    /// The element behind a handle, if it is still in the tree.
    public subscript(handle: Handle) -> Element? { elements[handle.index] }

    /// Adds an element covering `box`.
    ///
    /// - Complexity: amortised O(log n).
    @discardableResult
    public mutating func insert(_ element: Element, box: BoundingBox) -> Handle {
        elements.append(element)
        boxes.append(box)
        liveCount += 1
        pending.append(elements.count - 1)
        if pending.count > max(64, liveCount / 8) { repack() }
        return Handle(index: elements.count - 1)
    }

    /// Removes the element behind `handle`; returns it, or `nil` if it was already gone.
    ///
    /// - Complexity: amortised O(log n).
    @discardableResult
    public mutating func remove(_ handle: Handle) -> Element? {
        guard let element = elements[handle.index] else { return nil }
        elements[handle.index] = nil
        liveCount -= 1
        if let position = pending.firstIndex(of: handle.index) {
            pending.remove(at: position)
        } else {
            removedSinceRepack += 1
            if removedSinceRepack > max(64, liveCount / 8) { repack() }
        }
        return element
    }

    /// Calls `body` with every element whose box contains `point`.
    ///
    /// - Complexity: O(log n + k) for k results, for well-spread boxes.
    public func forEach(containing point: LatLng, _ body: (Element) -> Void) {
        let x = point.longitude, y = point.latitude
        search(
            { minX, minY, maxX, maxY in minX <= x && x <= maxX && minY <= y && y <= maxY },
            body)
        for index in pending where boxes[index].contains(point) {
            if let element = elements[index] { body(element) }
        }
    }

    /// Calls `body` with every element whose box intersects `box`, each once.
    public func forEach(intersecting box: BoundingBox, _ body: (Element) -> Void) {
        let pieces = box.split
        var seen = Set<Int32>()
        for piece in pieces {
            let x0 = piece.minLongitude, y0 = piece.minLatitude, x1 = piece.maxLongitude, y1 = piece.maxLatitude
            searchIndices({ minX, minY, maxX, maxY in minX <= x1 && x0 <= maxX && minY <= y1 && y0 <= maxY }) {
                index in
                // An element stored as two pieces may match twice.
                if boxes[Int(index)].crossesAntimeridian || pieces.count > 1 {
                    guard seen.insert(index).inserted else { return }
                }
                if let element = elements[Int(index)] { body(element) }
            }
        }
        for index in pending where boxes[index].intersects(box) {
            if let element = elements[index] { body(element) }
        }
    }

    /// Calls `body` with every element whose box comes within `radiusMeters`
    /// (geodesic) of `center`: candidates for an exact test.
    public func forEach(near center: LatLng, radiusMeters: Double, _ body: (Element) -> Void) {
        forEach(intersecting: BoundingBox.around(center, radiusMeters: radiusMeters), body)
    }

    /// The elements whose box contains `point`.
    public func elements(containing point: LatLng) -> [Element] {
        var result: [Element] = []
        forEach(containing: point) { result.append($0) }
        return result
    }

    /// The elements whose box intersects `box`.
    public func elements(intersecting box: BoundingBox) -> [Element] {
        var result: [Element] = []
        forEach(intersecting: box) { result.append($0) }
        return result
    }

    private func search(_ overlaps: (Double, Double, Double, Double) -> Bool, _ body: (Element) -> Void) {
        searchIndices(overlaps) { index in
            if let element = elements[Int(index)] { body(element) }
        }
    }

    private func searchIndices(_ overlaps: (Double, Double, Double, Double) -> Bool, _ body: (Int32) -> Void) {
        guard let top = levels.indices.last else { return }
        // Depth-first over (level, node) pairs; the stack never exceeds depth × 16.
        var stack: [(level: Int, node: Int)] = []
        stack.reserveCapacity(64)
        let root = levels[top]
        for node in root.minLongitude.indices {
            stack.append((top, node))
        }
        let nodeSize = RTree.nodeSize
        while let (levelIndex, node) = stack.popLast() {
            let level = levels[levelIndex]
            guard overlaps(level.minLongitude[node], level.minLatitude[node], level.maxLongitude[node], level.maxLatitude[node])
            else { continue }
            if levelIndex == 0 {
                body(level.element[node])
                continue
            }
            let childCount = levels[levelIndex - 1].minLongitude.count
            let first = node * nodeSize
            for child in first..<min(first + nodeSize, childCount) {
                stack.append((levelIndex - 1, child))
            }
        }
    }

    /// Rebuilds the packed tree from every live element.
    private mutating func repack() {
        pending.removeAll()
        removedSinceRepack = 0
        // Leaves: one piece per box, two for boxes across the antimeridian.
        var pieces: [(box: BoundingBox, element: Int32)] = []
        pieces.reserveCapacity(liveCount)
        for index in elements.indices where elements[index] != nil {
            for piece in boxes[index].split { pieces.append((piece, Int32(index))) }
        }
        levels = []
        guard !pieces.isEmpty else { return }
        // Sort-tile-recursive: vertical slices by centre longitude, each sorted by latitude.
        let nodeSize = RTree.nodeSize
        pieces.sort { ($0.box.minLongitude + $0.box.maxLongitude) < ($1.box.minLongitude + $1.box.maxLongitude) }
        let leafNodes = (pieces.count + nodeSize - 1) / nodeSize
        let slices = max(1, Int(Double(leafNodes).squareRoot().rounded(.up)))
        let sliceSize = slices * nodeSize
        var start = 0
        while start < pieces.count {
            let end = min(start + sliceSize, pieces.count)
            pieces[start..<end].sort { ($0.box.minLatitude + $0.box.maxLatitude) < ($1.box.minLatitude + $1.box.maxLatitude) }
            start = end
        }
        var leaves = Level()
        for piece in pieces {
            leaves.minLongitude.append(piece.box.minLongitude)
            leaves.minLatitude.append(piece.box.minLatitude)
            leaves.maxLongitude.append(piece.box.maxLongitude)
            leaves.maxLatitude.append(piece.box.maxLatitude)
            leaves.element.append(piece.element)
        }
        levels.append(leaves)
        while levels[levels.count - 1].minLongitude.count > nodeSize {
            let below = levels[levels.count - 1]
            var level = Level()
            var first = 0
            while first < below.minLongitude.count {
                let range = first..<min(first + nodeSize, below.minLongitude.count)
                level.minLongitude.append(below.minLongitude[range].min()!)
                level.minLatitude.append(below.minLatitude[range].min()!)
                level.maxLongitude.append(below.maxLongitude[range].max()!)
                level.maxLatitude.append(below.maxLatitude[range].max()!)
                first += nodeSize
            }
            levels.append(level)
        }
    }
}
