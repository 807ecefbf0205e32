import DeconflictEngine
import AsyncHTTPClient
@testable import DeconflictAPI
import DeconflictGeometry
import DeconflictF3548
import DeconflictStore
import Foundation
import NIOHTTP1
import Testing

/// What the InterUSS conformance prober (interuss-monitoring, `scd` and `aux_`) found
/// against the DSS interface, one test per cause: each failed before its fix.
@Suite("ASTM F3548 DSS interface: the InterUSS prober's findings", .timeLimit(.minutes(5)))
struct DSSConformanceTests {
    typealias DSSServer = DSSTests.DSSServer

    // MARK: Times

    @Test func timesKeepEveryDigitTheUSSSent() throws {
        let sent = "2026-12-06T03:12:18.645619Z"
        let date = try #require(RFC3339.parse(sent))
        #expect(RFC3339.format(date) == sent)
        #expect(RFC3339.format(try #require(RFC3339.parse("2026-12-06t05:12:18.645619123+02:00"))) == sent)
        #expect(RFC3339.format(try #require(RFC3339.parse("2026-12-06T03:12:18Z"))) == "2026-12-06T03:12:18.000000Z")
        #expect(RFC3339.parse("2026-12-06T03:12:18.Z") == nil)
        #expect(RFC3339.parse("2026-12-06T03:12:18") == nil)
    }

    @Test func aSubscriptionReadsBackTheTimesSentToTheMicrosecond() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        let start = Date().addingTimeInterval(600)
        func text(_ date: Date) -> String { RFC3339.format(date) }
        var extents = F3548Body.circle(47.0, 8.0)
        extents["time_start"] = ["value": text(start), "format": "RFC3339"]
        extents["time_end"] = ["value": text(start.addingTimeInterval(1_800.000_123)), "format": "RFC3339"]
        let answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(extents))
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json[path: "subscription.time_start.value"] as? String == text(start))
        #expect(answer.json[path: "subscription.time_end.value"] as? String == text(start.addingTimeInterval(1_800.000_123)))
    }

    // MARK: Scopes

    @Test func strategicCoordinationAloneMayAskForConstraintNotifications() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        var answer = try await uss1.send(
            .PUT, "/dss/v1/operational_intent_references/\(newID())", F3548Body.intent([F3548Body.circle(46.0, 7.0)], constraints: true))
        #expect(answer.status == 201, "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(F3548Body.circle(46.0, 7.0), constraints: true))
        #expect(answer.status == 200, "\(answer.text)")
    }
}

extension DSSConformanceTests {
    // MARK: Order of the checks

    @Test func aMalformedBodyIsRefusedBeforeTheExistenceCheck() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc, Scopes.cm)
        let intent = newID(), constraint = newID(), subscription = newID()
        #expect(try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([F3548Body.circle(44.0, 7.0)])).status == 201)
        #expect(try await uss1.send(.PUT, "/dss/v1/constraint_references/\(constraint)", ["extents": [F3548Body.circle(44.0, 7.0)], "uss_base_url": "https://uss1.example.test"]).status == 201)
        #expect(try await uss1.send(.PUT, "/dss/v1/subscriptions/\(subscription)", F3548Body.subscription(F3548Body.circle(44.0, 7.0))).status == 200)
        // The same ids again, without a version in the path and with a bad body: 400, not 409.
        var answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([F3548Body.circle(44.0, 7.0, low: 100, high: 50)]))
        #expect(answer.status == 400, "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([F3548Body.circle(44.0, 7.0)], subscription: newID()).merging(["new_subscription": ["uss_base_url": "https://uss1.example.test"]]) { $1 })
        #expect(answer.status == 400 && answer.message.contains("not both"), "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/constraint_references/\(constraint)", ["extents": [F3548Body.circle(44.0, 7.0, from: -90, for: 30)], "uss_base_url": "https://uss1.example.test"])
        #expect(answer.status == 400, "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(subscription)", F3548Body.subscription(F3548Body.circle(44.0, 7.0), intents: false))
        #expect(answer.status == 400, "\(answer.text)")
        // A good body still meets the existence check.
        answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([F3548Body.circle(44.0, 7.0)]))
        #expect(answer.status == 409, "\(answer.text)")
    }
}

