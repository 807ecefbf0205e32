import DeconflictEngine
import DeconflictGeometry
import DeconflictAccess
@testable import DeconflictAPI
import DeconflictLedger
import DeconflictStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import NIOCore
import Testing
import DeconflictNode

/// The seed scenario played through a node up to `until` seconds, with a key for every
/// party and one for the operator.
struct SeededServer {
    let node: Node
    let server: Server
    let keys: [String: String]
    let operatorKey: String
    let folder: URL

    static func make(until seconds: Double = 3_000) async throws -> SeededServer {
        let script = try seedScenario()
        let folder = try temporaryFolder("seeded")
        let store = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
        let clock = TestClock(script.start)
        var configuration = Node.Configuration()
        configuration.clock = { clock.now }
        let node = try await Node(store: store, configuration: configuration)
        var trimmed = script
        trimmed.duration = seconds
        trimmed.legs = script.legs?.map { leg in
            var leg = leg
            leg.to = Swift.min(leg.to, seconds)
            return leg
        }.filter { $0.from <= seconds }
        trimmed.actions = script.actions?.filter { $0.at <= seconds }
        try await play(trimmed, on: node, clock: clock)
        var keys: [String: String] = [:]
        for party in script.parties {
            let (key, record) = Credentials.issue(for: .party(party.id))
            try await node.execute(.issueCredential(record))
            keys[party.id.rawValue] = key
        }
        let (operatorKey, record) = Credentials.issue(for: .operator)
        try await node.execute(.issueCredential(record))
        // The tests' webhook receivers listen on loopback, which deliveries may not reach
        // unless allowed.
        let webhooks = WebhookDispatcher(addresses: OutboundAddresses(allowing: [AddressRange("127.0.0.0/8")!, AddressRange("::1")!]))
        return SeededServer(node: node, server: Server(node: node, webhooks: webhooks), keys: keys, operatorKey: operatorKey, folder: folder)
    }

    func application() -> some ApplicationProtocol {
        let router = server.router()
        return Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router))
    }
}

/// One answer of the API, read as JSON.
struct Reply {
    let status: Int
    let json: [String: Any]
    let text: String
    let contentType: String?

    init(_ response: TestResponse) {
        status = Int(response.status.code)
        text = String(buffer: response.body)
        json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        contentType = response.headers[.contentType]
    }
}

extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ path: String, key: String?, json: Any? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        return try await execute(uri: path, method: method, headers: headers, body: body) { Reply($0) }
    }
}

/// Every endpoint called as every party of the seed scenario, as the operator, without
/// a credential and with forged ones; each answer checked against the visibility rules.
@Suite("Visibility: every endpoint as every party", .timeLimit(.minutes(5)))
struct VisibilityMatrixTests {
    static let reads = [
        "/v1/parties", "/v1/agreements", "/v1/zones", "/v1/units", "/v1/operations", "/v1/alerts?state=all",
        "/v1/messages", "/v1/incidents", "/v1/ledger", "/v1/webhooks", "/v1/situation",
    ]

    @Test func withoutOrWithForgedCredentialsEverythingIsRefused() async throws {
        let seeded = try await SeededServer.make(until: 600)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let forged = [
            nil, "", "dck_0123456789abcdef_" + String(repeating: "0", count: 64),
            // A real key's id with another secret.
            String(seeded.keys["coalition"]!.prefix(21)) + String(repeating: "f", count: 64),
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb2FsaXRpb24ifQ.c2lnbmF0dXJl",
        ]
        try await seeded.application().test(.router) { client in
            for key in forged {
                for path in Self.reads + ["/v1/alerts/A1", "/v1/units/convoy", "/v1/events"] {
                    let reply = try await client.call(.get, path, key: key)
                    #expect(reply.status == 401, "\(path) with \(key ?? "no key"): \(reply.status)")
                    #expect(reply.contentType == "application/problem+json")
                    #expect(reply.json["field"] as? String == "Authorization")
                }
                let write = try await client.call(.put, "/v1/zones/x", key: key, json: ["id": "x", "kind": "corridor", "circle": ["center": [0, 0], "radius": 10]])
                #expect(write.status == 401)
            }
            for open in ["/healthz", "/readyz", "/openapi.json", "/metrics"] {
                #expect(try await client.call(.get, open, key: nil).status == 200, "\(open) must be open")
            }
        }
    }

