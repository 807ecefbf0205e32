import DeconflictStore
import Foundation
import GRDB
import Testing

/// The chain's rules, and tampering caught in an export and in the database.
@Suite("Ledger: the hash chain and tampering")
struct LedgerTests {
    static let sealed = Ledger.seal((1...8).map { record($0, at: Double($0)) }, after: nil)

    @Test func theHashIsTheDocumentedRecipe() {
        let entry = Self.sealed[2]
        #expect(entry.sequence == 3)
        #expect(entry.previous == Self.sealed[1].hash)
        // SHA-256 of "previous\nsequence\ntime\ntype\npayload", hex.
        #expect(entry.hash == Ledger.hash(previous: entry.previous, sequence: 3, time: entry.time, type: entry.type, payload: entry.payload))
        #expect(entry.time == "2026-09-21T14:13:23.000000Z")
        #expect(Ledger.date(entry.time) == Date(timeIntervalSince1970: 1_790_000_003))
        #expect(Ledger.timestamp(Date(timeIntervalSince1970: 1_790_000_003.25)) == "2026-09-21T14:13:23.250000Z")
        // A known answer, from Python's hashlib over the same text.
        #expect(Ledger.hash(previous: Ledger.genesis, sequence: 1, time: "2026-01-01T00:00:00.000000Z", type: "t", payload: "{}")
            == "d2a8599d5286998346153633142557ac954d7b8736a06085e3402c41871dd236")
    }

    @Test func exportLinesReadBackExactly() throws {
        for entry in Self.sealed {
            #expect(try LedgerExport.entry(LedgerExport.line(entry)) == entry)
        }
        #expect(LedgerVerification.check(Self.sealed) == .intact(count: 8, head: Self.sealed[7].hash))
    }

    /// Each kind of tampering, in an export, is caught and the entry named.
    @Test func tamperingWithAnExportIsCaughtAndNamed() throws {
        var lines = Self.sealed.map(LedgerExport.line)
        func check(_ lines: [String], head: String? = nil) throws -> LedgerVerification {
            LedgerVerification.check(try lines.map { try LedgerExport.entry($0) }, expectedHead: head)
        }
        // Altered: a payload changed in place.
        var altered = lines
        altered[4] = altered[4].replacingOccurrences(of: "\"index\":5", with: "\"index\":6")
        #expect(try check(altered) == .broken(position: 5, sequence: 5, problem: .altered, detail: detail(of: try check(altered))))
        // Altered and re-hashed: the next entry's link names it.
        var rehashed = Self.sealed
        let forged = Ledger.seal([record(99, at: 5)], after: (4, Self.sealed[3].hash))[0]
        rehashed[4] = forged
        #expect(problem(LedgerVerification.check(rehashed)) == Finding(5, .altered))
        // Removed.
        var removed = lines
        removed.remove(at: 3)
        #expect(problem(try check(removed)) == Finding(4, .removed))
        // Inserted: a duplicate, and a forged entry chained to the one before.
        var duplicated = lines
        duplicated.insert(lines[2], at: 3)
        #expect(problem(try check(duplicated)) == Finding(4, .inserted))
        var inserted = Self.sealed
        inserted.insert(Ledger.seal([record(50, at: 3.5)], after: (3, Self.sealed[2].hash))[0], at: 3)
        #expect(problem(LedgerVerification.check(inserted)) == Finding(4, .inserted))
        // Reordered: two entries swapped.
        lines.swapAt(5, 6)
        #expect(problem(try check(lines)) == Finding(6, .reordered))
        // Rewritten from scratch: intact in itself, but not the head a party recorded.
        let rewritten = Ledger.seal((1...8).map { record($0 + 100, at: Double($0)) }, after: nil)
        #expect(problem(LedgerVerification.check(rewritten, expectedHead: Self.sealed[5].hash)) == Finding(8, .headMismatch))
        #expect(LedgerVerification.check(Self.sealed, expectedHead: Self.sealed[5].hash) == .intact(count: 8, head: Self.sealed[7].hash))
    }

    /// The same kinds of tampering, done to the database behind the store's back.
    @Test func tamperingWithTheDatabaseIsCaught() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-tamper-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String, Int, LedgerVerification.Problem)] = [
            ("altered", "UPDATE ledger SET payload = '{\"index\":0}' WHERE sequence = 5", 5, .altered),
            ("removed", "DELETE FROM ledger WHERE sequence = 4", 4, .removed),
            ("reordered", "UPDATE ledger SET sequence = -sequence WHERE sequence IN (6, 7); UPDATE ledger SET sequence = 7 WHERE sequence = -6; UPDATE ledger SET sequence = 6 WHERE sequence = -7", 6, .reordered),
        ]
        for (name, sql, position, expected) in cases {
            let path = folder.appendingPathComponent("\(name).sqlite").path
            do {
                _ = try await SQLiteStore(path: path).append((1...8).map { record($0, at: Double($0)) })
            }
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: sql) }
            try queue.close()
            let reopened = try SQLiteStore(path: path)
            let found = LedgerVerification.check(try await reopened.allEntries())
            #expect(problem(found) == Finding(position, expected), "\(name): \(found)")
        }
    }
}

/// Where a check found the first fault, and what.
struct Finding: Equatable, CustomStringConvertible {
    let position: Int
    let problem: LedgerVerification.Problem
    init(_ position: Int, _ problem: LedgerVerification.Problem) {
        self.position = position
        self.problem = problem
    }
    var description: String { "\(problem) at \(position)" }
}

func problem(_ verification: LedgerVerification) -> Finding? {
    if case .broken(let position, _, let problem, _) = verification { return Finding(position, problem) }
    return nil
}

func detail(of verification: LedgerVerification) -> String {
    if case .broken(_, _, _, let detail) = verification { return detail }
    return ""
}
