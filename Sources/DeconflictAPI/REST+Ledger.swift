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
}
