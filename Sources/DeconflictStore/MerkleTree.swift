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
/// It keeps the hash of every complete, aligned subtree of at least 2^`keptLevel` leaves,
/// and of every subtree in the last, incomplete block of 2^`keptLevel` leaves: about
/// 64 / 2^`keptLevel` bytes a leaf (all of them, twice the leaves' 32 bytes, when
/// `keptLevel` is 0). The current root takes O(log n) hashes; an earlier root or a proof
/// that needs a subtree inside an earlier block throws ``Evicted`` naming the block, and
/// is answered again given that block's leaves (``Blocks``): at most two blocks a proof.
public struct MerkleTree: Sendable {
    /// A proof or root needs the subtrees of `block` (leaves `leaves`), which the tree no
    /// longer keeps: read those leaves and ask again with them in ``Blocks``.
    public struct Evicted: Error, Hashable, Sendable {
        public let block: Int
        public let leaves: Range<Int>
    }

    /// The subtrees of blocks read back from their leaves, for a proof or root that needs
    /// them.
    public struct Blocks: Sendable {
        fileprivate var levels: [Int: [[UInt8]]] = [:]

        public init() {}

        /// Adds block `block` of a tree keeping levels from `keptLevel`, given its
        /// 2^`keptLevel` leaves' data (the entries' hashes) in order.
        public mutating func add(block: Int, leaves: [[UInt8]], keptLevel: Int) {
            precondition(leaves.count == 1 << keptLevel, "a block holds \(1 << keptLevel) leaves, not \(leaves.count)")
            var kept: [[UInt8]] = []
            var level = leaves.map { MerkleTree.leafHash($0) }
            for _ in 0..<keptLevel {
                kept.append(level.flatMap { $0 })
                level = stride(from: 0, to: level.count, by: 2).map { MerkleTree.nodeHash(level[$0], level[$0 + 1]) }
            }
            levels[block] = kept
        }

        public var isEmpty: Bool { levels.isEmpty }
    }

    /// Subtrees below this level (of fewer than 2^`keptLevel` leaves) are kept only in the
    /// last, incomplete block.
    public let keptLevel: Int
    /// `levels[k]` holds the hashes of the complete subtrees of 2^k leaves, in order,
    /// 32 bytes each, one after the other; below `keptLevel`, only those of the last block.
    private var levels: [[UInt8]] = [[]]
    private var count = 0

    /// An empty tree, keeping every subtree's hash when `keptLevel` is 0, otherwise only
    /// those of 2^`keptLevel` leaves and more (and those of the last block).
    public init(keepingLevelsFrom keptLevel: Int = 0) {
        precondition((0...30).contains(keptLevel), "keptLevel \(keptLevel) is not in 0...30")
        self.keptLevel = keptLevel
    }

    /// The tree over `entries`, in order, keeping every subtree.
    public init(entries: some Sequence<LedgerEntry>) {
        self.init()
        for entry in entries { append(entry) }
    }

    /// The number of leaves.
    public var size: Int { count }

    /// The subtree hashes held.
    var keptHashCount: Int { levels.reduce(0) { $0 + $1.count / 32 } }

    /// Adds `entry` (the next in sequence) as a leaf.
    public mutating func append(_ entry: LedgerEntry) {
        append(leaf: MerkleTree.bytes(hex: entry.hash) ?? Array(SHA256.hash(data: Data(entry.hash.utf8))))
    }

    /// Adds a leaf of `data` (an entry's 32-byte hash).
    public mutating func append(leaf data: [UInt8]) {
        var hash = MerkleTree.leafHash(data)
        var level = 0
        count += 1
        while true {
            levels[level].append(contentsOf: hash)
            let stored = levels[level].count / 32
            guard stored % 2 == 0 else { break }
            hash = MerkleTree.nodeHash(
                Array(levels[level][(stored - 2) * 32..<(stored - 1) * 32]), Array(levels[level][(stored - 1) * 32..<stored * 32]))
            level += 1
            if level == levels.count { levels.append([]) }
        }
        // A block complete: its subtrees below the kept level are not kept.
        if keptLevel > 0, count % (1 << keptLevel) == 0 {
            for level in 0..<keptLevel { levels[level].removeAll(keepingCapacity: true) }
        }
    }

    /// The root of the tree of the first `size` leaves (RFC 9162's MTH); the hash of
    /// nothing for 0.
    ///
    /// - Throws: ``Evicted`` when it needs a block not in `blocks`.
    public func root(size: Int, blocks: Blocks = Blocks()) throws(Evicted) -> [UInt8] {
        precondition(size >= 0 && size <= self.size, "no tree of \(size) leaves in a tree of \(self.size)")
        guard size > 0 else { return Array(SHA256.hash(data: Data())) }
        return try hash(0, size, blocks)
    }

