@testable import DeconflictStore
import DeconflictTestSupport
import Foundation
import Testing

/// The Merkle tree beside the chain: Certificate Transparency's published answers, and
/// every root and proof held to RFC 9162's recursive definitions, computed from scratch.
@Suite("Ledger: the Merkle tree and its proofs")
struct MerkleTreeTests {
    /// The eight leaves of Certificate Transparency's reference tests.
    static let leaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        Array(0x50...0x57), Array(0x60...0x6f),
    ]

    static func tree(_ leaves: [[UInt8]]) -> MerkleTree {
        var tree = MerkleTree()
        for leaf in leaves { tree.append(leaf: leaf) }
        return tree
    }

    static func hex(_ hashes: [[UInt8]]) -> [String] { hashes.map(MerkleTree.hex) }

    @Test func rootsAreCertificateTransparencysKnownAnswers() throws {
        let roots = [
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        let tree = Self.tree(Self.leaves)
        for size in 0...8 {
            #expect(MerkleTree.hex(try tree.root(size: size)) == roots[size], "root of \(size)")
            // A tree grown only that far has the same root.
            #expect(MerkleTree.hex(Self.tree(Array(Self.leaves.prefix(size))).root) == roots[size])
        }
    }

    @Test func proofsAreCertificateTransparencysKnownAnswers() throws {
        let tree = Self.tree(Self.leaves)
        #expect(Self.hex(try tree.consistencyProof(from: 1, to: 8)) == [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ])
        #expect(Self.hex(try tree.consistencyProof(from: 6, to: 8)) == [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        #expect(Self.hex(try tree.consistencyProof(from: 2, to: 5)) == [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ])
        #expect(Self.hex(try tree.inclusionProof(of: 0, size: 8)) == Self.hex(try tree.consistencyProof(from: 1, to: 8)))
    }

    // MARK: The definitions, from scratch

    /// RFC 9162's MTH, recursively, over the leaves themselves.
    static func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return MerkleTree.bytes(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")! }
        if leaves.count == 1 { return MerkleTree.leafHash(leaves.first!) }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let start = leaves.startIndex
        return MerkleTree.nodeHash(mth(leaves[start..<start + k]), mth(leaves[(start + k)...]))
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, _ complete: Bool) -> [[UInt8]] {
        if m == leaves.count { return complete ? [] : [mth(leaves)] }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let start = leaves.startIndex
        if m <= k { return subproof(m, leaves[start..<start + k], complete) + [mth(leaves[(start + k)...])] }
        return subproof(m - k, leaves[(start + k)...], false) + [mth(leaves[start..<start + k])]
    }

    static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        if leaves.count <= 1 { return [] }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let start = leaves.startIndex
        if m < k { return path(m, leaves[start..<start + k]) + [mth(leaves[(start + k)...])] }
        return path(m - k, leaves[(start + k)...]) + [mth(leaves[start..<start + k])]
    }

    /// For trees of every size to 70 and random sizes beyond, built one leaf at a time:
    /// every root and proof is the definition's, every honest proof verifies, and a proof
    /// with any hash changed, or checked against another root or size, does not.
    @Test(arguments: 1...4)
    func rootsAndProofsMatchTheDefinition(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let count = seed == 1 ? 70 : Int.random(in: 70...300, using: &rng)
        let leaves: [[UInt8]] = (0..<count).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let tree = Self.tree(leaves)
        let sizes = seed == 1 ? Array(1...count) : (0..<25).map { _ in Int.random(in: 1...count, using: &rng) }
        for second in sizes {
            let secondRoot = try tree.root(size: second)
            #expect(secondRoot == Self.mth(leaves[0..<second]), "root of \(second)")
            for first in Set((0..<6).map { _ in Int.random(in: 1...second, using: &rng) }) {
                let firstRoot = try tree.root(size: first)
                let proof = try tree.consistencyProof(from: first, to: second)
                if first < second {
                    #expect(proof == Self.subproof(first, leaves[0..<second], true), "proof \(first) → \(second)")
                }
                #expect(MerkleTree.verifyConsistency(first: first, second: second, firstRoot: firstRoot, secondRoot: secondRoot, proof: proof))
                guard first < second else { continue }
                var forged = proof
                let at = Int.random(in: 0..<forged.count, using: &rng)
                forged[at][Int.random(in: 0..<32, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                #expect(!MerkleTree.verifyConsistency(first: first, second: second, firstRoot: firstRoot, secondRoot: secondRoot, proof: forged))
                // Roots of other trees: one bit off each.
                var otherFirst = firstRoot, otherSecond = secondRoot
                otherFirst[0] ^= 1
                otherSecond[31] ^= 0x80
                #expect(!MerkleTree.verifyConsistency(first: first, second: second, firstRoot: otherFirst, secondRoot: secondRoot, proof: proof))
                #expect(!MerkleTree.verifyConsistency(first: first, second: second, firstRoot: firstRoot, secondRoot: otherSecond, proof: proof))
                if second < count {
                    #expect(!MerkleTree.verifyConsistency(first: first, second: second + 1, firstRoot: firstRoot, secondRoot: try tree.root(size: second + 1), proof: proof))
                }
            }
            let index = Int.random(in: 0..<second, using: &rng)
            let inclusion = try tree.inclusionProof(of: index, size: second)
            #expect(inclusion == Self.path(index, leaves[0..<second]), "path of \(index) in \(second)")
            #expect(MerkleTree.verifyInclusion(of: leaves[index], index: index, size: second, root: secondRoot, proof: inclusion))
            let other = (index + 1) % second
            if other != index {
                #expect(!MerkleTree.verifyInclusion(of: leaves[index], index: other, size: second, root: secondRoot, proof: inclusion))
                #expect(!MerkleTree.verifyInclusion(of: leaves[other], index: index, size: second, root: secondRoot, proof: inclusion))
            }
        }
    }

    /// A history rewritten anywhere before the old size has no consistency proof: the
    /// honest proof of the rewritten tree fails against the old root.
    @Test func aRewrittenHistoryIsInconsistentWithTheOldRoot() throws {
        var rng = SeededGenerator(seed: 9)
        let leaves: [[UInt8]] = (0..<50).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let old = Self.tree(Array(leaves.prefix(30)))
        for removed in [0, 7, 29] {
            var rewritten = leaves
            rewritten.remove(at: removed)
            let tree = Self.tree(rewritten)
            let proof = try tree.consistencyProof(from: 30, to: tree.size)
            #expect(!MerkleTree.verifyConsistency(first: 30, second: tree.size, firstRoot: old.root, secondRoot: tree.root, proof: proof))
        }
        // Entries only added after it: consistent.
        let grown = Self.tree(leaves)
        #expect(MerkleTree.verifyConsistency(first: 30, second: 50, firstRoot: old.root, secondRoot: grown.root, proof: try grown.consistencyProof(from: 30, to: 50)))
    }

    /// A tree keeping only subtrees of 2^k leaves and more (and the last block's) gives
    /// every root and proof the full tree gives, once handed the blocks it names as
    /// evicted (never more than two), and keeps what it should: about 2/2^k hashes a leaf.
    @Test(arguments: 1...5)
    func aTreeKeepingOnlyLargeSubtreesAnswersAsTheFullTree(keptLevel: Int) throws {
        var rng = SeededGenerator(seed: UInt64(40 + keptLevel))
        let count = 200 + Int.random(in: 0...60, using: &rng)
        let leaves: [[UInt8]] = (0..<count).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        var full = MerkleTree()
        var bounded = MerkleTree(keepingLevelsFrom: keptLevel)
        for (index, leaf) in leaves.enumerated() {
            full.append(leaf: leaf)
            bounded.append(leaf: leaf)
            #expect(bounded.root == full.root, "root at \(index + 1) leaves")
            #expect(bounded.keptHashCount <= (index + 1) * 2 / (1 << keptLevel) + 2 * (1 << keptLevel) + 64)
        }
        /// Answers `body` on the bounded tree, handing it each block it asks for.
        func answer<T>(_ body: (MerkleTree.Blocks) throws(MerkleTree.Evicted) -> T) -> (T, Int) {
            var blocks = MerkleTree.Blocks()
            var asked = 0
            while true {
                do { return (try body(blocks), asked) } catch {
                    asked += 1
                    blocks.add(block: error.block, leaves: Array(leaves[error.leaves]), keptLevel: keptLevel)
                }
            }
        }
        for _ in 0..<150 {
            let second = Int.random(in: 1...count, using: &rng), first = Int.random(in: 0...second, using: &rng)
            let (proof, proofBlocks) = answer { blocks throws(MerkleTree.Evicted) in try bounded.consistencyProof(from: first, to: second, blocks: blocks) }
            #expect(proof == (try full.consistencyProof(from: first, to: second)), "\(first) → \(second)")
            #expect(proofBlocks <= 2)
            let (root, rootBlocks) = answer { blocks throws(MerkleTree.Evicted) in try bounded.root(size: first, blocks: blocks) }
            #expect(root == (try full.root(size: first)))
            #expect(rootBlocks <= 1)
            let index = Int.random(in: 0..<second, using: &rng)
            let (path, pathBlocks) = answer { blocks throws(MerkleTree.Evicted) in try bounded.inclusionProof(of: index, size: second, blocks: blocks) }
            #expect(path == (try full.inclusionProof(of: index, size: second)), "\(index) in \(second)")
            #expect(pathBlocks <= 2)
        }
    }

    @Test func hexReadsBackAndRefusesWhatIsNotHex() {
        let bytes: [UInt8] = [0, 1, 0xab, 0xff, 0x10]
        #expect(MerkleTree.hex(bytes) == "0001abff10")
        #expect(MerkleTree.bytes(hex: "0001ABff10") == bytes)
        #expect(MerkleTree.bytes(hex: "abc") == nil)
        #expect(MerkleTree.bytes(hex: "zz") == nil)
    }
}

/// Heads signed with Ed25519, and the key files, held to OpenSSL's own reading of them.
@Suite("Ledger: signed heads")
struct SigningKeyTests {
    @Test func aSignedHeadVerifiesAndAnyChangeBreaksIt() throws {
        let key = SigningKey()
        let root = String(repeating: "ab", count: 32), head = String(repeating: "cd", count: 32)
        let signed = try key.sign(size: 42, root: root, head: head, time: "2026-12-07T04:00:00.000000Z")
        #expect(signed.isValid())
        #expect(signed.key == key.id && signed.key.count == 16)
        // A witness's countersignature is over another first line: not a service head.
        let countersigned = try key.sign(size: 42, root: root, head: head, time: signed.time, witness: true)
        #expect(countersigned.isValid(witness: true) && !countersigned.isValid())
        var changed = [signed, signed, signed, signed, signed]
        changed[0].size = 43
        changed[1].root = String(repeating: "ac", count: 32)
        changed[2].time = "2026-12-07T04:00:01.000000Z"
        changed[3].publicKey = SigningKey().publicKey.base64EncodedString()
        changed[4].key = SigningKey().id
        for head in changed { #expect(!head.isValid()) }
    }

    @Test func keysAreOpenSSLsPKCS8AndOpenSSLChecksTheSignature() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func openssl(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        // OpenSSL's key, read by us; our signature, checked by OpenSSL.
        let keyFile = folder.appendingPathComponent("openssl.pem").path
        #expect(try openssl(["genpkey", "-algorithm", "ed25519", "-out", keyFile]) == 0)
        let (key, created) = try SigningKey.load(path: keyFile, create: true)
        #expect(!created)
        let signed = try key.sign(size: 7, root: String(repeating: "00", count: 32), head: Ledger.genesis, time: "2026-12-07T04:00:00Z")
        try signed.message(witness: false).write(to: folder.appendingPathComponent("message"))
        try Data(base64Encoded: signed.signature)!.write(to: folder.appendingPathComponent("signature"))
        let publicFile = folder.appendingPathComponent("public.pem").path
        try key.publicKeyPEM.write(toFile: publicFile, atomically: true, encoding: .utf8)
        let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", publicFile, "-rawin",
                      "-in", folder.appendingPathComponent("message").path, "-sigfile", folder.appendingPathComponent("signature").path]
        #expect(try openssl(verify) == 0)
        try Data("another message".utf8).write(to: folder.appendingPathComponent("message"))
        #expect(try openssl(verify) != 0)
        // A key we make is one OpenSSL reads, written for its owner alone.
        let made = folder.appendingPathComponent("made.pem").path
        let (ours, fresh) = try SigningKey.load(path: made, create: true)
        #expect(fresh)
        #expect(try openssl(["pkey", "-in", made, "-noout"]) == 0)
        let permissions = try FileManager.default.attributesOfItem(atPath: made)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try SigningKey.load(path: made, create: false).key.id == ours.id)
        #expect(try SigningKey.publicKey(ours.publicKeyPEM) == ours.publicKey)
        #expect(throws: SigningKeyError.self) { try SigningKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
    }
}
