#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Things due at a time, the earliest first: a binary min-heap ordered by time, then by
/// the order they were added (so equal times come out in a fixed order).
package struct DeadlineQueue<Item: Sendable>: Sendable {
    private struct Entry: Sendable {
        let due: Date
        let order: Int
        let item: Item
    }

    private var heap: [Entry] = []
    private var added = 0

    package init() {}

    package var isEmpty: Bool { heap.isEmpty }
    package var count: Int { heap.count }

    /// When the earliest item is due.
    package var nextDue: Date? { heap.first?.due }

    package mutating func removeAll() { heap.removeAll() }

    package mutating func insert(_ item: Item, due: Date) {
        heap.append(Entry(due: due, order: added, item: item))
        added += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest item if it is due at `now`.
    package mutating func popDue(at now: Date) -> (item: Item, due: Date)? {
        guard let first = heap.first, first.due <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, precedes(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, precedes(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.item, first.due)
    }

    private func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.due < b.due || (a.due == b.due && a.order < b.order)
    }
}

extension DeadlineQueue where Item: Comparable {
    /// Removes every item due at `now` and returns them by time, then by item: an order
    /// that depends only on the items and their times, not on when they were added or
    /// the queue rebuilt, so a replay of the ledger meets them in the order the live
    /// run did.
    package mutating func popAllDue(at now: Date) -> [Item] {
        var due: [(due: Date, item: Item)] = []
        while let (item, at) = popDue(at: now) { due.append((at, item)) }
        return due.sorted { ($0.due, $0.item) < ($1.due, $1.item) }.map(\.item)
    }
}