extension DSSConformanceTests {
    // MARK: Base URLs and keys

    @Test func httpBaseURLsAndCamelCaseKeysAreRefused() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc, Scopes.cm)
        let intent = "/dss/v1/operational_intent_references/\(newID())"
        var answer = try await uss1.send(.PUT, intent, F3548Body.intent([F3548Body.circle(43.0, 7.0)], base: "http://uss1.example.test"))
        #expect(answer.status == 400 && answer.message.contains("TLS"), "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(F3548Body.circle(43.0, 7.0), base: "http://uss1.example.test"))
        #expect(answer.status == 400 && answer.message.contains("TLS"), "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/constraint_references/\(newID())", ["extents": [F3548Body.circle(43.0, 7.0)], "uss_base_url": "http://uss1.example.test"])
        #expect(answer.status == 400 && answer.message.contains("TLS"), "\(answer.text)")
        // camelCase is not the interface's spelling: the field is missing.
        var camel = F3548Body.intent([F3548Body.circle(43.0, 7.0)])
        camel["ussBaseUrl"] = camel.removeValue(forKey: "uss_base_url")
        answer = try await uss1.send(.PUT, intent, camel)
        #expect(answer.status == 400 && answer.message.contains("uss_base_url"), "\(answer.text)")
        // A trailing slash is accepted, as in the reference DSS.
        answer = try await uss1.send(.PUT, intent, F3548Body.intent([F3548Body.circle(43.0, 7.0)], base: "https://uss1.example.test/"))
        #expect(answer.status == 201, "\(answer.text)")

        // --dss-allow-http-base-urls lets them in.
        let folder = try temporaryFolder("dss-http")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = folder.appendingPathComponent("authority.pem").path
        try dss.authority.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
        let lab = try await ServerProcess(
            store: ["--store", folder.appendingPathComponent("store.sqlite").path], extra: ["--dss-key", pem, "--dss-allow-http-base-urls"])
        defer { lab.stop() }
        let client = USSClient(base: lab.base, token: try await dss.authority.token("uss1", scopes: [Scopes.sc]))
        answer = try await client.send(.PUT, intent, F3548Body.intent([F3548Body.circle(43.0, 7.0)], base: "http://uss1.example.test"))
        #expect(answer.status == 201, "\(answer.text)")
    }
}

extension DSSConformanceTests {
    // MARK: Searches

    @Test func aSearchForOneInstantFindsWhatIsLiveThen() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        let id = newID()
        #expect(try await uss1.send(.PUT, "/dss/v1/subscriptions/\(id)", F3548Body.subscription(F3548Body.circle(41.0, 7.0, from: 0, for: 60))).status == 200)
        #expect(try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(newID())", F3548Body.intent([F3548Body.circle(41.0, 7.0, from: 10, for: 30)], implicit: false)).status == 201)
        var area = F3548Body.circle(41.0, 7.0, from: 20, for: 0)
        area["time_end"] = area["time_start"]
        let subscriptions = try await uss1.send(.POST, "/dss/v1/subscriptions/query", ["area_of_interest": area])
        #expect((subscriptions.json["subscriptions"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(subscriptions.text)")
        let intents = try await uss1.send(.POST, "/dss/v1/operational_intent_references/query", ["area_of_interest": area])
        #expect((intents.json["operational_intent_references"] as? [Any])?.count == 1, "\(intents.text)")
    }
}

extension DSSConformanceTests {
    // MARK: Areas

