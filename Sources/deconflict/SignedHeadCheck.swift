import DeconflictLedger
import DeconflictStore
import Foundation

/// Holds a ledger to a head the service signed (an export's `.head.json`, or one read
/// from `GET /v1/ledger/head`): the signature is good, the key is one the ledger itself
/// recorded (command `ledgerKey`) among the entries the head covers, and the entries
/// have that Merkle root and that last hash.
enum SignedHeadCheck {
    /// The keys a ledger records, by id, as its entries are read in order.
    struct RecordedKeys {
        /// Each key's public key (base64) and the sequence of the entry that recorded it.
        private(set) var keys: [String: (publicKey: String, sequence: Int64)] = [:]

        var ids: Set<String> { Set(keys.keys) }

        mutating func note(_ entry: LedgerEntry) {
            // Only the few entries that can be one are decoded.
            guard entry.type == LedgerCommand.ledgerType, entry.payload.contains("\"ledgerKey\""),
                let command = try? LedgerCommand.decode(entry.payload), case .ledgerKey(let record) = command.action,
                keys[record.id] == nil
            else { return }
            keys[record.id] = (record.publicKey, entry.sequence)
        }
    }

    /// Reads the signed head in `path`.
    static func read(_ path: String) throws -> SignedHead {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("--signed-head: \(path): cannot be read") }
        do {
            return try JSONDecoder().decode(SignedHead.self, from: data)
        } catch {
            throw InputError("--signed-head: \(path) is not a signed head: \(error)")
        }
    }

    /// What is wrong with `head` for `entries` (the ledger from its first entry), or nil
    /// when the ledger has it; `key` is then the recording entry's sequence.
    static func problem(_ head: SignedHead, _ entries: [LedgerEntry]) -> (problem: String?, recordedAt: Int64) {
        guard head.isValid() else { return ("the signature is not key \(head.key)'s over this head", 0) }
        guard head.size >= 0, head.size <= Int64(entries.count) else {
            return ("the head covers \(head.size) entries; the ledger has \(entries.count)", 0)
        }
        var recorded = RecordedKeys()
        for entry in entries.prefix(Int(head.size)) { recorded.note(entry) }
        guard let key = recorded.keys[head.key], key.publicKey == head.publicKey else {
            return ("key \(head.key) is not one the ledger records in the \(head.size) entries the head covers", 0)
        }
        if case .rewritten(_, _, let detail) = WitnessedHeads.check(entries, against: [head]) { return (detail, key.sequence) }
        return (nil, key.sequence)
    }
}
