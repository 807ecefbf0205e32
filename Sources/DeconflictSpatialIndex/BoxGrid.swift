public import DeconflictGeometry

/// An index of boxes keyed by non-negative integers (slot numbers), built for
/// boxes that move a little at a time: the box a unit sweeps over the next minutes.
///
/// Each box is listed in the fixed latitude/longitude cells it covers. Moving a box
/// whose cells stay the same is a store; otherwise it leaves the old cells and joins the
/// new ones. A query visits the cells under its box and reports each box that
/// intersects it exactly once.
///
/// ```swift
/// var swept = BoxGrid(cellDegrees: 1)
/// swept.update(7, to: BoundingBox.around(position, radiusMeters: 75_000))
/// swept.forEach(intersecting: query) { slot in … }
/// ```
public struct BoxGrid: Sendable {
    /// Cell size in degrees of latitude and longitude.
    public let cellDegrees: Double
    private let inverseCell: Double
    private let columnsPerRow: Int64

    /// Rows and columns a box covers, on one side of the antimeridian.
    private struct Span: Hashable, Sendable {
        var row0: Int32, row1: Int32, column0: Int32, column1: Int32

        func contains(row: Int64, column: Int64) -> Bool {
            row >= row0 && row <= row1 && column >= column0 && column <= column1
        }
    }

    /// A box and the cells it covers: one span, two across the antimeridian.
    private struct Entry: Sendable {
        var box: BoundingBox
        var first: Span
        var second: Span?

        var spans: Spans { Spans(first: first, second: second) }
    }

    /// One or two spans, visited without building an array.
    private struct Spans: Sequence, IteratorProtocol {
        var first: Span?
        var second: Span?

        mutating func next() -> Span? {
            if let span = first {
                first = nil
                return span
            }
            defer { second = nil }
            return second
        }
    }

    /// A box as a cell lists it: in single precision, rounded outwards, so that a scan
    /// of a cell reads one contiguous array.
    private struct Member: Sendable {
        let key: Int32
        var minLatitude: Float, maxLatitude: Float, minLongitude: Float, maxLongitude: Float

        init(key: Int32, box: BoundingBox) {
            self.key = key
            minLatitude = Float(box.minLatitude).nextDown
            maxLatitude = Float(box.maxLatitude).nextUp
            minLongitude = Float(box.minLongitude).nextDown
            maxLongitude = Float(box.maxLongitude).nextUp
        }

        /// Whether the box may meet `query` (never false when the boxes meet).
        func mayIntersect(_ query: Member) -> Bool {
            guard minLatitude <= query.maxLatitude, query.minLatitude <= maxLatitude else { return false }
            let wraps = minLongitude > maxLongitude, queryWraps = query.minLongitude > query.maxLongitude
            switch (wraps, queryWraps) {
            case (false, false): return minLongitude <= query.maxLongitude && query.minLongitude <= maxLongitude
            case (true, true): return true
            // Across the antimeridian: [min, 180] ∪ [−180, max].
            case (true, false): return query.maxLongitude >= minLongitude || query.minLongitude <= maxLongitude
            case (false, true): return maxLongitude >= query.minLongitude || minLongitude <= query.maxLongitude
            }
        }
    }

    private var entries: [Int32: Entry] = [:]
    private var cells = CellTable<[Member]>()
    public private(set) var count = 0

    /// Creates an empty index.
    ///
    /// - Parameter cellDegrees: the cell size; about the size of a typical box works best.
    public init(cellDegrees: Double) {
        precondition(cellDegrees > 0 && cellDegrees <= 90, "cellDegrees must be in (0, 90]")
        self.cellDegrees = cellDegrees
        inverseCell = 1 / cellDegrees
        columnsPerRow = Int64((360 / cellDegrees).rounded(.up)) + 1
    }

    private func row(_ latitude: Double) -> Int64 { Int64(((latitude + 90) * inverseCell).rounded(.down)) }
    private func column(_ longitude: Double) -> Int64 {
        min(columnsPerRow - 2, Int64(((longitude + 180) * inverseCell).rounded(.down)))
    }

    private func spans(of box: BoundingBox) -> (Span, Span?) {
        let r0 = Int32(row(box.minLatitude)), r1 = Int32(row(box.maxLatitude))
        func span(_ minLongitude: Double, _ maxLongitude: Double) -> Span {
            Span(row0: r0, row1: r1, column0: Int32(column(minLongitude)), column1: Int32(column(maxLongitude)))
        }
        guard box.crossesAntimeridian else { return (span(box.minLongitude, box.maxLongitude), nil) }
        return (span(box.minLongitude, 180), span(-180, box.maxLongitude))
    }

    /// The box of `key`, if it is in the index.
    public func box(of key: Int) -> BoundingBox? {
        entries[Int32(key)]?.box
    }

