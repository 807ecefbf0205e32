public import DeconflictGeometry

/// A packed R-tree over latitude/longitude boxes, for shapes that change rarely (zones).
///
/// The tree is bulk-loaded (sort-tile-recursive) into flat arrays of 8-wide nodes.
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

    static var nodeSize: Int { 8 }

    // Every element ever inserted, by handle index; `nil` once removed.
    private var elements: [Element?] = []
    private var boxes: [BoundingBox] = []
    private var liveCount = 0

    // The packed tree over the pieces of the elements present at the last repack, as
    // flat arrays of node boxes: the leaves first, then each level above. Node `i` of a
    // level covers children `i * nodeSize ..< (i + 1) * nodeSize` of the level below.
    // Boxes are stored as Float, rounded outward, four to an entry (min longitude,
    // min latitude, max longitude, max latitude): a node of 8 fills two cache lines.
    private var nodeBoxes: [Float] = []
    // Where each level starts in the node arrays; one extra entry holds the total.
    private var levelStarts: [Int] = []
    // The element of each leaf.
    private var leafElements: [Int32] = []
    // Elements added since the last repack.
    private var pending: [Int] = []
    // Elements removed since the last repack.
    private var removedSinceRepack = 0

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
        searchIndices({ minX, minY, maxX, maxY in minX <= x && x <= maxX && minY <= y && y <= maxY }) { index in
            // Node boxes are rounded outward to single precision: confirm exactly.
            if boxes[Int(index)].contains(point), let element = elements[Int(index)] { body(element) }
        }
        for index in pending where boxes[index].contains(point) {
            if let element = elements[index] { body(element) }
        }
    }

    /// Calls `body` with every element whose box intersects `box`, each once.
    public func forEach(intersecting box: BoundingBox, _ body: (Element) -> Void) {
        func visit(_ piece: BoundingBox, seen: inout Set<Int32>?) {
            let x0 = piece.minLongitude, y0 = piece.minLatitude, x1 = piece.maxLongitude, y1 = piece.maxLatitude
            searchIndices({ minX, minY, maxX, maxY in minX <= x1 && x0 <= maxX && minY <= y1 && y0 <= maxY }) {
                index in
                let stored = boxes[Int(index)]
                guard stored.intersects(box), let element = elements[Int(index)] else { return }
                // An element stored as two pieces, or met by a query in two pieces,
                // may match twice.
                if stored.crossesAntimeridian || seen != nil {
                    if seen == nil { seen = [] }
                    guard seen!.insert(index).inserted else { return }
                }
                body(element)
            }
        }
        var seen: Set<Int32>? = box.crossesAntimeridian ? [] : nil
        if box.crossesAntimeridian {
            for piece in box.split { visit(piece, seen: &seen) }
        } else {
            visit(box, seen: &seen)
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

    private func searchIndices(_ overlaps: (Double, Double, Double, Double) -> Bool, _ body: (Int32) -> Void) {
        let levelCount = levelStarts.count - 1
        guard levelCount > 0 else { return }
        let nodeSize = RTree.nodeSize
        // Raw buffers: array accesses in the descent would otherwise retain and release.
        levelStarts.withUnsafeBufferPointer { starts in
        nodeBoxes.withUnsafeBufferPointer { boxes in
        leafElements.withUnsafeBufferPointer { leaves in
            // Depth-first with an explicit stack of (level, node within level); it never
            // holds more than levels × nodeSize entries.
            withUnsafeTemporaryAllocation(of: (Int32, Int32).self, capacity: levelCount * nodeSize + nodeSize) { stack in
                var top = 0
                let rootLevel = levelCount - 1
                for node in 0..<(starts[rootLevel + 1] - starts[rootLevel]) {
                    stack[top] = (Int32(rootLevel), Int32(node))
                    top += 1
                }
                while top > 0 {
                    top -= 1
                    let level = Int(stack[top].0), node = Int(stack[top].1)
                    let global = starts[level] + node
                    let box = 4 * global
                    guard overlaps(Double(boxes[box]), Double(boxes[box + 1]), Double(boxes[box + 2]), Double(boxes[box + 3]))
                    else { continue }
                    if level == 0 {
                        body(leaves[node])
                        continue
                    }
                    let childCount = starts[level] - starts[level - 1]
                    let first = node * nodeSize
                    for child in first..<min(first + nodeSize, childCount) {
                        stack[top] = (Int32(level - 1), Int32(child))
                        top += 1
                    }
                }
            }
        }
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
        levelStarts = []
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
        nodeBoxes = []
        nodeBoxes.reserveCapacity(pieces.count * 4 * 17 / 16 + 64)
        for piece in pieces {
            appendBox(piece.box.minLongitude, piece.box.minLatitude, piece.box.maxLongitude, piece.box.maxLatitude)
        }
        leafElements = pieces.map(\.element)
        levelStarts = [0, pieces.count]
        // Parent levels until one fits in a node.
        while levelStarts[levelStarts.count - 1] - levelStarts[levelStarts.count - 2] > nodeSize {
            let below = levelStarts[levelStarts.count - 2]..<levelStarts[levelStarts.count - 1]
            var first = below.lowerBound
            while first < below.upperBound {
                var minX = Float.infinity, minY = Float.infinity, maxX = -Float.infinity, maxY = -Float.infinity
                for child in first..<min(first + nodeSize, below.upperBound) {
                    minX = min(minX, nodeBoxes[4 * child]); minY = min(minY, nodeBoxes[4 * child + 1])
                    maxX = max(maxX, nodeBoxes[4 * child + 2]); maxY = max(maxY, nodeBoxes[4 * child + 3])
                }
                nodeBoxes += [minX, minY, maxX, maxY]
                first += nodeSize
            }
            levelStarts.append(nodeBoxes.count / 4)
        }
    }

    /// Appends a box in single precision, rounded outward so it still covers the original.
    private mutating func appendBox(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) {
        func down(_ value: Double) -> Float {
            let narrowed = Float(value)
            return Double(narrowed) > value ? narrowed.nextDown : narrowed
        }
        func up(_ value: Double) -> Float {
            let narrowed = Float(value)
            return Double(narrowed) < value ? narrowed.nextUp : narrowed
        }
        nodeBoxes += [down(minX), down(minY), up(maxX), up(maxY)]
    }
}
