import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

/// The ASTM F3548-21 DSS interface, black-box against `deconflict serve` with tokens
/// signed by a test key: every operation, the key check, subscriptions, availability,
/// and the rules where the deployed implementation is more specific than the text.
@Suite("ASTM F3548 DSS interface", .timeLimit(.minutes(5)))
struct DSSTests {
    /// A server trusting `authority`, on a new SQLite store, with an operator key.
    struct DSSServer {
        let server: ServerProcess
        let authority: TokenAuthority
        let folder: URL
        let operatorKey: String

        static func start(audiences: [String] = []) async throws -> DSSServer {
            let authority = try await TokenAuthority.make()
            let folder = try temporaryFolder("dss")
            let pem = folder.appendingPathComponent("authority.pem").path
            try authority.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
            let store = ["--store", folder.appendingPathComponent("store.sqlite").path]
            let operatorKey = try runDeconflict(["operator-key"] + store)
            let server = try await ServerProcess(store: store, extra: ["--dss-key", pem] + audiences.flatMap { ["--dss-audience", $0] })
            return DSSServer(server: server, authority: authority, folder: folder, operatorKey: operatorKey)
        }

        func uss(_ subject: String, _ scopes: String...) async throws -> USSClient {
            USSClient(base: server.base, token: try await authority.token(subject, scopes: scopes))
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    // MARK: Authentication

    @Test func tokensAreVerifiedAndScopesEnforced() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let base = dss.server.base
        let area = ["area_of_interest": F3548Body.circle(47.0, 8.0, radius: 2_000)]
        let path = "/dss/v1/operational_intent_references/query"

        // No token, not a JWT, someone else's key, expired, not yet valid, wrong audience, no subject.
        var answer = try await USSClient(base: base, token: nil).send(.POST, path, area)
        #expect(answer.status == 401 && answer.message.contains("missing access token"), "\(answer.text)")
        answer = try await USSClient(base: base, token: "not-a-token").send(.POST, path, area)
        #expect(answer.status == 401 && answer.message.contains("not a JWT"), "\(answer.text)")
        let stranger = try await TokenAuthority.make()
        let refusals: [(String, String)] = [
            (try await stranger.token("uss1", scopes: [Scopes.sc]), "signature"),
            (try await dss.authority.token("uss1", scopes: [Scopes.sc], expiresIn: -30), "expired"),
            (try await dss.authority.token("uss1", scopes: [Scopes.sc], notBefore: 600), "not valid before"),
            (try await dss.authority.token("uss1", scopes: [Scopes.sc], audience: "dss.example.com"), "audience"),
            (try await dss.authority.token("uss1", scopes: [Scopes.sc], expiresIn: nil), "no exp"),
            (try await dss.authority.token(nil, scopes: [Scopes.sc]), "no sub"),
        ]
        for (token, reason) in refusals {
            answer = try await USSClient(base: base, token: token).send(.POST, path, area)
            #expect(answer.status == 401, "\(reason): \(answer.text)")
            #expect(answer.message.contains(reason), "\(reason): \(answer.text)")
            #expect(answer.json.keys.sorted() == ["message"], "error bodies are {\"message\": ...}: \(answer.text)")
        }
        // Both local audiences are accepted by default.
        for audience in ["localhost", "127.0.0.1"] {
            let token = try await dss.authority.token("uss1", scopes: [Scopes.sc], audience: audience)
            answer = try await USSClient(base: base, token: token).send(.POST, path, area)
            #expect(answer.status == 200, "\(audience): \(answer.text)")
        }
        // A valid token without the scope: 403, per operation.
        let constraintManager = try await dss.uss("uss1", Scopes.cm)
        answer = try await constraintManager.send(.POST, path, area)
        #expect(answer.status == 403 && answer.message.contains(Scopes.sc), "\(answer.text)")
        let planner = try await dss.uss("uss1", Scopes.sc)
        answer = try await planner.send(.PUT, "/dss/v1/constraint_references/\(newID())", [
            "extents": [F3548Body.circle(47.0, 8.0)], "uss_base_url": "https://uss1.example.test/utm",
        ])
        #expect(answer.status == 403 && answer.message.contains(Scopes.cm), "\(answer.text)")
        answer = try await planner.send(.PUT, "/dss/v1/uss_availability/uss2", ["old_version": "", "availability": "Down"])
        #expect(answer.status == 403, "\(answer.text)")

        // The auxiliary interface: the version is open, the token check compares the owner.
        answer = try await USSClient(base: base, token: nil).send(.GET, "/aux/v1/version")
        #expect(answer.status == 200 && (answer.json["version"] as? String)?.isEmpty == false, "\(answer.text)")
        let rid = try await dss.uss("uss1", "dss.read.identification_service_areas")
        #expect(try await rid.send(.GET, "/aux/v1/validate_oauth?owner=uss1").status == 200)
        answer = try await rid.send(.GET, "/aux/v1/validate_oauth?owner=uss2")
        #expect(answer.status == 403 && answer.message.contains("owner"), "\(answer.text)")
        #expect(try await USSClient(base: base, token: nil).send(.GET, "/aux/v1/validate_oauth?owner=uss1").status == 401)
        // The native API does not take DSS tokens, nor the DSS API native keys.
        #expect(try await USSClient(base: base, token: dss.authority.token("uss1", scopes: [Scopes.sc])).send(.GET, "/v1/zones").status == 401)
        #expect(try await USSClient(base: base, token: dss.operatorKey).send(.POST, path, area).status == 401)
    }

