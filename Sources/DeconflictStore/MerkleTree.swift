public import Crypto
public import Foundation

/// A Merkle tree over the ledger's entries, beside the hash chain, as Certificate
/// Transparency builds one (RFC 9162, section 2.1): leaf `i` is entry `i + 1`'s hash (its
/// 32 bytes), hashed as `SHA-256(0x00 ‖ hash)`; an inner node is
/// `SHA-256(0x01 ‖ left ‖ right)`, the left subtree always the largest power of two.
///
/// The chain proves that no entry was altered in place; the tree lets a party that kept
/// an earlier head check, with a proof of a few dozen hashes, that a later head extends
/// it (``consistencyProof(from:to:)``), or that an entry is under a head
/// (``inclusionProof(of:size:)``), without reading the entries between.
///
/// It keeps every complete, aligned subtree's hash (twice the leaves' 32 bytes), so the
/// root of any earlier size and every proof take O(log n) hashes.
public struct MerkleTree: Sendable {
    /// `levels[k]` holds the hashes of the complete subtrees of 2^k leaves, in order,
    /// 32 bytes each, one after the other.
    private var levels: [[UInt8]] = [[]]

    /// An empty tree.
    public init() {}

    /// The tree over `entries`, in order.
    public init(entries: some Sequence<LedgerEntry>) {
        for entry in entries { append(entry) }
    }

    /// The number of leaves.
    public var size: Int { levels[0].count / 32 }

    /// Adds `entry` (the next in sequence) as a leaf.
    public mutating func append(_ entry: LedgerEntry) {
        append(leaf: MerkleTree.bytes(hex: entry.hash) ?? Array(SHA256.hash(data: Data(entry.hash.utf8))))
    }

    /// Adds a leaf of `data` (an entry's 32-byte hash).
    public mutating func append(leaf data: [UInt8]) {
        var hash = MerkleTree.leafHash(data)
        var level = 0
        while true {
            levels[level].append(contentsOf: hash)
            let count = levels[level].count / 32
            guard count % 2 == 0 else { break }
            hash = MerkleTree.nodeHash(node(level, count - 2), node(level, count - 1))
            level += 1
            if level == levels.count { levels.append([]) }
        }
    }

    /// The root of the tree of the first `size` leaves (RFC 9162's MTH); the hash of
    /// nothing for 0.
    public func root(size: Int) -> [UInt8] {
        precondition(size >= 0 && size <= self.size, "no tree of \(size) leaves in a tree of \(self.size)")
        guard size > 0 else { return Array(SHA256.hash(data: Data())) }
        return hash(0, size)
    }

    /// The root of the whole tree.
    public var root: [UInt8] { root(size: size) }

    /// The hashes that prove the tree of `second` leaves extends the tree of `first`
    /// (RFC 9162, 2.1.4.1); empty when `first` is 0 or equals `second`.
    public func consistencyProof(from first: Int, to second: Int) -> [[UInt8]] {
        precondition(0 <= first && first <= second && second <= size, "no proof from \(first) to \(second) in a tree of \(size)")
        guard first > 0, first < second else { return [] }
        var proof: [[UInt8]] = []
        subproof(first, 0, second, complete: true, into: &proof)
        return proof
    }

    /// The hashes that prove leaf `index` (0-based: entry `index + 1`) is in the tree of
    /// `size` leaves (RFC 9162, 2.1.3.1).
    public func inclusionProof(of index: Int, size: Int) -> [[UInt8]] {
        precondition(0 <= index && index < size && size <= self.size, "no leaf \(index) in a tree of \(size)")
        var index = index
        var start = 0
        var end = size
        var path: [[UInt8]] = []
        while end - start > 1 {
            let split = MerkleTree.split(end - start)
            if index < split {
                path.append(hash(start + split, end))
                end = start + split
            } else {
                path.append(hash(start, start + split))
                start += split
                index -= split
            }
        }
        return path.reversed()
    }

    // MARK: Checking, with nothing but the proof

    /// Whether `proof` shows that the tree of `second` leaves with root `secondRoot`
    /// extends the tree of `first` leaves with root `firstRoot` (RFC 9162, 2.1.4.2).
    public static func verifyConsistency(
        first: Int, second: Int, firstRoot: [UInt8], secondRoot: [UInt8], proof: [[UInt8]]
    ) -> Bool {
        guard 0 <= first, first <= second else { return false }
        if first == 0 { return proof.isEmpty }
        if first == second { return proof.isEmpty && firstRoot == secondRoot }
        guard !proof.isEmpty, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var path = proof
        if first & (first - 1) == 0 { path.insert(firstRoot, at: 0) }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }

    /// Whether `proof` shows that a leaf of `data` is leaf `index` of the tree of `size`
    /// leaves with root `root` (RFC 9162, 2.1.3.2).
    public static func verifyInclusion(
        of data: [UInt8], index: Int, size: Int, root: [UInt8], proof: [[UInt8]]
    ) -> Bool {
        guard 0 <= index, index < size, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash(data)
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// `SHA-256(0x00 ‖ data)`.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0])
        hasher.update(data: data)
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// Lower-case hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of `text`, an even number of hex digits; nil otherwise.
    public static func bytes(hex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = digit(utf8[i]), let low = digit(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }

    // MARK: Inside

    /// The largest power of two below `n` (n > 1).
    private static func split(_ n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    private func node(_ level: Int, _ index: Int) -> [UInt8] {
        Array(levels[level][index * 32..<index * 32 + 32])
    }

    /// MTH of the leaves `start..<end`, where every left subtree the recursion meets is
    /// complete and aligned, and so kept.
    private func hash(_ start: Int, _ end: Int) -> [UInt8] {
        let n = end - start
        if n & (n - 1) == 0 {
            let level = n.trailingZeroBitCount
            return node(level, start >> level)
        }
        let k = MerkleTree.split(n)
        return MerkleTree.nodeHash(hash(start, start + k), hash(start + k, end))
    }

    /// RFC 9162's SUBPROOF(m, D[start:end], b).
    private func subproof(_ m: Int, _ start: Int, _ end: Int, complete: Bool, into proof: inout [[UInt8]]) {
        let n = end - start
        if m == n {
            if !complete { proof.append(hash(start, end)) }
            return
        }
        let k = MerkleTree.split(n)
        if m <= k {
            subproof(m, start, start + k, complete: complete, into: &proof)
            proof.append(hash(start + k, end))
        } else {
            subproof(m - k, start + k, end, complete: false, into: &proof)
            proof.append(hash(start, start + k))
        }
    }
}
