import ArgumentParser
import DeconflictEngine
import DeconflictGeometry
import DeconflictNode
import DeconflictLedger
import DeconflictStore
import Foundation

/// Opens the SQLite store at `path`, refusing a path that does not exist (reading
/// commands must not create an empty store by mistake).
func openExistingStore(_ path: String, option: String) throws -> SQLiteStore {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(option): no such file: \(path)") }
    do {
        return try SQLiteStore(path: path)
    } catch {
        throw InputError("\(option): \(error)")
    }
}

/// Runs `body` with the store named by a path (SQLite, which must exist) or a
/// `postgres://` URL in use (``withStore(_:_:)``).
func usingStore<Result: Sendable>(
    _ spec: String, option: String, _ body: (any Store) async throws -> Result
) async throws -> Result {
    let store: any Store
    if spec.hasPrefix("postgres://") || spec.hasPrefix("postgresql://") {
        do {
            store = try PostgresStore(url: spec)
        } catch {
            throw InputError("\(option): \(error)")
        }
    } else {
        store = try openExistingStore(spec, option: option)
    }
    return try await using(store, option: option, body)
}

/// Runs `body` with `store` in use (``withStore(_:_:)``); a store that cannot be made
/// ready (the PostgreSQL server unreachable, say) is named by `option`, while what `body`
/// throws passes unchanged.
func using<Result: Sendable>(
    _ store: any Store, option: String, _ body: (any Store) async throws -> Result
) async throws -> Result {
    var ready = false
    do {
        return try await withStore(store) { store in
            ready = true
            return try await body(store)
        }
    } catch where !ready {
        throw InputError("\(option): \(error)")
    }
}

