public import DeconflictGeometry

/// Orders positions along a Z-order (Morton) curve of 1/4,096° cells, so that positions
/// close on the ground come close in the order.
@usableFromInline
enum ZOrder {
    /// The indices of `points`, in Z-order of their cells.
    @usableFromInline
    static func order(_ points: [PreparedPoint]) -> [Int] {
        // 20 bits of row and 21 of column interleave into 41 bits; the index takes the
        // remaining 23, so batches are ordered in chunks of 2^23 positions.
        let chunk = 1 << 23
        var codes: [UInt64] = []
        codes.reserveCapacity(min(points.count, chunk))
        var result: [Int] = []
        result.reserveCapacity(points.count)
        var base = 0
        while base < points.count {
            codes.removeAll(keepingCapacity: true)
            for position in points[base..<min(points.count, base + chunk)].lazy.map(\.position) {
                let row = UInt64(max(0, min(737_279, (position.latitude + 90) * 4_096)))
                let column = UInt64(max(0, min(1_474_559, (position.longitude + 180) * 4_096)))
                codes.append(interleave(row, column) << 23 | UInt64(codes.count))
            }
            codes.sort()
            for code in codes { result.append(base + Int(code & UInt64(chunk - 1))) }
            base += codes.count
        }
        return result
    }

    /// Bits of `row` in the odd positions and of `column` in the even ones.
    @inline(__always)
    static func interleave(_ row: UInt64, _ column: UInt64) -> UInt64 {
        spread(row) << 1 | spread(column)
    }

    /// The low 21 bits of `value`, each followed by a zero bit.
    @inline(__always)
    static func spread(_ value: UInt64) -> UInt64 {
        var x = value & 0x1F_FFFF
        x = (x | x << 32) & 0x001F_0000_0000_FFFF
        x = (x | x << 16) & 0x001F_0000_FF00_00FF
        x = (x | x << 8) & 0x100F_00F0_0F00_F00F
        x = (x | x << 4) & 0x10C3_0C30_C30C_30C3
        x = (x | x << 2) & 0x1249_2492_4924_9249
        return x
    }
}
