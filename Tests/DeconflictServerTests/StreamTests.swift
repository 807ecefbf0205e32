import AsyncHTTPClient
import Crypto
import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
@testable import DeconflictAccess
@testable import DeconflictAPI
import DeconflictStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWebSocket
import JWTKit
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import DeconflictNode

/// Live streams over a real socket: WebSocket and Server-Sent Events resume from a
/// sequence number with no gap and no duplicate; webhooks arrive signed, in order,
/// after failures; bearer tokens are checked.
@Suite("Streams, webhooks and tokens", .timeLimit(.minutes(5)))
struct StreamTests {
    /// Reads `count` events from the WebSocket stream after `after`; their sequences.
    static func readWebSocket(port: Int, key: String, after: Int64, count: Int) async throws -> [Int64] {
        let received = Collected()
        let reader = Task {
            try await connect(port: port, key: key, after: after, count: count, received: received)
        }
        // A stream that stops short fails the test instead of hanging it.
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, received.list.withLock({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(20))
        }
        reader.cancel()
        return received.list.withLock { $0 }
    }

    final class Collected: Sendable {
        let list = Mutex<[Int64]>([])
    }

    static func connect(port: Int, key: String, after: Int64, count: Int, received: Collected) async throws {
        try await WebSocketClient.connect(
            url: "ws://localhost:\(port)/v1/events/ws?after=\(after)&access_token=\(key)", logger: Logger(label: "test")
        ) { inbound, _, _ in
            for try await message in inbound.messages(maxSize: 1 << 22) {
                guard case .text(let text) = message,
                      let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                      let sequence = object["sequence"] as? Int64 ?? (object["sequence"] as? Int).map(Int64.init)
                else { continue }
                let done = received.list.withLock { list -> Bool in
                    list.append(sequence)
                    return list.count >= count
                }
                if done { return }
            }
        }
    }

    @Test func webSocketResumesWithoutGapOrDuplicate() async throws {
        let seeded = try await SeededServer.make(until: 900)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let key = seeded.keys["coalition"]!
        let visible = try await seeded.node.store.allEntries().filter { Visibility.mayRead($0, as: .party("coalition")) }.map(\.sequence)
        #expect(visible.count > 20)
        try await seeded.application().test(.live) { client in
            let port = client.port!
            // First connection: part of the backlog, then the line drops.
            let first = try await Self.readWebSocket(port: port, key: key, after: 0, count: 15)
            #expect(first == Array(visible.prefix(15)))
            // While disconnected, more happens.
            for index in 0..<30 {
                let reply = try await client.call(.put, "/v1/zones/late-\(index)", key: key, json: [
                    "id": "late-\(index)", "kind": "protected-site", "circle": ["center": [33.0, 38.0 + Double(index) / 100], "radius": 300],
                ])
                #expect(reply.status == 200)
            }
            let now = try await seeded.node.store.allEntries().filter { Visibility.mayRead($0, as: .party("coalition")) }.map(\.sequence)
            let rest = now.filter { $0 > first.last! }
            // Resume after the last one seen: everything since, once, in order.
            let second = try await Self.readWebSocket(port: port, key: key, after: first.last!, count: rest.count)
            #expect(second == rest)
            #expect(Set(first + second).count == first.count + second.count)
        }
    }

    @Test func serverSentEventsResumeFromLastEventID() async throws {
        let seeded = try await SeededServer.make(until: 600)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let key = seeded.keys["russia"]!
        let visible = try await seeded.node.store.allEntries().filter { Visibility.mayRead($0, as: .party("russia")) }.map(\.sequence)
        try await seeded.application().test(.live) { client in
            let port = client.port!
            func read(lastEventID: Int64, count: Int) async throws -> [Int64] {
                var request = HTTPClientRequest(url: "http://localhost:\(port)/v1/events")
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                request.headers.add(name: "Last-Event-ID", value: String(lastEventID))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
                var ids: [Int64] = []
                var pending = ""
                for try await buffer in response.body {
                    pending += String(buffer: buffer)
                    ids += takeServerSentEvents(from: &pending).compactMap(\.id)
                    if ids.count >= count { break }
                }
                return ids
            }
            let first = try await read(lastEventID: 0, count: 10)
            #expect(first == Array(visible.prefix(10)))
            let second = try await read(lastEventID: first.last!, count: visible.count - 10)
            #expect(second == Array(visible.dropFirst(10)))
            // The server's shutdown ends the streams still open.
            seeded.node.hub.finish()
        }
    }