    @Test func everyOversizeAreaIsRefusedWithTheReferenceMessage() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc, Scopes.cm)
        let huge = F3548Body.circle(40.0, 7.0, radius: 30_000)  // about 2,827 km²
        for (path, body) in [
            ("/dss/v1/operational_intent_references/query", ["area_of_interest": huge] as [String: Any]),
            ("/dss/v1/constraint_references/query", ["area_of_interest": huge]),
            ("/dss/v1/subscriptions/query", ["area_of_interest": huge]),
        ] {
            let answer = try await uss1.send(.POST, path, body)
            #expect(answer.status == 400 && answer.message.contains("Area is too large"), "\(path): \(answer.text)")
        }
        var answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(huge))
        #expect(answer.status == 400 && answer.message.contains("Area is too large"), "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/constraint_references/\(newID())", ["extents": [huge], "uss_base_url": "https://uss1.example.test"])
        #expect(answer.status == 400 && answer.message.contains("Area is too large"), "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(newID())", F3548Body.intent([huge]))
        #expect(answer.status == 400 && answer.message.contains("Area is too large"), "\(answer.text)")
        answer = try await uss1.send(.POST, "/dss/v1/operational_intent_references/query", ["area_of_interest": F3548Body.circle(40.0, 7.0, radius: 25_000)])
        #expect(answer.status == 200, "\(answer.text)")
    }
}

extension DSSConformanceTests {
    // MARK: Subscriptions

    @Test func subscriptionAnswersAndImplicitSubscriptionsAsTheReference() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc)
        // Only the kinds asked for are listed.
        var answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(F3548Body.circle(39.0, 7.0)))
        #expect(answer.status == 200 && answer.json["operational_intent_references"] != nil && answer.json["constraint_references"] == nil, "\(answer.text)")
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(newID())", F3548Body.subscription(F3548Body.circle(39.0, 7.0), intents: false, constraints: true))
        #expect(answer.status == 200 && answer.json["operational_intent_references"] == nil && answer.json["constraint_references"] != nil, "\(answer.text)")

        // An intent with an implicit subscription; the subscription re-sent "from now"
        // (a little after the intent's start) still covers it and becomes explicit.
        let extents = F3548Body.circle(39.5, 7.0, from: 0, for: 30)
        let intent = newID()
        answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([extents]))
        #expect(answer.status == 201, "\(answer.text)")
        let ovn = try #require(answer.json[path: "operational_intent_reference.ovn"] as? String)
        let subscription = try #require(answer.json[path: "operational_intent_reference.subscription_id"] as? String)
        var version = try #require(try await uss1.send(.GET, "/dss/v1/subscriptions/\(subscription)").json[path: "subscription.version"] as? String)
        var later = extents
        later["time_start"] = F3548Body.time(Date().addingTimeInterval(2))
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(subscription)/\(version)", F3548Body.subscription(later))
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json[path: "subscription.implicit_subscription"] as? Bool == false, "\(answer.text)")
        version = try #require(answer.json[path: "subscription.version"] as? String)
        // Much later than the intent's start: no longer covered.
        later["time_start"] = F3548Body.time(Date().addingTimeInterval(600))
        answer = try await uss1.send(.PUT, "/dss/v1/subscriptions/\(subscription)/\(version)", F3548Body.subscription(later))
        #expect(answer.status == 400, "\(answer.text)")
        // Explicit now, it outlives the intent.
        #expect(try await uss1.send(.DELETE, "/dss/v1/operational_intent_references/\(intent)/\(ovn)").status == 200)
        #expect(try await uss1.send(.GET, "/dss/v1/subscriptions/\(subscription)").status == 200)
        #expect(try await uss1.send(.DELETE, "/dss/v1/subscriptions/\(subscription)/\(version)").status == 200)
    }
}

extension DSSConformanceTests {
    // MARK: Two nodes on PostgreSQL

    /// Two servers on one database, started at the same moment on an empty one (the
    /// schema created by both at once).
    static func twoNodes(_ prefix: String) async throws -> (ServerProcess, ServerProcess, TokenAuthority, URL)? {
        guard let url = try freshPostgresDatabase(prefix) else { return nil }
        let authority = try await TokenAuthority.make()
        let folder = try temporaryFolder(prefix)
        let pem = folder.appendingPathComponent("authority.pem").path
        try authority.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
        async let a = ServerProcess(store: ["--postgres", url], extra: ["--dss-key", pem])
        async let b = ServerProcess(store: ["--postgres", url], extra: ["--dss-key", pem])
        return try await (a, b, authority, folder)
    }