    // MARK: Operational intents and the key

    @Test func intentsNeedTheKeyOfEverythingTheyMeet() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        let uss2 = try await dss.uss("uss2", Scopes.sc)
        let first = newID(), second = newID(), apart = newID()

        // uss1 plans an intent with an implicit subscription: 201, its OVN shown to it.
        var answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(first)", F3548Body.intent([F3548Body.circle(47.0, 8.0)]))
        #expect(answer.status == 201, "\(answer.text)")
        let reference = try #require(answer.json["operational_intent_reference"] as? [String: Any])
        let firstOVN = try #require(reference["ovn"] as? String)
        #expect(firstOVN != "Available from USS" && firstOVN.count >= 16)
        #expect(reference["manager"] as? String == "uss1")
        #expect(reference["version"] as? Int == 1)
        #expect(reference["state"] as? String == "Accepted")
        #expect(reference["uss_availability"] as? String == "Unknown")
        let implicit = try #require(reference["subscription_id"] as? String)
        // Its own implicit subscription is among the subscribers to notify.
        let subscribers = answer.json["subscribers"] as? [[String: Any]] ?? []
        #expect(subscribers.count == 1 && subscribers.first?[path: "subscriptions.0.subscription_id"] as? String == implicit, "\(answer.text)")

        // Others read it without its OVN.
        answer = try await uss2.send(.GET, "/dss/v1/operational_intent_references/\(first)")
        #expect(answer.status == 200)
        #expect(answer.json[path: "operational_intent_reference.ovn"] as? String == "Available from USS", "\(answer.text)")
        answer = try await uss2.send(.POST, "/dss/v1/operational_intent_references/query", ["area_of_interest": F3548Body.circle(47.0, 8.0, radius: 3_000, from: 0, for: 120)])
        let found = answer.json["operational_intent_references"] as? [[String: Any]] ?? []
        #expect(found.map { $0["id"] as? String } == [first], "\(answer.text)")
        #expect(found.first?["ovn"] as? String == "Available from USS")

        // uss2 overlapping without the key: 409 listing what it must know, OVN hidden.
        let overlapping = F3548Body.intent([F3548Body.circle(47.001, 8.001, radius: 400)], base: "https://uss2.example.test/utm")
        answer = try await uss2.send(.PUT, "/dss/v1/operational_intent_references/\(second)", overlapping)
        #expect(answer.status == 409, "\(answer.text)")
        let missing = answer.json["missing_operational_intents"] as? [[String: Any]] ?? []
        #expect(missing.map { $0["id"] as? String } == [first], "\(answer.text)")
        #expect(missing.first?["ovn"] as? String == "Available from USS")
        #expect((answer.json["message"] as? String)?.isEmpty == false)
        // A wrong OVN in the key is no better.
        var keyed = overlapping
        keyed["key"] = ["0123456789abcdef0123"]
        #expect(try await uss2.send(.PUT, "/dss/v1/operational_intent_references/\(second)", keyed).status == 409)
        // With the OVN (obtained from uss1's details endpoint in real life): 201, and
        // uss1's implicit subscription is among those to notify, its index advanced.
        keyed["key"] = [firstOVN]
        answer = try await uss2.send(.PUT, "/dss/v1/operational_intent_references/\(second)", keyed)
        #expect(answer.status == 201, "\(answer.text)")
        let notified = (answer.json["subscribers"] as? [[String: Any]] ?? []).flatMap { $0["subscriptions"] as? [[String: Any]] ?? [] }
        let index = notified.first { $0["subscription_id"] as? String == implicit }?["notification_index"] as? Int
        #expect(index == 2, "uss1's subscription was notified of its own intent (1) and now of uss2's (2): \(answer.text)")
        let secondOVN = try #require(answer.json[path: "operational_intent_reference.ovn"] as? String)

