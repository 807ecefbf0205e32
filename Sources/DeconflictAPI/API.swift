import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
public import DeconflictNode
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
import Synchronization

/// The native REST/JSON API, version 1. Every write goes through the node and answers
/// once durable, with the ledger sequence of its last entry (`sequence`), from which a
/// stream can resume.
struct API: Sendable {
    let node: Node
    let metrics: ServerMetrics
    /// Checks the credentials of open streams again.
    let authenticator: Authenticator
    let webhooks: WebhookDispatcher
    /// When each reader last had its read of a set of units recorded.
    let recentReads = RecentReads()

    final class RecentReads: Sendable {
        let reads = Mutex<[String: ContinuousClock.Instant]>([:])
    }

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
        registerUnits(router)
        registerSituation(router)
        registerOperations(router)
        registerLedger(router)
    }

    // MARK: Helpers

    /// The calling party; the operator acts for none.
    func party(_ context: ServerContext) throws -> PartyID {
        guard let party = context.actor?.party else {
            throw FieldError(field: "Authorization", reason: "this is done by a party, not the operator", status: 403)
        }
        return party
    }

    func requireOperator(_ context: ServerContext) throws {
        guard context.actor == .operator else {
            throw FieldError(field: "Authorization", reason: "only the operator may do this", status: 403)
        }
    }

    func id(_ context: ServerContext, _ name: String = "id") throws -> String {
        guard let raw = context.parameters.get(name) else { throw FieldError(field: name, reason: "missing") }
        return try identifier(raw.removingPercentEncoding ?? raw, field: name)
    }

    /// Runs a command as the caller; answers with `body` and the sequence reached.
    func execute(_ payload: LedgerCommand, status: HTTPResponse.Status = .ok, _ body: @Sendable (Engine) -> [String: Any]) async throws -> Response {
        let entries = try await node.execute(payload)
        var object = await node.read { Unchecked(value: body($0)) }.value
        object["sequence"] = entries.last?.sequence ?? 0
        return JSON.response(object, status: status)
    }

    /// What a write answers when a later request already removed its object (the write
    /// itself is durable): the id and that it is gone.
    static func gone(_ kind: String, _ id: String) -> [String: Any] { ["id": id, "kind": kind, "gone": true] }

    /// A command of the caller's.
    func command(_ action: LedgerCommand.Action, _ context: ServerContext) -> LedgerCommand {
        LedgerCommand(action, by: context.actor ?? .operator)
    }

    func command(_ engineCommand: Engine.Command, _ context: ServerContext) -> LedgerCommand {
        command(.engine(engineCommand), context)
    }

    // MARK: Zones

    func registerZones(_ router: Router<ServerContext>) {
        router.get("/v1/zones") { request, _ in
            let now = await node.read { $0.now }
            let zones = await node.read { engine in engine.zones.values.sorted { $0.id < $1.id } }
            if request.uri.queryParameters.get("format") == "geojson" {
                return JSON.response(GeoJSON.featureCollection(zones, now: now), headers: [.contentType: "application/geo+json"])
            }
            return JSON.response(["zones": zones.map { zone in Self.describe(zone, now: now) }])
        }
        router.get("/v1/zones/:id") { _, context in
            let zoneID = ZoneID(try id(context))
            let (zone, now) = await node.read { ($0.zones[zoneID], $0.now) }
            guard let zone else { throw FieldError(field: "id", reason: "no zone \(zoneID)", status: 404) }
            return JSON.response(Self.describe(zone, now: now))
        }
        router.put("/v1/zones/:id") { request, context in
            let caller = try party(context)
            let body = try await JSON.decode(ZoneBody.self, from: request, context: context)
            return try await putZone(body, pathID: try id(context), caller: caller, context: context)
        }
        router.delete("/v1/zones/:id") { _, context in
            let caller = try party(context)
            let zoneID = ZoneID(try id(context))
            guard let zone = await node.read({ $0.zones[zoneID] }) else {
                throw FieldError(field: "id", reason: "no zone \(zoneID)", status: 404)
            }
            guard zone.owner == caller else { throw FieldError(field: "id", reason: "\(zoneID) belongs to \(zone.owner)", status: 403) }
            return try await execute(command(.removeZone(zoneID), context)) { _ in ["removed": zoneID.rawValue] }
        }
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

    func putZone(_ body: ZoneBody, pathID: String, caller: PartyID, context: ServerContext) async throws -> Response {
        guard body.id == pathID else { throw FieldError(field: "id", reason: "differs from the path's \(pathID)") }
        try await checkZone(body, caller: caller)
        let zoneID = ZoneID(body.id)
        return try await execute(command(.putZone(try body.zone(owner: caller)), context)) { engine in engine.zones[zoneID].map { Self.describe($0, now: engine.now) } ?? Self.gone("zone", zoneID.rawValue) }
    }

    /// What a party may declare: its own zones, under agreements it is a party to.
    func checkZone(_ body: ZoneBody, caller: PartyID) async throws {
        if let owner = body.owner, owner != caller.rawValue {
            throw FieldError(field: "owner", reason: "a party declares zones for itself, not for \(owner)", status: 403)
        }
        if let existing = await node.read({ $0.zones[ZoneID(body.id)] }), existing.owner != caller {
            throw FieldError(field: "id", reason: "\(body.id) belongs to \(existing.owner)", status: 403)
        }
        if let agreementID = body.agreement {
            let agreement = await node.read { $0.agreements[AgreementID(agreementID)] }
            guard let agreement else { throw FieldError(field: "agreement", reason: "no agreement \(agreementID)", status: 404) }
            guard agreement.signatories[caller] != nil else {
                throw FieldError(field: "agreement", reason: "\(caller) is not a signatory of \(agreementID)", status: 403)
            }
        }
        _ = try body.zone(owner: caller)
    }

    static func describe(_ zone: Zone, now: Date) -> [String: Any] {
        var details = EventPayload.describe(zone)
        details["stale"] = zone.isStale(at: now)
        return details
    }

    // MARK: Units and reports

    func registerUnits(_ router: Router<ServerContext>) {
        router.get("/v1/units") { _, context in
            let actor = context.actor ?? .operator
            let (list, located) = await node.read { engine in
                var list: [[String: Any]] = []
                var located: [String] = []
                for unit in engine.units.values.sorted(by: { $0.id < $1.id }) {
                    let report = engine.lastReport(of: unit.id)
                    list.append(Self.describe(unit, report: report, for: actor, in: engine, located: &located))
                }
                return Unchecked(value: (list, located))
            }.value
            try await recordRead(of: located, context: context)
            return JSON.response(["units": list])
        }
        router.get("/v1/units/:id") { _, context in
            let actor = context.actor ?? .operator
            let unitID = UnitID(try id(context))
            let (found, located) = await node.read { engine -> Unchecked<([String: Any]?, [String])> in
                guard let unit = engine.unit(unitID) else { return Unchecked(value: (nil, [])) }
                var located: [String] = []
                let details = Self.describe(unit, report: engine.lastReport(of: unitID), for: actor, in: engine, located: &located)
                return Unchecked(value: (details, located))
            }.value
            guard let found else { throw FieldError(field: "id", reason: "no unit \(unitID)", status: 404) }
            try await recordRead(of: located, context: context)
            return JSON.response(found)
        }
        router.post("/v1/units") { request, context in
            let caller = try party(context)
            let body = try await JSON.decode(UnitBody.self, from: request, context: context)
            if let owner = body.party, owner != caller.rawValue {
                throw FieldError(field: "party", reason: "a party adds only its own units, not \(owner)'s", status: 403)
            }
            let unitID = UnitID(body.id)
            return try await execute(command(.addUnit(try body.unit(party: caller)), context), status: .created) { engine in engine.unit(unitID).map(EventPayload.describe) ?? Self.gone("unit", unitID.rawValue) }
        }
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
        let decoder = WireTime.decoder()
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

    /// A unit as `actor` may see it; other parties' units it may locate are added to
    /// `located` (the read is recorded).
    static func describe(
        _ unit: DeconflictEngine.Unit, report: PositionReport?, for actor: Actor, in engine: Engine, located: inout [String]
    ) -> [String: Any] {
        var details = EventPayload.describe(unit)
        let own = actor == .operator || actor.party == unit.party
        let mayLocate = own || actor.party.map { Visibility.mayLocate(unit, report: report, by: $0, in: engine) } == true
        guard mayLocate else {
            details["name"] = nil
            details["reference"] = true
            return details
        }
        if !own { located.append(unit.id.rawValue) }
        if let report {
            details["lastReport"] = EventPayload.describe(report)
            details["stale"] = engine.now.timeIntervalSince(report.time) > engine.configuration.staleAfterSeconds
        }
        return details
    }

    /// Records in the ledger that the caller read other parties' units in full.
    func recordRead(of units: [String], context: ServerContext) async throws {
        guard !units.isEmpty, let actor = context.actor, actor != .operator else { return }
        // The same reader reading the same units again within a minute (a console
        // refreshing its map) is the read already recorded.
        let key = actor.description + " " + units.joined(separator: ",")
        let now = ContinuousClock.now
        let recent = recentReads.reads.withLock { reads -> Bool in
            if reads.count > 10_000 { reads = reads.filter { now - $0.value < .seconds(60) } }
            if let last = reads[key], now - last < .seconds(60) { return true }
            reads[key] = now
            return false
        }
        if recent { return }
        try await node.execute(LedgerCommand(.recordRead("units " + units.joined(separator: ",")), by: actor))
    }

    // MARK: Operations

    func registerOperations(_ router: Router<ServerContext>) {
        router.get("/v1/operations") { _, context in
            let actor = context.actor ?? .operator
            let list = await node.read { engine in
                Unchecked(value: engine.operations.values.sorted { $0.id < $1.id }.map { Self.describe($0, for: actor) })
            }.value
            return JSON.response(["operations": list])
        }
        router.get("/v1/operations/:id") { _, context in
            let actor = context.actor ?? .operator
            let operationID = OperationID(try id(context))
            guard let operation = await node.read({ $0.operations[operationID] }) else {
                throw FieldError(field: "id", reason: "no operation \(operationID)", status: 404)
            }
            return JSON.response(Self.describe(operation, for: actor))
        }
        router.post("/v1/operations/check") { request, context in
            let caller = try party(context)
            let body = try await JSON.decode(OperationBody.self, from: request, context: context)
            let operation = try body.operation(party: caller)
            let conflicts = await node.read { $0.check(operation) }
            return JSON.response(["conflicts": conflicts.map(Self.describe), "clear": conflicts.isEmpty])
        }
        router.put("/v1/operations/:id") { request, context in
            let caller = try party(context)
            let body = try await JSON.decode(OperationBody.self, from: request, context: context)
            guard body.id == (try id(context)) else { throw FieldError(field: "id", reason: "differs from the path's \(try id(context))") }
            if let owner = body.party, owner != caller.rawValue {
                throw FieldError(field: "party", reason: "a party plans only its own operations", status: 403)
            }
            if let existing = await node.read({ $0.operations[OperationID(body.id)] }), existing.party != caller {
                throw FieldError(field: "id", reason: "\(body.id) belongs to \(existing.party)", status: 403)
            }
            let operationID = OperationID(body.id)
            return try await execute(command(.putOperation(try body.operation(party: caller)), context)) { engine in
                guard let operation = engine.operations[operationID] else { return Self.gone("operation", operationID.rawValue) }
                var details = Self.describe(operation, for: .party(caller))
                details["conflicts"] = engine.check(operation).map(Self.describe)
                return details
            }
        }
        router.post("/v1/operations/:id/notify") { _, context in
            try await operationCommand(context) { .notify($0) }
        }
        router.post("/v1/operations/:id/state") { request, context in
            struct StateBody: Decodable { var state: Operation.State }
            let body = try await JSON.decode(StateBody.self, from: request, context: context)
            return try await operationCommand(context) { .setOperationState($0, body.state) }
        }
    }

    func operationCommand(_ context: ServerContext, _ make: (OperationID) -> Engine.Command) async throws -> Response {
        let caller = try party(context)
        let operationID = OperationID(try id(context))
        guard let operation = await node.read({ $0.operations[operationID] }) else {
            throw FieldError(field: "id", reason: "no operation \(operationID)", status: 404)
        }
        guard operation.party == caller else { throw FieldError(field: "id", reason: "\(operationID) belongs to \(operation.party)", status: 403) }
        return try await execute(command(make(operationID), context)) { engine in engine.operations[operationID].map { Self.describe($0, for: .party(caller)) } ?? Self.gone("operation", operationID.rawValue) }
    }

    static func describe(_ operation: Operation, for actor: Actor) -> [String: Any] {
        var details = EventPayload.describe(operation)
        if actor != .operator, actor.party != operation.party {
            details["name"] = nil
            details["units"] = nil
            details["reference"] = true
        }
        return details
    }

    static func describe(_ conflict: Conflict) -> [String: Any] {
        var details: [String: Any] = ["party": conflict.party.rawValue, "reason": conflict.reason]
        switch conflict.subject {
        case .zone(let id): details["zone"] = id.rawValue
        case .operation(let id): details["operation"] = id.rawValue
        }
        return details
    }

    // MARK: Ledger and streams

    func registerLedger(_ router: Router<ServerContext>) {
        // The ledger as JSON Lines (the `deconflict export` format). The operator gets it
        // whole; a party gets the entries it may see, each with its hash, so it can check
        // them against a full export.
        router.get("/v1/ledger") { request, context in
            let actor = context.actor ?? .operator
            let after = try Self.resumePoint(request)
            let limitText = request.uri.queryParameters.get("limit").map { String($0) } ?? "10000"
            guard let limit = Int(limitText), (1...100_000).contains(limit) else {
                throw FieldError(field: "limit", reason: "a number of entries within 1...100000, got \(limitText)")
            }
            let entries = try await node.store.entries(after: after, limit: limit)
            var text = ""
            for entry in entries where Visibility.mayRead(entry, as: actor) { text += LedgerExport.line(entry) + "\n" }
            return Response(
                status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/events") { request, context in
            let actor = context.actor ?? .operator
            let after = try Self.resumePoint(request)
            let lines = Self.eventLines(after: after, actor: actor, node: node, valid: stillValid(context)) { entry in
                "id: \(entry.sequence)\nevent: \(entry.type)\ndata: \(Self.eventJSON(entry))\n\n"
            }
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
                    try await Self.watched(watchdog, hub: node.hub) {
                        for await line in lines.cancelOnGracefulShutdown() {
                            try await watchdog.write { try await moved.writer.write(ByteBuffer(string: line ?? ": keepalive\n\n")) }
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
            let lines = Self.eventLines(after: after, actor: actor, node: node, valid: stillValid(context.requestContext)) { Self.eventJSON($0) }
            let watchdog = StreamWatchdog()
            try await Self.watched(watchdog, hub: node.hub) {
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
            }
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
            return (try? await authenticator.authenticate(credential)) != nil
        }
    }

    static let credentialCheckInterval: Duration = .seconds(2)

    /// The entries `actor` may read after `after`, formatted, with nil every 15 s (a
    /// keep-alive); message deliveries are recorded as they go out. The stream ends when
    /// `valid` says the credential is no longer good.
    static func eventLines(
        after: Int64, actor: Actor, node: Node, valid: @escaping @Sendable () async -> Bool = { true },
        format: @escaping @Sendable (LedgerEntry) -> String
    ) -> AsyncStream<String?> {
        let (stream, continuation) = AsyncStream<String?>.makeStream(bufferingPolicy: .bufferingOldest(256))
        let feed = LedgerFeed(store: node.store, hub: node.hub, after: after)
        let producer = Task {
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
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                if Task.isCancelled { break }
                continuation.yield(nil)
            }
        }
        let guardian = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: credentialCheckInterval)
                if Task.isCancelled { break }
                if await !valid() {
                    producer.cancel()
                    continuation.finish()
                    break
                }
            }
        }
        continuation.onTermination = { _ in
            producer.cancel()
            heartbeat.cancel()
            guardian.cancel()
        }
        return stream
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
