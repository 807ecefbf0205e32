import AsyncHTTPClient
import DeconflictTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `deconflict serve`'s settings: one precedence for every key (a flag, then the
/// environment, then the `--config` file, then the default), and a value that cannot be
/// read named with where it came from.
@Suite("Server settings")
struct ConfigurationTests {
    /// How many of five requests with a wrong key the server refuses with 429 (the
    /// failed-authentication limit per address) rather than 401.
    static func refusedByTheLimit(_ server: ServerProcess) async throws -> Int {
        let client = Client(base: server.base, key: "dck_wrong_key", http: .shared)
        var limited = 0
        for _ in 0..<5 where try await client.get("/v1/zones").status == 429 { limited += 1 }
        return limited
    }

    @Test func aFlagBeatsTheEnvironmentWhichBeatsTheFile() async throws {
        let folder = try temporaryFolder("settings")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "settings.json")
        // The file asks for a limit of one failed authentication every 100 s (one at once),
        // so a second one is refused however slowly the requests come.
        try Data(#"{"authFailureLimit": 0.01, "logLevel": "warning"}"#.utf8).write(to: file)
        let store = ["--store", folder.appending(path: "s.sqlite").path]

        // The file alone: the limit applies.
        var server = try await ServerProcess(store: store, extra: ["--config", file.path])
        #expect(try await Self.refusedByTheLimit(server) > 0)
        server.stop()
        // The environment turns it off (0: no limit), over the file.
        server = try await ServerProcess(store: store, extra: ["--config", file.path], environment: ["DECONFLICT_AUTH_FAILURE_LIMIT": "0"])
        #expect(try await Self.refusedByTheLimit(server) == 0)
        server.stop()
        // A flag turns it on again, over the environment.
        server = try await ServerProcess(
            store: store, extra: ["--config", file.path, "--auth-failure-limit", "0.01"], environment: ["DECONFLICT_AUTH_FAILURE_LIMIT": "0"])
        #expect(try await Self.refusedByTheLimit(server) > 0)
        server.stop()
    }

    @Test func aValueThatCannotBeReadIsNamedWithItsSource() throws {
        let folder = try temporaryFolder("settings-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "settings.json")
        try Data(#"{"port": "eighty"}"#.utf8).write(to: file)
        let store = ["--store", folder.appending(path: "s.sqlite").path]
        let cases: [([String], [String: String], String)] = [
            (["--config", file.path], [:], "--config: \(file.path): port: not a whole number"),
            ([], ["DECONFLICT_PORT": "eighty"], "DECONFLICT_PORT: not a whole number"),
            ([], ["DECONFLICT_RATE_LIMIT": "lots"], "DECONFLICT_RATE_LIMIT: not a number"),
            ([], ["DECONFLICT_DEMO": "maybe"], "DECONFLICT_DEMO: not a true or false"),
            (["--config", folder.appending(path: "missing.json").path], [:], "--config: cannot read"),
            (["--heap-trim-interval=-1"], [:], "--heap-trim-interval: must be 0 (never) or a positive number of seconds, got -1"),
            ([], ["DECONFLICT_HEAP_TRIM_INTERVAL": "often"], "DECONFLICT_HEAP_TRIM_INTERVAL: not a number"),
            ([], ["DECONFLICT_REPORT_FLUSH_INTERVAL": "0"], "reportFlushInterval (DECONFLICT_REPORT_FLUSH_INTERVAL): seconds between two flushes of the reports table, at least 0.001 (a millisecond) and at most 60, not 0.0"),
            ([], ["DECONFLICT_REPORT_FLUSH_INTERVAL": "0.0004"], "reportFlushInterval (DECONFLICT_REPORT_FLUSH_INTERVAL): seconds between two flushes of the reports table, at least 0.001 (a millisecond) and at most 60, not 0.0004"),
            ([], ["DECONFLICT_REPORT_FLUSH_INTERVAL": "61"], "at least 0.001 (a millisecond) and at most 60, not 61.0"),
            ([], ["DECONFLICT_REPORT_FLUSH_GROUPS": "65"], "reportFlushGroups (DECONFLICT_REPORT_FLUSH_GROUPS): the groups of units flushed in turn, 1 to 64, not 65"),
            ([], ["DECONFLICT_REPORT_FLUSH_GROUPS": "some"], "DECONFLICT_REPORT_FLUSH_GROUPS: not a whole number"),
        ]
        for (arguments, environment, message) in cases {
            let run = try Executables.run("deconflict", ["serve"] + store + arguments, environment: environment)
            #expect(run.status != 0 && run.error.contains(message), "\(arguments) \(environment): \(run.error)")
        }
    }
}
