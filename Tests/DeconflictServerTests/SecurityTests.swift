import AsyncHTTPClient
import DeconflictCoT
import DeconflictCoTService
import DeconflictEngine
@testable import DeconflictAccess
@testable import DeconflictAPI
import DeconflictLedger
import DeconflictStore
import DeconflictTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing
import DeconflictNode

/// A throwaway certificate authority made with the `openssl` command: `test-ca`, the
/// server's certificate for 127.0.0.1 (`server`), and a client certificate for the
/// party `coalition`.
struct TestPKI {
    let folder: URL

    func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    static func make() throws -> TestPKI {
        let pki = TestPKI(folder: try temporaryFolder("pki"))
        func openssl(_ arguments: String...) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = pki.folder
            process.standardOutput = Pipe()
            process.standardError = Pipe()
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw HarnessError("openssl \(arguments.joined(separator: " ")) failed") }
        }
        func key(_ name: String) throws {
            try openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(name).key")
        }
        try key("test-ca")
        try openssl("req", "-x509", "-new", "-key", "test-ca.key", "-out", "test-ca.pem", "-days", "2", "-subj", "/CN=test-ca")
        for (name, commonName, extensions) in [("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\n"), ("coalition", "coalition", nil)] {
            try key(name)
            try openssl("req", "-new", "-key", "\(name).key", "-out", "\(name).csr", "-subj", "/O=Deconflict tests/CN=\(commonName)")
            var arguments = ["x509", "-req", "-in", "\(name).csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key", "-CAcreateserial",
                             "-out", "\(name).pem", "-days", "2"]
            if let extensions {
                try extensions.write(toFile: pki.path("\(name).ext"), atomically: true, encoding: .utf8)
                arguments += ["-extfile", "\(name).ext"]
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = pki.folder
            process.standardOutput = Pipe()
            process.standardError = Pipe()
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw HarnessError("openssl could not sign \(name)") }
        }
        return pki
    }

    /// An HTTPS client that trusts the test CA, its TLS adjusted by `adjust`.
    func client(_ adjust: (inout TLSConfiguration) -> Void = { _ in }) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(path("test-ca.pem"))
        adjust(&tls)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The base64 lines of a PEM file (what a leak of it would show).
    func pemBody(_ file: String) throws -> [String] {
        try String(contentsOfFile: path(file), encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
    }
}

/// The claims SECURITY.md makes that no other suite checks: rate limits per credential,
/// per address and per CoT party; the bearer token's bounded lifetime; HTTPS with TLS 1.2
/// or later and modern ciphers only; and no secret in the logs.
@Suite("Security", .timeLimit(.minutes(5)))
struct SecurityTests {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim?
        var jti: IDClaim?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A credential that spends its burst is refused with a 429 naming the limit, with
    /// `Retry-After`, counted on /metrics; other credentials and the open routes go on.
    @Test func requestsAreLimitedPerCredential() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var limits = RateLimits()
        limits.requestsPerSecond = 0.01
        limits.requestBurst = 5
        let server = Server(node: seeded.node, authenticator: Authenticator(node: seeded.node, limits: limits))
        let (second, record) = Credentials.issue(for: .party("coalition"))
        try await seeded.node.execute(.issueCredential(record))
        let key = seeded.keys["coalition"]!
        try await Application(router: server.router()).test(.router) { client in
            for _ in 0..<5 { #expect(try await client.call(.get, "/v1/zones", key: key).status == 200) }
            try await client.execute(uri: "/v1/zones", method: .get, headers: [.authorization: "Bearer \(key)"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.contentType] == "application/problem+json")
                let seconds = try #require(response.headers[.retryAfter].flatMap { Int($0) })
                #expect(seconds >= 1 && seconds <= 100)
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(problem["status"] as? Int == 429)
                #expect(problem["limit"] as? String == "credential")
                #expect((problem["reason"] as? String)?.contains("5 at once") == true, "\(problem)")
            }
            // Writes are refused the same way, before any work.
            let write = try await client.call(.put, "/v1/zones/x", key: key, json: ["id": "x"])
            #expect(write.status == 429)
            // Another key of the same party, and another party, have buckets of their own.
            #expect(try await client.call(.get, "/v1/zones", key: second).status == 200)
            #expect(try await client.call(.get, "/v1/zones", key: seeded.keys["russia"]!).status == 200)
            for _ in 0..<10 { #expect(try await client.call(.get, "/healthz", key: nil).status == 200) }
            let metrics = try await client.call(.get, "/metrics", key: nil).text
            #expect(metrics.contains(#"deconflict_rate_limited_total{interface="http",limit="credential"} 2"#), "\(metrics)")
        }
    }

