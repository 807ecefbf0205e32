import Foundation

/// What checking a ledger found: every entry in order and chained, or the first one
/// that is not, and what is wrong with it.
public enum LedgerVerification: Hashable, Sendable {
    /// `count` entries, all chained; `head` is the last hash (compare it with one a
    /// party recorded earlier to know nothing was rewritten since).
    case intact(count: Int, head: String)
    /// The first entry at fault: its position in the input (1-based), the sequence it
    /// carries, and the reason.
    case broken(position: Int, sequence: Int64?, problem: Problem, detail: String)

    public enum Problem: String, Hashable, Sendable {
        /// Its content no longer matches its hash.
        case altered
        /// Entries before it are missing.
        case removed
        /// It does not belong between its neighbours.
        case inserted
        /// It comes out of order.
        case reordered
        /// It cannot be read at all.
        case unreadable
        /// The chain is intact but ends elsewhere than the head expected.
        case headMismatch = "head-mismatch"
    }

    /// Checks `entries` in the order given (an export, or the database by sequence).
    ///
    /// - Parameter expectedHead: a hash a party recorded earlier: the chain must end
    ///   there, or contain it, for the check to pass.
    public static func check(_ entries: [LedgerEntry], expectedHead: String? = nil) -> LedgerVerification {
        var previousHash = Ledger.genesis
        var beforePrevious = ""
        var previousSequence: Int64 = 0
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let position = index + 1
            let recomputed = Ledger.hash(
                previous: entry.previous, sequence: entry.sequence, time: entry.time, type: entry.type, payload: entry.payload)
            if entry.sequence <= previousSequence, index >= 1, entry.hash == entries[index - 1].hash {
                return .broken(
                    position: position, sequence: entry.sequence, problem: .inserted,
                    detail: "a second copy of the entry before it")
            }
            if entry.sequence <= previousSequence {
                // A genuine entry that chains past the one before it: that one was inserted.
                if entry.sequence == previousSequence, index >= 1, entry.previous == beforePrevious {
                    return .broken(
                        position: position - 1, sequence: entries[index - 1].sequence, problem: .inserted,
                        detail: "the entry after it chains to the entry before it")
                }
                let problem: Problem = entry.sequence == previousSequence || seen.contains(entry.hash) ? .inserted : .reordered
                return .broken(
                    position: position, sequence: entry.sequence, problem: problem,
                    detail: "sequence \(entry.sequence) follows \(previousSequence)")
            }
            if recomputed != entry.hash {
                // Sealed under another sequence number: moved, not edited.
                if let sealedAs = (max(1, entry.sequence - 8)...(entry.sequence + 8)).first(where: {
                    $0 != entry.sequence
                        && Ledger.hash(previous: entry.previous, sequence: $0, time: entry.time, type: entry.type, payload: entry.payload)
                            == entry.hash
                }) {
                    return .broken(
                        position: position, sequence: entry.sequence, problem: .reordered,
                        detail: "it was sealed as sequence \(sealedAs) and now stands at \(entry.sequence)")
                }
                return .broken(
                    position: position, sequence: entry.sequence, problem: .altered,
                    detail: "its content hashes to \(recomputed.prefix(16))…, not to the \(entry.hash.prefix(16))… it carries")
            }
            if entry.sequence != previousSequence + 1 {
                // A later entry arriving early is a reordering; a gap is a removal.
                let problem: Problem = entries[(index + 1)...].contains { $0.sequence == previousSequence + 1 } ? .reordered : .removed
                return .broken(
                    position: position, sequence: entry.sequence, problem: problem,
                    detail: "expected sequence \(previousSequence + 1), found \(entry.sequence)")
            }
            if entry.previous != previousHash {
                // In sequence and sound in itself, but not linked to the one before: that
                // one was altered and re-hashed (or this one forged).
                guard index >= 1 else {
                    return .broken(
                        position: position, sequence: entry.sequence, problem: .inserted,
                        detail: "the first entry must chain to \(Ledger.genesis.prefix(16))…")
                }
                return .broken(
                    position: position - 1, sequence: entries[index - 1].sequence, problem: .altered,
                    detail: "the entry after it chains to \(entry.previous.prefix(16))…, but it hashes to \(previousHash.prefix(16))…: "
                        + "it was altered and re-hashed, or the entry after it was forged")
            }
            beforePrevious = previousHash
            previousHash = entry.hash
            previousSequence = entry.sequence
            seen.insert(entry.hash)
        }
        if let expectedHead, !seen.contains(expectedHead), !(entries.isEmpty && expectedHead == Ledger.genesis) {
            return .broken(
                position: entries.count, sequence: entries.last?.sequence, problem: .headMismatch,
                detail: "no entry has the hash \(expectedHead.prefix(16))… recorded earlier: the ledger was rewritten")
        }
        return .intact(count: entries.count, head: previousHash)
    }
}

/// The ledger as JSON Lines: one entry a line, its fields in a fixed order with the
/// payload last and verbatim, so a line can be checked without re-serialising JSON.
public enum LedgerExport {
    /// The line of `entry` (no newline).
    public static func line(_ entry: LedgerEntry) -> String {
        "{\"sequence\":\(entry.sequence),\"time\":\(quoted(entry.time)),\"type\":\(quoted(entry.type)),"
            + "\"previous\":\"\(entry.previous)\",\"hash\":\"\(entry.hash)\",\"payload\":\(entry.payload)}"
    }

    /// Reads one line back.
    ///
    /// - Throws: ``LedgerExportError`` naming what is missing or malformed.
    public static func entry(_ line: String) throws(LedgerExportError) -> LedgerEntry {
        guard let marker = line.range(of: ",\"payload\":"), line.hasSuffix("}") else {
            throw LedgerExportError(reason: "no payload field at the end of the line")
        }
        let payload = String(line[marker.upperBound..<line.index(before: line.endIndex)])
        let head = String(line[..<marker.lowerBound]) + "}"
        guard let object = try? JSONSerialization.jsonObject(with: Data(head.utf8)) as? [String: Any] else {
            throw LedgerExportError(reason: "the fields before the payload are not a JSON object")
        }
        guard let sequence = (object["sequence"] as? NSNumber)?.int64Value else {
            throw LedgerExportError(reason: "sequence: missing or not an integer")
        }
        func text(_ key: String) throws(LedgerExportError) -> String {
            guard let value = object[key] as? String else { throw LedgerExportError(reason: "\(key): missing or not a string") }
            return value
        }
        return LedgerEntry(
            sequence: sequence, time: try text("time"), type: try text("type"), payload: payload,
            previous: try text("previous"), hash: try text("hash"))
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}

/// A line of an export that cannot be read.
public struct LedgerExportError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
