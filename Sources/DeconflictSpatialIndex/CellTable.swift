/// A hash table from cell numbers to values, for the grids' cells: open addressing with
/// linear probing and a multiplicative hash, deletion by backward shift (no tombstones).
///
/// Cell numbers are already well spread integers, so a Fibonacci hash suffices where
/// `Dictionary` would run SipHash on every probe, and the hot lookups inline into the
/// grids' queries.
@usableFromInline
struct CellTable<Value: Sendable>: Sendable, Sequence {
    /// `empty` marks a free bucket; no cell number is negative.
    @usableFromInline static var empty: Int64 { -1 }

    @usableFromInline var keys: [Int64]
    @usableFromInline var values: [Value?]
    @usableFromInline var shift: UInt64
    @usableFromInline var count = 0

    @inlinable
    init() {
        keys = Array(repeating: Self.empty, count: 16)
        values = Array(repeating: nil, count: 16)
        shift = 64 - 4
    }

    @inlinable
    var mask: Int { keys.count - 1 }

    @inlinable
    func home(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The bucket of `key`, or the free bucket where it would go.
    @inlinable
    func bucket(_ key: Int64) -> (index: Int, found: Bool) {
        precondition(key >= 0, "cell numbers are not negative")
        var index = home(key)
        let mask = self.mask
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let stored = keys[index]
                if stored == key { return (index, true) }
                if stored == Self.empty { return (index, false) }
                index = (index + 1) & mask
            }
        }
    }

    /// The value of `key`.
    @inlinable
    subscript(key: Int64) -> Value? {
        let (index, found) = bucket(key)
        return found ? values[index] : nil
    }

    /// Calls `body` with the value of `key` to change in place; `nil` if there is none.
    /// (Methods with a closure rather than `_modify` accessors: the accessors' coroutine
    /// frames were allocated on the heap at every call.)
    @inlinable
    mutating func withValue<Result>(at key: Int64, _ body: (inout Value) -> Result) -> Result? {
        let (index, found) = bucket(key)
        guard found else { return nil }
        return body(&values[index]!)
    }

    /// Calls `body` with the value of `key`, inserted as `defaultValue` first if absent.
    @inlinable
    mutating func withValue<Result>(at key: Int64, default defaultValue: @autoclosure () -> Value, _ body: (inout Value) -> Result) -> Result {
        var (index, found) = bucket(key)
        if !found {
            if (count + 1) * 4 > keys.count * 3 {
                grow()
                index = bucket(key).index
            }
            keys[index] = key
            values[index] = defaultValue()
            count += 1
        }
        return body(&values[index]!)
    }

    @inlinable @discardableResult
    mutating func removeValue(forKey key: Int64) -> Value? {
        let (index, found) = bucket(key)
        guard found else { return nil }
        let removed = values[index].take()
        removeBucket(index)
        return removed
    }

    /// Empties bucket `found`. Backward shift: later members of the probe run move into
    /// the hole, so that lookups never need to skip deleted buckets.
    @inlinable
    mutating func removeBucket(_ found: Int) {
        let mask = self.mask
        var hole = found
        var next = (hole + 1) & mask
        while keys[next] != Self.empty {
            let ideal = home(keys[next])
            // Move `next` into the hole unless its home lies cyclically in (hole, next].
            if (next - ideal) & mask >= (next - hole) & mask {
                keys[hole] = keys[next]
                values[hole] = values[next].take()
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = Self.empty
        values[hole] = nil
        count -= 1
    }

    @usableFromInline
    mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: Self.empty, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        shift -= 1
        for (index, key) in oldKeys.enumerated() where key != Self.empty {
            let (bucket, _) = self.bucket(key)
            keys[bucket] = key
            values[bucket] = oldValues[index]
        }
    }

    @inlinable
    func makeIterator() -> some IteratorProtocol<(key: Int64, value: Value)> {
        zip(keys, values).lazy.filter { $0.0 != Self.empty }.map { (key: $0.0, value: $0.1!) }.makeIterator()
    }
}