    /// Failed authentications from one address spend that address's bucket; once spent,
    /// a request from it carrying a credential is refused with 429 before the credential
    /// is checked (a valid one included, until the bucket refills).
    @Test func failedAuthenticationsAreLimitedPerAddress() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var limits = RateLimits()
        limits.failuresPerSecond = 0.2
        limits.failureBurst = 3
        let server = Server(node: seeded.node, authenticator: Authenticator(node: seeded.node, limits: limits))
        let forged = "dck_0123456789abcdef_" + String(repeating: "0", count: 64)
        try await Application(router: server.router()).test(.live) { client in
            // Three failures spend the bucket (a slow machine may see a token come back
            // meanwhile: one a five seconds).
            var failures = 0
            var refused: Reply?
            while failures < 6 {
                let reply = try await client.call(.get, "/v1/zones", key: forged)
                if reply.status == 429 {
                    refused = reply
                    break
                }
                #expect(reply.status == 401)
                failures += 1
            }
            #expect(failures >= 3)
            #expect(refused?.json["limit"] as? String == "address", "\(refused?.text ?? "never refused")")
            // No credential at all is still a plain 401 (nothing to check).
            #expect(try await client.call(.get, "/v1/zones", key: nil).status == 401)
            #expect(try await client.call(.get, "/v1/zones", key: seeded.keys["coalition"]!).status == 429)
            // The bucket refills (a token every five seconds).
            try await Task.sleep(for: .milliseconds(5_500))
            #expect(try await client.call(.get, "/v1/zones", key: seeded.keys["coalition"]!).status == 200)
            let metrics = try await client.call(.get, "/metrics", key: nil).text
            #expect(metrics.contains(#"deconflict_rate_limited_total{interface="http",limit="address"}"#), "\(metrics)")
        }
    }

    /// The DSS interface has the same limits: requests per USS (its token's subject),
    /// refused with 429 in the interface's `{"message"}` form with `Retry-After`, and
    /// failed authentications per address.
    @Test func dssRequestsAreLimitedPerUSS() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let tokens = try await TokenAuthority.make()
        let pem = seeded.folder.appendingPathComponent("dss.pem").path
        try tokens.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
        let authority = try await DSSAuthority.load(pemFiles: [pem], audiences: ["localhost"])
        var limits = RateLimits()
        limits.requestsPerSecond = 0.01
        limits.requestBurst = 3
        limits.failuresPerSecond = 0.01
        limits.failureBurst = 2
        let server = Server(node: seeded.node, authenticator: Authenticator(node: seeded.node, limits: limits), dss: authority)
        let first = try await tokens.token("uss1", scopes: [Scopes.sc]), second = try await tokens.token("uss2", scopes: [Scopes.sc])
        let stranger = try await TokenAuthority.make().token("uss1", scopes: [Scopes.sc])
        let body = try JSONSerialization.data(withJSONObject: ["area_of_interest": F3548Body.circle(47.0, 8.0, radius: 2_000)])
        try await Application(router: server.router()).test(.router) { client in
            @Sendable func query(_ token: String) async throws -> (Int, String?, [String: Any]) {
                try await client.execute(
                    uri: "/dss/v1/operational_intent_references/query", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(data: body)
                ) { response in
                    let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    return (Int(response.status.code), response.headers[.retryAfter], json)
                }
            }
            for _ in 0..<3 { #expect(try await query(first).0 == 200) }
            let (status, retryAfter, json) = try await query(first)
            #expect(status == 429)
            #expect(retryAfter.flatMap { Int($0) }.map { $0 >= 1 } == true)
            #expect((json["message"] as? String)?.contains("uss1") == true, "\(json)")
            #expect(try await query(second).0 == 200)
            for _ in 0..<2 { #expect(try await query(stranger).0 == 401) }
            #expect(try await query(stranger).0 == 429)
        }
    }

    /// A bearer token without `exp`, or valid for longer than the maximum lifetime, is
    /// refused: a captured token can be replayed for a bounded time only.
    @Test func bearerTokensHaveABoundedLifetime() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let signingKey = ES256PrivateKey()
        let folder = try temporaryFolder("jwt-lifetime")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = folder.appendingPathComponent("key.pem").path
        try signingKey.publicKey.pemRepresentation.write(toFile: pem, atomically: true, encoding: .utf8)
        let verifier = try await JWTVerifier.load(pemFiles: [pem], jwksFile: nil, audience: "deconflict", maximumLifetime: 3_600)
        let server = Server(node: seeded.node, authenticator: Authenticator(node: seeded.node, tokens: verifier))
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: signingKey)
        @Sendable func token(expiresIn: Double?) async throws -> String {
            try await signer.sign(Claims(
                sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]),
                exp: expiresIn.map { .init(value: Date().addingTimeInterval($0)) }))
        }
        try await Application(router: server.router()).test(.router) { client in
            #expect(try await client.call(.get, "/v1/zones", key: try await token(expiresIn: 1_800)).status == 200)
            let long = try await client.call(.get, "/v1/zones", key: try await token(expiresIn: 7_200))
            #expect(long.status == 401)
            #expect((long.json["reason"] as? String)?.contains("shorter-lived") == true, "\(long.text)")
            let endless = try await client.call(.get, "/v1/zones", key: try await token(expiresIn: nil))
            #expect(endless.status == 401)
            #expect((endless.json["reason"] as? String)?.contains("no exp") == true, "\(endless.text)")
        }
    }

    /// Where the deployment asks for single-use tokens (`--jwt-single-use`), a token is
    /// accepted once: used again it is refused with a 401 naming its `jti`, a token
    /// without one is refused, and a stream opened with one stays open while its
    /// credential is checked again (a check is not a new use).
    @Test func singleUseTokensAreAcceptedOnce() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let signingKey = ES256PrivateKey()
        let folder = try temporaryFolder("jwt-once")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = folder.appendingPathComponent("key.pem").path
        try signingKey.publicKey.pemRepresentation.write(toFile: pem, atomically: true, encoding: .utf8)
        var verifier = try await JWTVerifier.load(pemFiles: [pem], jwksFile: nil, audience: "deconflict")
        verifier.replays = TokenReplays()
        let authenticator = Authenticator(node: seeded.node, tokens: verifier)
        let server = Server(node: seeded.node, authenticator: authenticator)
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: signingKey)
        @Sendable func token(_ id: String?) async throws -> String {
            try await signer.sign(Claims(
                sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]),
                exp: .init(value: Date().addingTimeInterval(600)), jti: id.map { .init(value: $0) }))
        }
        let once = try await token("t-1")
        try await Application(router: server.router()).test(.router) { client in
            #expect(try await client.call(.get, "/v1/zones", key: once).status == 200)
            let replayed = try await client.call(.get, "/v1/zones", key: once)
            #expect(replayed.status == 401)
            #expect((replayed.json["reason"] as? String)?.contains("jti t-1 was already used") == true, "\(replayed.text)")
            #expect(try await client.call(.get, "/v1/zones", key: try await token("t-2")).status == 200)
            let anonymous = try await client.call(.get, "/v1/zones", key: try await token(nil))
            #expect(anonymous.status == 401)
            #expect((anonymous.json["reason"] as? String)?.contains("no jti") == true, "\(anonymous.text)")
        }
        // The check a stream makes every 2 s is not a use: the token still opens it, and
        // checked again it is still good; used anew it is refused.
        let streamed = try await token("t-3")
        #expect(try await authenticator.authenticate(streamed) == .party("coalition"))
        for _ in 0..<3 { #expect(try await authenticator.authenticate(streamed, again: true) == .party("coalition")) }
        await #expect(throws: FieldError.self) { try await authenticator.authenticate(streamed) }
        // Without single use, the same token opens any number of requests.
        let reusable = Authenticator(node: seeded.node, tokens: try await JWTVerifier.load(pemFiles: [pem], jwksFile: nil, audience: "deconflict"))
        for _ in 0..<3 { #expect(try await reusable.authenticate(once) == .party("coalition")) }
    }

    /// The tokens held are forgotten once expired (they could not be used anyway), and
    /// at capacity a new token is refused rather than an old one forgotten.
    @Test func theReplayCacheForgetsExpiredTokensAndFailsClosedWhenFull() {
        let replays = TokenReplays(capacity: 2)
        let now = Date()
        #expect(replays.admit(jti: "a", subject: "s", expiry: now + 10, now: now) == nil)
        #expect(replays.admit(jti: "b", subject: "s", expiry: now + 20, now: now) == nil)
        #expect(replays.admit(jti: "c", subject: "s", expiry: now + 30, now: now)?.contains("too many") == true)
        #expect(replays.admit(jti: "a", subject: "s", expiry: now + 10, now: now + 5)?.contains("already used") == true)
        #expect(replays.admit(jti: "a", subject: "t", expiry: now + 10, now: now + 5)?.contains("too many") == true)
        // Once "a" has expired there is room again, and "b" is still remembered.
        #expect(replays.admit(jti: "c", subject: "s", expiry: now + 30, now: now + 11) == nil)
        #expect(replays.admit(jti: "b", subject: "s", expiry: now + 20, now: now + 11)?.contains("already used") == true)
        #expect(replays.count == 2)
    }

    /// The DSS interface refuses a replayed single-use access token (`--dss-single-use`)
    /// in its own `{"message"}` form; another USS's token with the same `jti` is its own.
    @Test func singleUseDSSTokensAreAcceptedOnce() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let tokens = try await TokenAuthority.make()
        let pem = seeded.folder.appendingPathComponent("dss.pem").path
        try tokens.publicKeyPEM.write(toFile: pem, atomically: true, encoding: .utf8)
        var authority = try await DSSAuthority.load(pemFiles: [pem], audiences: ["localhost"])
        authority.replays = TokenReplays()
        let server = Server(node: seeded.node, dss: authority)
        let body = try JSONSerialization.data(withJSONObject: ["area_of_interest": F3548Body.circle(47.0, 8.0, radius: 2_000)])
        try await Application(router: server.router()).test(.router) { client in
            @Sendable func query(_ token: String) async throws -> (Int, String) {
                try await client.execute(
                    uri: "/dss/v1/operational_intent_references/query", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(data: body)
                ) { response in
                    let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
                    return (Int(response.status.code), json["message"] as? String ?? "")
                }
            }
            let first = try await tokens.token("uss1", scopes: [Scopes.sc], id: "a")
            #expect(try await query(first).0 == 200)
            let (status, message) = try await query(first)
            #expect(status == 401 && message.contains("jti a was already used"), "\(status) \(message)")
            #expect(try await query(try await tokens.token("uss2", scopes: [Scopes.sc], id: "a")).0 == 200)
            let (unnamed, why) = try await query(try await tokens.token("uss1", scopes: [Scopes.sc]))
            #expect(unnamed == 401 && why.contains("no jti"), "\(unnamed) \(why)")
        }
    }

    /// Webhooks cannot be pointed at the service's own network: loopback, private,
    /// shared, link-local (cloud metadata) and other reserved addresses are refused, in
    /// IPv4, IPv6 and IPv4 carried in IPv6, unless the operator allows their range.
    @Test func outboundAddressesRefuseTheServicesOwnNetwork() async throws {
        let policy = OutboundAddresses()
        for refused in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                        "224.0.0.1", "::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
                        "64:ff9b::a9fe:a9fe", "[::1]"] {
            let bytes = try #require(AddressRange.bytes(of: refused), "\(refused)")
            #expect(policy.refusal(of: bytes) != nil, "\(refused) is allowed")
        }
        for allowed in ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"] {
            #expect(policy.refusal(of: try #require(AddressRange.bytes(of: allowed))) == nil, "\(allowed) is refused")
        }
        #expect(policy.refusal(of: AddressRange.bytes(of: "169.254.169.254")!)?.contains("link-local") == true)
        // The operator's allowance opens its range only.
        let lab = OutboundAddresses(allowing: [AddressRange("10.20.0.0/16")!, AddressRange("::1")!])
        #expect(lab.refusal(of: AddressRange.bytes(of: "10.20.3.4")!) == nil)
        #expect(lab.refusal(of: AddressRange.bytes(of: "10.21.3.4")!) != nil)
        #expect(lab.refusal(of: AddressRange.bytes(of: "::1")!) == nil)
        #expect(lab.refusal(of: AddressRange.bytes(of: "127.0.0.1")!) != nil)
        // A host name is judged by what it resolves to.
        await #expect(throws: OutboundAddresses.Refusal.self) { _ = try await policy.resolve("localhost") }
        #expect(try await OutboundAddresses(allowing: [AddressRange("127.0.0.0/8")!, AddressRange("::1")!]).resolve("localhost").isEmpty == false)
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "example.com/8", ""] { #expect(AddressRange(bad) == nil, "\(bad)") }
    }

    /// Registering a webhook to a refused address is a 422 naming `url` and why; nothing
    /// is recorded.
    @Test func webhooksToTheServicesOwnNetworkAreRefused() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let server = Server(node: seeded.node)
        try await Application(router: server.router()).test(.router) { client in
            for url in ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook", "http://169.254.169.254/latest/meta-data",
                        "https://10.0.0.5/hook", "http://[::ffff:127.0.0.1]/hook"] {
                let answer = try await client.call(.post, "/v1/webhooks", key: seeded.keys["coalition"]!, json: ["url": url])
                #expect(answer.status == 422, "\(url): \(answer.text)")
                #expect(answer.json["field"] as? String == "url" && (answer.json["reason"] as? String)?.contains("cannot go there") == true, "\(answer.text)")
            }
            let listed = try await client.call(.get, "/v1/webhooks", key: seeded.keys["coalition"]!).json["webhooks"] as? [[String: Any]] ?? []
            #expect(listed.isEmpty)
        }
    }

    /// A slowloris: 1,000 connections from one process, each sending a request's head a
    /// byte a second and never finishing it. Meanwhile another client's reports are
    /// acknowledged at once, and the slow connections are closed once the header timeout
    /// passes (they stay open forever without it).
    @Test func slowClientsCannotHoldTheHTTPListener() async throws {
        let folder = try temporaryFolder("slowloris")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        let server = try await ServerProcess(store: ["--store", store], extra: ["--http-header-timeout", "3"])
        defer { server.stop() }
        // When each connection was asked for (the server cannot accept it earlier) and
        // when it was closed.
        var slow: [any Channel] = []
        var openedAt: [ContinuousClock.Instant] = []
        let closedAt = Mutex<[Int: ContinuousClock.Instant]>([:])
        for index in 0..<1_000 {
            openedAt.append(.now)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: server.port).get()
            channel.closeFuture.whenComplete { _ in closedAt.withLock { $0[index] = .now } }
            channel.writeAndFlush(ByteBuffer(string: "POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "), promise: nil)
            slow.append(channel)
        }
        let channels = slow
        let dribble = Task {
            while !Task.isCancelled {
                for channel in channels where channel.isActive { channel.writeAndFlush(ByteBuffer(string: "a"), promise: nil) }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer { dribble.cancel() }
        // Another client goes on: each report is acknowledged (durable) at once.
        let client = Client(base: server.base, key: key, http: .shared)
        #expect(try await client.send(.POST, "/v1/units", json: ["id": "steady", "domain": "ground"]).status == 201)
        var latencies: [Duration] = []
        for step in 0..<20 {
            let sent = ContinuousClock.now
            let answer = try await client.send(.POST, "/v1/reports", json: [[
                "unit": "steady", "time": RFC3339.shortest(Date()), "position": [33.0 + Double(step) / 1_000, 38.0],
            ]])
            latencies.append(ContinuousClock.now - sent)
            #expect(answer.status == 200 || answer.status == 202, "\(answer.text)")
        }
        let worst = try #require(latencies.max())
        #expect(worst < .seconds(2), "a report waited \(worst) behind 1,000 slow connections")
        // The slow connections are all closed once the header timeout passes, none before.
        let deadline = try #require(openedAt.last) + .seconds(30)
        while ContinuousClock.now < deadline, closedAt.withLock({ $0.count }) < slow.count { try await Task.sleep(for: .milliseconds(100)) }
        let closed = closedAt.withLock { $0 }
        #expect(closed.count == slow.count, "\(slow.count - closed.count) slow connections still open 30 s after the last opened")
        let early = closed.filter { $0.value - openedAt[$0.key] < .milliseconds(2_900) }
        #expect(early.isEmpty, "\(early.count) slow connections closed before the 3 s timeout")
    }

    /// The listener holds at most `--http-max-connections`: one more is closed as soon as
    /// it arrives, counted in the metrics; once connections go, others come in again.
    @Test func theHTTPListenerHoldsAtMostItsMaximumConnections() async throws {
        let folder = try temporaryFolder("connection-cap")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        // A header timeout longer than the test, so that only the cap closes connections.
        let server = try await ServerProcess(store: ["--store", store], extra: ["--http-max-connections", "40", "--http-header-timeout", "600"])
        defer { server.stop() }
        var held: [any Channel] = []
        for _ in 0..<50 {
            held.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: server.port).get())
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, held.filter(\.isActive).count > 40 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(held.filter(\.isActive).count == 40, "\(held.filter(\.isActive).count) connections held")
        for channel in held { try? await channel.close() }
        try await Task.sleep(for: .milliseconds(500))
        let metrics = try await Client(base: server.base, key: key, http: .shared).get("/metrics").text
        #expect(metrics.contains("deconflict_http_connections_refused_total 10"), "\(metrics.split(separator: "\n").filter { $0.contains("connections") })")
    }

    /// Unsigned tokens (`alg` `none`, or no `alg` at all) are refused, whatever they claim.
    @Test func unsignedTokensAreRefused() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let folder = try temporaryFolder("jwt-none")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = folder.appendingPathComponent("key.pem").path
        try ES256PrivateKey().publicKey.pemRepresentation.write(toFile: pem, atomically: true, encoding: .utf8)
        let verifier = try await JWTVerifier.load(pemFiles: [pem], jwksFile: nil, audience: "deconflict")
        let server = Server(node: seeded.node, authenticator: Authenticator(node: seeded.node, tokens: verifier))
        @Sendable func segment(_ object: [String: Any]) throws -> String {
            try JSONSerialization.data(withJSONObject: object).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let claims = try segment(["sub": "coalition", "aud": ["deconflict"], "exp": Date().timeIntervalSince1970 + 300])
        try await Application(router: server.router()).test(.router) { client in
            for header in [["alg": "none", "typ": "JWT"], ["typ": "JWT"]] {
                for signature in ["", "c2lnbmF0dXJl"] {
                    let reply = try await client.call(.get, "/v1/zones", key: "\(try segment(header)).\(claims).\(signature)")
                    #expect(reply.status == 401, "\(header): \(reply.text)")
                    #expect((reply.json["reason"] as? String)?.contains("none is not accepted") == true, "\(reply.text)")
                }
            }
        }
    }

    /// A report older than its unit's last one (a replay of an earlier report) and one
    /// too far ahead of the server's clock are refused, each naming why.
    @Test func replayedAndFarFutureReportsAreRefused() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let (unit, now) = await seeded.node.read { engine in (engine.units.values.first { $0.party == "coalition" }!.id, engine.now) }
        try await seeded.application().test(.router) { client in
            let key = seeded.keys["coalition"]!
            @Sendable func report(_ time: Date) async throws -> Reply {
                try await client.call(.post, "/v1/reports", key: key, json: [[
                    "unit": unit.rawValue, "time": RFC3339.shortest(time), "position": [33.5, 38.6],
                ]])
            }
            #expect(try await report(now).status == 200)
            let replayed = try await report(now.addingTimeInterval(-60))
            #expect(replayed.status == 422, "\(replayed.text)")
            #expect((replayed.json["reason"] as? String)?.contains("older than the unit's last report") == true, "\(replayed.text)")
            let ahead = try await report(now.addingTimeInterval(3_600))
            #expect(ahead.status == 422, "\(ahead.text)")
            #expect((ahead.json["reason"] as? String)?.contains("ahead of the server's clock") == true, "\(ahead.text)")
        }
    }

    /// A body over 16 MiB and a batch of more than 20,000 reports are refused with 413
    /// problem+json, naming the limit.
    @Test func oversizeBodiesAndBatchesAreRefused() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let (unit, now) = await seeded.node.read { engine in (engine.units.values.first { $0.party == "coalition" }!.id, engine.now) }
        try await seeded.application().test(.router) { client in
            let key = seeded.keys["coalition"]!
            let report: [String: Any] = ["unit": unit.rawValue, "time": RFC3339.shortest(now), "position": [33.5, 38.6]]
            let batch = try await client.call(.post, "/v1/reports", key: key, json: Array(repeating: report, count: Limits.reportsPerBatch + 1))
            #expect(batch.status == 413, "\(batch.text.prefix(300))")
            #expect((batch.json["reason"] as? String)?.contains("more than \(Limits.reportsPerBatch) reports") == true, "\(batch.text.prefix(300))")
            let headers: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: Limits.bodyBytes + 1)
            for (method, path) in [(HTTPRequest.Method.put, "/v1/zones/big"), (.post, "/v1/reports")] {
                try await client.execute(uri: path, method: method, headers: headers, body: big) { response in
                    #expect(response.status == .contentTooLarge, "\(path)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    /// The ledger keeps an API key's id and the SHA-256 of its secret, never the secret.
    @Test func theLedgerKeepsOnlyTheDigestOfAKey() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        let key = seeded.keys["coalition"]!
        let (id, secret) = try #require(Credentials.parse(key))
        let entries = try await seeded.node.store.entries(after: 0, limit: 1_000_000)
        let issued = entries.filter { $0.payload.contains(id) }
        #expect(!issued.isEmpty)
        #expect(issued.contains { $0.payload.contains(Credentials.digest(secret)) })
        #expect(!entries.contains { $0.payload.contains(secret) })
    }

    /// A party's CoT events beyond its rate limit are dropped and counted; those within
    /// it are stored.
    @Test func cotEventsAreLimitedPerParty() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var limits = RateLimits()
        limits.cotEventsPerSecond = 0.01
        limits.cotEventBurst = 3
        let authenticator = Authenticator(node: seeded.node, limits: limits)
        let metrics = ServerMetrics()
        var settings = CoTSettings()
        settings.tcpPort = 0
        let port = Mutex(0)
        let service = CoTService(node: seeded.node, authenticator: authenticator, settings: settings, metrics: metrics) { _, value in
            port.withLock { $0 = value }
        }
        let running = Task { try await service.run() }
        defer { running.cancel() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let now = await seeded.node.read { $0.now }
        var bytes = Data(#"<auth><cot username="coalition" password="\#(seeded.keys["coalition"]!)"/></auth>"#.utf8)
        for second in 0..<6 {
            bytes += CoTOutboundEvent(
                uid: "limited-patrol", type: "a-f-G-U-C", time: now.addingTimeInterval(Double(second)), stale: now.addingTimeInterval(300),
                latitude: 33.41, longitude: 38.61).xml()
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port.withLock { $0 }) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(data: bytes))
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if await seeded.node.read({ $0.lastReport(of: "limited-patrol") }) != nil,
                   await metrics.exposition(node: seeded.node, webhooks: seeded.server.webhooks).contains(#"deconflict_rate_limited_total{interface="cot",limit="party"} 3"#) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let exposition = await metrics.exposition(node: seeded.node, webhooks: seeded.server.webhooks)
        #expect(exposition.contains(#"deconflict_rate_limited_total{interface="cot",limit="party"} 3"#), "\(exposition)")
        let last = await seeded.node.read { $0.lastReport(of: "limited-patrol") }
        #expect(last.map { abs($0.time.timeIntervalSince(now.addingTimeInterval(2))) < 0.01 } == true, "\(String(describing: last))")
    }

    /// A CoT client speaks for its connection's party only: an event whose uid is another
    /// party's unit is refused; its own units are stored.
    @Test func aCoTClientReportsOnlyItsOwnUnits() async throws {
        let seeded = try await SeededServer.make(until: 60)
        defer { try? FileManager.default.removeItem(at: seeded.folder) }
        var settings = CoTSettings()
        settings.tcpPort = 0
        let port = Mutex(0)
        let service = CoTService(node: seeded.node, authenticator: seeded.server.authenticator, settings: settings, metrics: ServerMetrics()) { _, value in
            port.withLock { $0 = value }
        }
        let running = Task { try await service.run() }
        defer { running.cancel() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let (theirs, before, now) = await seeded.node.read { engine in
            let unit = engine.units.values.first { $0.party == "russia" }!.id
            return (unit, engine.lastReport(of: unit)?.time, engine.now)
        }
        var bytes = Data(#"<auth><cot username="coalition" password="\#(seeded.keys["coalition"]!)"/></auth>"#.utf8)
        for uid in [theirs.rawValue, "own-patrol"] {
            bytes += CoTOutboundEvent(
                uid: uid, type: "a-f-G-U-C", time: now.addingTimeInterval(1), stale: now.addingTimeInterval(300),
                latitude: 33.41, longitude: 38.61).xml()
        }
        _ = try await Self.firstBytes(port: port.withLock { $0 }, tls: nil, sending: bytes, within: .seconds(1))
        let deadline = ContinuousClock.now + .seconds(30)
        while await seeded.node.read({ $0.lastReport(of: "own-patrol") }) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let (own, after, owner) = await seeded.node.read { engine in
            (engine.lastReport(of: "own-patrol"), engine.lastReport(of: theirs)?.time, engine.unit(theirs)?.party)
        }
        #expect(own != nil, "the party's own unit was not stored")
        #expect(after == before, "another party's unit was moved over CoT")
        #expect(owner == "russia")
    }

    /// `serve --tls-cert --tls-key`: the API over HTTPS; a TLS 1.1 client, a TLS 1.2
    /// client offering only CBC ciphers, and plain HTTP are all refused.
    @Test func httpsWithTLS12OrLaterAndModernCiphersOnly() async throws {
        let pki = try TestPKI.make()
        defer { try? FileManager.default.removeItem(at: pki.folder) }
        let store = pki.path("store.sqlite")
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        let server = try await ServerProcess(store: ["--store", store], extra: ["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        defer { server.stop() }
        #expect(server.output.contains("listening on https://127.0.0.1:"))
        let base = "https://127.0.0.1:\(server.port)"

        let modern = pki.client()
        let answer = try await Client(base: base, key: key, http: modern).get("/v1/zones")
        #expect(answer.status == 200)
        #expect(try await Client(base: base, key: nil, http: modern).get("/v1/zones").status == 401)
        try await modern.shutdown()

        // The handshake itself, over raw TLS: TLS 1.2 with an ECDHE AEAD suite is answered;
        // TLS 1.1, and TLS 1.2 offering only CBC suites, are not.
        let request = Data("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        func handshake(_ adjust: (inout TLSConfiguration) -> Void) async throws -> String? {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(pki.path("test-ca.pem"))
            adjust(&tls)
            return try await Self.firstBytes(port: server.port, tls: try NIOSSLContext(configuration: tls), sending: request)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        let tls12 = try await handshake { $0.maximumTLSVersion = .tlsv12 }
        #expect(tls12?.hasPrefix("HTTP/1.1 200") == true, "TLS 1.2: \(tls12 ?? "no answer")")
        #expect(try await handshake { $0.maximumTLSVersion = .tlsv11 } == nil, "TLS 1.1 was answered")
        let cbc = try await handshake {
            $0.maximumTLSVersion = .tlsv12
            $0.cipherSuites = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"
        }
        #expect(cbc == nil, "a CBC suite was answered")

        // Plain HTTP gets no HTTP answer (a TLS alert at most).
        let plain = try await Self.firstBytes(port: server.port, tls: nil, sending: Data("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        #expect(plain.map { !String(decoding: $0, as: UTF8.self).contains("HTTP/1.1") } ?? true, "plain HTTP was answered")
    }

    /// The JSON config file sets the same: HTTPS and the rate limits; bad values are
    /// refused at start, naming the option.
    @Test func theConfigFileSetsTLSAndRateLimitsAndSingleUseTokens() async throws {
        let pki = try TestPKI.make()
        defer { try? FileManager.default.removeItem(at: pki.folder) }
        let store = pki.path("store.sqlite")
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        let config = pki.path("config.json")
        let settings: [String: Any] = [
            "tlsCert": pki.path("server.pem"), "tlsKey": pki.path("server.key"), "rateLimit": 0.01, "rateBurst": 2, "logLevel": "debug",
        ]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config))
        let server = try await ServerProcess(store: ["--store", store], extra: ["--config", config])
        defer { server.stop() }
        let http = pki.client()
        let client = Client(base: "https://127.0.0.1:\(server.port)", key: key, http: http)
        #expect(try await client.get("/v1/zones").status == 200)
        #expect(try await client.get("/v1/zones").status == 200)
        let refused = try await client.get("/v1/zones")
        #expect(refused.status == 429)
        #expect(refused.json["limit"] as? String == "credential")
        let metrics = try await client.get("/metrics").text
        #expect(metrics.contains(#"deconflict_rate_limited_total{interface="http",limit="credential"} 1"#))
        try await http.shutdown()

        // `--jwt-single-use` (and `jwtSingleUse` in the file) reach the real binary: a token
        // opens one request.
        let signingKey = ES256PrivateKey()
        try signingKey.publicKey.pemRepresentation.write(toFile: pki.path("jwt.pem"), atomically: true, encoding: .utf8)
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: signingKey)
        let once = pki.path("once.json")
        try JSONSerialization.data(withJSONObject: ["jwtSingleUse": true]).write(to: URL(fileURLWithPath: once))
        for extra in [["--jwt-single-use"], ["--config", once]] {
            let server = try await ServerProcess(
                store: ["--store", store], extra: ["--jwt-key", pki.path("jwt.pem"), "--jwt-audience", "deconflict"] + extra)
            defer { server.stop() }
            let token = try await signer.sign(Claims(
                sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]), exp: .init(value: Date().addingTimeInterval(600)),
                jti: .init(value: UUID().uuidString)))
            let client = Client(base: server.base, key: token, http: .shared)
            #expect(try await client.get("/v1/zones").status == 200)
            #expect(try await client.get("/v1/zones").status == 401, "\(extra): a single-use token opened a second request")
        }

        for (arguments, message) in [
            (["--tls-cert", pki.path("server.pem")], "--tls-key: required with --tls-cert"),
            (["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("coalition.key")], "does not go with the certificate"),
            (["--tls-cert", pki.path("server.key"), "--tls-key", pki.path("server.key")], "--tls-cert:"),
            (["--rate-limit=-1"], "--rate-limit: must be 0 or a positive number"),
            (["--log-level", "loud"], "--log-level:"),
            (["--jwt-max-lifetime", "0"], "--jwt-max-lifetime:"),
            (["--webhook-allow", "10.0.0.0/33"], "--webhook-allow: 10.0.0.0/33 is not an address range"),
        ] {
            let run = try Executables.run("deconflict", ["serve", "--port", "0", "--store", store] + arguments)
            #expect(run.status != 0, "\(arguments) started")
            #expect(run.error.contains(message), "\(arguments): \(run.error)")
            // A refusal names the file, never its content.
            for line in try pki.pemBody("coalition.key") + pki.pemBody("server.key") { #expect(!run.error.contains(line)) }
        }
    }

    /// The real binary at trace level, used with an API key (header, `X-API-Key` and
    /// `?access_token=`), a bearer token, forged credentials, a key issued and a webhook
    /// secret set over the API, CoT over TCP (a key, a wrong key, a key pasted as the
    /// username) and over TLS with a client certificate: none of the secrets, nor the
    /// key's SHA-256, nor any line of a private key's PEM, appears in what it prints.
    @Test func secretsNeverReachTheLogs() async throws {
        let pki = try TestPKI.make()
        defer { try? FileManager.default.removeItem(at: pki.folder) }
        let store = pki.path("store.sqlite")
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        let operatorKey = try runDeconflict(["operator-key", "--store", store])
        let signingKey = ES256PrivateKey()
        try signingKey.publicKey.pemRepresentation.write(toFile: pki.path("jwt.pem"), atomically: true, encoding: .utf8)
        let server = try await ServerProcess(store: ["--store", store], extra: [
            "--log-level", "trace", "--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key"),
            "--jwt-key", pki.path("jwt.pem"), "--jwt-audience", "deconflict",
            "--cot-tcp", "0", "--cot-tls", "0", "--cot-tls-cert", pki.path("server.pem"), "--cot-tls-key", pki.path("server.key"),
            "--cot-tls-client-ca", pki.path("test-ca.pem"), "--webhook-allow", "127.0.0.1",
        ])
        defer { server.stop() }
        func cotPort(_ transport: String) async throws -> Int {
            for _ in 0..<500 {
                if let match = server.output.firstMatch(of: try Regex("Cursor-on-Target over \(transport) on 127\\.0\\.0\\.1:(\\d+)")),
                   let port = (match.output[1].substring).flatMap({ Int($0) }) { return port }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw HarnessError("no CoT \(transport) port in \(server.output)")
        }
        let tcpPort = try await cotPort("TCP"), tlsPort = try await cotPort("TLS")
        let base = "https://127.0.0.1:\(server.port)"
        let http = pki.client()

        let signer = JWTKeyCollection()
        await signer.add(ecdsa: signingKey)
        let stranger = JWTKeyCollection()
        await stranger.add(ecdsa: ES256PrivateKey())
        let claims = Claims(sub: .init(value: "coalition"), aud: .init(value: ["deconflict"]), exp: .init(value: Date().addingTimeInterval(600)))
        let token = try await signer.sign(claims)
        let forgedToken = try await stranger.sign(claims)
        let (id, _) = try #require(Credentials.parse(key))
        let wrongKey = "dck_\(id)_" + String(repeating: "e", count: 64)
        let webhookSecret = "whsec-" + UUID().uuidString

        let party = Client(base: base, key: key, http: http)
        #expect(try await party.get("/v1/zones").status == 200)
        #expect(try await Client(base: base, key: nil, http: http).send(.GET, "/v1/zones", headers: [("X-API-Key", key)]).status == 200)
        #expect(try await Client(base: base, key: nil, http: http).get("/v1/zones?access_token=\(key)").status == 200)
        #expect(try await Client(base: base, key: token, http: http).get("/v1/zones").status == 200)
        #expect(try await Client(base: base, key: forgedToken, http: http).get("/v1/zones").status == 401)
        #expect(try await Client(base: base, key: wrongKey, http: http).get("/v1/zones").status == 401)
        let issued = try await Client(base: base, key: operatorKey, http: http).send(.POST, "/v1/parties/coalition/keys")
        #expect(issued.status == 201, "\(issued.text)")
        let newKey = try #require(issued.json["key"] as? String, "\(issued.text)")
        let hook = try await party.send(.POST, "/v1/webhooks", json: ["url": "http://127.0.0.1:9/hook", "secret": webhookSecret])
        #expect(hook.status == 201, "\(hook.text)")

        // CoT over TCP: a good key, a wrong key, and a key pasted as the username.
        let now = Date()
        let event = CoTOutboundEvent(
            uid: "secret-test", type: "a-f-G-U-C", time: now, stale: now.addingTimeInterval(300), latitude: 33.41, longitude: 38.61).xml()
        for (username, password) in [("coalition", key), ("coalition", wrongKey), (key, key)] {
            let auth = Data(#"<auth><cot username="\#(username)" password="\#(password)"/></auth>"#.utf8)
            _ = try await Self.firstBytes(port: tcpPort, tls: nil, sending: auth + event, within: .seconds(2))
        }
        // CoT over TLS with the party's certificate: the server speaks first.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(pki.path("coalition.pem")).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: pki.path("coalition.key"), format: .pem))
        tls.trustRoots = .file(pki.path("test-ca.pem"))
        tls.certificateVerification = .noHostnameVerification
        let answered = try await Self.firstBytes(port: tlsPort, tls: try NIOSSLContext(configuration: tls), sending: event)
        #expect(answered != nil, "the TLS client was not answered")
        try await http.shutdown()

        let deadline = ContinuousClock.now + .seconds(20)
        while !(server.output.contains("CoT connection of coalition") && server.output.contains("the username given")), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        let output = server.output
        // The logs were written (at trace level), naming what happened.
        #expect(output.contains("CoT connection of coalition"), "\(output)")
        #expect(output.contains("unknown or revoked API key"), "\(output)")
        var secrets: [(String, String)] = [
            ("API key", key), ("operator key", operatorKey), ("issued key", newKey), ("bearer token", token),
            ("forged token", forgedToken), ("wrong key", wrongKey), ("webhook secret", webhookSecret),
            ("key secret", String(key.split(separator: "_")[2])),
            ("key SHA-256", Credentials.digest(String(key.split(separator: "_")[2]))),
            ("token signature", String(token.split(separator: ".")[2])),
        ]
        for file in ["server.key", "coalition.key", "test-ca.key"] {
            secrets += try pki.pemBody(file).map { ("\(file) PEM", $0) }
        }
        for (name, secret) in secrets {
            #expect(!output.contains(secret), "the \(name) appears in the server's output")
        }
    }

    /// Connects (over TLS with `tls`), sends `bytes`, and returns what the server sends
    /// back first: nil when it sends nothing before closing or within `within`.
    static func firstBytes(port: Int, tls: NIOSSLContext?, sending bytes: Data, within: Duration = .seconds(10)) async throws -> Data? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try? await outbound.write(ByteBuffer(data: bytes))
            return try await withThrowingTaskGroup(of: Data?.self) { group in
                group.addTask {
                    do {
                        for try await buffer in inbound where buffer.readableBytes > 0 { return Data(buffer: buffer) }
                    } catch {}
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: within)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        }
    }
}
