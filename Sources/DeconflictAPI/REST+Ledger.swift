import DeconflictLedger
import DeconflictNode
import DeconflictStore
import Foundation
import OpenAPIRuntime

extension API {
    /// The ledger as JSON Lines (the `deconflict export` format). The operator gets it
    /// whole; a party gets the entries it may see, each with its hash, so it can check
    /// them against a full export.
    func readLedger(_ input: Operations.ReadLedger.Input) async throws -> Operations.ReadLedger.Output {
        let after = input.query.after ?? input.headers.lastEventID ?? 0
        guard after >= 0 else {
            throw FieldError(field: input.query.after == nil ? "Last-Event-ID" : "after", reason: "a ledger sequence number ≥ 0, got \(after)")
        }
        let limit = input.query.limit ?? 10_000
        guard (1...100_000).contains(limit) else {
            throw FieldError(field: "limit", reason: "a number of entries within 1...100000, got \(limit)")
        }
        let entries = try await node.store.entries(after: Int64(after), limit: limit)
        var text = ""
        for entry in entries where Visibility.mayRead(entry, as: caller) { text += LedgerExport.line(entry) + "\n" }
        return .ok(.init(body: .applicationXNdjson(HTTPBody(text))))
    }

    /// The ledger's head as it stands, signed by the service.
    func readLedgerHead(_ input: Operations.ReadLedgerHead.Input) async throws -> Operations.ReadLedgerHead.Output {
        let head = try await heads.current()
        return .ok(.init(body: .json(.init(
            size: Int(head.size), root: head.root, head: head.head, time: head.time, key: head.key, publicKey: head.publicKey,
            signature: head.signature))))
    }

    /// The RFC 9162 consistency proof between two sizes of the ledger.
    func proveLedgerConsistency(_ input: Operations.ProveLedgerConsistency.Input) async throws -> Operations.ProveLedgerConsistency.Output {
        let (proof, fromRoot, toRoot) = try await heads.consistency(from: Int64(input.query.from), to: Int64(input.query.to))
        return .ok(.init(body: .json(.init(from: input.query.from, to: input.query.to, fromRoot: fromRoot, toRoot: toRoot, proof: proof))))
    }

    /// The RFC 9162 inclusion proof of an entry under a size of the ledger.
    func proveLedgerInclusion(_ input: Operations.ProveLedgerInclusion.Input) async throws -> Operations.ProveLedgerInclusion.Output {
        let (proof, root) = try await heads.inclusion(of: Int64(input.query.sequence), size: Int64(input.query.size))
        return .ok(.init(body: .json(.init(sequence: input.query.sequence, size: input.query.size, root: root, proof: proof))))
    }
}