/// `deconflict export`: the ledger as JSON Lines.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the ledger as JSON Lines, one entry a line, in sequence order.",
        discussion: "Each line: sequence, time, type, previous, hash, and the payload verbatim (docs/ledger.md).")

    @Option(help: ArgumentHelp("The store to read: a SQLite file or a postgres:// URL.", valueName: "file-or-url"))
    var store: String

    @Option(help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp(
        "The service's ledger key (serve --ledger-key), to sign the head of what is exported. Default: beside a SQLite store (<store>.ledger-key.pem), when it is there. It must be a key the ledger records.",
        valueName: "file"))
    var ledgerKey: String?

    @Option(help: ArgumentHelp(
        "Write the signed head of the export here. Default: <output>.head.json; with no --output and no --signed-head, no head is written.",
        valueName: "file"))
    var signedHead: String?

    func run() async throws {
        try await usingStore(store, option: "--store") { try await export($0) }
    }

    /// The key to sign with: `--ledger-key`, or the SQLite store's own when it is there.
    private func signingKey() throws -> SigningKey? {
        let path: String
        if let ledgerKey {
            path = ledgerKey
        } else if !store.hasPrefix("postgres://") && !store.hasPrefix("postgresql://") {
            path = store + ".ledger-key.pem"
            guard FileManager.default.fileExists(atPath: path) else { return nil }
        } else {
            return nil
        }
        do {
            return try SigningKey.load(path: path, create: false).key
        } catch {
            throw InputError("--ledger-key: \(error)")
        }
    }

    private func export(_ opened: any Store) async throws {
        let headPath = signedHead ?? output.map { $0 + ".head.json" }
        let key = headPath == nil ? nil : try signingKey()
        if signedHead != nil && key == nil {
            throw InputError("--signed-head: no ledger key to sign with (--ledger-key)")
        }
        var after: Int64 = 0
        var written = 0
        var tree = MerkleTree()
        var recorded = SignedHeadCheck.RecordedKeys()
        var lastHash = Ledger.genesis
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw InputError("--output: cannot create \(output)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            handle = FileHandle.standardOutput
        }
        let progress = Progress("exporting", total: try await opened.head()?.sequence)
        while true {
            let page = try await opened.entries(after: after, limit: 5_000)
            guard let last = page.last else { break }
            handle.write(Data(page.map { LedgerExport.line($0) + "\n" }.joined().utf8))
            if key != nil {
                for entry in page {
                    tree.append(entry)
                    recorded.note(entry)
                }
            }
            written += page.count
            after = last.sequence
            lastHash = last.hash
            progress.advance(to: Int64(written))
        }
        if output != nil { try handle.close() }
        progress.finish("\(written) entries written to \(output ?? "standard output")")
        guard let key, let headPath else {
            if let headPath {
                FileHandle.standardError.write(Data("no signed head written to \(headPath): no ledger key (--ledger-key)\n".utf8))
            }
            return
        }
        guard recorded.ids.contains(key.id) else {
            throw InputError("--ledger-key: key \(key.id) is not one this ledger records (serve records its key when it starts)")
        }
        let head = try key.sign(size: Int64(tree.size), root: MerkleTree.hex(tree.root), head: lastHash, time: Ledger.timestamp(Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard FileManager.default.createFile(atPath: headPath, contents: try encoder.encode(head) + Data("\n".utf8)) else {
            throw InputError("--signed-head: cannot create \(headPath)")
        }
        FileHandle.standardError.write(Data("signed head of \(head.size) entries, root \(head.root), key \(key.id), written to \(headPath)\n".utf8))
    }
}

/// `deconflict verify`: recomputes the chain of an export or a store.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute the ledger's hash chain and name the first altered, removed, inserted or reordered entry.",
        discussion: """
            TARGET is a JSON Lines export, a SQLite store or a postgres:// URL. Exits with 0 when the chain is intact, 1 when it is \
            not (or the target cannot be read). With --head, the chain must also contain the hash a party recorded \
            earlier, so a ledger rewritten from scratch is caught too; with --witnessed, the ledger must extend every \
            head a witness kept (`deconflict witness`), and the earliest it does not is named with the last it does.
            """)

    @Argument(help: ArgumentHelp("A JSON Lines export, a SQLite store or a postgres:// URL.", valueName: "file-or-database"))
    var target: String

    @Option(help: ArgumentHelp("A head hash recorded earlier that the ledger must contain.", valueName: "hash"))
    var head: String?

    @Option(help: ArgumentHelp("A file of heads a witness kept (deconflict witness --heads): the ledger must extend each.", valueName: "file"))
    var witnessed: String?

    @Option(help: ArgumentHelp(
        "A head the service signed (deconflict export writes <output>.head.json; GET /v1/ledger/head): its signature, its key (one the ledger records) and its root must hold. Default: <export>.head.json beside an export, when it is there.",
        valueName: "file"))
    var signedHead: String?

    @Flag(help: ArgumentHelp("Also replay the ledger's commands and check that each produced exactly the events recorded after it (ledgers written by serve): an event rewritten is caught even when the whole chain was sealed again."))
    var replay = false

    func run() async throws {
        let entries: [LedgerEntry]
        var headPath = signedHead
        if target.hasPrefix("postgres://") || target.hasPrefix("postgresql://") {
            entries = try await usingStore(target, option: "target") { try await $0.allEntries() }
        } else if !FileManager.default.fileExists(atPath: target) {
            throw InputError("\(target): no such file")
        } else if try Self.isSQLite(target) {
            let store = try openExistingStore(target, option: "target")
            let problems = try await store.integrityCheck()
            if !problems.isEmpty {
                print("\(target): the database is corrupt: \(problems.prefix(3).joined(separator: "; "))")
                throw ExitCode.failure
            }
            entries = try await store.allEntries()
        } else {
            if headPath == nil, FileManager.default.fileExists(atPath: target + ".head.json") { headPath = target + ".head.json" }
            guard let data = FileManager.default.contents(atPath: target) else { throw InputError("\(target): cannot read") }
            var parsed: [LedgerEntry] = []
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated() where !line.isEmpty {
                do {
                    parsed.append(try LedgerExport.entry(String(line)))
                } catch {
                    print("\(target): line \(index + 1) is unreadable: \(error)")
                    throw ExitCode.failure
                }
            }
            entries = parsed
        }
        let progress = Progress("verifying", total: Int64(entries.count))
        let outcome = LedgerVerification.check(entries, expectedHead: head)
        progress.finish("\(entries.count) entries checked")
        switch outcome {
        case .intact(let count, let head):
            print("intact: \(count) entries, head \(head)")
            if let headPath {
                let signed = try SignedHeadCheck.read(headPath)
                let (problem, recordedAt) = SignedHeadCheck.problem(signed, entries)
                if let problem {
                    print("signed head \(headPath) does not hold: \(problem)")
                    throw ExitCode.failure
                }
                print("signed: the head of \(signed.size) entries (root \(signed.root)) signed at \(signed.time) "
                    + "by key \(signed.key), which the ledger records at entry \(recordedAt)")
            }
            if let witnessed {
                let kept = try Witness.read(witnessed).map(\.head)
                switch WitnessedHeads.check(entries, against: kept) {
                case .extends(let heads, let size):
                    print("extends: every one of the \(heads) heads witnessed, the last of \(size) entries")
                case .rewritten(let broken, let holds, let detail):
                    print("rewritten: after entry \(holds), at or before entry \(broken.size): \(detail)")
                    throw ExitCode.failure
                }
            }
            if replay { try await Self.replay(entries, target: target) }
        case .broken(let position, let sequence, let problem, let detail):
            let which = sequence.map { "entry \(position) (sequence \($0))" } ?? "entry \(position)"
            print("\(problem.rawValue): \(which): \(detail)")
            throw ExitCode.failure
        }
    }

    /// Replays `entries` into a fresh node and holds every command and report batch to the
    /// events recorded after it; exits with 1 naming the first difference.
    static func replay(_ entries: [LedgerEntry], target: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A copy of the entries, sealed again (the chain is known intact): the node reads it.
        let store = try SQLiteStore(path: folder.appendingPathComponent("replay.sqlite").path)
        for start in stride(from: 0, to: entries.count, by: 5_000) {
            _ = try await store.append(entries[start..<min(start + 5_000, entries.count)].map(LedgerRecord.init))
        }
        let progress = Progress("replaying", total: Int64(entries.count))
        let node = try await Node(store: store)
        let (difference, _) = try await node.replayDifference()
        progress.finish("replayed \(entries.count) entries")
        if let difference {
            print("replay differs: \(difference)")
            throw ExitCode.failure
        }
        print("replayed: every command and report batch produced exactly the events recorded after it")
    }

    /// Whether the file starts with SQLite's header.
    static func isSQLite(_ path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError("\(path): cannot read") }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\u{0}".utf8)
    }
}