        // Somewhere else, or at another time, or another altitude: no key needed.
        answer = try await uss2.send(.PUT, "/dss/v1/operational_intent_references/\(apart)", F3548Body.intent([F3548Body.circle(47.0, 8.0, from: 120, for: 30)]))
        #expect(answer.status == 201, "another time: \(answer.text)")
        answer = try await uss2.send(.PUT, "/dss/v1/operational_intent_references/\(newID())", F3548Body.intent([F3548Body.circle(47.0, 8.0, low: 500, high: 600)]))
        #expect(answer.status == 201, "another altitude: \(answer.text)")

        // Updates: the OVN in the path must be current, the manager the caller.
        let update = "/dss/v1/operational_intent_references/\(first)"
        var changed = F3548Body.intent([F3548Body.circle(47.0, 8.0, radius: 600)], key: [secondOVN], subscription: implicit)
        answer = try await uss1.send(.PUT, "\(update)/0123456789abcdef-stale", changed)
        #expect(answer.status == 409 && answer.message.contains("OVN"), "\(answer.text)")
        answer = try await uss2.send(.PUT, "\(update)/\(firstOVN)", changed)
        #expect(answer.status == 403, "\(answer.text)")
        // Without uss2's OVN in the key the update conflicts; with it, version 2 and a new OVN.
        changed["key"] = []
        #expect(try await uss1.send(.PUT, "\(update)/\(firstOVN)", changed).status == 409)
        changed["key"] = [secondOVN]
        answer = try await uss1.send(.PUT, "\(update)/\(firstOVN)", changed)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json[path: "operational_intent_reference.version"] as? Int == 2)
        let newOVN = try #require(answer.json[path: "operational_intent_reference.ovn"] as? String)
        #expect(newOVN != firstOVN)
        // The implicit subscription grew to cover the larger volume.
        answer = try await uss1.send(.GET, "/dss/v1/subscriptions/\(implicit)")
        #expect(answer.json[path: "subscription.implicit_subscription"] as? Bool == true, "\(answer.text)")
        #expect(answer.json[path: "subscription.dependent_operational_intents"] as? [String] == [first])

