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
        private var partial = ""

        func take(_ data: Data) {
            lock.lock()
            defer { lock.unlock() }
            partial += String(decoding: data, as: UTF8.self)
            while let newline = partial.firstIndex(of: "\n") {
                lines.append(String(partial[..<newline]))
                partial = String(partial[partial.index(after: newline)...])
            }
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
        var generator = SystemRandomNumberGenerator()
        var acknowledged: Set<String> = []
        var units: Set<String> = []
        var recoveries: [Duration] = []
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
            while !heard.all.contains(where: { $0.hasPrefix("ack ") }), Date() < deadline, process.isRunning {
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...400, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
            heard.take(output.fileHandleForReading.availableData)
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the writer was not killed")
            for line in heard.all {
                let parts = line.split(separator: " ")
                if parts.first == "ack", parts.count == 4, let first = Int(parts[2]), let last = Int(parts[3]) {
                    for index in first...last { acknowledged.insert("{\"index\":\(index),\"run\":\"\(parts[1])\"}") }
                } else if parts.first == "reports", parts.count == 2 {
                    units.insert(String(parts[1]))
                }
            }
            // Recovery: opening the store after the crash.
            let clock = ContinuousClock()
            let began = clock.now
            let store = try await open()
            recoveries.append(clock.now - began)
            let entries = try await store.allEntries()
            let payloads = Set(entries.map(\.payload))
            let missing = acknowledged.subtracting(payloads)
            #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged writes lost, e.g. \(missing.first ?? "")")
            guard case .intact = LedgerVerification.check(entries) else {
                Issue.record("round \(round): \(LedgerVerification.check(entries))")
                break
            }
            if let sqlite = store as? SQLiteStore {
                #expect(try await sqlite.integrityCheck().isEmpty, "round \(round): SQLite reports corruption")
            }
            let stored = Set(try await store.latestReports(atOrBefore: Date().addingTimeInterval(60)).map(\.unit.rawValue))
            #expect(units.isSubset(of: stored), "round \(round): acknowledged reports lost")
        }
        return (acknowledged.count, recoveries)
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
        let result = try await crashRepeatedly(target: url, rounds: 10) { try await PostgresStore(url: url) }
        #expect(result.acknowledged > 100)
        print("postgres: 10 kills, \(result.acknowledged) acknowledged writes kept, recovery max \(result.recoveries.max() ?? .zero)")
    }
}
