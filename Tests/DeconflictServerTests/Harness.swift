import AsyncHTTPClient
import DeconflictEngine
import NIOHTTP1
import DeconflictStore
import DeconflictTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `deconflict` binary built next to the tests.
var deconflictBinary: URL { Executables.url("deconflict") }

/// Runs `deconflict` with `arguments` to completion; its standard output, trimmed.
func runDeconflict(_ arguments: [String]) throws -> String {
    let run = try Executables.run("deconflict", arguments)
    guard run.status == 0 else {
        throw HarnessError("deconflict \(arguments.joined(separator: " ")) failed: \(run.error)")
    }
    return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `deconflict serve` process on 127.0.0.1 and a port of its choosing.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private(set) var port = 0
    /// From launch to listening (the ledger replayed).
    private(set) var startup: Duration = .zero
    private let lock = NSLock()
    private var log = ""

    /// Starts `deconflict serve` on `store` (`--store FILE` or `--postgres URL` arguments).
    init(store: [String], extra: [String] = [], environment: [String: String] = [:]) async throws {
        process.executableURL = deconflictBinary
        process.arguments = ["serve", "--port", "0"] + store + extra
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let errors = Pipe(), printed = Pipe()
        process.standardError = errors
        process.standardOutput = printed
        // Standard output and standard error both end up in `output`.
        for pipe in [errors, printed] {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                guard let self else { return }
                self.lock.lock()
                self.log += text
                self.lock.unlock()
            }
        }
        let began = ContinuousClock.now
        try process.run()
        // A loaded machine (the whole suite on two cores) can hold this task or the pipe's
        // reader back for a long while: the output is read once more before giving up, so
        // a server that did start is never stopped for being heard late.
        let deadline = began + .seconds(180)
        while true {
            if let port = listeningPort {
                self.port = port
                startup = ContinuousClock.now - began
                return
            }
            guard process.isRunning, ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let running = process.isRunning
        if running { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        printed.fileHandleForReading.readabilityHandler = nil
        let rest = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let reason = running ? "still not listening after \(ContinuousClock.now - began), stopped" : "exit \(process.terminationStatus)"
        throw HarnessError("the server did not start (\(reason)): \(output)\(rest)")
    }

    /// The port of the "listening on" line, once the server has printed it.
    private var listeningPort: Int? {
        guard let match = output.firstMatch(of: /listening on https?:\/\/127\.0\.0\.1:(\d+)/) else { return nil }
        return Int(match.1)
    }

    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// A plain HTTP client speaking JSON to a server.
struct Client: Sendable {
    let base: String
    let key: String?
    let http: HTTPClient

    struct Answer: Sendable {
        let status: Int
        let body: Data
        let contentType: String?

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, body: String? = nil, contentType: String = "application/json", headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(status: Int(response.status.code), body: Data(buffer: buffer), contentType: response.headers.first(name: "Content-Type"))
    }

    func get(_ path: String) async throws -> Answer { try await send(.GET, path) }
}

/// A throwaway folder.
func temporaryFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

var postgresURL: String? { ProcessInfo.processInfo.environment["DECONFLICT_TEST_POSTGRES"] }

/// A new, empty database on the test PostgreSQL server; its URL.
func freshPostgresDatabase(_ prefix: String) throws -> String? {
    guard let base = postgresURL else { return nil }
    let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"]
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw HarnessError("could not create database \(name)") }
    return base.replacingOccurrences(of: #"/[^/]*$"#, with: "/\(name)", options: .regularExpression)
}

/// RFC 3339 text of a date, with milliseconds.
func timestamp(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

/// RFC 3339 text of a whole number of milliseconds since 1970, exactly.
func timestamp(milliseconds: Int64) -> String {
    let seconds = Date(timeIntervalSince1970: Double(milliseconds / 1_000))
    let base = seconds.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false)).dropLast()
    return "\(base).\(String(format: "%03lld", milliseconds % 1_000))Z"
}

/// One event of a Server-Sent Events stream.
struct ServerSentEvent: Sendable {
    var id: Int64?
    var event: String?
    var data: String?
}

/// Takes the complete events (each ended by a blank line) off the front of `pending`,
/// the text read so far; what follows the last one stays for the next read.
func takeServerSentEvents(from pending: inout String) -> [ServerSentEvent] {
    var events: [ServerSentEvent] = []
    while let range = pending.range(of: "\n\n") {
        let block = pending[..<range.lowerBound]
        pending = String(pending[range.upperBound...])
        var event = ServerSentEvent()
        for line in block.split(separator: "\n") {
            if line.hasPrefix("id: ") { event.id = Int64(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { event.data = String(line.dropFirst(6)) }
        }
        events.append(event)
    }
    return events
}
