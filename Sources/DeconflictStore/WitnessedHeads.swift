import Foundation

/// Checks a ledger against heads a witness kept: the ledger must extend every one of
/// them (the same entries up to each head's size, so the same Merkle root and the same
/// last hash), however it was sealed since.
///
/// An operator who rebuilds the chain from scratch (an entry removed, altered or added
/// in the past, every later hash recomputed) makes a ledger that is intact in itself; a
/// head witnessed before the rewrite no longer fits it, and the earliest such head, with
/// the last one that still fits, brackets the entries that were rewritten.
public enum WitnessedHeads {
    public enum Verdict: Hashable, Sendable {
        /// The ledger extends every head given; `count` heads, the last of `size` entries.
        case extends(count: Int, size: Int64)
        /// The ledger does not extend `broken` (the smallest head it does not fit); the
        /// entries rewritten are after `holdsUpTo` (the size of the largest head it still
        /// fits, 0 if none) and at or before `broken.size`.
        case rewritten(broken: SignedHead, holdsUpTo: Int64, detail: String)
    }

    /// Checks `entries` (the whole ledger, in sequence) against `heads` (in any order).
    public static func check(_ entries: [LedgerEntry], against heads: [SignedHead]) -> Verdict {
        let ordered = heads.sorted { ($0.size, $0.time) < ($1.size, $1.time) }
        var tree = MerkleTree()
        var holds: Int64 = 0
        for head in ordered {
            guard head.size <= Int64(entries.count) else {
                return .rewritten(
                    broken: head, holdsUpTo: holds,
                    detail: "the ledger has \(entries.count) entries; \(head.size) were witnessed at \(head.time)")
            }
            while tree.size < Int(head.size) { tree.append(entries[tree.size]) }
            let root = MerkleTree.hex(tree.root)
            let last = head.size == 0 ? Ledger.genesis : entries[Int(head.size) - 1].hash
            guard root == head.root.lowercased(), last == head.head.lowercased() else {
                return .rewritten(
                    broken: head, holdsUpTo: holds,
                    detail: "the head of \(head.size) entries witnessed at \(head.time) (root \(head.root.prefix(16))…) is not this ledger's "
                        + "(root \(root.prefix(16))…): entries \(holds + 1) to \(head.size) were rewritten, or some of them removed")
            }
            holds = head.size
        }
        return .extends(count: ordered.count, size: ordered.last?.size ?? 0)
    }
}
