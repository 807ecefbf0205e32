import DeconflictStore
import DeconflictTestSupport
import Foundation
import Testing

/// `demo --store`, `export`, `verify` and `replay` as a user runs them.
@Suite("Command line: the ledger")
struct LedgerCommandTests {
    typealias CLI = CommandLineTests

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// An operator who alters an alert and seals the whole chain again passes the chain
    /// check, but not the replay: the commands before it do not produce that alert.
    @Test func replayCatchesAnEventRewrittenUnderARebuiltChain() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DeconflictServerTests/Fixtures/golden-ledger-v2.jsonl").path
        let honest = try CLI.deconflict("verify", "--replay", golden)
        #expect(honest.status == 0, "\(honest.output)")
        #expect(honest.output.contains("replayed: every command and report batch produced exactly the events recorded after it"))

        var entries = try String(contentsOfFile: golden, encoding: .utf8).split(separator: "\n").map { try LedgerExport.entry(String($0)) }
        let victim = try #require(entries.firstIndex { $0.type == "alert.raised" && $0.payload.contains("\"kind\":\"incursion\"") })
        let records = entries.map { entry in
            var record = LedgerRecord(entry)
            if entry.sequence == entries[victim].sequence {
                record.payload = entry.payload.replacingOccurrences(of: "\"kind\":\"incursion\"", with: "\"kind\":\"approach\"")
            }
            return record
        }
        entries = Ledger.seal(records, after: nil)
        let rewritten = folder.appendingPathComponent("rewritten.jsonl").path
        try (entries.map(LedgerExport.line).joined(separator: "\n") + "\n").write(toFile: rewritten, atomically: true, encoding: .utf8)
        // The chain alone cannot tell.
        #expect(try CLI.deconflict("verify", rewritten).status == 0)
        let caught = try CLI.deconflict("verify", "--replay", rewritten)
        #expect(caught.status == 1)
        #expect(caught.output.contains("replay differs: entry \(victim + 1) "), "\(caught.output)")
    }

    @Test func theDemosLedgerExportsVerifiesAndCatchesTampering() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("demo.sqlite").path
        let demo = try CLI.deconflict("demo", "--speed", "0", "--store", store)
        #expect(demo.status == 0)
        let written = try #require(demo.error.firstMatch(of: /ledger: (\d+) entries written to .*, head ([0-9a-f]{64})/))
        let count = Int(written.1)!
        #expect(count > 50)
        let head = String(written.2)

        let database = try CLI.deconflict("verify", store, "--head", head)
        #expect(database.status == 0)
        #expect(database.output == "intact: \(count) entries, head \(head)\n")

        let export = folder.appendingPathComponent("ledger.jsonl").path
        #expect(try CLI.deconflict("export", "--store", store, "--output", export).status == 0)
        var lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == count)
        #expect(try CLI.deconflict("verify", export).output == "intact: \(count) entries, head \(head)\n")

        // One entry's text altered: named, exit 1.
        let victim = try #require(lines.firstIndex { $0.contains("\"type\":\"alert.raised\"") && $0.contains("incursion") })
        lines[victim] = lines[victim].replacingOccurrences(of: "incursion", with: "approach")
        let tampered = folder.appendingPathComponent("tampered.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        let caught = try CLI.deconflict("verify", tampered)
        #expect(caught.status == 1)
        #expect(caught.output.hasPrefix("altered: entry \(victim + 1) (sequence \(victim + 1)):"))

        // An entry removed.
        lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.remove(at: 10)
        try (lines.joined(separator: "\n") + "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        let removed = try CLI.deconflict("verify", tampered)
        #expect(removed.status == 1)
        #expect(removed.output.hasPrefix("removed: entry 11 (sequence 12): expected sequence 11, found 12"))

        // Garbage and missing files: a clear message, exit 1.
        try "not a ledger\n".write(toFile: tampered, atomically: true, encoding: .utf8)
        let garbage = try CLI.deconflict("verify", tampered)
        #expect(garbage.status == 1)
        #expect(garbage.output.contains("line 1 is unreadable"))
        let missing = try CLI.deconflict("verify", folder.appendingPathComponent("nothing").path)
        #expect(missing.status == 1)
        #expect(missing.error.contains("no such file"))
    }

    @Test func replayShowsTheSituationAsItStoodThen() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("demo.sqlite").path
        #expect(try CLI.deconflict("demo", "--speed", "0", "--store", store).status == 0)
        // The seed scenario starts 2017-06-06T06:00:00Z; the convoy enters at 06:33:20.
        let before = try CLI.deconflict("replay", "--store", store, "--at", "2017-06-06T06:33:00Z")
        #expect(before.status == 0)
        #expect(before.output.contains("at-tanf-55km  deconfliction-zone of coalition, circle 55.0 km around 33.5000, 38.6500"))
        #expect(before.output.contains("approach convoy in at-tanf-55km"))
        #expect(!before.output.contains("incursion convoy"))
        let after = try CLI.deconflict("replay", "--store", store, "--at", "2017-06-06T06:34:00Z")
        #expect(after.output.contains("incursion convoy in at-tanf-55km, raised 2017-06-06T06:33:20Z"))
        #expect(!after.output.contains("approach convoy"))
        // The convoy's position is its last report at or before the instant.
        let convoy = try #require(after.output.split(separator: "\n").first { $0.contains("  convoy  ground") })
        #expect(convoy.contains("(reported 2017-06-06T06:3"))
        let bad = try CLI.deconflict("replay", "--store", store, "--at", "yesterday")
        #expect(bad.status == 1)
        #expect(bad.error.contains("--at: not an RFC 3339 time"))
    }
}
