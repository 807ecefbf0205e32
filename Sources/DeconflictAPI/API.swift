import DeconflictAccess
import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import DeconflictGeoJSON
import DeconflictStore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Prometheus
import ServiceLifecycle
import HTTPTypes
import NIOFoundationCompat

/// The native REST/JSON API, version 1. Every write goes through the node and answers
/// once durable, with the ledger sequence of its last entry (`sequence`), from which a
/// stream can resume.
struct API: Sendable {
    let node: Node
    let metrics: ServerMetrics
    /// Checks the credentials of open streams again.
    let authenticator: Authenticator
    let webhooks: WebhookDispatcher
    /// The signed ledger heads and their proofs.
    let heads: LedgerHeads
    /// How often an open stream is sent the signed head, when the ledger grew since.
    let headInterval: Duration
    /// When each reader last had its read of a set of units recorded.
    func register(on router: Router<ServerContext>) {
        // The operations of the generated protocol (REST*.swift); the rest are routed here.
        registerGenerated(on: router)
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: await metrics.exposition(node: node, webhooks: webhooks))))
        }
        registerZones(router)
        registerReports(router)
        registerStreams(router)
    }

    // MARK: Helpers

    /// The calling party; the operator acts for none.
    func party(_ context: ServerContext) throws -> PartyID {
        guard let party = context.actor?.party else {
            throw FieldError(field: "Authorization", reason: "this is done by a party, not the operator", status: 403)
        }
        return party
    }

    /// A command of the caller's.
    func command(_ action: LedgerCommand.Action, _ context: ServerContext) -> LedgerCommand {
        LedgerCommand(action, by: context.actor ?? .operator)
    }

    func command(_ engineCommand: Engine.Command, _ context: ServerContext) -> LedgerCommand {
        command(.engine(engineCommand), context)
    }

    // MARK: Zones

    func registerZones(_ router: Router<ServerContext>) {
        router.post("/v1/zones/import") { request, context in
            let caller = try party(context)
            let buffer = try await request.body.collect(upTo: Limits.bodyBytes)
            let bodies = try GeoJSON.zones(from: Data(buffer: buffer), owner: caller)
            // Every feature passes the checks of PUT /v1/zones/{id} before any is recorded.
            var seen: Set<String> = []
            for (index, body) in bodies.enumerated() {
                guard seen.insert(body.id).inserted else {
                    throw FieldError(field: "features[\(index)].properties.id", reason: "\(body.id) appears twice in the file")
                }
                do {
                    try await checkZone(body, caller: caller)
                } catch let error as FieldError {
                    throw FieldError(field: "features[\(index)].\(error.field)", reason: error.reason, status: error.status)
                }
            }
            var last: Int64 = 0
            for body in bodies {
                last = try await node.execute(command(.putZone(try body.zone(owner: caller)), context)).last?.sequence ?? last
            }
            return JSON.response(["imported": bodies.map(\.id), "sequence": last])
        }
    }

    // MARK: Reports

    func registerReports(_ router: Router<ServerContext>) {
        router.post("/v1/reports") { request, context in
            let caller = try party(context)
            let buffer = try await request.body.collect(upTo: Limits.bodyBytes)
            let reports = try Self.reports(from: buffer, contentType: request.headers[.contentType])
            let result = try await node.ingest(reports, by: caller)
            metrics.reportsAccepted.increment(by: Int64(result.accepted))
            metrics.reportsRejected.increment(by: Int64(result.rejected.count))
            let rejected = result.rejected.map { ["index": $0.index, "field": $0.error.field, "reason": $0.error.reason] as [String: Any] }
            let raised = result.entries.filter { $0.type == "alert.raised" }.count
            if result.accepted == 0, !reports.isEmpty {
                var response = Problem.response(
                    status: result.rejected.first?.error.status ?? 422, field: result.rejected.first?.error.field,
                    reason: result.rejected.first?.error.reason ?? "no report accepted")
                response.body = .init(byteBuffer: ByteBuffer(bytes: JSON.data([
                    "type": "about:blank", "status": result.rejected.first?.error.status ?? 422, "title": "No report accepted",
                    "detail": "\(result.rejected.first?.error.description ?? "")", "field": result.rejected.first?.error.field ?? "body",
                    "reason": result.rejected.first?.error.reason ?? "", "rejected": rejected,
                ])))
                return response
            }
            return JSON.response([
                "accepted": result.accepted, "rejected": rejected, "alertsRaised": raised,
                "sequence": result.entries.last?.sequence ?? 0,
            ])
        }
    }

    /// Reports from a JSON array, an object `{"reports": [...]}`, or NDJSON (one report
    /// per line) when the content type says `application/x-ndjson`.
    static func reports(from buffer: ByteBuffer, contentType: String?) throws -> [PositionReport] {
        let data = Data(buffer: buffer)
        let decoder = RFC3339.decoder()
        var bodies: [ReportBody] = []
        let lines = contentType?.contains("ndjson") == true || contentType?.contains("jsonlines") == true
        if let scanned = ReportScanner.scan(data, lines: lines) {
            // The common shape, read directly; anything else goes through JSONDecoder below.
            bodies = scanned
        } else if lines {
            var line = 0
            for slice in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                defer { line += 1 }
                if slice.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
                do {
                    bodies.append(try decoder.decode(ReportBody.self, from: Data(slice)))
                } catch let error as DecodingError {
                    let (field, reason) = Problem.describe(error)
                    throw FieldError(field: "line \(line + 1)\(field == "body" ? "" : "." + field)", reason: reason)
                }
                if bodies.count > Limits.reportsPerBatch { break }
            }
        } else if data.first(where: { ![32, 9, 10, 13].contains($0) }) == UInt8(ascii: "{") {
            struct Wrapped: Decodable { var reports: [ReportBody] }
            bodies = try decoder.decode(Wrapped.self, from: data).reports
        } else {
            bodies = try decoder.decode([ReportBody].self, from: data)
        }
        guard !bodies.isEmpty else { throw FieldError(field: "body", reason: "no reports") }
        guard bodies.count <= Limits.reportsPerBatch else {
            throw FieldError(field: "body", reason: "more than \(Limits.reportsPerBatch) reports in one batch", status: 413)
        }
        var reports: [PositionReport] = []
        reports.reserveCapacity(bodies.count)
        for (index, body) in bodies.enumerated() { reports.append(try body.report(field: "[\(index)]")) }
        return reports
    }

    // MARK: Ledger and streams

    func registerStreams(_ router: Router<ServerContext>) {
        // The ledger as JSON Lines is `readLedger` (REST+Ledger.swift); its streams are here.
        router.get("/v1/events") { request, context in
            let actor = context.actor ?? .operator
            let after = try Self.resumePoint(request)
            let valid = stillValid(context)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init { [node] writer in
                    try await writer.write(ByteBuffer(string: ": stream from sequence \(after)\n\n"))
                    // A comment every 15 s keeps proxies open and finds clients that left. The
                    // server's shutdown ends the stream (the client resumes elsewhere), and so
                    // does a client that stopped reading.
                    // The writer moves to the watched task and back: one task uses it at a time.
                    let watchdog = StreamWatchdog()
                    let moved = MovedWriter(writer)
                    try await Self.withEventLines(after: after, actor: actor, node: node, valid: valid, heads: (heads, headInterval), format: { entry in
                        "id: \(entry.sequence)\nevent: \(entry.type)\ndata: \(Self.eventJSON(entry))\n\n"
                    }, formatHead: { "event: ledger.head\ndata: \($0)\n\n" }) { lines in
                        try await Self.watched(watchdog, hub: node.hub) {
                            for await line in lines.cancelOnGracefulShutdown() {
                                try await watchdog.write { try await moved.writer.write(ByteBuffer(string: line ?? ": keepalive\n\n")) }
                            }
                        }
                    }
                    writer = moved.writer
                    try await writer.finish(nil)
                })
        }
        router.ws("/v1/events/ws") { request, _ in
            _ = try Self.resumePoint(request)
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                throw FieldError(field: "Upgrade", reason: "this is a WebSocket endpoint: send Upgrade: websocket (or use /v1/events)", status: 426)
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let actor = context.requestContext.actor ?? .operator
            let after = (try? Self.resumePoint(context.request)) ?? 0
            let watchdog = StreamWatchdog()
            try await Self.withEventLines(
                after: after, actor: actor, node: node, valid: stillValid(context.requestContext), heads: (heads, headInterval),
                format: { Self.eventJSON($0) }, formatHead: { $0 }
            ) { lines in try await Self.watched(watchdog, hub: node.hub) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // The client closing its side ends the stream.
                    group.addTask { for try await _ in inbound {} }
                    group.addTask {
                        for await line in lines.cancelOnGracefulShutdown() {
                            try await watchdog.write {
                                if let line {
                                    try await outbound.write(.text(line))
                                } else {
                                    try await outbound.write(.custom(.init(fin: true, opcode: .ping, data: ByteBuffer())))
                                }
                            }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } }
        }
    }

    /// A response body's writer, handed to the task that writes the stream while the
    /// request's own task waits for it.
    final class MovedWriter: @unchecked Sendable {
        var writer: any ResponseBodyWriter
        init(_ writer: any ResponseBodyWriter) { self.writer = writer }
    }

    /// Runs a stream's writer under `watchdog`: when a write waits too long, the writer
    /// is cancelled, the stall counted, and the stream ends with ``StreamWatchdog/Stalled``.
    static func watched(_ watchdog: StreamWatchdog, hub: Hub, _ writer: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(operation: writer)
            group.addTask { try await watchdog.watch() }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch let error as StreamWatchdog.Stalled {
                hub.countSlowClientDropped()
                throw error
            }
        }
    }

    /// Whether the credential a stream was opened with is still good: a stream ends
    /// within ``credentialCheckInterval`` of its key being revoked (or its token expiring).
    func stillValid(_ context: ServerContext) -> @Sendable () async -> Bool {
        let credential = context.credential
        let authenticator = authenticator
        return {
            guard let credential else { return true }
            return (try? await authenticator.authenticate(credential, again: true)) != nil
        }
    }

    static let credentialCheckInterval: Duration = .seconds(2)

    /// Runs `body` with the entries `actor` may read after `after`, formatted, with nil
    /// every 15 s (a keep-alive); message deliveries are recorded as they go out. The
    /// lines end when `valid` says the credential is no longer good. The feed, the
    /// keep-alive and the credential check are child tasks that end with `body`.
    ///
    /// With `heads`, the stream is also sent, every interval in which the ledger grew, the
    /// head the service signed: `{"type": "ledger.head", "data": <signed head>}` (no
    /// sequence: it is not an entry, and resuming ignores it), formatted by `formatHead`.
    static func withEventLines(
        after: Int64, actor: Actor, node: Node, valid: @escaping @Sendable () async -> Bool = { true },
        heads: (LedgerHeads, Duration)? = nil,
        format: @escaping @Sendable (LedgerEntry) -> String, formatHead: @escaping @Sendable (String) -> String = { $0 },
        _ body: (AsyncStream<String?>) async throws -> Void
    ) async throws {
        let (stream, continuation) = AsyncStream<String?>.makeStream(bufferingPolicy: .bufferingOldest(256))
        let feed = LedgerFeed(store: node.store, hub: node.hub, after: after)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await entry in feed where Visibility.mayRead(entry, as: actor) {
                        // Wait for room rather than drop: the feed reads the backlog from the store.
                        while case .dropped = continuation.yield(format(entry)) {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        await Self.deliverIfMessage(entry, to: actor, node: node)
                    }
                } catch {}
                continuation.finish()
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(15))
                    if Task.isCancelled { break }
                    continuation.yield(nil)
                }
            }
            if let (heads, interval) = heads {
                group.addTask {
                    var sent: Int64 = -1
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if Task.isCancelled { break }
                        guard let head = try? await heads.current(), head.size != sent,
                            let data = try? JSONEncoder.sortedKeys.encode(head)
                        else { continue }
                        sent = head.size
                        continuation.yield(formatHead("{\"type\":\"ledger.head\",\"data\":\(String(decoding: data, as: UTF8.self))}"))
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: credentialCheckInterval)
                    if Task.isCancelled { break }
                    if await !valid() {
                        continuation.finish()
                        break
                    }
                }
            }
            defer {
                continuation.finish()
                group.cancelAll()
            }
            try await body(stream)
        }
    }

    /// Where a stream resumes: `?after=N` or `Last-Event-ID: N`; 0 for the beginning.
    static func resumePoint(_ request: Request) throws -> Int64 {
        let text = request.uri.queryParameters.get("after").map { String($0) } ?? request.headers[HTTPField.Name("Last-Event-ID")!]
        guard let text else { return 0 }
        guard let value = Int64(text), value >= 0 else { throw FieldError(field: "after", reason: "a ledger sequence number ≥ 0, got \(text)") }
        return value
    }

    /// An entry on a stream: `{"sequence", "time", "type", "data"}`, the data being the
    /// ledger payload as recorded.
    static func eventJSON(_ entry: LedgerEntry) -> String {
        "{\"sequence\":\(entry.sequence),\"time\":\"\(entry.time)\",\"type\":\"\(entry.type)\",\"data\":\(entry.payload)}"
    }

    /// A message streamed to one of its recipients is delivered: the receipt is recorded.
    static func deliverIfMessage(_ entry: LedgerEntry, to actor: Actor, node: Node) async {
        guard entry.type == "message.sent", let party = actor.party else { return }
        let subjects = EntrySubjects(entry)
        guard let id = subjects.messageID, subjects.messageTo.contains(party.rawValue) else { return }
        let delivered = await node.read { $0.messages[MessageID(id)]?.receipts[party]?.deliveredAt != nil }
        guard !delivered else { return }
        _ = try? await node.execute(LedgerCommand(.deliver(MessageID(id), to: party), by: actor))
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes left as they are: one compact line.
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
