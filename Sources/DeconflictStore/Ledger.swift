public import Foundation
import Crypto
import DeconflictEngine

/// A state change to be appended to the ledger: its time, its type (`zone.changed`,
/// `alert.raised`, …) and its details as the text of one JSON object.
public struct LedgerRecord: Hashable, Sendable {
    /// When the change happened, as canonical text (see ``Ledger/timestamp(_:)``).
    public var time: String
    public var type: String
    /// One JSON object, stored and hashed as this exact text.
    public var payload: String

    public init(time: Date, type: String, payload: String) {
        self.time = Ledger.timestamp(time)
        self.type = type
        self.payload = payload
    }

    /// The record an entry was sealed from: sealing it again after the same head gives
    /// the same entry.
    public init(_ entry: LedgerEntry) {
        time = entry.time
        type = entry.type
        payload = entry.payload
    }
}

/// An entry of the ledger: a record with its place in the chain.
///
/// Its hash is SHA-256 over `previous`, `sequence`, `time`, `type` and `payload`, each as
/// text, joined by newlines (see ``Ledger/hash(previous:sequence:time:type:payload:)``),
/// so anyone can recompute the chain from an export with a few lines of any language.
public struct LedgerEntry: Hashable, Sendable {
    /// 1 for the first entry, then one more for each.
    public let sequence: Int64
    public let time: String
    public let type: String
    public let payload: String
    /// The hash of the entry before, hex; 64 zeros for the first.
    public let previous: String
    /// This entry's hash, hex.
    public let hash: String

    public init(sequence: Int64, time: String, type: String, payload: String, previous: String, hash: String) {
        self.sequence = sequence
        self.time = time
        self.type = type
        self.payload = payload
        self.previous = previous
        self.hash = hash
    }

    /// The entry's time as a date (microsecond precision).
    public var date: Date? { Ledger.date(time) }
}

/// The rules of the hash chain: sealing records into entries, and checking a sequence
/// of entries.
public enum Ledger {
    /// The `previous` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of an entry, hex.
    public static func hash(previous: String, sequence: Int64, time: String, type: String, payload: String) -> String {
        let text = "\(previous)\n\(sequence)\n\(time)\n\(type)\n\(payload)"
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Chains `records` after `head` (or from the start).
    public static func seal(_ records: [LedgerRecord], after head: (sequence: Int64, hash: String)?) -> [LedgerEntry] {
        var sequence = head?.sequence ?? 0
        var previous = head?.hash ?? genesis
        return records.map { record in
            sequence += 1
            let hash = hash(previous: previous, sequence: sequence, time: record.time, type: record.type, payload: record.payload)
            defer { previous = hash }
            return LedgerEntry(
                sequence: sequence, time: record.time, type: record.type, payload: record.payload, previous: previous, hash: hash)
        }
    }

    /// `date` to the microsecond, exactly the date its ``timestamp(_:)`` reads back as:
    /// the instant a node applies a request at, so that replaying the ledger applies it at
    /// the very same instant.
    public static func instant(_ date: Date) -> Date { RFC3339.instant(date) }

    /// The ledger's time text: RFC 3339 in UTC with microseconds,
    /// `2026-11-26T06:00:00.000000Z` (``RFC3339/format(_:)``).
    public static func timestamp(_ date: Date) -> String { RFC3339.format(date) }

    /// The date of a ledger time text.
    public static func date(_ text: String) -> Date? { RFC3339.parseFormatted(text) }
}
