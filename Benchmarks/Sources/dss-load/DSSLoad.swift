import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Creates operational intents through the ASTM F3548 DSS interface of a running
/// `deconflict serve` from concurrent clients, each a USS with its own token, and
/// measures the creates per second and their latency.
///
/// Workloads (`--mode`):
/// - `hot`: every intent lies in one hot spot 1 km across, so all overlap in space.
///   Each client flies its own altitude band and chains its intents in time (each
///   overlaps its previous one), so the full key of a create is the OVN of the client's
///   previous intent, and the DSS must find it among everything in the hot spot.
/// - `apart`: each client in its own area 20 km from the others; otherwise the same.
/// - `conflict`: every intent overlaps every other in space, altitude and time. Clients
///   share what they learn (as USSs would through each other's details endpoints): a
///   create carries every OVN known, a 409 is retried with the missing ones added.
@main
struct DSSLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dss-load", abstract: "Concurrent operational intent creates against the DSS interface.")

    @Option(help: "The server, e.g. http://127.0.0.1:8080.")
    var url: String

    @Option(help: "A file with one access token per line (RS256, scope utm.strategic_coordination), one per client.")
    var tokens: String

    @Option(help: "hot, apart or conflict.")
    var mode: String = "hot"

    @Option(help: "Concurrent clients.")
    var clients: Int = 10

    @Option(help: "Seconds to run after the warm-up.")
    var seconds: Double = 15

    @Option(help: "Seconds of warm-up, not measured.")
    var warmup: Double = 3

    @Option(help: "Where the hot spot is: latitude,longitude.")
    var center: String = "47.3969,8.5449"

    func run() async throws {
        let tokens = try String(contentsOfFile: self.tokens, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard tokens.count >= clients else { throw ValidationError("--tokens: \(tokens.count) tokens for \(clients) clients") }
        guard ["hot", "apart", "conflict"].contains(mode) else { throw ValidationError("--mode: hot, apart or conflict") }
        let parts = center.split(separator: ",").compactMap { Double($0) }
        guard parts.count == 2 else { throw ValidationError("--center: latitude,longitude") }
        let shared = Shared()
        let began = Date()
        let start = ContinuousClock.now
        let warmEnd = start + .milliseconds(Int(warmup * 1_000))
        let end = warmEnd + .milliseconds(Int(seconds * 1_000))
        let results = try await withThrowingTaskGroup(of: ClientResult.self) { group in
            for index in 0..<clients {
                let client = Client(
                    index: index, token: tokens[index], url: url, mode: mode, center: (parts[0], parts[1]), epoch: began, shared: shared)
                group.addTask { try await client.run(warmEnd: warmEnd, end: end) }
            }
            var all: [ClientResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        let latencies = results.flatMap(\.latencies).sorted()
        let created = latencies.count
        let conflicts = results.reduce(0) { $0 + $1.conflicts }
        let failures = results.reduce(0) { $0 + $1.failures }
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1_000
        }
        print(String(
            format: "mode %@ clients %d: %d intents created in %.1f s = %.0f creates/s; create latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %d answered 409 (retried), %d failed",
            mode, clients, created, seconds, Double(created) / seconds, percentile(0.5), percentile(0.95), percentile(0.99),
            (latencies.last ?? 0) * 1_000, conflicts, failures))
        if failures > 0 { throw ExitCode(2) }
    }
}

/// What the clients know of each other's intents: id to OVN (the conflict mode).
actor Shared {
    var known: [String: String] = [:]
    func learn(_ id: String, _ ovn: String) { known[id] = ovn }
    func all() -> [String] { Array(known.values) }
    func ovn(of id: String) -> String? { known[id] }
}

struct ClientResult: Sendable {
    var latencies: [Double] = []
    var conflicts = 0
    var failures = 0
}

struct Client: Sendable {
    let index: Int
    let token: String
    let url: String
    let mode: String
    let center: (Double, Double)
    let epoch: Date
    let shared: Shared

    static let intentSeconds = 60.0

    func time(_ date: Date) -> String {
        "{\"value\":\"\(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))\",\"format\":\"RFC3339\"}"
    }

    /// The body of the client's `number`-th intent.
    func body(number: Int, key: [String]) -> String {
        var latitude = center.0, longitude = center.1
        var low = 0.0, high = 120.0
        var start = epoch.addingTimeInterval(600)
        switch mode {
        case "conflict":
            latitude += Double(number % 7) * 0.0005
        case "apart":
            longitude += Double(index) * 0.27
            low = 0
            high = 120
            start = start.addingTimeInterval(Double(number) * Self.intentSeconds * 0.8)
        default:
            // The hot spot: every intent within ~500 m of the centre, the client's own band.
            latitude += Double((number * 37 + index * 11) % 9 - 4) * 0.0008
            longitude += Double((number * 53 + index * 7) % 9 - 4) * 0.0008
            low = Double(index) * 20
            high = low + 15
            start = start.addingTimeInterval(Double(number) * Self.intentSeconds * 0.8)
        }
        let end = start.addingTimeInterval(Self.intentSeconds)
        let keyList = key.map { "\"\($0)\"" }.joined(separator: ",")
        return """
        {"extents":[{"volume":{"outline_circle":{"center":{"lat":\(latitude),"lng":\(longitude)},"radius":{"value":300,"units":"M"}},\
        "altitude_lower":{"value":\(low),"reference":"W84","units":"M"},"altitude_upper":{"value":\(high),"reference":"W84","units":"M"}},\
        "time_start":\(time(start)),"time_end":\(time(end))}],"key":[\(keyList)],"state":"Accepted",\
        "uss_base_url":"https://uss\(index).example.test/utm","new_subscription":{"uss_base_url":"https://uss\(index).example.test/utm"}}
        """
    }

    func run(warmEnd: ContinuousClock.Instant, end: ContinuousClock.Instant) async throws -> ClientResult {
        var result = ClientResult()
        var number = 0
        var previous: String?
        while ContinuousClock.now < end {
            let id = UUID().uuidString.lowercased()
            var key: [String]
            if mode == "conflict" {
                key = await shared.all()
            } else {
                key = previous.map { [$0] } ?? []
            }
            var attempts = 0
            while true {
                attempts += 1
                var request = HTTPClientRequest(url: "\(url)/dss/v1/operational_intent_references/\(id)")
                request.method = .PUT
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body(number: number, key: key)))
                let sent = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
                let elapsed = (ContinuousClock.now - sent) / .seconds(1)
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
                if response.status == .created {
                    let ovn = ((object["operational_intent_reference"] as? [String: Any])?["ovn"] as? String) ?? ""
                    previous = ovn
                    if mode == "conflict" { await shared.learn(id, ovn) }
                    if sent >= warmEnd { result.latencies.append(elapsed) }
                    break
                }
                if response.status == .conflict, mode == "conflict", ContinuousClock.now < end {
                    if sent >= warmEnd { result.conflicts += 1 }
                    // Learn the missing OVNs from their managers (their details endpoints; here
                    // shared memory, once the manager has its answer), then try again.
                    let missing = (object["missing_operational_intents"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    let patience = ContinuousClock.now + .milliseconds(500)
                    for other in missing {
                        while await shared.ovn(of: other) == nil, ContinuousClock.now < patience {
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                    key = await shared.all()
                    continue
                }
                if response.status == .conflict, mode == "conflict" { break }
                result.failures += 1
                FileHandle.standardError.write(Data("client \(index): \(response.status.code) \(String(decoding: data.prefix(300), as: UTF8.self))\n".utf8))
                break
            }
            number += 1
            if ContinuousClock.now >= end { break }
        }
        return result
    }
}
