import DeconflictNode
import DeconflictStore
import Foundation
import Testing

/// The service's tree keeps only large subtrees and reads the hashes of earlier blocks
/// back from the store for a proof: every proof and root it gives is the full tree's.
@Suite("Ledger: heads and proofs from a tree that keeps large subtrees only")
struct LedgerHeadsTests {
    @Test func proofsReachingIntoEarlierBlocksAreTheFullTrees() async throws {
        let folder = try temporaryFolder("ledger-heads")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
        let records = (1...77).map { LedgerRecord(time: Date(timeIntervalSince1970: 1_790_000_000 + Double($0)), type: "test.event", payload: "{\"n\":\($0)}") }
        var entries: [LedgerEntry] = []
        for chunk in stride(from: 0, to: records.count, by: 10) {
            entries += try await store.append(Array(records[chunk..<min(chunk + 10, records.count)]))
        }
        let heads = LedgerHeads(store: store, key: SigningKey(), keptLevel: 3)
        let head = try await heads.current()
        let full = MerkleTree(entries: entries)
        #expect(head.size == 77 && head.root == MerkleTree.hex(full.root) && head.isValid())
        for (first, second) in [(1, 77), (5, 9), (8, 16), (13, 70), (64, 77), (0, 30), (30, 30), (33, 34)] {
            let answer = try await heads.consistency(from: Int64(first), to: Int64(second))
            #expect(answer.proof == (try full.consistencyProof(from: first, to: second)).map(MerkleTree.hex), "\(first) → \(second)")
            #expect(answer.firstRoot == MerkleTree.hex(try full.root(size: first)))
            #expect(MerkleTree.verifyConsistency(
                first: first, second: second, firstRoot: MerkleTree.bytes(hex: answer.firstRoot)!,
                secondRoot: MerkleTree.bytes(hex: answer.secondRoot)!, proof: answer.proof.map { MerkleTree.bytes(hex: $0)! }))
        }
        for (sequence, size) in [(1, 77), (3, 9), (40, 41), (77, 77), (9, 64)] {
            let answer = try await heads.inclusion(of: Int64(sequence), size: Int64(size))
            #expect(answer.proof == (try full.inclusionProof(of: sequence - 1, size: size)).map(MerkleTree.hex), "\(sequence) in \(size)")
            #expect(answer.root == MerkleTree.hex(try full.root(size: size)))
        }
    }
}
