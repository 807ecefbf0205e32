public import DeconflictStore
public import Foundation
public import ServiceLifecycle

/// The service's signed ledger heads and the proofs between them.
///
/// Keeps the Merkle tree over the ledger's entries (``MerkleTree``), brought up to the
/// store's head before each answer (so a head covers every write acknowledged before it
/// was asked for, this node's and other writers'), and signs heads with the service's key
/// (``SigningKey``, kept in a file outside the database): on demand, and at a fixed
/// interval (``run(every:)``). A head already signed for the same size is not signed
/// again.
public actor LedgerHeads {
    public nonisolated let key: SigningKey
    private let store: any Store
    private let clock: @Sendable () -> Date
    /// Keeps subtrees of 2^`keptLevel` entries and more (and those of the last block):
    /// about 0.06 bytes an entry at the default 10; a proof reaching into earlier blocks
    /// reads their hashes back from the store.
    private var tree: MerkleTree
    /// The hash of the last entry in the tree.
    private var last = Ledger.genesis
    /// The newest head signed.
    public private(set) var latest: SignedHead?

    public init(store: any Store, key: SigningKey, keptLevel: Int = 10, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        tree = MerkleTree(keepingLevelsFrom: keptLevel)
        self.key = key
        self.clock = clock
    }

    /// The number of entries the tree holds.
    public var size: Int64 { Int64(tree.size) }

    /// Reads the entries appended since the tree was last brought up to date.
    public func catchUp() async throws {
        while true {
            let page = try await store.hashes(after: Int64(tree.size), limit: 50_000)
            guard let end = page.last else { return }
            for (sequence, hash) in page {
                guard sequence == Int64(tree.size) + 1, let bytes = MerkleTree.bytes(hex: hash) else {
                    throw StoreError("reading the ledger for its tree", "entry \(sequence) where \(tree.size + 1) was due, or its hash unreadable")
                }
                tree.append(leaf: bytes)
            }
            last = end.hash
        }
    }

    /// The head of the ledger as it stands, signed (the newest signature when nothing was
    /// appended since).
    public func current() async throws -> SignedHead {
        try await catchUp()
        if let latest, latest.size == size { return latest }
        let head = try key.sign(
            size: size, root: MerkleTree.hex(tree.root), head: last, time: Ledger.timestamp(clock()))
        latest = head
        return head
    }

    /// The hashes proving that the tree of `second` entries extends that of `first`
    /// (RFC 9162), with both roots.
    ///
    /// - Throws: ``FieldError`` when a size is beyond the ledger or out of order.
    public func consistency(from first: Int64, to second: Int64) async throws -> (proof: [String], firstRoot: String, secondRoot: String) {
        try await catchUp()
        guard first >= 0 else { throw FieldError(field: "from", reason: "must be at least 0") }
        guard second >= first else { throw FieldError(field: "to", reason: "must be at least from (\(first))") }
        guard second <= size else { throw FieldError(field: "to", reason: "the ledger has \(size) entries") }
        return try await withBlocks { tree, blocks throws(MerkleTree.Evicted) in
            let proof = try tree.consistencyProof(from: Int(first), to: Int(second), blocks: blocks).map(MerkleTree.hex)
            return (proof, MerkleTree.hex(try tree.root(size: Int(first), blocks: blocks)), MerkleTree.hex(try tree.root(size: Int(second), blocks: blocks)))
        }
    }

    /// The hashes proving that entry `sequence` is in the tree of `size` entries, with that
    /// tree's root.
    ///
    /// - Throws: ``FieldError`` when the entry or the size is beyond the ledger.
    public func inclusion(of sequence: Int64, size: Int64) async throws -> (proof: [String], root: String) {
        try await catchUp()
        guard sequence >= 1 else { throw FieldError(field: "sequence", reason: "must be at least 1") }
        guard size >= sequence else { throw FieldError(field: "size", reason: "must be at least the entry's sequence (\(sequence))") }
        guard size <= self.size else { throw FieldError(field: "size", reason: "the ledger has \(self.size) entries") }
        return try await withBlocks { tree, blocks throws(MerkleTree.Evicted) in
            let proof = try tree.inclusionProof(of: Int(sequence - 1), size: Int(size), blocks: blocks).map(MerkleTree.hex)
            return (proof, MerkleTree.hex(try tree.root(size: Int(size), blocks: blocks)))
        }
    }

    /// Runs `body` on the tree, reading back the blocks of entry hashes it needs that the
    /// tree no longer keeps, until it has them all.
    private func withBlocks<T>(_ body: (MerkleTree, MerkleTree.Blocks) throws(MerkleTree.Evicted) -> T) async throws -> T {
        var blocks = MerkleTree.Blocks()
        while true {
            do {
                return try body(tree, blocks)
            } catch {
                let page = try await store.hashes(after: Int64(error.leaves.lowerBound), limit: error.leaves.count)
                let leaves = page.compactMap { MerkleTree.bytes(hex: $0.hash) }
                guard leaves.count == error.leaves.count, page.first?.sequence == Int64(error.leaves.lowerBound) + 1 else {
                    throw StoreError("reading the ledger for its tree", "entries \(error.leaves.lowerBound + 1) to \(error.leaves.upperBound) did not read back whole")
                }
                blocks.add(block: error.block, leaves: leaves, keptLevel: tree.keptLevel)
            }
        }
    }

    /// Signs the head every `interval` until cancelled (failures are retried at the next).
    public nonisolated func run(every interval: Duration) async {
        while !Task.isCancelled {
            _ = try? await current()
            try? await Task.sleep(for: interval)
        }
    }
}

/// Signs the ledger head at a fixed interval while the server runs.
public struct LedgerHeadService: Service {
    package let heads: LedgerHeads
    package let interval: Duration

    public init(heads: LedgerHeads, interval: Duration) {
        self.heads = heads
        self.interval = interval
    }

    public func run() async throws {
        let heads = heads, interval = interval
        await cancelWhenGracefulShutdown { await heads.run(every: interval) }
    }
}