    /// Inserts the box of `key`, or moves it to `box`.
    ///
    /// - Complexity: O(1) when the box covers the same cells; otherwise proportional to
    ///   the cells covered and their occupancy.
    public mutating func update(_ key: Int, to box: BoundingBox) {
        precondition(key >= 0, "keys are slot numbers")
        let (first, second) = spans(of: box)
        if let entry = entries[Int32(key)] {
            if entry.first == first, entry.second == second {
                entries[Int32(key)]!.box = box
                let member = Member(key: Int32(key), box: box)
                for span in entry.spans {
                    for r in Int64(span.row0)...Int64(span.row1) {
                        for c in Int64(span.column0)...Int64(span.column1) {
                            let cell = r * columnsPerRow + c
                            cells.withValue(at: cell) { members in
                                if let index = members.firstIndex(where: { $0.key == member.key }) { members[index] = member }
                            }
                        }
                    }
                }
                return
            }
            detach(key, entry.spans)
        } else {
            count += 1
        }
        let entry = Entry(box: box, first: first, second: second)
        entries[Int32(key)] = entry
        let member = Member(key: Int32(key), box: box)
        for span in entry.spans {
            for r in Int64(span.row0)...Int64(span.row1) {
                for c in Int64(span.column0)...Int64(span.column1) {
                    cells.withValue(at: r * columnsPerRow + c, default: []) { $0.append(member) }
                }
            }
        }
    }

    /// Removes the box of `key`, if there is one.
    public mutating func remove(_ key: Int) {
        guard let entry = entries.removeValue(forKey: Int32(key)) else { return }
        detach(key, entry.spans)
        count -= 1
    }

    private mutating func detach(_ key: Int, _ spans: Spans) {
        let member = Int32(key)
        for span in spans {
            for r in Int64(span.row0)...Int64(span.row1) {
                for c in Int64(span.column0)...Int64(span.column1) {
                    let cell = r * columnsPerRow + c
                    let empty = cells.withValue(at: cell) { members in
                        if let index = members.firstIndex(where: { $0.key == member }) {
                            members[index] = members[members.count - 1]
                            members.removeLast()
                        }
                        return members.isEmpty
                    }
                    if empty == true { cells.removeValue(forKey: cell) }
                }
            }
        }
    }

    /// Calls `body` once with the key of every box that intersects `box` (edges included).
    public func forEach(intersecting box: BoundingBox, _ body: (Int) -> Void) {
        let (first, second) = spans(of: box)
        let probe = Member(key: -1, box: box)
        do {
            for index in 0..<(second == nil ? 1 : 2) {
                let query = index == 0 ? first : second.unsafelyUnwrapped
                for r in Int64(query.row0)...Int64(query.row1) {
                    for c in Int64(query.column0)...Int64(query.column1) {
                        guard let members = cells[r * columnsPerRow + c] else { continue }
                        for member in members where member.mayIntersect(probe) {
                            let entry = entries[member.key].unsafelyUnwrapped
                            guard entry.box.intersects(box),
                                  isFirstMeeting(entry.first, entry.second, first, second, row: r, column: c)
                            else { continue }
                            body(Int(member.key))
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the key of every box that intersects `box`, cheaply: a box
    /// listed in several cells under the query comes once per cell, and a box that
    /// misses by less than single-precision rounding (a metre or so) may come too. For
    /// callers that filter their candidates anyway.
    public func forEachCandidate(intersecting box: BoundingBox, _ body: (Int) -> Void) {
        let (first, second) = spans(of: box)
        let probe = Member(key: -1, box: box)
        for index in 0..<(second == nil ? 1 : 2) {
            let query = index == 0 ? first : second.unsafelyUnwrapped
            for r in Int64(query.row0)...Int64(query.row1) {
                for c in Int64(query.column0)...Int64(query.column1) {
                    guard let members = cells[r * columnsPerRow + c] else { continue }
                    for member in members where member.mayIntersect(probe) { body(Int(member.key)) }
                }
            }
        }
    }

    /// Whether cell (`row`, `column`) is the first cell, in visiting order, that both the
    /// entry and the query cover: each pair is then reported from one cell only.
    private func isFirstMeeting(
        _ entryFirst: Span, _ entrySecond: Span?, _ queryFirst: Span, _ querySecond: Span?, row: Int64, column: Int64
    ) -> Bool {
        if entrySecond == nil, querySecond == nil {
            return Int64(max(queryFirst.row0, entryFirst.row0)) == row && Int64(max(queryFirst.column0, entryFirst.column0)) == column
        }
        for q in [queryFirst, querySecond] {
            guard let q else { continue }
            var first: (row: Int64, column: Int64)? = nil
            for e in [entryFirst, entrySecond] {
                guard let e else { continue }
                let r0 = Int64(max(q.row0, e.row0)), r1 = Int64(min(q.row1, e.row1))
                let c0 = Int64(max(q.column0, e.column0)), c1 = Int64(min(q.column1, e.column1))
                guard r0 <= r1, c0 <= c1 else { continue }
                if first.map({ (r0, c0) < ($0.row, $0.column) }) ?? true { first = (r0, c0) }
            }
            if let first { return first.row == row && first.column == column }
        }
        return false
    }
}