    /// `GET /v1/situation` shows each party what `/v1/units`, `/v1/alerts` and
    /// `/v1/agreements` do, with tracks only for units it may locate; at a past instant,
    /// the situation as it stood then.
    @Test func theSituationShowsWhatTheRulesAllowNowAndInThePast() async throws {
        let seeded = try await SeededServer.make(until: 3_000)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let engine = await seeded.node.read { Unchecked(value: $0) }.value
        let start = try seedScenario().start
        try await seeded.application().test(.router) { client in
            for (partyName, key) in seeded.keys.sorted(by: { $0.key < $1.key }) {
                let party = PartyID(partyName)
                let situation = try await client.call(.get, "/v1/situation", key: key).json
                #expect(situation["viewer"] as? String == partyName && situation["live"] as? Bool == true)
                let units = situation["units"] as? [[String: Any]] ?? []
                #expect(units.count == engine.units.count)
                for unit in units {
                    let id = UnitID(unit["id"] as! String)
                    let owner = engine.unit(id)!
                    let allowed = owner.party == party || Visibility.mayLocate(owner, report: engine.lastReport(of: id), by: party, in: engine)
                    if allowed, engine.lastReport(of: id) != nil {
                        let track = unit["track"] as? [[Any]] ?? []
                        #expect(!track.isEmpty, "\(party): no track of \(id)")
                        #expect((track.last?[0] as? Double) == engine.lastReport(of: id)!.position.latitude)
                    } else {
                        #expect(unit["lastReport"] == nil && unit["track"] == nil, "\(party) must not locate \(id)")
                    }
                }
                let alerts = Set((situation["alerts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                #expect(alerts == Set(engine.alerts.values.filter { $0.addressees.contains { $0.party == party } }.map(\.id.rawValue)))
                let agreements = Set((situation["agreements"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                #expect(agreements == Set(engine.agreements.values.filter { $0.signatories[party] != nil }.map(\.id.rawValue)))
            }
            // Ten minutes in: the convoy is far out, no incursion yet, and the situation says when.
            let early = RFC3339.shortest(start.addingTimeInterval(600))
            let past = try await client.call(.get, "/v1/situation?at=\(early)", key: seeded.keys["syrian-government"]).json
            #expect(past["live"] as? Bool == false && past["time"] as? String == early)
            let convoy = (past["units"] as? [[String: Any]])?.first { $0["id"] as? String == "convoy" }
            let position = ((convoy?["lastReport"] as? [String: Any])?["position"] as? [Double]) ?? []
            let reported = try await seeded.node.store.reports(of: "convoy", from: start, to: start.addingTimeInterval(600)).last
            #expect(position == reported.map { [$0.position.latitude, $0.position.longitude] }, "the convoy as reported at 600 s")
            let pastAlerts = (past["alerts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(!pastAlerts.contains("incursion"))
            let nowAlerts = (try await client.call(.get, "/v1/situation", key: seeded.keys["coalition"]).json["alerts"] as? [[String: Any]] ?? [])
            #expect(nowAlerts.contains { $0["kind"] as? String == "incursion" })
            // A bad instant names the field.
            let bad = try await client.call(.get, "/v1/situation?at=yesterday", key: seeded.keys["coalition"])
            #expect(bad.status == 422 && bad.json["field"] as? String == "at")
        }
    }

    @Test func eachPartySeesWhatTheRulesAllowAndNothingElse() async throws {
        let seeded = try await SeededServer.make()
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let engine = await seeded.node.read { Unchecked(value: $0) }.value
        #expect(engine.alerts.count >= 3, "too few alerts to test visibility")
        try await seeded.application().test(.router) { client in
            for (partyName, key) in seeded.keys.sorted(by: { $0.key < $1.key }) {
                let party = PartyID(partyName)
                // Alerts: exactly those addressed to the party.
                let alerts = try await client.call(.get, "/v1/alerts?state=all", key: key).json["alerts"] as? [[String: Any]] ?? []
                let expected = Set(engine.alerts.values.filter { $0.addressees.contains { $0.party == party } }.map(\.id.rawValue))
                #expect(Set(alerts.compactMap { $0["id"] as? String }) == expected, "\(party): alerts")
                for alert in engine.alerts.values {
                    let reply = try await client.call(.get, "/v1/alerts/\(alert.id)", key: key)
                    #expect(reply.status == (expected.contains(alert.id.rawValue) ? 200 : 403), "\(party) reading \(alert.id)")
                }
                // Units: own in full; others in full only near an agreed zone, else a reference.
                let units = try await client.call(.get, "/v1/units", key: key).json["units"] as? [[String: Any]] ?? []
                #expect(units.count == engine.units.count)
                var locatedOthers: [String] = []
                for unit in units {
                    let id = UnitID(unit["id"] as! String)
                    let owner = engine.unit(id)!
                    let allowed = Visibility.mayLocate(owner, report: engine.lastReport(of: id), by: party, in: engine)
                    if owner.party == party {
                        #expect(unit["reference"] == nil)
                    } else if allowed {
                        #expect(unit["lastReport"] != nil || engine.lastReport(of: id) == nil, "\(party) should locate \(id)")
                        locatedOthers.append(id.rawValue)
                    } else {
                        #expect(unit["lastReport"] == nil, "\(party) must not locate \(id)")
                        #expect(unit["reference"] as? Bool == true)
                        #expect(unit["name"] == nil)
                    }
                }
                // Every full read of another party's unit is in the ledger.
                if !locatedOthers.isEmpty {
                    let ledger = try await seeded.node.store.allEntries().filter { $0.type == "command" && $0.payload.contains("\"recordRead\"") }
                    #expect(ledger.contains { $0.payload.contains("\"by\":\"\(partyName)\"") }, "\(party)'s reads of \(locatedOthers) not recorded")
                }
                // Agreements: only as signatory.
                let agreements = try await client.call(.get, "/v1/agreements", key: key).json["agreements"] as? [[String: Any]] ?? []
                let signed = Set(engine.agreements.values.filter { $0.signatories[party] != nil }.map(\.id.rawValue))
                #expect(Set(agreements.compactMap { $0["id"] as? String }) == signed)
                for agreement in engine.agreements.values {
                    let reply = try await client.call(.get, "/v1/agreements/\(agreement.id)", key: key)
                    #expect(reply.status == (signed.contains(agreement.id.rawValue) ? 200 : 403))
                }
                // Messages: sender or recipient only.
                let messages = try await client.call(.get, "/v1/messages", key: key).json["messages"] as? [[String: Any]] ?? []
                let involved = Set(engine.messages.values.filter { $0.from == party || $0.receipts[party] != nil }.map(\.id.rawValue))
                #expect(Set(messages.compactMap { $0["id"] as? String }) == involved)
                // Zones and incidents: everyone's.
                let zones = try await client.call(.get, "/v1/zones", key: key).json["zones"] as? [[String: Any]] ?? []
                #expect(zones.count == engine.zones.count)
                // The ledger: only entries the party may read.
                let ledger = try await client.call(.get, "/v1/ledger", key: key)
                for line in ledger.text.split(separator: "\n") {
                    let entry = try LedgerExport.entry(String(line))
                    #expect(Visibility.mayRead(entry, as: .party(party)), "\(party) got ledger entry \(entry.sequence) \(entry.type)")
                    #expect(!entry.payload.contains("issueCredential"))
                }
                // Operator-only routes refuse a party.
                #expect(try await client.call(.post, "/v1/parties", key: key, json: ["id": "newcomer"]).status == 403)
                #expect(try await client.call(.post, "/v1/parties/\(partyName)/keys", key: key).status == 403)
                // Others' things cannot be changed.
                for zone in engine.zones.values where zone.owner != party {
                    #expect(try await client.call(.delete, "/v1/zones/\(zone.id)", key: key).status == 403)
                    let body: [String: Any] = ["id": zone.id.rawValue, "kind": "corridor", "circle": ["center": [33.5, 38.6], "radius": 1_000]]
                    #expect(try await client.call(.put, "/v1/zones/\(zone.id)", key: key, json: body).status == 403)
                }
                for unit in engine.units.values where unit.party != party {
                    let report: [String: Any] = ["unit": unit.id.rawValue, "time": RFC3339.shortest(engine.now), "position": [33.5, 38.6]]
                    let reply = try await client.call(.post, "/v1/reports", key: key, json: [report])
                    #expect(reply.status == 403, "\(party) reporting for \(unit.id): \(reply.text)")
                }
                for alert in engine.alerts.values where !expected.contains(alert.id.rawValue) {
                    #expect(try await client.call(.post, "/v1/alerts/\(alert.id)/acknowledge", key: key).status == 403)
                }
            }
            // The operator sees everything but acts for no party.
            let all = try await client.call(.get, "/v1/alerts?state=all", key: seeded.operatorKey).json["alerts"] as? [[String: Any]] ?? []
            #expect(all.count == engine.alerts.count)
            #expect(try await client.call(.post, "/v1/units", key: seeded.operatorKey, json: ["id": "x", "domain": "ground"]).status == 403)
        }
    }

    @Test func badInputIsAProblemNamingTheField() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let key = seeded.keys["coalition"]!
        try await seeded.application().test(.router) { client in
            let cases: [(String, Any, String)] = [
                ("/v1/zones/z1", ["id": "z1", "kind": "corridor", "circle": ["center": [95, 0], "radius": 10]], "zone.circle.center.latitude"),
                ("/v1/zones/z1", ["id": "z1", "kind": "corridor", "circle": ["center": [0, 0], "radius": -5]], "zone.circle.radius"),
                ("/v1/zones/z1", ["id": "z1", "kind": "nowhere", "circle": ["center": [0, 0], "radius": 5]], "kind"),
                ("/v1/zones/z1", ["kind": "corridor", "circle": ["center": [0, 0], "radius": 5]], "id"),
                ("/v1/zones/z1", ["id": "z1", "kind": "corridor"], "zone"),
                ("/v1/zones/z1", ["id": "z1", "kind": "corridor", "polygon": [[[0, 0], [1, 1], [0, 1], [1, 0]]]], "zone.polygon.outer[0]"),
            ]
            for (path, body, field) in cases {
                let reply = try await client.call(.put, path, key: key, json: body)
                #expect(reply.status == 422, "\(body): \(reply.text)")
                #expect(reply.contentType == "application/problem+json")
                #expect((reply.json["field"] as? String)?.hasPrefix(field) == true, "expected \(field): \(reply.text)")
            }
            // Not JSON at all.
            let garbage = try await client.execute(uri: "/v1/units", method: .post, headers: [.authorization: "Bearer \(key)"], body: ByteBuffer(string: "{not json")) { Reply($0) }
            #expect(garbage.status == 422)
            #expect(garbage.json["field"] as? String == "body")
            // A batch with one bad report names its index.
            let reports: [[String: Any]] = [
                ["unit": "coalition-jet", "time": "2017-06-06T06:01:00Z", "position": [33.5, 38.6]],
                ["unit": "coalition-jet", "time": "2017-06-06T06:01:01Z", "position": [33.5]],
            ]
            let batch = try await client.call(.post, "/v1/reports", key: key, json: reports)
            #expect(batch.status == 422)
            #expect(batch.json["field"] as? String == "[1].position")
            // Nothing was half-written: the unit's last report is not the batch's first.
            let last = await seeded.node.read { $0.lastReport(of: "coalition-jet")?.time }
            #expect(last != Date(timeIntervalSince1970: 1_496_728_860))
            // The service goes on.
            #expect(try await client.call(.get, "/v1/zones", key: key).status == 200)
        }
    }
}