    @Test func twoServersStartedAtOnceOnAnEmptyDatabase() async throws {
        for round in 0..<4 {
            guard let (a, b, _, folder) = try await Self.twoNodes("schemarace\(round)") else { return }
            a.stop()
            b.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    @Test func aReadOnOneNodeSeesWhatTheOtherAcknowledged() async throws {
        guard let (a, b, authority, folder) = try await Self.twoNodes("readyourwrites") else { return }
        defer {
            a.stop()
            b.stop()
            try? FileManager.default.removeItem(at: folder)
        }
        let token = try await authority.token("uss1", scopes: [Scopes.sc, Scopes.aa])
        let one = USSClient(base: a.base, token: token), two = USSClient(base: b.base, token: token)
        for trial in 0..<10 {
            let intent = newID(), subscription = newID()
            var answer = try await one.send(.PUT, "/dss/v1/operational_intent_references/\(intent)", F3548Body.intent([F3548Body.circle(38.0 + Double(trial) / 10, 7.0)]))
            #expect(answer.status == 201, "\(answer.text)")
            let ovn = answer.json[path: "operational_intent_reference.ovn"] as? String ?? ""
            answer = try await two.send(.GET, "/dss/v1/operational_intent_references/\(intent)")
            #expect(answer.status == 200 && answer.json[path: "operational_intent_reference.ovn"] as? String == ovn, "trial \(trial): \(answer.text)")
            answer = try await one.send(.PUT, "/dss/v1/subscriptions/\(subscription)", F3548Body.subscription(F3548Body.circle(37.0, 7.0)))
            let version = answer.json[path: "subscription.version"] as? String ?? ""
            #expect(try await one.send(.DELETE, "/dss/v1/subscriptions/\(subscription)/\(version)").status == 200)
            answer = try await two.send(.GET, "/dss/v1/subscriptions/\(subscription)")
            #expect(answer.status == 404, "trial \(trial): \(answer.text)")
            let old = try await two.send(.GET, "/dss/v1/uss_availability/uss9").json["version"] as? String ?? ""
            let state = trial % 2 == 0 ? "Down" : "Normal"
            #expect(try await one.send(.PUT, "/dss/v1/uss_availability/uss9", ["old_version": old, "availability": state]).status == 200)
            answer = try await two.send(.GET, "/dss/v1/uss_availability/uss9")
            #expect(answer.json[path: "status.availability"] as? String == state, "trial \(trial): \(answer.text)")
        }
    }
}

extension DSSConformanceTests {
    // MARK: Cell coverings

    @Test func intentsWithinACellOfEachOtherMeetInTheDSSInterface() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let uss1 = try await dss.uss("uss1", Scopes.sc), uss2 = try await dss.uss("uss2", Scopes.sc)
        // Two circles of 500 m whose outlines are 80 m apart: exact geometry keeps them
        // apart, the level-13 cells (about 1 km) between them touch both.
        let east = 1_080 / (111_320 * cos(36.0 * .pi / 180))
        let first = newID()
        var answer = try await uss1.send(.PUT, "/dss/v1/operational_intent_references/\(first)", F3548Body.intent([F3548Body.circle(36.0, 7.0)]))
        #expect(answer.status == 201, "\(answer.text)")
        answer = try await uss2.send(
            .PUT, "/dss/v1/operational_intent_references/\(newID())",
            F3548Body.intent([F3548Body.circle(36.0, 7.0 + east)], base: "https://uss2.example.test/utm"))
        #expect(answer.status == 409, "\(answer.text)")
        let missing = (answer.json["missing_operational_intents"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(missing == [first], "\(answer.text)")
        // A search just beside the first finds it too; one 5 km away does not.
        answer = try await uss2.send(.POST, "/dss/v1/operational_intent_references/query", ["area_of_interest": F3548Body.circle(36.0, 7.0 + east, radius: 500)])
        #expect((answer.json["operational_intent_references"] as? [Any])?.count == 1, "\(answer.text)")
        answer = try await uss2.send(.POST, "/dss/v1/operational_intent_references/query", ["area_of_interest": F3548Body.circle(36.0, 7.0 + 5 * east, radius: 500)])
        #expect((answer.json["operational_intent_references"] as? [Any])?.count == 0, "\(answer.text)")
    }

    @Test func coveringsAreLevel13CellsAroundTheOutline() throws {
        let circle = try Footprint.circle(Circle(center: try LatLng(latitude: 47.0, longitude: 8.0), radiusMeters: 2_000))
        let cells = CellCovering.cells(circle)
        // π·2² km² is about 12.6 km²; level-13 cells are about 1 km² here: a few dozen.
        #expect((12...60).contains(cells.count), "\(cells.count)")
        // Level 13: the lowest set bit of an S2 cell id is at 2·(30 − level).
        #expect(cells.allSatisfy { $0.trailingZeroBitCount == 2 * (30 - 13) })
        let square = try Footprint.polygon(Polygon(outer: [
            try LatLng(latitude: 47.0, longitude: 8.0), try LatLng(latitude: 47.0, longitude: 8.01),
            try LatLng(latitude: 47.01, longitude: 8.01), try LatLng(latitude: 47.01, longitude: 8.0),
        ]))
        #expect(CellCovering.meet(circle, square))
        let far = try Footprint.circle(Circle(center: try LatLng(latitude: 48.0, longitude: 8.0), radiusMeters: 2_000))
        #expect(!CellCovering.meet(circle, far))
    }
}

extension DSSConformanceTests {
    // MARK: Native zones

    @Test func nativeZoneChangesAdvanceTheSubscriptionsTheyMeet() async throws {
        let dss = try await DSSServer.start()
        defer { dss.stop() }
        let native = Client(base: dss.server.base, key: dss.operatorKey, http: .shared)
        #expect(try await native.send(.POST, "/v1/parties", json: ["id": "ngo", "name": "Relief NGO"]).status == 201)
        let reply = try await native.send(.POST, "/v1/parties/ngo/keys")
        let ngo = Client(base: dss.server.base, key: try #require(reply.json["key"] as? String), http: .shared)
        let uss = try await dss.uss("uss1", Scopes.sc, Scopes.cp)
        let near = newID(), far = newID(), intentsOnly = newID()
        #expect(try await uss.send(.PUT, "/dss/v1/subscriptions/\(near)", F3548Body.subscription(F3548Body.circle(35.0, 9.0, radius: 2_000, from: 0, for: 600), intents: false, constraints: true)).status == 200)
        #expect(try await uss.send(.PUT, "/dss/v1/subscriptions/\(far)", F3548Body.subscription(F3548Body.circle(35.5, 9.0, radius: 2_000, from: 0, for: 600), intents: false, constraints: true)).status == 200)
        #expect(try await uss.send(.PUT, "/dss/v1/subscriptions/\(intentsOnly)", F3548Body.subscription(F3548Body.circle(35.0, 9.0, radius: 2_000, from: 0, for: 600))).status == 200)
        func index(_ id: String) async throws -> Int? {
            try await uss.send(.GET, "/dss/v1/subscriptions/\(id)").json[path: "subscription.notification_index"] as? Int
        }
        var site: [String: Any] = ["id": "field-hospital", "kind": "protected-site", "circle": ["center": [35.0, 9.0], "radius": 400], "altitude": [0, 300]]
        #expect(try await ngo.send(.PUT, "/v1/zones/field-hospital", json: site).status == 200)
        #expect(try await index(near) == 1)
        site["circle"] = ["center": [35.0, 9.001], "radius": 500]
        #expect(try await ngo.send(.PUT, "/v1/zones/field-hospital", json: site).status == 200)
        #expect(try await index(near) == 2)
        #expect((200..<300).contains(try await ngo.send(.DELETE, "/v1/zones/field-hospital").status))
        #expect(try await index(near) == 3)
        #expect(try await index(far) == 0)
        #expect(try await index(intentsOnly) == 0)
    }
}
