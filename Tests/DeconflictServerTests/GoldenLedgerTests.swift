import AsyncHTTPClient
import DeconflictCoT
import DeconflictEngine
import DeconflictGeometry
import DeconflictF3548
@testable import DeconflictAPI
import DeconflictLedger
import DeconflictStore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import Testing
import DeconflictNode

/// The golden ledger: a ledger written by a release of Deconflict, committed as a
/// fixture, that every later release must still verify, replay to the same situation and
/// DSS state, and export entry for entry. The ledger is the record parties bring to a
/// dispute years later; this is what keeps a change of code from changing what a written
/// entry means.
///
/// `golden-ledger-vN.jsonl` was written by `GOLDEN_LEDGER_WRITE=1 swift test --filter
/// writeGoldenLedger` (``writeGoldenLedger()``) against the first release writing a new
/// version of a record (``written``; v1: the release of 2026-12-06): the seed demo played
/// live through the server, then every other kind of write the server records.
/// `golden-ledger-vN.state.json` is the state replaying it gave then.
@Suite("Golden ledger")
struct GoldenLedgerTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures")

    /// The versions of the command, event and report-batch records each golden ledger
    /// was written in.
    static let written: [String: (commands: Int, events: Int, batches: Int)] = [
        "golden-ledger-v1": (1, 1, 1), "golden-ledger-v2": (2, 1, 1), "golden-ledger-v3": (3, 1, 1), "golden-ledger-v4": (3, 2, 1),
        "golden-ledger-v5": (3, 2, 2), "golden-ledger-v6": (4, 2, 2), "golden-ledger-v7": (5, 2, 2),
    ]

    /// Every golden ledger committed: `golden-ledger-vN.jsonl`, each with its `.state.json`.
    static let versions: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.filter { $0.hasPrefix("golden-ledger-v") && $0.hasSuffix(".jsonl") }.map { String($0.dropLast(".jsonl".count)) }.sorted()
    }()

    static func entries(_ name: String) throws -> [LedgerEntry] {
        let text = try String(contentsOf: fixtures.appending(path: name + ".jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try LedgerExport.entry(String($0)) }
    }

    /// A SQLite store holding the fixture's entries, sealed again from its records.
    static func store(_ name: String, in folder: URL) async throws -> (SQLiteStore, [LedgerEntry]) {
        let entries = try entries(name)
        let store = try SQLiteStore(path: folder.appending(path: "golden.sqlite").path)
        for start in stride(from: 0, to: entries.count, by: 1_000) {
            let chunk = entries[start..<min(start + 1_000, entries.count)]
            // The records as the fixture has them: sealing them again must give the same hashes.
            let records = chunk.map(LedgerRecord.init)
            _ = try await store.append(records)
        }
        return (store, entries)
    }

    @Test func thereIsAGoldenLedgerOfEveryVersion() {
        #expect(Self.versions == Self.written.keys.sorted())
        // Every version of every record ever written is in one of them.
        #expect(Set(Self.written.values.map(\.commands)) == Set(1...CommandRecord.currentVersion))
        #expect(Set(Self.written.values.map(\.events)) == Set(1...EventRecord.currentVersion))
        #expect(Set(Self.written.values.map(\.batches)) == Set(1...ReportBatchPayload.currentVersion))
    }

    @Test(arguments: versions)
    func theGoldenLedgerStillVerifiesReplaysAndExportsTheSame(_ name: String) async throws {
        let folder = try temporaryFolder("golden-check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (store, entries) = try await Self.store(name, in: folder)
        #expect(entries.count > 1_000, "the fixture holds \(entries.count) entries")

        // It verifies, and sealing its records again gives the same chain.
        guard case .intact(let count, let head) = LedgerVerification.check(entries, expectedHead: entries.last?.hash) else {
            Issue.record("the fixture's chain is broken: \(LedgerVerification.check(entries, expectedHead: nil))")
            return
        }
        #expect(count == entries.count && head == entries.last?.hash)
        let stored = try await store.allEntries()
        #expect(stored == entries, "sealing the fixture's records again changed the chain")

        // Its commands and events are of its versions.
        let versions = try #require(Self.written[name])
        let version = versions.commands
        let written = Set(try entries.filter { $0.type == LedgerCommand.ledgerType }.map {
            try RFC3339.decoder().decode(CommandRecord.self, from: Data($0.payload.utf8)).v ?? 1
        })
        #expect(written == [version], "command versions in \(name): \(written.sorted())")
        let events = Set(try entries.filter { $0.type != LedgerCommand.ledgerType && $0.type != ReportBatchPayload.ledgerType }.map {
            try EventRecord.decode($0.payload).v ?? 1
        })
        #expect(events == [versions.events], "event versions in \(name): \(events.sorted())")
        let batches = Set(try entries.filter { $0.type == ReportBatchPayload.ledgerType }.map { try ReportBatchPayload.decode($0.payload).v ?? 1 })
        #expect(batches == [versions.batches], "report batch versions in \(name): \(batches.sorted())")

        // Every kind of entry the server writes is in it.
        let commands = Set(try entries.filter { $0.type == LedgerCommand.ledgerType }.map { try LedgerCommand.decode($0.payload).name })
        // Version 3 gives notices on the message line (`giveNotice`); `notify` is no longer written.
        let anyVersion: Set<String> = [
            "addParty", "setResponsibility", "putAgreement", "sign", "putZone", "removeZone", "addUnit", "putOperation", version >= 3 ? "giveNotice" : "notify",
            "setOperationState", "send", "deliver", "acknowledgeMessage", "recordIncident", "acknowledge", "resolve", "tick",
            "issueCredential", "revokeCredential", "recordRead", "registerWebhook", "removeWebhook", "webhookProgress", "dss",
        ]
        // Version 5 records the key the service signs heads with.
        let expectedCommands = version >= 5 ? anyVersion.union(["ledgerKey"]) : anyVersion
        #expect(expectedCommands.subtracting(commands).isEmpty, "commands missing from the fixture: \(expectedCommands.subtracting(commands).sorted())")
        let dssKinds = Set(try entries.filter { $0.type == LedgerCommand.ledgerType }.compactMap { entry -> String? in
            guard case .dss(let json) = try LedgerCommand.decode(entry.payload).action else { return nil }
            return try RFC3339.decoder().decode(Airspace.Request.self, from: RFC3339.encoder().encode(json)).kind.rawValue
        })
        #expect(dssKinds.count >= 6, "DSS requests in the fixture: \(dssKinds.sorted())")
        let types = Set(entries.map(\.type))
        for type in ["reports.accepted", "alert.raised", "alert.acknowledged", "alert.resolved", "zone.changed", "zone.removed", "message.sent",
                     "message.delivered", "message.acknowledged", "incident.recorded", "operation.changed", "agreement.changed"] {
            #expect(types.contains(type), "no \(type) entry in the fixture")
        }

        // Replaying it: every command and report batch produces exactly the events the
        // ledger holds after it, and the state is the one replaying gave when it was written.
        let node = try await Node(store: store)
        let (difference, replayed) = try await node.replayDifference()
        #expect(difference == nil, "\(difference ?? "")")
        let state = Self.describe(replayed)
        let expected = try String(contentsOf: Self.fixtures.appending(path: name + ".state.json"), encoding: .utf8)
        if state != expected {
            let changed = zip(state.split(separator: "\n"), expected.split(separator: "\n")).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("the replayed state differs from the fixture's, first at line \((changed?.offset ?? 0) + 1): \(changed.map { "\($0.element.0) ≠ \($0.element.1)" } ?? "lengths differ")")
        }
        // The node started on it holds the same state as the replay.
        #expect(await Self.describe(node.currentState()) == expected)

        // It exports the same entries, byte for byte.
        let export = folder.appending(path: "export.jsonl")
        _ = try runDeconflict(["export", "--store", folder.appending(path: "golden.sqlite").path, "--output", export.path])
        #expect(try Data(contentsOf: export) == Data(contentsOf: Self.fixtures.appending(path: name + ".jsonl")), "the export differs from the fixture")
    }

    /// Who may read each entry, decided on the typed subjects, is what reading the payload
    /// as a JSON tree (as it was decided before) gives, for every entry of every golden
    /// ledger; the TAK picture's and message delivery's ids too.
    @Test(arguments: versions)
    func visibilityOnTypedSubjectsAgreesWithTheJSONTree(_ name: String) throws {
        for entry in try Self.entries(name) {
            let object = (try? JSONSerialization.jsonObject(with: Data(entry.payload.utf8))) as? [String: Any] ?? [:]
            func field(_ key: String, _ inner: String) -> Any? { (object[key] as? [String: Any])?[inner] }
            let expected: Set<String>? = switch entry.type {
            case "command" where object["command"] as? String == "ledgerKey": nil
            case "command":
                ["issueCredential", "revokeCredential"].contains(object["command"] as? String ?? "") ? [] : Set([object["by"] as? String].compactMap { $0 })
            case "reports.accepted": Set([object["by"] as? String].compactMap { $0 })
            case let type where type.hasPrefix("alert."): Set(field("alert", "addressees") as? [String] ?? [])
            case let type where type.hasPrefix("message."):
                Set((field("message", "to") as? [String] ?? []) + [field("message", "from") as? String].compactMap { $0 })
            case "agreement.changed": Set((field("agreement", "signatories") as? [String: Any])?.keys.map { $0 } ?? [])
            case "unit.added": Set([field("unit", "party") as? String].compactMap { $0 })
            case "operation.changed": Set([field("operation", "party") as? String].compactMap { $0 })
            default: nil
            }
            let subjects = EntrySubjects(entry)
            #expect(Visibility.audience(of: subjects) == expected, "entry \(entry.sequence) \(entry.type)")
            if entry.type.hasPrefix("zone.") { #expect(subjects.zoneID == field("zone", "id") as? String && subjects.zoneID != nil) }
            if entry.type.hasPrefix("alert.") { #expect(subjects.alertID == field("alert", "id") as? String && subjects.alertID != nil) }
            if entry.type.hasPrefix("message.") { #expect(subjects.messageID == field("message", "id") as? String && subjects.messageID != nil) }
        }
    }

    /// The state, as canonical JSON text (keys sorted, one top-level key a line).
    static func describe(_ state: Node.State) -> String {
        let engine = state.engine
        func time(_ date: Date) -> String { Ledger.timestamp(date) }
        func volumes(_ volumes: [Volume4D]) -> [[String: Any]] { volumes.map(GoldenState.describe) }
        var sections: [(String, Any)] = [
            ("now", time(engine.now)),
            ("parties", engine.parties.values.sorted { $0.id < $1.id }.map { ["id": $0.id.rawValue, "name": $0.name] }),
            ("responsibilities", engine.responsibilities.map {
                ["sponsor": $0.sponsor.rawValue, "client": $0.client.rawValue, "confirmed": $0.confirmed] as [String: Any]
            }),
            ("agreements", engine.agreements.values.sorted { $0.id < $1.id }.map(GoldenState.describe)),
            ("zones", engine.zones.values.sorted { $0.id < $1.id }.map(GoldenState.describe)),
            ("units", engine.units.values.sorted { $0.id < $1.id }.map { unit -> [String: Any] in
                var details = GoldenState.describe(unit)
                if let report = engine.lastReport(of: unit.id) { details["lastReport"] = GoldenState.describe(report) }
                return details
            }),
            ("alerts", engine.alerts.values.sorted { $0.id < $1.id }.map(GoldenState.describe)),
            ("operations", engine.operations.values.sorted { $0.id < $1.id }.map(GoldenState.describe)),
            ("messages", engine.messages.values.sorted { $0.id < $1.id }.map(GoldenState.describe)),
            ("incidents", engine.incidents.values.sorted { $0.id < $1.id }.map(GoldenState.describe)),
            ("credentials", state.credentials.values.sorted { $0.id < $1.id }.map { ["id": $0.id, "actor": $0.actor, "digest": $0.digest] }),
            ("webhooks", state.webhooks.values.sorted { $0.id < $1.id }.map {
                ["id": $0.id, "party": $0.party, "url": $0.url, "deliveredThrough": $0.deliveredThrough] as [String: Any]
            }),
        ]
        let airspace = state.airspace
        sections.append(("dss.intents", airspace.intents.all.map { intent -> [String: Any] in
            [
                "id": intent.id, "manager": intent.manager, "version": intent.version, "state": intent.state, "ovn": intent.ovn,
                "extents": volumes(intent.extents), "start": time(intent.start), "end": time(intent.end),
                "ussBaseURL": intent.ussBaseURL, "subscription": intent.subscription ?? NSNull(),
            ]
        }))
        sections.append(("dss.constraints", airspace.constraints.all.map { constraint -> [String: Any] in
            [
                "id": constraint.id, "manager": constraint.manager, "version": constraint.version, "ovn": constraint.ovn,
                "extents": volumes(constraint.extents), "start": time(constraint.start), "end": time(constraint.end),
                "ussBaseURL": constraint.ussBaseURL,
            ]
        }))
        sections.append(("dss.subscriptions", airspace.subscriptions.all.map { subscription -> [String: Any] in
            [
                "id": subscription.id, "manager": subscription.manager, "version": subscription.version,
                "notificationIndex": subscription.notificationIndex, "volumes": volumes(subscription.volumes),
                "start": time(subscription.start), "end": time(subscription.end), "ussBaseURL": subscription.ussBaseURL,
                "notifyForIntents": subscription.notifyForIntents, "notifyForConstraints": subscription.notifyForConstraints,
                "implicit": subscription.implicit, "dependents": subscription.dependents.sorted(),
            ]
        }))
        sections.append(("dss.availability", airspace.availability.keys.sorted().map { uss -> [String: Any] in
            ["uss": uss, "state": airspace.availability[uss]!.state, "version": airspace.availability[uss]!.version]
        }))
        return sections.map { name, value in
            let data = try! JSONSerialization.data(withJSONObject: [name: value], options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    // MARK: Writing the fixture

    /// Writes the fixture: the seed demo live through `deconflict serve` at 300 times real
    /// time, then, on a second start, every other kind of write: parties, keys,
    /// responsibilities, agreements, zones, units and reports over HTTP and Cursor-on-Target,
    /// operations, messages, alerts acknowledged and resolved, incidents, webhooks delivered
    /// and removed, and the DSS interface's constraints, subscriptions, intents and
    /// availability. Run only on purpose: a fixture written again is a new fixture.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GOLDEN_LEDGER_WRITE"] == "1"))
    func writeGoldenLedger() async throws {
        let folder = try temporaryFolder("golden-write")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appending(path: "golden.sqlite").path

        // The seed demo, live.
        var server = try await ServerProcess(store: ["--store", store], extra: ["--demo", "--speed", "300"])
        let deadline = Date().addingTimeInterval(120)
        while !server.output.contains("scenario finished"), Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(server.output.contains("scenario finished"))
        var keys: [String: String] = [:]
        for match in server.output.matches(of: /demo: party (\S+) key (\S+)/) { keys[String(match.1)] = String(match.2) }
        server.stop()
        let operatorKey = try runDeconflict(["operator-key", "--store", store])

        // Everything else, on the server's own clock.
        let authority = try await TokenAuthority.make()
        let pem = folder.appending(path: "dss.pem")
        try authority.publicKeyPEM.write(to: pem, atomically: true, encoding: .utf8)
        server = try await ServerProcess(store: ["--store", store], extra: ["--dss-key", pem.path, "--cot-tcp", "0", "--webhook-allow", "127.0.0.1"])
        defer { server.stop() }
        let operatorClient = Client(base: server.base, key: operatorKey, http: .shared)
        func client(_ party: String) -> Client { Client(base: server.base, key: keys[party], http: .shared) }
        func expectStatus(_ answer: Client.Answer, _ statuses: Set<Int>, _ what: String) {
            #expect(statuses.contains(answer.status), "\(what): \(answer.status) \(answer.text)")
        }

        // Parties, keys, responsibilities.
        var answer = try await operatorClient.send(.POST, "/v1/parties", json: ["id": "relief", "name": "Relief convoy (NGO)"])
        expectStatus(answer, [201], "add party")
        keys["relief"] = answer.json["key"] as? String
        answer = try await operatorClient.send(.POST, "/v1/parties/relief/keys")
        expectStatus(answer, [201], "second key")
        answer = try await operatorClient.send(.DELETE, "/v1/keys/\(answer.json["keyId"] as? String ?? "")")
        expectStatus(answer, [200], "revoke key")
        answer = try await client("coalition").send(.POST, "/v1/responsibilities", json: ["sponsor": "coalition", "client": "relief", "confirmed": true])
        expectStatus(answer, [200, 201], "responsibility")

        // An agreement, signed by both.
        answer = try await client("coalition").send(.PUT, "/v1/agreements/relief-corridor", json: [
            "id": "relief-corridor", "title": "Relief corridor", "signatories": ["coalition": "proposed", "relief": "proposed"],
            "parameters": ["groundSeparationMeters": 1_500, "noticeLeadSeconds": 600, "acknowledgementSeconds": 120],
        ])
        expectStatus(answer, [200, 201], "agreement")
        for party in ["coalition", "relief"] {
            answer = try await client(party).send(.POST, "/v1/agreements/relief-corridor/sign")
            expectStatus(answer, [200], "sign by \(party)")
        }

        // Zones: a polygon kept, a circle declared and removed.
        answer = try await client("coalition").send(.PUT, "/v1/zones/relief-corridor", json: [
            "id": "relief-corridor", "name": "Relief corridor", "kind": "corridor", "agreement": "relief-corridor", "allowed": ["relief"],
            "polygon": [[[33.30, 38.70], [33.30, 38.80], [33.40, 38.80], [33.40, 38.70]]],
        ])
        expectStatus(answer, [200, 201], "polygon zone")
        answer = try await client("coalition").send(.PUT, "/v1/zones/temporary-hold", json: [
            "id": "temporary-hold", "kind": "no-fly-area", "circle": ["center": [33.45, 38.90], "radius": 3_000], "altitude": [0, 3_000],
        ])
        expectStatus(answer, [200, 201], "circle zone")
        answer = try await client("coalition").send(.DELETE, "/v1/zones/temporary-hold")
        expectStatus(answer, [200], "remove zone")

        // A unit, reports over HTTP, an operation notified and activated.
        answer = try await client("relief").send(.POST, "/v1/units", json: ["id": "relief-truck-1", "domain": "ground", "name": "Truck 1"])
        expectStatus(answer, [200, 201], "unit")
        let now = Date()
        answer = try await client("relief").send(.POST, "/v1/reports", json: (0..<3).map { step -> [String: Any] in
            [
                "unit": "relief-truck-1", "time": timestamp(now.addingTimeInterval(Double(step - 3))),
                "position": [33.32 + Double(step) * 0.001, 38.72], "speedMetersPerSecond": 8.5, "courseDegrees": 45,
            ]
        })
        expectStatus(answer, [200, 202], "reports")
        answer = try await client("relief").send(.PUT, "/v1/operations/relief-run-1", json: [
            "id": "relief-run-1", "name": "First relief run", "units": ["relief-truck-1"],
            "volumes": [["polygon": [[[33.30, 38.70], [33.30, 38.80], [33.40, 38.80], [33.40, 38.70]]],
                         "from": timestamp(now.addingTimeInterval(3_600)), "until": timestamp(now.addingTimeInterval(7_200))]],
        ])
        expectStatus(answer, [200, 201], "operation")
        answer = try await client("relief").send(.POST, "/v1/operations/relief-run-1/notify")
        expectStatus(answer, [200], "notify")
        answer = try await client("relief").send(.POST, "/v1/operations/relief-run-1/state", json: ["state": "active"])
        expectStatus(answer, [200], "activate")

        // Messages: sent, read (delivered), acknowledged; a reply.
        answer = try await client("coalition").send(.POST, "/v1/messages", json: [
            "id": "msg-relief-1", "kind": "request", "to": ["russia"], "text": "Relief convoy on the corridor from 0700; confirm.",
            "references": [["zone": "relief-corridor"]],
        ])
        expectStatus(answer, [200, 201], "message")
        answer = try await client("russia").send(.GET, "/v1/messages/msg-relief-1")
        expectStatus(answer, [200], "read message")
        answer = try await client("russia").send(.POST, "/v1/messages/msg-relief-1/acknowledge")
        expectStatus(answer, [200], "acknowledge message")
        answer = try await client("russia").send(.POST, "/v1/messages", json: [
            "id": "msg-relief-2", "kind": "reply", "to": ["coalition"], "text": "Confirmed.", "references": [["message": "msg-relief-1"]],
        ])
        expectStatus(answer, [200, 201], "reply")

        // Alerts: one acknowledged, one resolved.
        answer = try await client("coalition").send(.GET, "/v1/alerts")
        let open = (answer.json["alerts"] as? [[String: Any]] ?? []).filter { $0["state"] as? String != "resolved" }.compactMap { $0["id"] as? String }
        #expect(open.count >= 2, "open alerts of the coalition: \(answer.text.prefix(400))")
        if open.count >= 2 {
            answer = try await client("coalition").send(.POST, "/v1/alerts/\(open[0])/acknowledge")
            expectStatus(answer, [200], "acknowledge alert")
            answer = try await client("coalition").send(.POST, "/v1/alerts/\(open[1])/resolve", json: ["reason": "Deconflicted by phone with the Russian desk."])
            expectStatus(answer, [200], "resolve alert")
        }

        // An incident; other parties' units read in full (recorded reads).
        answer = try await client("coalition").send(.POST, "/v1/incidents", json: [
            "id": "inc-1", "summary": "Fire base reported inside the zone", "units": ["gun-1"], "position": [33.48, 38.65],
        ])
        expectStatus(answer, [200, 201], "incident")
        answer = try await operatorClient.send(.GET, "/v1/units")
        answer = try await client("russia").send(.GET, "/v1/units")
        expectStatus(answer, [200], "units")

        // Webhooks: one delivered to a receiver, one removed.
        let receiver = try await HookReceiver.start(port: 0)
        defer { receiver.stop() }
        answer = try await client("coalition").send(.POST, "/v1/webhooks", json: [
            "url": "http://127.0.0.1:\(receiver.port)/hook", "secret": "golden-ledger-webhook-secret",
        ])
        expectStatus(answer, [201], "webhook")
        answer = try await client("russia").send(.POST, "/v1/webhooks", json: ["url": "https://example.test/hook"])
        expectStatus(answer, [201], "second webhook")
        answer = try await client("russia").send(.DELETE, "/v1/webhooks/\(answer.json["id"] as? String ?? "")")
        expectStatus(answer, [200], "remove webhook")

        // Cursor-on-Target: a TAK client of the coalition reports a patrol.
        let cotPort = try #require(server.output.firstMatch(of: /Cursor-on-Target over TCP on [^:]+:(\d+)/).flatMap { Int($0.1) })
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: cotPort) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(string: #"<auth><cot username="coalition" password="\#(keys["coalition"]!)"/></auth>"#))
            for step in 0..<3 {
                let at = Date().addingTimeInterval(Double(step) * 0.2)
                try await outbound.write(ByteBuffer(data: CoTOutboundEvent(
                    uid: "tak-patrol-1", type: "a-f-G-U-C", time: at, stale: at.addingTimeInterval(300),
                    latitude: 33.36 + Double(step) * 0.002, longitude: 38.62, callsign: "PATROL 1").xml()))
                try await Task.sleep(for: .milliseconds(300))
            }
        }

        // The DSS interface: a constraint, a subscription, intents (one removed), availability.
        func uss(_ name: String, _ scopes: [String]) async throws -> USSClient {
            USSClient(base: server.base, token: try await authority.token(name, scopes: scopes))
        }
        let authorityUSS = try await uss("authority", [Scopes.cm])
        let planner = try await uss("uss1", [Scopes.sc, Scopes.cp])
        let arbiter = try await uss("uss1", [Scopes.aa])
        let constraint = newID()
        var dss = try await authorityUSS.send(.PUT, "/dss/v1/constraint_references/\(constraint)", [
            "extents": [F3548Body.circle(34.95, 37.5, radius: 2_000, from: 10, for: 120)], "uss_base_url": "https://authority.example.test",
        ])
        #expect(dss.status == 201, "constraint: \(dss.text)")
        let subscription = newID()
        dss = try await planner.send(.PUT, "/dss/v1/subscriptions/\(subscription)", F3548Body.subscription(
            F3548Body.circle(34.8, 37.2, radius: 5_000, from: 0, for: 180), intents: true, constraints: true))
        #expect(dss.status == 200, "subscription: \(dss.text)")
        let intent = newID(), dropped = newID()
        dss = try await planner.send(.PUT, "/dss/v1/operational_intent_references/\(intent)",
                                     F3548Body.intent([F3548Body.circle(34.8, 37.2, radius: 800, from: 20, for: 40)], subscription: subscription))
        #expect(dss.status == 201, "intent: \(dss.text)")
        dss = try await planner.send(.PUT, "/dss/v1/operational_intent_references/\(dropped)",
                                     F3548Body.intent([F3548Body.circle(34.6, 37.0, radius: 600, from: 30, for: 20)]))
        #expect(dss.status == 201, "second intent: \(dss.text)")
        if let ovn = dss.json[path: "operational_intent_reference.ovn"] as? String {
            dss = try await planner.send(.DELETE, "/dss/v1/operational_intent_references/\(dropped)/\(ovn)")
            #expect(dss.status == 200, "delete intent: \(dss.text)")
        }
        let temporary = newID()
        dss = try await planner.send(.PUT, "/dss/v1/subscriptions/\(temporary)", F3548Body.subscription(F3548Body.circle(34.5, 36.9, radius: 1_000, from: 0, for: 60)))
        if let version = dss.json[path: "subscription.version"] as? String {
            dss = try await planner.send(.DELETE, "/dss/v1/subscriptions/\(temporary)/\(version)")
            #expect(dss.status == 200, "delete subscription: \(dss.text)")
        }
        dss = try await arbiter.send(.PUT, "/dss/v1/uss_availability/uss1", ["old_version": "", "availability": "Normal"])
        #expect(dss.status == 200, "availability: \(dss.text)")

        // Until the webhook has delivered and the CoT patrol is in.
        let settle = Date().addingTimeInterval(30)
        while Date() < settle {
            if receiver.eventIDs.count > 3, (try await client("coalition").get("/v1/units/tak-patrol-1")).status == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(receiver.eventIDs.count > 3)
        try await Task.sleep(for: .seconds(3)) // the webhook's progress is recorded
        server.stop()

        try FileManager.default.createDirectory(at: Self.fixtures, withIntermediateDirectories: true)
        // A new golden ledger, the next number (add it to `written`); an existing one is
        // never overwritten.
        let name = "golden-ledger-v\(Self.versions.count + 1)"
        let output = Self.fixtures.appending(path: name + ".jsonl")
        #expect(!FileManager.default.fileExists(atPath: output.path), "\(output.path) exists: a golden ledger is written once")
        guard !FileManager.default.fileExists(atPath: output.path) else { return }
        _ = try runDeconflict(["export", "--store", store, "--output", output.path])
        let node = try await Node(store: try SQLiteStore(path: store))
        let (difference, replayed) = try await node.replayDifference()
        #expect(difference == nil, "\(difference ?? "")")
        try Self.describe(replayed).write(to: Self.fixtures.appending(path: name + ".state.json"), atomically: true, encoding: .utf8)
    }
}