    final class Ends: Sendable {
        let doomed = Mutex<ContinuousClock.Instant?>(nil)
        let kept = Mutex(false)
    }

    /// A stream opened with a key ends within seconds of the key being revoked; the
    /// party's other key keeps its stream.
    @Test func aRevokedKeysStreamEnds() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let (second, record) = Credentials.issue(for: .party("russia"))
        try await seeded.node.execute(.issueCredential(record))
        let revoked = seeded.keys["russia"]!
        let keyID = try #require(Credentials.parse(revoked)).id
        try await seeded.application().test(.live) { client in
            let port = client.port!
            @Sendable func open(_ key: String) async throws -> HTTPClientResponse {
                var request = HTTPClientRequest(url: "http://localhost:\(port)/v1/events?after=1000000")
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                // A deadline for the whole stream, not the test's bound: a loaded machine
                // (the full suite on two cores) answered in more than 30 s.
                return try await HTTPClient.shared.execute(request, timeout: .seconds(300))
            }
            let doomed = try await open(revoked)
            let kept = try await open(second)
            #expect(doomed.status == .ok && kept.status == .ok)
            let ends = Ends()
            let reading = Task {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do { for try await _ in doomed.body {} } catch {}
                        ends.doomed.withLock { $0 = .now }
                    }
                    group.addTask {
                        do { for try await _ in kept.body {} } catch {}
                        ends.kept.withLock { $0 = true }
                    }
                }
            }
            var revoke = HTTPClientRequest(url: "http://localhost:\(port)/v1/keys/\(keyID)")
            revoke.method = .DELETE
            revoke.headers.add(name: "Authorization", value: "Bearer \(seeded.operatorKey)")
            let revokedAt = ContinuousClock.now
            #expect(try await HTTPClient.shared.execute(revoke, timeout: .seconds(120)).status == .ok)
            while ContinuousClock.now - revokedAt < .seconds(8), ends.doomed.withLock({ $0 }) == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            let end = ends.doomed.withLock { $0 }
            #expect(end != nil, "the revoked key's stream is still open 8 s later")
            if let end { #expect(end - revokedAt < .seconds(5)) }
            // The other key's stream is still open.
            #expect(ends.kept.withLock { $0 } == false)
            reading.cancel()
            seeded.node.hub.finish()
        }
    }

    /// A receiver that refuses its first `failing` deliveries with 503.
    final class Receiver: Sendable {
        struct Delivery: Sendable {
            let body: String
            let signature: String
            let eventID: Int64
        }

        let deliveries = Mutex<[Delivery]>([])
        let failing: Mutex<Int>

        init(failing: Int) { self.failing = Mutex(failing) }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/hook") { request, _ -> HTTPResponse.Status in
                let body = String(buffer: try await request.body.collect(upTo: 1 << 22))
                let refuse = self.failing.withLock { count -> Bool in
                    guard count > 0 else { return false }
                    count -= 1
                    return true
                }
                if refuse { return .serviceUnavailable }
                self.deliveries.withLock {
                    $0.append(Delivery(
                        body: body, signature: request.headers[HTTPField.Name("Deconflict-Signature")!] ?? "",
                        eventID: Int64(request.headers[HTTPField.Name("Deconflict-Event-Id")!] ?? "") ?? -1))
                }
                return .ok
            }
            return router
        }
    }

    /// The address is checked where each connection is made, not only at registration: a
    /// webhook already in the ledger whose host now leads to a refused address (a DNS
    /// change, or a record from before the check) gets no delivery, and its status says why.
    @Test func aWebhookWhoseHostNowLeadsToARefusedAddressGetsNothing() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let receiver = Receiver(failing: 0)
        try await Application(router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { hookClient in
            let hook = WebhookRecord(
                id: "wh-rebound", party: "coalition", url: "http://localhost:\(hookClient.port!)/hook", secret: "a-shared-secret-of-enough-length",
                deliveredThrough: await seeded.node.head)
            try await seeded.node.execute(LedgerCommand(.registerWebhook(hook), by: .party("coalition")))
            let refusing = WebhookDispatcher()
            let delivering = Task { await refusing.run(node: seeded.node) }
            defer { delivering.cancel() }
            try await seeded.node.execute(LedgerCommand(.engine(.putZone(Zone(
                id: "rebound", name: "Rebound", kind: .protectedSite, owner: "coalition",
                volume: Volume4D(footprint: .circle(try Circle(center: LatLng(latitude: 32.0, longitude: 38.0), radiusMeters: 300)))))),
                by: .party("coalition")))
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline, refusing.status("wh-rebound")?.lastError == nil { try await Task.sleep(for: .milliseconds(50)) }
            let status = try #require(refusing.status("wh-rebound"))
            #expect(status.lastError?.contains("loopback") == true, "\(String(describing: status.lastError))")
            #expect(status.failures >= 1)
            try await Task.sleep(for: .seconds(1))
            #expect(receiver.deliveries.withLock { $0.isEmpty }, "a delivery reached a refused address")
        }
    }

    @Test func webhooksArriveSignedInOrderAfterFailures() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let key = seeded.keys["coalition"]!
        let receiver = Receiver(failing: 2)
        try await Application(router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { hookClient in
            let hookURL = "http://localhost:\(hookClient.port!)/hook"
            try await seeded.application().test(.live) { client in
                let running = Task { await seeded.node.run() }
                defer { running.cancel() }
                let delivering = Task { await seeded.server.webhooks.run(node: seeded.node) }
                defer { delivering.cancel() }
                let secret = "a-shared-secret-of-enough-length"
                let created = try await client.call(.post, "/v1/webhooks", key: key, json: ["url": hookURL, "secret": secret])
                #expect(created.status == 201, "\(created.text)")
                let hookID = created.json["id"] as! String
                for index in 0..<5 {
                    _ = try await client.call(.put, "/v1/zones/hooked-\(index)", key: key, json: [
                        "id": "hooked-\(index)", "kind": "protected-site", "circle": ["center": [32.0, 38.0 + Double(index) / 100], "radius": 300],
                    ])
                }
                // Two refusals cost 0.5 + 1 s of backoff; allow for it.
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    if receiver.deliveries.withLock({ $0.filter { $0.body.contains("zone.changed") }.count }) >= 5 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let deliveries = receiver.deliveries.withLock { $0 }
                #expect(deliveries.filter { $0.body.contains("zone.changed") }.count == 5)
                // In order, without repeats, each signed with the secret.
                let ids = deliveries.map(\.eventID)
                #expect(ids == ids.sorted() && Set(ids).count == ids.count, "\(ids)")
                for delivery in deliveries {
                    let parts = Dictionary(uniqueKeysWithValues: delivery.signature.split(separator: ",").compactMap { item -> (String, String)? in
                        let pair = item.split(separator: "=", maxSplits: 1)
                        return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
                    })
                    let time = Int(parts["t"] ?? "") ?? 0
                    #expect(parts["v1"] == WebhookDispatcher.signature(delivery.body, time: time, secret: secret))
                    let expectedMAC = HMAC<SHA256>.authenticationCode(for: Data("\(time).\(delivery.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    #expect(parts["v1"] == expectedMAC.map { String(format: "%02x", $0) }.joined())
                }
                // The failures are visible through the API.
                let listed = try await client.call(.get, "/v1/webhooks", key: key).json["webhooks"] as? [[String: Any]] ?? []
                let hook = listed.first { $0["id"] as? String == hookID }
                #expect(hook?["totalFailures"] as? Int == 2, "\(listed)")
                #expect((hook?["lastError"] as? String)?.contains("503") == true)
                #expect(hook?["secret"] == nil)
                // Another party does not see it.
                let others = try await client.call(.get, "/v1/webhooks", key: seeded.keys["russia"]!).json["webhooks"] as? [[String: Any]] ?? []
                #expect(others.isEmpty)

                // The ledger holds the secret sealed, never in clear: in no entry, and
                // nowhere in the store's files.
                let entries = try await seeded.node.store.allEntries()
                let registered = try #require(entries.first { $0.payload.contains("\"registerWebhook\"") })
                #expect(registered.payload.contains("\"sealedSecret\"") && !registered.payload.contains("\"secret\""), "\(registered.payload)")
                #expect(!entries.contains { $0.payload.contains(secret) })
                for file in try FileManager.default.contentsOfDirectory(atPath: seeded.folder.path) {
                    let bytes = try Data(contentsOf: seeded.folder.appendingPathComponent(file))
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "the secret in clear in \(file)")
                }
                // A server with another secrets key cannot sign deliveries with it, and says so.
                let stranger = WebhookDispatcher(addresses: seeded.server.webhooks.addresses, secrets: SecretSeal())
                let strangerRun = Task { await stranger.run(node: seeded.node) }
                defer { strangerRun.cancel() }
                // An entry the webhook has not been sent (its recorded progress may have reached
                // the head already), for the stranger to try.
                _ = try await client.call(.put, "/v1/zones/hooked-late", key: key, json: [
                    "id": "hooked-late", "kind": "protected-site", "circle": ["center": [32.0, 38.2], "radius": 300],
                ])
                let strangerDeadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < strangerDeadline, stranger.status(hookID)?.lastError == nil { try await Task.sleep(for: .milliseconds(50)) }
                #expect(stranger.status(hookID)?.lastError?.contains("does not open") == true, "\(String(describing: stranger.status(hookID)))")
            }
        }
    }

    @Test func bearerTokensAreCheckedForSignatureAudienceAndTime() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let signingKey = ES256PrivateKey()
        let folder = try temporaryFolder("jwt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pemPath = folder.appendingPathComponent("key.pem").path
        try signingKey.publicKey.pemRepresentation.write(toFile: pemPath, atomically: true, encoding: .utf8)
        let verifier = try await JWTVerifier.load(pemFiles: [pemPath], jwksFile: nil, audience: "deconflict")
        let server = Server(node: seeded.node, authenticator: Authenticator(node: seeded.node, tokens: verifier))
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: signingKey)
        let stranger = JWTKeyCollection()
        await stranger.add(ecdsa: ES256PrivateKey())
        struct Claims: JWTPayload {
            var sub: SubjectClaim
            var aud: AudienceClaim
            var exp: ExpirationClaim
            var nbf: NotBeforeClaim?
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        @Sendable func token(sub: String = "coalition", aud: String = "deconflict", expiresIn: Double = 300, notBefore: Double? = nil, keys: JWTKeyCollection) async throws -> String {
            try await keys.sign(Claims(
                sub: .init(value: sub), aud: .init(value: [aud]), exp: .init(value: Date().addingTimeInterval(expiresIn)),
                nbf: notBefore.map { .init(value: Date().addingTimeInterval($0)) }))
        }
        let router = server.router()
        try await Application(router: router).test(.router) { client in
            let good = try await client.call(.get, "/v1/alerts", key: try await token(keys: signer))
            #expect(good.status == 200, "\(good.text)")
            let cases: [(String, String)] = [
                (try await token(expiresIn: -10, keys: signer), "expired"),
                (try await token(aud: "someone-else", keys: signer), "audience"),
                (try await token(notBefore: 600, keys: signer), "not valid before"),
                (try await token(keys: stranger), "signature"),
                (try await token(sub: "nobody", keys: signer), "not a party"),
            ]
            for (credential, reason) in cases {
                let reply = try await client.call(.get, "/v1/alerts", key: credential)
                #expect(reply.status == 401, "\(reason): \(reply.text)")
                #expect((reply.json["reason"] as? String)?.contains(reason) == true, "\(reason): \(reply.text)")
            }
            // HS256 with the public key as secret (algorithm confusion) is refused.
            let hmac = JWTKeyCollection()
            await hmac.add(hmac: HMACKey(from: signingKey.publicKey.pemRepresentation), digestAlgorithm: .sha256)
            let confused = try await token(keys: hmac)
            let reply = try await client.call(.get, "/v1/alerts", key: confused)
            #expect(reply.status == 401)
            #expect((reply.json["reason"] as? String)?.contains("HS256") == true, "\(reply.text)")
        }
    }
}
