import DeconflictEngine
import DeconflictStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Kill -9 a process writing to a store at random moments, many times over: every write
/// it was told was durable must be there afterwards, the ledger must verify, and SQLite
/// must find its file sound.
@Suite("Crash: acknowledged writes survive kill -9")
struct CrashTests {
    /// What a writer said before it died.
    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var partial: [UInt8] = []
        private var acknowledging = false

        func take(_ data: Data) {
            lock.lock()
            defer { lock.unlock() }
            partial.append(contentsOf: data)
            var start = partial.startIndex
            while let newline = partial[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: partial[start..<newline], as: UTF8.self)
                if line.hasPrefix("ack ") { acknowledging = true }
                lines.append(line)
                start = newline + 1
            }
            partial.removeSubrange(..<start)
        }

        /// Whether the writer has acknowledged a write yet.
        var acknowledged: Bool {
            lock.lock()
            defer { lock.unlock() }
            return acknowledging
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }
    }

    static var writer: URL {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("deconflict-store-writer")
    }

    /// One backend: `rounds` runs of the writer, each killed after 50–400 ms of writing.
    func crashRepeatedly(
        target: String, rounds: Int, open: () async throws -> any Store
    ) async throws -> (acknowledged: Int, recoveries: [Duration]) {
        // A PostgreSQL store's connections run in `running` until the end.
        try await withThrowingTaskGroup(of: Void.self) { running in
            defer { running.cancelAll() }
            var generator = SystemRandomNumberGenerator()
            var acknowledged: Set<String> = []
            var units: Set<String> = []
            var recoveries: [Duration] = []
            // Rounds in which the writer had batches waiting for a flush when it was killed.
            var deferredRounds = 0
            // The last entry checked: each round checks only what was written since, and the
            // whole ledger is checked once more after the last round.
            var checked: (sequence: Int64, hash: String) = (0, Ledger.genesis)
            for round in 0..<rounds {
                let process = Process()
                process.executableURL = Self.writer
                process.arguments = [target]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = Pipe()
                let heard = Heard()
                output.fileHandleForReading.readabilityHandler = { handle in heard.take(handle.availableData) }
                try process.run()
                // Wait until it writes, then let it write for a random while.
                let deadline = Date().addingTimeInterval(20)
                while !heard.acknowledged, Date() < deadline, process.isRunning {
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...400, using: &generator)))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                output.fileHandleForReading.readabilityHandler = nil
                heard.take(output.fileHandleForReading.availableData)
                #expect(process.terminationReason == .uncaughtSignal, "round \(round): the writer was not killed")
                var acknowledgedNow: Set<String> = []
                var unitsNow: Set<String> = []
                for line in heard.all {
                    let parts = line.split(separator: " ")
                    if parts.first == "ack", parts.count == 4, let first = Int(parts[2]), let last = Int(parts[3]) {
                        for index in first...last { acknowledgedNow.insert("{\"index\":\(index),\"run\":\"\(parts[1])\"}") }
                    } else if parts.first == "reports", parts.count == 2 {
                        unitsNow.insert(String(parts[1]))
                    }
                }
                if heard.all.contains("pending") { deferredRounds += 1 }
                acknowledged.formUnion(acknowledgedNow)
                units.formUnion(unitsNow)
                // Recovery: opening the store after the crash.
                let clock = ContinuousClock()
                let began = clock.now
                let store = try await open()
                // Running for this round only: a SQLite store's run holds the file's flush
                // lock, which the next round's writer must get to defer its reports.
                let runningNow = Task { await store.run() }
                try await store.prepare()
                recoveries.append(clock.now - began)
                // What this round wrote: the entries after the last one checked, chained to
                // it, holding every write acknowledged in this round.
                let written = try await Self.entries(of: store, after: checked.sequence)
                if let problem = Self.chainProblem(written, after: checked) {
                    Issue.record("round \(round): \(problem)")
                    break
                }
                let missing = acknowledgedNow.subtracting(written.map(\.payload))
                #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged writes lost, e.g. \(missing.first ?? "")")
                checked = written.last.map { ($0.sequence, $0.hash) } ?? checked
                if let sqlite = store as? SQLiteStore {
                    #expect(try await sqlite.integrityCheck().isEmpty, "round \(round): SQLite reports corruption")
                }
                let stored = Set(try await store.latestReports(atOrBefore: Date().addingTimeInterval(60)).map(\.unit.rawValue))
                #expect(unitsNow.isSubset(of: stored), "round \(round): acknowledged reports lost")
                // Each acknowledged batch (20 reports of a unit of its own) whole, those a
                // running SQLite store had not flushed included.
                for unit in unitsNow.filter({ $0.hasPrefix("batch-") }).prefix(40) {
                    let reports = try await store.reports(of: UnitID(unit), from: .distantPast, to: .distantFuture)
                    #expect(reports.count == 20, "round \(round): \(unit) has \(reports.count) of its 20 reports")
                }
                runningNow.cancel()
                await runningNow.value
            }
            // After the last crash, the whole ledger: one unbroken chain holding every write
            // acknowledged in any round, and every acknowledged report.
            let store = try await open()
            running.addTask { await store.run() }
            try await store.prepare()
            let entries = try await store.allEntries()
            if case .broken = LedgerVerification.check(entries) {
                Issue.record("after \(rounds) kills: \(LedgerVerification.check(entries))")
            }
            let missing = acknowledged.subtracting(entries.map(\.payload))
            #expect(missing.isEmpty, "after \(rounds) kills: \(missing.count) acknowledged writes lost, e.g. \(missing.first ?? "")")
            let stored = Set(try await store.latestReports(atOrBefore: Date().addingTimeInterval(60)).map(\.unit.rawValue))
            #expect(units.isSubset(of: stored), "after \(rounds) kills: acknowledged reports lost")
            if target.hasPrefix("/") {
                #expect(deferredRounds > rounds / 2, "the writer deferred its batches in only \(deferredRounds) of \(rounds) rounds")
            }
            return (acknowledged.count, recoveries)
        }
    }

    /// The entries of `store` after `sequence`, in order.
    static func entries(of store: any Store, after sequence: Int64) async throws -> [LedgerEntry] {
        var result: [LedgerEntry] = []
        while true {
            let page = try await store.entries(after: result.last?.sequence ?? sequence, limit: 10_000)
            if page.isEmpty { return result }
            result += page
        }
    }

    /// Why `entries` do not continue the hash chain right after `head`, or nil when they do.
    static func chainProblem(_ entries: [LedgerEntry], after head: (sequence: Int64, hash: String)) -> String? {
        var previous = head
        for entry in entries {
            let hash = Ledger.hash(
                previous: entry.previous, sequence: entry.sequence, time: entry.time, type: entry.type, payload: entry.payload)
            guard entry.sequence == previous.sequence + 1, entry.previous == previous.hash, hash == entry.hash else {
                return "entry \(entry.sequence) does not continue the chain after entry \(previous.sequence)"
            }
            previous = (entry.sequence, entry.hash)
        }
        return nil
    }

    @Test func sqliteSurvivesKillNine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("crash.sqlite").path
        let rounds = StoreUnderTest.postgresURL == nil ? 20 : 12
        let result = try await crashRepeatedly(target: path, rounds: rounds) { try SQLiteStore(path: path) }
        #expect(result.acknowledged > rounds * 10, "the writer wrote too little to test anything: \(result.acknowledged)")
        let slowest = result.recoveries.max() ?? .zero
        print("sqlite: \(rounds) kills, \(result.acknowledged) acknowledged writes kept, recovery (open after kill) max \(slowest)")
    }

    @Test func postgresSurvivesKillNine() async throws {
        guard let base = StoreUnderTest.postgresURL else { return }
        let name = "crash_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try psql(base, "CREATE DATABASE \(name)")
        let url = base.replacingOccurrences(of: #"/[^/]*$"#, with: "/\(name)", options: .regularExpression)
        let result = try await crashRepeatedly(target: url, rounds: 10) { try PostgresStore(url: url) }
        #expect(result.acknowledged > 100)
        print("postgres: 10 kills, \(result.acknowledged) acknowledged writes kept, recovery max \(result.recoveries.max() ?? .zero)")
    }
}