/// `deconflict replay`: the situation as it stood at an instant.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the situation (zones, units and where they were, open alerts) as it stood at a time.")

    @Option(help: ArgumentHelp("The store to read: a SQLite file or a postgres:// URL.", valueName: "file-or-url"))
    var store: String

    @Option(help: ArgumentHelp("The instant, RFC 3339 (2026-11-26T06:40:00Z).", valueName: "time"))
    var at: String

    func run() async throws {
        guard let instant = Self.parse(at) else {
            throw InputError("--at: not an RFC 3339 time (like 2026-11-26T06:40:00Z): \(at)")
        }
        try await usingStore(store, option: "--store") { try await replay($0, at: instant) }
    }

    private func replay(_ opened: any Store, at instant: Date) async throws {
        let progress = Progress("replaying the ledger", total: try await opened.head()?.sequence)
        let situation = try await Situation.at(instant, from: opened) { progress.advance(to: $0) }
        progress.finish("replayed \(situation.entries) ledger entries")
        print("Situation at \(RFC3339.shortest(instant)) (ledger entries 1–\(situation.entries), head \(situation.head.prefix(16))…)")
        print("Zones (\(situation.zones.count)):")
        for zone in situation.zones {
            print("  \(zone.id)  \(zone.kind) of \(zone.owner), \(zone.outline)")
        }
        print("Units (\(situation.units.count)):")
        for unit in situation.units {
            let place = unit.lastReport.map {
                String(format: "at %.4f, %.4f (reported ", $0.position.latitude, $0.position.longitude)
                    + RFC3339.shortest($0.time) + ")"
            } ?? "no report yet"
            print("  \(unit.id)  \(unit.domain) of \(unit.party), \(place)")
        }
        print("Open alerts (\(situation.openAlerts.count)):")
        for alert in situation.openAlerts {
            let subject = alert.units.joined(separator: ", ") + (alert.zone.map { " in \($0)" } ?? "")
            let acknowledged = alert.acknowledgedBy.isEmpty ? "" : "; acknowledged by \(alert.acknowledgedBy.joined(separator: ", "))"
            print("  \(alert.id) \(alert.kind) \(subject), raised \(RFC3339.shortest(alert.raisedAt)), to \(alert.addressees.joined(separator: ", "))\(acknowledged)")
        }
    }

    static func parse(_ text: String) -> Date? { RFC3339.parse(text) }
}