    /// The root of the whole tree (never needs an earlier block).
    public var root: [UInt8] {
        guard count > 0 else { return Array(SHA256.hash(data: Data())) }
        // The complete subtrees the size decomposes into, largest first, folded from the right.
        var subtrees: [[UInt8]] = []
        var start = 0
        for level in stride(from: levels.count - 1, through: 0, by: -1) where count & (1 << level) != 0 {
            subtrees.append(keptNode(level, start >> level))
            start += 1 << level
        }
        var root = subtrees.removeLast()
        while let left = subtrees.popLast() { root = MerkleTree.nodeHash(left, root) }
        return root
    }

    /// The hashes that prove the tree of `second` leaves extends the tree of `first`
    /// (RFC 9162, 2.1.4.1); empty when `first` is 0 or equals `second`.
    ///
    /// - Throws: ``Evicted`` when it needs a block not in `blocks`.
    public func consistencyProof(from first: Int, to second: Int, blocks: Blocks = Blocks()) throws(Evicted) -> [[UInt8]] {
        precondition(0 <= first && first <= second && second <= size, "no proof from \(first) to \(second) in a tree of \(size)")
        guard first > 0, first < second else { return [] }
        var proof: [[UInt8]] = []
        try subproof(first, 0, second, complete: true, blocks, into: &proof)
        return proof
    }

    /// The hashes that prove leaf `index` (0-based: entry `index + 1`) is in the tree of
    /// `size` leaves (RFC 9162, 2.1.3.1).
    ///
    /// - Throws: ``Evicted`` when it needs a block not in `blocks`.
    public func inclusionProof(of index: Int, size: Int, blocks: Blocks = Blocks()) throws(Evicted) -> [[UInt8]] {
        precondition(0 <= index && index < size && size <= self.size, "no leaf \(index) in a tree of \(size)")
        var index = index
        var start = 0
        var end = size
        var path: [[UInt8]] = []
        while end - start > 1 {
            let split = MerkleTree.split(end - start)
            if index < split {
                path.append(try hash(start + split, end, blocks))
                end = start + split
            } else {
                path.append(try hash(start, start + split, blocks))
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

    /// The hash of the complete subtree of 2^`level` leaves at `index`, from what the tree
    /// keeps or from `blocks`.
    private func node(_ level: Int, _ index: Int, _ blocks: Blocks) throws(Evicted) -> [UInt8] {
        guard level < keptLevel else { return keptNode(level, index) }
        let block = (index << level) >> keptLevel
        if block == count >> keptLevel { return keptNode(level, index) }
        guard let levels = blocks.levels[block] else {
            throw Evicted(block: block, leaves: (block << keptLevel)..<((block + 1) << keptLevel))
        }
        let offset = index - (block << (keptLevel - level))
        return Array(levels[level][offset * 32..<offset * 32 + 32])
    }

    /// A subtree the tree keeps: at or above the kept level, or in the last block.
    private func keptNode(_ level: Int, _ index: Int) -> [UInt8] {
        let first = level < keptLevel ? ((count >> keptLevel) << (keptLevel - level)) : 0
        let offset = index - first
        return Array(levels[level][offset * 32..<offset * 32 + 32])
    }
    /// MTH of the leaves `start..<end`, where every left subtree the recursion meets is
    /// complete and aligned, and so kept.
    private func hash(_ start: Int, _ end: Int, _ blocks: Blocks) throws(Evicted) -> [UInt8] {
        let n = end - start
        if n & (n - 1) == 0 {
            let level = n.trailingZeroBitCount
            return try node(level, start >> level, blocks)
        }
        let k = MerkleTree.split(n)
        return MerkleTree.nodeHash(try hash(start, start + k, blocks), try hash(start + k, end, blocks))
    }

    /// RFC 9162's SUBPROOF(m, D[start:end], b).
    private func subproof(_ m: Int, _ start: Int, _ end: Int, complete: Bool, _ blocks: Blocks, into proof: inout [[UInt8]]) throws(Evicted) {
        let n = end - start
        if m == n {
            if !complete { proof.append(try hash(start, end, blocks)) }
            return
        }
        let k = MerkleTree.split(n)
        if m <= k {
            try subproof(m, start, start + k, complete: complete, blocks, into: &proof)
            proof.append(try hash(start + k, end, blocks))
        } else {
            try subproof(m - k, start + k, end, complete: false, blocks, into: &proof)
            proof.append(try hash(start, start + k, blocks))
        }
    }
}