        // Delete: the current OVN; the implicit subscription goes with its last intent.
        #expect(try await uss1.send(.DELETE, "\(update)/\(firstOVN)").status == 409)
        #expect(try await uss2.send(.DELETE, "\(update)/\(newOVN)").status == 403)
        answer = try await uss1.send(.DELETE, "\(update)/\(newOVN)")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json[path: "operational_intent_reference.id"] as? String == first)
        #expect(try await uss1.send(.GET, update).status == 404)
        #expect(try await uss1.send(.GET, "/dss/v1/subscriptions/\(implicit)").status == 404)
        #expect(try await uss1.send(.DELETE, "\(update)/\(newOVN)").status == 404)

        // The intents are operations of the USSs' parties in Deconflict, in its ledger.
        let native = Client(base: dss.server.base, key: dss.operatorKey, http: .shared)
        let operations = (try await native.get("/v1/operations").json["operations"] as? [[String: Any]]) ?? []
        let byID = Dictionary(operations.compactMap { op in (op["id"] as? String).map { ($0, op) } }, uniquingKeysWith: { a, _ in a })
        #expect(byID["intent:\(second)"]?["party"] as? String == "uss:uss2", "\(operations)")
        #expect(byID["intent:\(second)"]?["state"] as? String == "planned")
        #expect(byID["intent:\(first)"]?["state"] as? String == "cancelled")
        let ledger = try await native.get("/v1/ledger").text
        #expect(ledger.contains("\"command\":\"dss\""))
    }

    // MARK: The rules the deployed implementation makes precise

    @Test func intentRulesAreEnforced() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        let monitor = try await dss.uss("uss1", Scopes.sc, Scopes.cmsa)
        let uss2 = try await dss.uss("uss2", Scopes.sc)
        let path = "/dss/v1/operational_intent_references/"
        let volume = F3548Body.circle(46.0, 7.0)

        // Ids are version 4 UUIDs.
        var answer = try await uss1.send(.PUT, path + "not-a-uuid", F3548Body.intent([volume]))
        #expect(answer.status == 400 && answer.message.contains("UUID"), "\(answer.text)")
        answer = try await uss1.send(.PUT, path + "0191b794-9628-745a-a598-aa1fcd4a82bf", F3548Body.intent([volume]))
        #expect(answer.status == 400, "a version 7 UUID is not an entity id: \(answer.text)")
        // A new intent must be Accepted.
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([volume], state: "Activated"))
        #expect(answer.status == 400 && answer.message.contains("Accepted"), "\(answer.text)")
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([volume], state: "Flying"))
        #expect(answer.status == 400 && answer.message.contains("state"), "\(answer.text)")
        // Too large: over 2,500 km² (a 30 km radius is about 2,827 km²).
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([F3548Body.circle(46.0, 7.0, radius: 30_000)]))
        #expect(answer.status == 400 && answer.message.contains("2500"), "\(answer.text)")
        #expect(try await uss1.send(.PUT, path + newID(), F3548Body.intent([F3548Body.circle(45.0, 7.0, radius: 28_000)])).status == 201)
        // In the past, without times, without altitudes, without outline.
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([F3548Body.circle(46.0, 7.0, from: -120, for: 30)]))
        #expect(answer.status == 400 && answer.message.contains("past"), "\(answer.text)")
        var bare = volume
        bare["time_end"] = nil
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([bare]))
        #expect(answer.status == 400 && answer.message.contains("extents[0].time_end"), "\(answer.text)")
        var flat = volume
        flat["volume"] = ["outline_circle": ["center": ["lat": 46.0, "lng": 7.0], "radius": ["value": 100, "units": "M"]]]
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([flat]))
        #expect(answer.status == 400 && answer.message.contains("altitude_lower"), "\(answer.text)")
        answer = try await uss1.send(.PUT, path + newID(), ["extents": [volume], "state": "Accepted"])
        #expect(answer.status == 400 && answer.message.contains("uss_base_url"), "\(answer.text)")
        var badLatitude = volume
        badLatitude["volume"] = ["outline_circle": ["center": ["lat": 146.0, "lng": 7.0], "radius": ["value": 100, "units": "M"]],
                                 "altitude_lower": ["value": 0, "reference": "W84", "units": "M"],
                                 "altitude_upper": ["value": 10, "reference": "W84", "units": "M"]]
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([badLatitude]))
        #expect(answer.status == 400 && answer.message.contains("latitude"), "\(answer.text)")

        // A query needs its area.
        answer = try await uss1.send(.POST, "/dss/v1/operational_intent_references/query", [String: Any]())
        #expect(answer.status == 400 && answer.message.contains("area_of_interest"), "\(answer.text)")
        // A requested OVN suffix: a version 7 UUID of about now gives the OVN {id}_{suffix}.
        let suffixed = newID()
        let milliseconds = String(format: "%012llx", UInt64(Date().timeIntervalSince1970 * 1_000))
        let suffix = "\(milliseconds.prefix(8))-\(milliseconds.suffix(4))-7abc-9def-0123456789ab"
        var body = F3548Body.intent([F3548Body.circle(44.5, 7.5)])
        body["requested_ovn_suffix"] = suffix
        answer = try await uss1.send(.PUT, path + suffixed, body)
        #expect(answer.status == 201, "\(answer.text)")
        #expect(answer.json[path: "operational_intent_reference.ovn"] as? String == "\(suffixed)_\(suffix)")
        body["requested_ovn_suffix"] = "00000000-0000-7000-8000-000000000000"
        answer = try await uss1.send(.PUT, path + newID(), body)
        #expect(answer.status == 400 && answer.message.contains("requested_ovn_suffix"), "a suffix from 1970: \(answer.text)")
        // An explicit subscription must cover the intent and ask for intents.
        let narrow = newID()
        #expect(try await uss1.send(.PUT, "/dss/v1/subscriptions/\(narrow)", F3548Body.subscription(F3548Body.circle(44.0, 8.0, radius: 100, from: 0, for: 60))).status == 200)
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([F3548Body.circle(44.0, 8.0, radius: 500)], subscription: narrow))
        #expect(answer.status == 400 && answer.message.contains("cover"), "\(answer.text)")
        answer = try await uss1.send(.PUT, path + newID(), F3548Body.intent([F3548Body.circle(44.0, 8.0, radius: 50, from: 5, for: 10)], subscription: narrow))
        #expect(answer.status == 201, "\(answer.text)")
        #expect(try await uss2.send(.PUT, path + newID(), F3548Body.intent([F3548Body.circle(44.0, 8.0, radius: 50, from: 5, for: 10)], subscription: narrow)).status == 403)

        // Activated needs a subscription; an intent without one names the null subscription.
        let bare1 = newID()
        answer = try await uss1.send(.PUT, path + bare1, F3548Body.intent([volume], implicit: false))
        #expect(answer.status == 201, "\(answer.text)")
        #expect(answer.json[path: "operational_intent_reference.subscription_id"] as? String == "00000000-0000-4000-8000-000000000000")
        var ovn = try #require(answer.json[path: "operational_intent_reference.ovn"] as? String)
        answer = try await uss1.send(.PUT, path + "\(bare1)/\(ovn)", F3548Body.intent([volume], state: "Activated", implicit: false))
        #expect(answer.status == 400 && answer.message.contains("subscription"), "\(answer.text)")
        answer = try await uss1.send(.PUT, path + "\(bare1)/\(ovn)", F3548Body.intent([volume], state: "Activated"))
        #expect(answer.status == 200, "\(answer.text)")
        ovn = try #require(answer.json[path: "operational_intent_reference.ovn"] as? String)
        let subscription = try #require(answer.json[path: "operational_intent_reference.subscription_id"] as? String)

        // uss2 plans across it: after that, Nonconforming needs the conformance scope and no key.
        let crossing = newID()
        answer = try await uss2.send(.PUT, path + crossing, F3548Body.intent([F3548Body.circle(46.0, 7.001, radius: 300)]))
        #expect(answer.status == 409, "uss1's activated intent is there: \(answer.text)")
        let nonconforming = F3548Body.intent([F3548Body.circle(46.0, 7.0, radius: 700)], state: "Nonconforming", subscription: subscription)
        answer = try await uss1.send(.PUT, path + "\(bare1)/\(ovn)", nonconforming)
        #expect(answer.status == 403 && answer.message.contains(Scopes.cmsa), "\(answer.text)")
        answer = try await monitor.send(.PUT, path + "\(bare1)/\(ovn)", nonconforming)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json[path: "operational_intent_reference.state"] as? String == "Nonconforming")
        // An off-nominal intent does not have to be in others' keys.
        answer = try await uss2.send(.PUT, path + crossing, F3548Body.intent([F3548Body.circle(46.0, 7.001, radius: 300)]))
        #expect(answer.status == 201, "\(answer.text)")

        // A subscription with a dependent intent can neither go nor shrink away from it.
        answer = try await uss1.send(.GET, "/dss/v1/subscriptions/\(subscription)")
        let version = try #require(answer.json[path: "subscription.version"] as? String)
        answer = try await uss1.send(.DELETE, "/dss/v1/subscriptions/\(subscription)/\(version)")
        #expect(answer.status == 400 && answer.message.contains(bare1), "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(subscription)/\(version)", F3548Body.subscription(F3548Body.circle(46.5, 7.5, radius: 100)))
        #expect(answer.status == 400 && answer.message.contains("covered"), "\(answer.text)")
    }

    // MARK: Subscriptions

    @Test func subscriptionsAreBoundedAndOwned() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        let uss2 = try await dss.uss("uss2", Scopes.sc, Scopes.cp)
        let id = newID()
        let path = "/dss/v1/subscriptions/\(id)"

        // Created with 200; at most 24 hours; asks for something.
        var answer = try await uss1.send(.PUT, path, F3548Body.subscription(F3548Body.circle(45.5, 6.5, radius: 2_000, from: 0, for: 25 * 60)))
        #expect(answer.status == 400 && answer.message.contains("24 hours"), "\(answer.text)")
        answer = try await uss1.send(.PUT, path, F3548Body.subscription(F3548Body.circle(45.5, 6.5), intents: false))
        #expect(answer.status == 400, "\(answer.text)")
        // Strategic coordination alone may ask for constraints, as in the reference DSS.
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(F3548Body.circle(30.5, 6.5), constraints: true))
        #expect(answer.status == 200, "\(answer.text)")
        var open = F3548Body.subscription(F3548Body.circle(45.5, 6.5, radius: 2_000))
        open["extents"] = ["volume": ["outline_circle": ["center": ["lat": 45.5, "lng": 6.5], "radius": ["value": 2_000, "units": "M"]]]]
        answer = try await uss1.send(.PUT, path, open)
        #expect(answer.status == 200, "\(answer.text)")
        let subscription = try #require(answer.json["subscription"] as? [String: Any])
        #expect(subscription["notification_index"] as? Int == 0)
        #expect(subscription["implicit_subscription"] as? Bool == false)
        // Without times it starts now and lasts 24 hours.
        let start = (subscription[path: "time_start.value"] as? String).flatMap(WireDate.parse)
        let end = (subscription[path: "time_end.value"] as? String).flatMap(WireDate.parse)
        if let start, let end { #expect(abs(end.timeIntervalSince(start) - 86_400) < 1) } else { Issue.record("no times: \(answer.text)") }
        let version = try #require(subscription["version"] as? String)

        // Again with the same id: 409; another USS: cannot read, change or delete it.
        #expect(try await uss1.send(.PUT, path, open).status == 409)
        #expect(try await uss2.send(.GET, path).status == 403)
        #expect(try await uss2.send(.PUT, "\(path)/\(version)", open).status == 409)
        #expect(try await uss2.send(.DELETE, "\(path)/\(version)").status == 409)
        // Queries return only the caller's.
        let area = ["area_of_interest": F3548Body.circle(45.5, 6.5, radius: 5_000, from: 0, for: 60)]
        answer = try await uss1.send(.POST, "/dss/v1/subscriptions/query", area)
        #expect((answer.json["subscriptions"] as? [[String: Any]])?.map { $0["id"] as? String } == [id], "\(answer.text)")
        answer = try await uss2.send(.POST, "/dss/v1/subscriptions/query", area)
        #expect((answer.json["subscriptions"] as? [[String: Any]])?.isEmpty == true, "\(answer.text)")

        // uss2 plans inside: uss1's subscription is notified, index 1.
        answer = try await uss2.send(.PUT, "/dss/v1/operational_intent_references/\(newID())", F3548Body.intent([F3548Body.circle(45.5, 6.5, radius: 200)], base: "https://uss2.example.test/utm"))
        #expect(answer.status == 201, "\(answer.text)")
        let entry = (answer.json["subscribers"] as? [[String: Any]])?.first { $0["uss_base_url"] as? String == "https://uss1.example.test/utm" }
        #expect(entry?[path: "subscriptions.0.notification_index"] as? Int == 1, "\(answer.text)")
        // The subscription's update returns the intents in its area; the version changes.
        answer = try await uss1.send(.PUT, "\(path)/wrong-version", open)
        #expect(answer.status == 409, "\(answer.text)")
        answer = try await uss1.send(.PUT, "\(path)/\(version)", open)
        #expect(answer.status == 200, "\(answer.text)")
        #expect((answer.json["operational_intent_references"] as? [Any])?.count == 1)
        #expect(answer.json[path: "subscription.notification_index"] as? Int == 1)
        let next = try #require(answer.json[path: "subscription.version"] as? String)
        #expect(next != version)
        answer = try await uss1.send(.DELETE, "\(path)/\(next)")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try await uss1.send(.GET, path).status == 404)
    }

    // MARK: Constraints

    @Test func constraintsAreZonesAndJoinTheKey() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let authority = try await dss.uss("authority", Scopes.cm)
        let reader = try await dss.uss("uss1", Scopes.cp)
        let planner = try await dss.uss("uss1", Scopes.sc, Scopes.cp)
        let id = newID()
        let extents = [F3548Body.polygon([(44.0, 6.0), (44.0, 6.02), (44.02, 6.02), (44.02, 6.0)])]

        var answer = try await planner.send(.PUT, "/dss/v1/constraint_references/\(id)", ["extents": extents, "uss_base_url": "https://authority.example.test"])
        #expect(answer.status == 403, "only constraint management writes constraints: \(answer.text)")
        answer = try await authority.send(.PUT, "/dss/v1/constraint_references/\(id)", ["extents": extents, "uss_base_url": "https://authority.example.test"])
        #expect(answer.status == 201, "\(answer.text)")
        let ovn = try #require(answer.json[path: "constraint_reference.ovn"] as? String)
        answer = try await reader.send(.GET, "/dss/v1/constraint_references/\(id)")
        #expect(answer.status == 200 && answer.json[path: "constraint_reference.ovn"] as? String == "Available from USS", "\(answer.text)")
        answer = try await reader.send(.POST, "/dss/v1/constraint_references/query", ["area_of_interest": F3548Body.circle(44.01, 6.01, radius: 500, from: 0, for: 60)])
        #expect((answer.json["constraint_references"] as? [[String: Any]])?.map { $0["id"] as? String } == [id], "\(answer.text)")

        // An intent whose subscription asks for constraints must know the constraint's OVN.
        let intent = newID()
        let inside = [F3548Body.circle(44.01, 6.01, radius: 300)]
        answer = try await planner.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent(inside, constraints: true))
        #expect(answer.status == 409, "\(answer.text)")
        #expect((answer.json["missing_constraints"] as? [[String: Any]])?.map { $0["id"] as? String } == [id], "\(answer.text)")
        // One that does not ask for constraints does not.
        answer = try await planner.send(.PUT, "/dss/v1/operational_intent_references/\(newID())", F3548Body.intent(inside))
        #expect(answer.status == 201, "\(answer.text)")
        // The key holds every relevant OVN, the USS's own intents' too.
        let own = try #require(answer.json[path: "operational_intent_reference.ovn"] as? String)
        answer = try await planner.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent(inside, key: [ovn], constraints: true))
        #expect(answer.status == 409, "\(answer.text)")
        answer = try await planner.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent(inside, key: [ovn, own], constraints: true))
        #expect(answer.status == 201, "\(answer.text)")
        // A change to the constraint notifies the subscription that asked for constraints.
        let subscription = try #require(answer.json[path: "operational_intent_reference.subscription_id"] as? String)
        answer = try await authority.send(.PUT, "/dss/v1/constraint_references/\(id)/\(ovn)", ["extents": extents, "uss_base_url": "https://authority.example.test"])
        #expect(answer.status == 200, "\(answer.text)")
        let notified = (answer.json["subscribers"] as? [[String: Any]] ?? []).flatMap { $0["subscriptions"] as? [[String: Any]] ?? [] }
        #expect(notified.map { $0["subscription_id"] as? String } == [subscription], "\(answer.text)")
        let newOVN = try #require(answer.json[path: "constraint_reference.ovn"] as? String)

        // The constraint is a zone of the authority's party: the native API shows it.
        let native = Client(base: dss.server.base, key: dss.operatorKey, http: .shared)
        answer = USSClient.Answer(status: 0, body: try await native.get("/v1/zones/constraint:\(id)").body)
        #expect(answer.json["owner"] as? String == "uss:authority", "\(answer.text)")
        #expect(answer.json["kind"] as? String == "no-fly-area")
        answer = try await authority.send(.DELETE, "/dss/v1/constraint_references/\(id)/\(newOVN)")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try await native.get("/v1/zones/constraint:\(id)").status == 404)
    }

    // MARK: Native zones

    @Test func nativeZonesAreConstraintsDeconflictManages() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        // The operator adds a party; the party declares a protected site through the native API.
        let native = Client(base: dss.server.base, key: dss.operatorKey, http: .shared)
        var reply = try await native.send(.POST, "/v1/parties", json: ["id": "ngo", "name": "Relief NGO"])
        #expect(reply.status == 201, "\(reply.text)")
        reply = try await native.send(.POST, "/v1/parties/ngo/keys")
        let ngo = Client(base: dss.server.base, key: try #require(reply.json["key"] as? String), http: .shared)
        let site: [String: Any] = ["id": "field-hospital", "kind": "protected-site", "circle": ["center": [41.0, 9.0], "radius": 400], "altitude": [0, 300]]
        reply = try await ngo.send(.PUT, "/v1/zones/field-hospital", json: site)
        #expect(reply.status == 200, "\(reply.text)")

        // A USS finds it with a constraint query: managed by deconflict, details here.
        let uss = try await dss.uss("uss1", Scopes.sc, Scopes.cp)
        var answer = try await uss.send(.POST, "/dss/v1/constraint_references/query", ["area_of_interest": F3548Body.circle(41.0, 9.0, radius: 1_000, from: 0, for: 60)])
        let references = answer.json["constraint_references"] as? [[String: Any]] ?? []
        #expect(references.count == 1, "\(answer.text)")
        let reference = try #require(references.first)
        #expect(reference["manager"] as? String == "deconflict")
        #expect(reference["ovn"] as? String == "Available from USS")
        #expect(reference["uss_base_url"] as? String == dss.server.base, "\(reference)")
        let id = try #require(reference["id"] as? String)
        answer = try await uss.send(.GET, "/dss/v1/constraint_references/\(id)")
        #expect(answer.status == 200, "\(answer.text)")
        // Its details, with the OVN, from this server as the managing USS.
        answer = try await uss.send(.GET, "/uss/v1/constraints/\(id)")
        #expect(answer.status == 200, "\(answer.text)")
        let ovn = try #require(answer.json[path: "constraint.reference.ovn"] as? String)
        #expect(answer.json[path: "constraint.details.type"] as? String == "deconflict.protected-site")
        #expect(answer.json[path: "constraint.details.volumes.0.volume.outline_circle.radius.value"] as? Double == 400)
        #expect(try await dss.uss("uss1", Scopes.sc).send(.GET, "/uss/v1/constraints/\(id)").status == 403)
        #expect(try await uss.send(.GET, "/uss/v1/constraints/\(newID())").status == 404)

        // A USS processing constraints must hold its OVN to plan over it.
        let intent = newID()
        let over = [F3548Body.circle(41.0, 9.001, radius: 200)]
        answer = try await uss.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent(over, constraints: true))
        #expect(answer.status == 409, "\(answer.text)")
        #expect((answer.json["missing_constraints"] as? [[String: Any]])?.map { $0["id"] as? String } == [id], "\(answer.text)")
        answer = try await uss.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent(over, key: [ovn], constraints: true))
        #expect(answer.status == 201, "\(answer.text)")
        // Changing the zone changes its OVN.
        var moved = site
        moved["circle"] = ["center": [41.0, 9.0], "radius": 450]
        #expect(try await ngo.send(.PUT, "/v1/zones/field-hospital", json: moved).status == 200)
        answer = try await uss.send(.GET, "/uss/v1/constraints/\(id)")
        #expect(answer.json[path: "constraint.reference.ovn"] as? String != ovn, "\(answer.text)")
    }

    // MARK: Availability and reports

    @Test func availabilityAndReports() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let arbiter = try await dss.uss("arbiter", Scopes.aa)
        let uss1 = try await dss.uss("uss1", Scopes.sc)

        // An unknown USS reads Unknown with an empty version.
        var answer = try await uss1.send(.GET, "/dss/v1/uss_availability/uss9")
        #expect(answer.status == 200)
        #expect(answer.json[path: "status.availability"] as? String == "Unknown" && answer.json["version"] as? String == "", "\(answer.text)")
        // States are case-insensitive; old_version must be current.
        answer = try await arbiter.send(.PUT, "/dss/v1/uss_availability/uss1", ["old_version": "", "availability": "down"])
        #expect(answer.status == 200 && answer.json[path: "status.availability"] as? String == "Down", "\(answer.text)")
        let version = try #require(answer.json["version"] as? String)
        #expect(!version.isEmpty)
        #expect(try await arbiter.send(.PUT, "/dss/v1/uss_availability/uss1", ["old_version": "", "availability": "Normal"]).status == 409)
        answer = try await arbiter.send(.PUT, "/dss/v1/uss_availability/uss1", ["old_version": version, "availability": "Sideways"])
        #expect(answer.status == 400 && answer.message.contains("availability"), "\(answer.text)")

        // A Down USS may not plan: 412; once Normal again it may.
        let id = newID()
        answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(id)", F3548Body.intent([F3548Body.circle(43.0, 5.0)]))
        #expect(answer.status == 412, "\(answer.text)")
        #expect(try await arbiter.send(.PUT, "/dss/v1/uss_availability/uss1", ["old_version": version, "availability": "NORMAL"]).status == 200)
        answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(id)", F3548Body.intent([F3548Body.circle(43.0, 5.0)]))
        #expect(answer.status == 201, "\(answer.text)")
        #expect(answer.json[path: "operational_intent_reference.uss_availability"] as? String == "Normal")

        // Reports are archived and answered with an id.
        answer = try await uss1.send(.POST, "/dss/v1/reports", ["exchange": ["url": "https://uss2.example.test/uss/v1/operational_intents/\(id)", "method": "GET", "response_code": 500]])
        #expect(answer.status == 201, "\(answer.text)")
        #expect((answer.json["report_id"] as? String)?.isEmpty == false)
        #expect(try await uss1.send(.POST, "/dss/v1/reports", ["nothing": true]).status == 400)
        // Malformed JSON: 400 naming the problem, the server still serves.
        var request = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(newID())", ["extents": "many"])
        #expect(request.status == 400 && request.message.contains("extents"), "\(request.text)")
        request = try await uss1.send(.GET, "/dss/v1/operational_intent_references/\(id)")
        #expect(request.status == 200)
    }

    // MARK: Replay

    @Test func aRestartedServerHasTheSameAirspace() async throws {
        let authority = try await TokenAuthority.make()
        let folder = try temporaryFolder("dss-restart")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = folder.appendingPathComponent("authority.pem").path
        try authority.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
        let store = ["--store", folder.appendingPathComponent("store.sqlite").path]
        var server = try await ServerProcess(store: store, extra: ["--dss-key", pem])
        let token = try await authority.token("uss1", scopes: [Scopes.sc, Scopes.cp, Scopes.cm, Scopes.aa])
        var uss1 = USSClient(base: server.base, token: token)
        var snapshot: [String] = []
        let intent = newID(), constraint = newID(), subscription = newID()
        #expect(try await uss1.send(.PUT, "/dss/v1/subscriptions/\(subscription)", F3548Body.subscription(F3548Body.circle(42.0, 9.0, radius: 5_000, from: 0, for: 600), constraints: true)).status == 200)
        #expect(try await uss1.send(.PUT, "/dss/v1/constraint_references/\(constraint)", ["extents": [F3548Body.circle(42.0, 9.0, radius: 100)], "uss_base_url": "https://uss1.example.test"]).status == 201)
        let constraintOVN = try await uss1.send(.GET, "/dss/v1/constraint_references/\(constraint)").json[path: "constraint_reference.ovn"] as? String ?? ""
        let answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([F3548Body.circle(42.0, 9.0)], key: [constraintOVN], subscription: subscription))
        #expect(answer.status == 201, "\(answer.text)")
        #expect(try await uss1.send(.PUT, "/dss/v1/uss_availability/uss2", ["old_version": "", "availability": "Down"]).status == 200)
        func read() async throws -> [String] {
            try await [
                "/dss/v1/operational_intent_references/\(intent)", "/dss/v1/constraint_references/\(constraint)",
                "/dss/v1/subscriptions/\(subscription)", "/dss/v1/uss_availability/uss2",
            ].asyncMap { try await uss1.send(.GET, $0).text }
        }
        snapshot = try await read()
        #expect(snapshot[2].contains("\"notification_index\":2"), "notified of the constraint and the intent: \(snapshot[2])")
        server.stop()
        server = try await ServerProcess(store: store, extra: ["--dss-key", pem])
        defer { server.stop() }
        uss1 = USSClient(base: server.base, token: token)
        #expect(try await read() == snapshot)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
