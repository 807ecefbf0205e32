import ArgumentParser
import Configuration
import DeconflictEngine
import DeconflictF3548
import DeconflictCoTService
import DeconflictAccess
import DeconflictAPI
import DeconflictLedger
import DeconflictNode
import DeconflictStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Where a command keeps its data, `--store FILE` (SQLite, the default) or `--postgres
/// URL`, and where its other settings may come from (`--config`), read as ``Settings``:
/// a flag, then `DECONFLICT_STORE`, `DECONFLICT_POSTGRES`, then the file, then the default.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SQLite store file (created if missing). Env: DECONFLICT_STORE.", valueName: "file"))
    var store: String?

    @Option(help: ArgumentHelp("A shared PostgreSQL store instead: postgres://user@host:port/database. Env: DECONFLICT_POSTGRES.", valueName: "url"))
    var postgres: String?

    @Option(help: ArgumentHelp("A JSON file of settings (docs/server.md lists the keys: store, postgres, and for serve host, port, …). One precedence for every key: a flag, then the environment (DECONFLICT_ and the key in upper snake case: DECONFLICT_JWT_AUDIENCE; lists comma-separated), then this file, then the default. Env: DECONFLICT_CONFIG.", valueName: "file"))
    var config: String?

    /// The settings: these flags and `flags`, the environment, the `--config` file.
    func settings(adding flags: [String: ConfigContent] = [:]) async throws -> Settings {
        var all = flags
        if let store { all["store"] = .string(store) }
        if let postgres { all["postgres"] = .string(postgres) }
        return try await Settings(flags: all, file: config ?? ProcessInfo.processInfo.environment["DECONFLICT_CONFIG"])
    }

    /// Runs `body` with the store `settings` name in use (``withStore(_:_:)``); a store
    /// that cannot be opened is named by its option.
    func using<Result: Sendable>(_ settings: Settings? = nil, _ body: (any Store) async throws -> Result) async throws -> Result {
        let settings = if let settings { settings } else { try await self.settings() }
        let store = try Self.open(
            store: try settings.string("store"), postgres: try settings.string("postgres"),
            flushInterval: try settings.double("reportFlushInterval"), flushGroups: try settings.int("reportFlushGroups"),
            backgroundCheckpoints: try settings.bool("backgroundCheckpoints"))
        return try await deconflict.using(store, option: store is PostgresStore ? "--postgres" : "--store", body)
    }

    private static func open(
        store: String?, postgres: String?, flushInterval: Double?, flushGroups: Int?, backgroundCheckpoints: Bool?
    ) throws -> any Store {
        if let flushInterval, !(flushInterval >= 0.001 && flushInterval <= 60) {
            throw InputError("reportFlushInterval (DECONFLICT_REPORT_FLUSH_INTERVAL): seconds between two flushes of the reports table, at least 0.001 (a millisecond) and at most 60, not \(flushInterval)")
        }
        if let flushGroups, !(1...64).contains(flushGroups) {
            throw InputError("reportFlushGroups (DECONFLICT_REPORT_FLUSH_GROUPS): the groups of units flushed in turn, 1 to 64, not \(flushGroups)")
        }
        if let url = postgres {
            guard store == nil else { throw InputError("--store and --postgres: give one store, not both") }
            do {
                return try PostgresStore(url: url)
            } catch {
                throw InputError("--postgres: \(error)")
            }
        }
        let path = store ?? "deconflict.sqlite"
        do {
            return try SQLiteStore(
                path: path,
                reportFlushInterval: flushInterval.map { .seconds($0) } ?? SQLiteStore.defaultReportFlushInterval,
                reportFlushGroups: flushGroups ?? SQLiteStore.defaultReportFlushGroups,
                backgroundCheckpoints: backgroundCheckpoints ?? true)
        } catch {
            throw InputError("--store: \(error)")
        }
    }
}

/// `deconflict serve`: the network service.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server: the REST API, live streams and the engine, on one store.",
        discussion: """
            The state is rebuilt from the store's ledger on start. Several servers can share one \
            PostgreSQL store. Keys: `deconflict party add` and `deconflict operator-key`.
            """)

    @OptionGroup var storage: StoreOptions

    @Option(help: ArgumentHelp("Address to listen on. Env: DECONFLICT_HOST.", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one. Env: DECONFLICT_PORT.", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("Delete position reports older than this many hours from the query table (the ledger keeps them).", valueName: "hours"))
    var reportRetentionHours: Double?

    @Option(help: ArgumentHelp("A PEM file with an RSA or P-256 public key that signs bearer tokens (RS256/ES256); repeatable.", valueName: "file"))
    var jwtKey: [String] = []

    @Option(help: ArgumentHelp("A JWKS file with the public keys that sign bearer tokens.", valueName: "file"))
    var jwks: String?

    @Option(help: ArgumentHelp("The audience bearer tokens must name (aud). Env: DECONFLICT_JWT_AUDIENCE.", valueName: "audience"))
    var jwtAudience: String?

    @Option(help: ArgumentHelp("Refuse bearer tokens valid for longer than this from now (exp). Default 86400 (a day).", valueName: "seconds"))
    var jwtMaxLifetime: Double?

    @Flag(help: ArgumentHelp("Accept each bearer token of the native API once: a token must carry a jti, and one seen before is refused until it expires (a stolen token cannot be replayed)."))
    var jwtSingleUse = false

    @Option(help: ArgumentHelp("Serve the API over HTTPS (TLS 1.2 or later) with this certificate chain (PEM); needs --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("With --tls-cert: the server's private key (PEM).", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("HTTP requests a second per credential (API key or token subject); more are refused with 429. 0: no limit. Default 5000.", valueName: "count"))
    var rateLimit: Double?

    @Option(help: ArgumentHelp("The most requests a credential may make at once (the size of its bucket). Default 10000 (twice --rate-limit when that is given).", valueName: "count"))
    var rateBurst: Double?

    @Option(help: ArgumentHelp("Close an HTTP connection that has not sent a whole request head within this many seconds of opening or of its last answer (a slow or idle client). Default 30.", valueName: "seconds"))
    var httpHeaderTimeout: Double?

    @Option(help: ArgumentHelp("HTTP connections open at once; one more is closed on arrival. Default 4096.", valueName: "count"))
    var httpMaxConnections: Int?

    @Option(help: ArgumentHelp("Failed authentications a second per remote address (burst ten times as many); beyond, the address is refused with 429 before its credential is checked. 0: no limit. Default 20.", valueName: "count"))
    var authFailureLimit: Double?

    @Option(help: ArgumentHelp("Cursor-on-Target events a second per party, over all its connections (burst twice as many); more are dropped. 0: no limit. Default 200000.", valueName: "count"))
    var cotRateLimit: Double?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical. Default info. Env: DECONFLICT_LOG_LEVEL.", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("A PEM file with an RSA public key that signs the access tokens of the ASTM F3548 DSS interface (/dss/v1); repeatable. Without one that interface answers 401.", valueName: "file"))
    var dssKey: [String] = []

    @Option(help: ArgumentHelp("An audience (aud) DSS access tokens may name; repeatable. Default: localhost and 127.0.0.1. Env: DECONFLICT_DSS_AUDIENCES (comma-separated).", valueName: "audience"))
    var dssAudience: [String] = []

    @Flag(help: ArgumentHelp("Accept http:// USS base URLs in the DSS interface (a test or lab setting; refused by default, as in the reference DSS)."))
    var dssAllowHttpBaseUrls = false

    @Flag(help: ArgumentHelp("Accept each DSS access token once: a token must carry a jti, and one seen before is refused until it expires."))
    var dssSingleUse = false

    @Option(help: ArgumentHelp("Listen for Cursor-on-Target over TCP (XML and TAK protocol v1; TAK <auth> with a party's API key first) on this port; 0 picks a free one. Off by default.", valueName: "port"))
    var cotTcp: Int?

    @Option(help: ArgumentHelp("Listen for Cursor-on-Target over TLS with client certificates (the party is the certificate's CN) on this port. Off by default.", valueName: "port"))
    var cotTls: Int?

    @Option(help: ArgumentHelp("With --cot-tls: the server's certificate chain (PEM).", valueName: "file"))
    var cotTlsCert: String?

    @Option(help: ArgumentHelp("With --cot-tls: the server's private key (PEM).", valueName: "file"))
    var cotTlsKey: String?

    @Option(help: ArgumentHelp("With --cot-tls: the CA (PEM) that signs client certificates.", valueName: "file"))
    var cotTlsClientCa: String?

    @Option(help: ArgumentHelp("Listen for Cursor-on-Target datagrams (XML and TAK protocol v1 mesh) on this UDP port. Datagrams carry no credential: all speak for --cot-udp-party. Off by default.", valueName: "port"))
    var cotUdp: Int?

    @Option(help: ArgumentHelp("With --cot-udp: the party every datagram speaks for.", valueName: "party"))
    var cotUdpParty: String?

    @Option(help: ArgumentHelp("Seconds between resending zones and open alerts to TAK clients (their CoT stale time is twice this). Default 60.", valueName: "seconds"))
    var cotRefreshSeconds: Double?

    @Option(help: ArgumentHelp("Serve the web console (/console/) from this folder instead of the files built in (for working on it).", valueName: "folder"))
    var consoleDir: String?

    @Flag(help: "Do not deliver webhooks from this node (when another node of the cluster does).")
    var noWebhooks = false

    @Option(help: ArgumentHelp("Let webhooks reach this address range (CIDR, e.g. 10.20.0.0/16 or 127.0.0.1) although it is loopback, private, link-local or otherwise refused by default; repeatable.", valueName: "range"))
    var webhookAllow: [String] = []

    @Option(help: ArgumentHelp("The Ed25519 key (PKCS #8 PEM, as openssl genpkey -algorithm ed25519 writes it) the service signs ledger heads with; made there when missing. Keep it outside the database. Default: beside the SQLite store (<store>.ledger-key.pem); with --postgres and no key, a key made at each start. Each key signed with is recorded in the ledger.", valueName: "file"))
    var ledgerKey: String?

    @Option(help: ArgumentHelp("The key (base64 of 32 bytes) webhook secrets are sealed with in the ledger (AES-256-GCM); made there when missing. Keep it outside the database; every node of a cluster needs the same. Default: beside the SQLite store (<store>.secrets-key); with --postgres and no key, a key made at each start (webhooks registered before a restart then cannot sign their deliveries).", valueName: "file"))
    var secretsKey: String?

    @Option(help: ArgumentHelp("Sign the ledger head every this many seconds, and send it on open streams when the ledger grew (also signed on each GET /v1/ledger/head). Default 60.", valueName: "seconds"))
    var ledgerSignInterval: Double?

    @Option(help: ArgumentHelp("Give the C allocator's free pages back to the system every this many seconds (glibc malloc_trim), so the resident size follows the memory in use; 0: never. Default 10.", valueName: "seconds"))
    var heapTrimInterval: Double?

    @Flag(help: "Load the seed scenario into an empty store and play it live; prints each party's key.")
    var demo = false

    @Option(help: ArgumentHelp("With --demo: scenario seconds per real second.", valueName: "factor"))
    var speed: Double?

    /// The flags given, by configuration key (see ``Settings``).
    func flags() -> [String: ConfigContent] {
        var flags: [String: ConfigContent] = [:]
        func set(_ key: String, _ value: String?) { if let value { flags[key] = .string(value) } }
        func set(_ key: String, _ value: Int?) { if let value { flags[key] = .int(value) } }
        func set(_ key: String, _ value: Double?) { if let value { flags[key] = .double(value) } }
        func set(_ key: String, _ value: [String]) { if !value.isEmpty { flags[key] = .stringArray(value) } }
        set("host", host)
        set("port", port)
        set("reportRetentionHours", reportRetentionHours)
        set("jwtKeys", jwtKey)
        set("jwks", jwks)
        set("jwtAudience", jwtAudience)
        set("jwtMaxLifetime", jwtMaxLifetime)
        set("tlsCert", tlsCert)
        set("tlsKey", tlsKey)
        set("rateLimit", rateLimit)
        set("rateBurst", rateBurst)
        set("httpHeaderTimeout", httpHeaderTimeout)
        set("httpMaxConnections", httpMaxConnections)
        set("authFailureLimit", authFailureLimit)
        set("cotRateLimit", cotRateLimit)
        set("logLevel", logLevel)
        set("dssKeys", dssKey)
        set("dssAudiences", dssAudience)
        if dssAllowHttpBaseUrls { flags["dssAllowHTTPBaseURLs"] = .bool(true) }
        if jwtSingleUse { flags["jwtSingleUse"] = .bool(true) }
        if dssSingleUse { flags["dssSingleUse"] = .bool(true) }
        if noWebhooks { flags["webhooks"] = .bool(false) }
        set("webhookAllow", webhookAllow)
        set("ledgerKey", ledgerKey)
        set("secretsKey", secretsKey)
        set("ledgerSignInterval", ledgerSignInterval)
        set("heapTrimInterval", heapTrimInterval)
        if demo { flags["demo"] = .bool(true) }
        set("speed", speed)
        set("cotTCP", cotTcp)
        set("cotTLS", cotTls)
        set("cotTLSCert", cotTlsCert)
        set("cotTLSKey", cotTlsKey)
        set("cotTLSClientCA", cotTlsClientCa)
        set("cotUDP", cotUdp)
        set("cotUDPParty", cotUdpParty)
        set("cotRefreshSeconds", cotRefreshSeconds)
        set("consoleDir", consoleDir)
        return flags
    }

    /// The Cursor-on-Target listeners asked for, checked.
    func cotSettings(_ file: Settings, host: String) throws -> CoTSettings {
        var settings = CoTSettings()
        settings.host = host
        settings.tcpPort = try file.int("cotTCP")
        settings.tlsPort = try file.int("cotTLS")
        settings.udpPort = try file.int("cotUDP")
        settings.tlsCertificate = try file.string("cotTLSCert")
        settings.tlsKey = try file.string("cotTLSKey")
        settings.tlsClientCA = try file.string("cotTLSClientCA")
        settings.udpParty = try file.string("cotUDPParty").map { PartyID($0) }
        for (name, port) in [("cot-tcp", settings.tcpPort), ("cot-tls", settings.tlsPort), ("cot-udp", settings.udpPort)] {
            if let port, !(0...65_535).contains(port) { throw InputError("--\(name): \(port) is not within 0...65535") }
        }
        if settings.udpPort != nil, settings.udpParty == nil { throw InputError("--cot-udp-party: required with --cot-udp") }
        if let seconds = try file.double("cotRefreshSeconds") {
            guard seconds > 0, seconds.isFinite else { throw InputError("--cot-refresh-seconds: must be a positive number, got \(seconds)") }
            settings.refreshInterval = .milliseconds(Int64(seconds * 1_000))
        }
        return settings
    }

    /// The rate limits asked for, checked.
    func rateLimits(_ file: Settings) throws -> RateLimits {
        var limits = RateLimits()
        let values: [(String, Double?)] = [
            ("rate-limit", try file.double("rateLimit")), ("rate-burst", try file.double("rateBurst")),
            ("auth-failure-limit", try file.double("authFailureLimit")), ("cot-rate-limit", try file.double("cotRateLimit")),
        ]
        for (name, value) in values {
            if let value, !(value >= 0 && value.isFinite) { throw InputError("--\(name): must be 0 or a positive number, got \(value)") }
        }
        if let value = values[0].1 { limits.requestsPerSecond = value }
        if let value = values[1].1 {
            guard value >= 1 else { throw InputError("--rate-burst: must be at least 1, got \(value)") }
            limits.requestBurst = value
        } else if let value = values[0].1, value > 0 {
            limits.requestBurst = max(1, value * 2)
        }
        if let value = values[2].1 {
            limits.failuresPerSecond = value
            limits.failureBurst = max(1, value * 10)
        }
        if let value = values[3].1 {
            limits.cotEventsPerSecond = value
            limits.cotEventBurst = max(1, value * 2)
        }
        return limits
    }

    /// The HTTP listener's connection limits asked for, checked.
    func connectionLimits(_ file: Settings) throws -> HTTPConnectionLimits {
        var limits = HTTPConnectionLimits()
        if let seconds = try file.double("httpHeaderTimeout") {
            guard seconds > 0, seconds.isFinite else { throw InputError("--http-header-timeout: must be a positive number of seconds, got \(seconds)") }
            limits.headerTimeout = .milliseconds(Int64((seconds * 1_000).rounded()))
        }
        if let count = try file.int("httpMaxConnections") {
            guard count > 0 else { throw InputError("--http-max-connections: must be a positive whole number, got \(count)") }
            limits.maximumConnections = count
        }
        return limits
    }

    /// The TLS of the HTTP API, when asked for.
    func httpTLS(_ file: Settings) throws -> ServerTLS? {
        let certificate = try file.string("tlsCert"), key = try file.string("tlsKey")
        switch (certificate, key) {
        case (nil, nil): return nil
        case (.some, nil): throw InputError("--tls-key: required with --tls-cert")
        case (nil, .some): throw InputError("--tls-cert: required with --tls-key")
        case let (.some(certificate), .some(key)):
            do {
                return try TLSPolicy.server(certificate: certificate, key: key)
            } catch {
                throw InputError("--\(error.field): \(error.reason)")
            }
        }
    }

    func run() async throws {
        let file = try await storage.settings(adding: flags())
        let levelName = try file.string("logLevel") ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw InputError("--log-level: one of trace, debug, info, notice, warning, error, critical; got \(levelName.prefix(40))")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let limits = try rateLimits(file)
        let connectionLimits = try connectionLimits(file)
        let tls = try httpTLS(file)
        let jwtMaxLifetime = try file.double("jwtMaxLifetime") ?? 86_400
        guard jwtMaxLifetime > 0, jwtMaxLifetime.isFinite else {
            throw InputError("--jwt-max-lifetime: must be a positive number of seconds, got \(jwtMaxLifetime)")
        }
        let host = try file.string("host") ?? "127.0.0.1"
        let port = try file.int("port") ?? 8080
        let reportRetentionHours = try file.double("reportRetentionHours")
        let jwtKey = try file.list("jwtKeys") ?? []
        let jwks = try file.string("jwks")
        let jwtAudience = try file.string("jwtAudience")
        let dssKey = try file.list("dssKeys") ?? []
        let dssAudience = try file.list("dssAudiences") ?? []
        let noWebhooks = try file.bool("webhooks") == false
        var webhookAddresses = OutboundAddresses()
        for text in try file.list("webhookAllow") ?? [] {
            guard let range = AddressRange(text) else {
                throw InputError("--webhook-allow: \(text) is not an address range (CIDR, e.g. 10.20.0.0/16)")
            }
            webhookAddresses.allowed.append(range)
        }
        let demo = try file.bool("demo") == true
        let speed = try file.double("speed") ?? 10
        let dssAllowHTTPBaseURLs = try file.bool("dssAllowHTTPBaseURLs") == true
        let jwtSingleUse = try file.bool("jwtSingleUse") == true
        let dssSingleUse = try file.bool("dssSingleUse") == true
        let consoleDir = try file.string("consoleDir")
        let ledgerSignInterval = try file.double("ledgerSignInterval") ?? 60
        guard ledgerSignInterval > 0, ledgerSignInterval.isFinite else {
            throw InputError("--ledger-sign-interval: must be a positive number of seconds, got \(ledgerSignInterval)")
        }
        let heapTrimInterval = try file.double("heapTrimInterval") ?? 10
        guard heapTrimInterval >= 0, heapTrimInterval.isFinite else {
            throw InputError("--heap-trim-interval: must be 0 (never) or a positive number of seconds, got \(heapTrimInterval)")
        }
        var ledgerKeyPath = try file.string("ledgerKey")
        if ledgerKeyPath == nil, try file.string("postgres") == nil {
            ledgerKeyPath = (try file.string("store") ?? "deconflict.sqlite") + ".ledger-key.pem"
        }
        var secretsKeyPath = try file.string("secretsKey")
        if secretsKeyPath == nil, try file.string("postgres") == nil {
            secretsKeyPath = (try file.string("store") ?? "deconflict.sqlite") + ".secrets-key"
        }
        let seal: SecretSeal
        if let secretsKeyPath {
            do {
                seal = try SecretSeal.load(path: secretsKeyPath, create: true)
            } catch {
                throw InputError("--secrets-key: \(error)")
            }
        } else {
            seal = SecretSeal()
            FileHandle.standardError.write(Data("deconflict: no --secrets-key: webhook secrets are sealed with a key made for this run alone\n".utf8))
        }
        let signingKey: SigningKey
        if let ledgerKeyPath {
            do {
                signingKey = try SigningKey.load(path: ledgerKeyPath, create: true).key
            } catch {
                throw InputError("--ledger-key: \(error)")
            }
        } else {
            signingKey = SigningKey()
        }
        guard speed > 0, speed.isFinite else { throw InputError("--speed: must be a positive number, got \(speed)") }
        guard (0...65_535).contains(port) else { throw InputError("--port: \(port) is not within 0...65535") }
        if let hours = reportRetentionHours, !(hours > 0) {
            throw InputError("--report-retention-hours: must be a positive number of hours, got \(hours)")
        }
        try await storage.using(file) { store in
            var configuration = Node.Configuration()
            configuration.reportRetention = reportRetentionHours.map { $0 * 3_600 }
            var live: LiveDemo?
            if demo {
                guard try await store.head() == nil else {
                    throw InputError("--demo: the store is not empty; give a new --store file for the demo")
                }
                let script = try ScenarioScript.decode(try Demo.scenarioData(nil))
                live = LiveDemo(script: script, speed: speed)
                configuration.clock = live!.clock
            }
            let began = ContinuousClock.now
            let node = try await Node(store: store, configuration: configuration)
            let replay = await node.statistics
            // The key heads are signed with, recorded in the ledger when it is new to it.
            if await node.ledgerKeys().last?.id != signingKey.id {
                try await node.execute(LedgerCommand(.ledgerKey(LedgerKeyRecord(signingKey)), by: .operator))
            }
            let heads = LedgerHeads(store: store, key: signingKey, clock: configuration.clock)
            var tokens: (any TokenVerifier)?
            if !jwtKey.isEmpty || jwks != nil {
                guard let audience = jwtAudience else {
                    throw InputError("--jwt-audience: required with --jwt-key or --jwks")
                }
                do {
                    var verifier = try await JWTVerifier.load(pemFiles: jwtKey, jwksFile: jwks, audience: audience, maximumLifetime: jwtMaxLifetime)
                    if jwtSingleUse { verifier.replays = TokenReplays() }
                    tokens = verifier
                } catch let error as FieldError {
                    throw InputError("\(error.field): \(error.reason)")
                }
            }
            var dss: DSSAuthority?
            if !dssKey.isEmpty {
                do {
                    dss = try await DSSAuthority.load(pemFiles: dssKey, audiences: dssAudience)
                    dss?.allowsHTTPBaseURLs = dssAllowHTTPBaseURLs
                    if dssSingleUse { dss?.replays = TokenReplays() }
                } catch let error as FieldError {
                    throw InputError("\(error.field): \(error.reason)")
                }
            }
            if let consoleDir {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: consoleDir, isDirectory: &isFolder), isFolder.boolValue else {
                    throw InputError("--console-dir: \(consoleDir) is not a folder")
                }
            }
            let server = Server(
                node: node, authenticator: Authenticator(node: node, tokens: tokens, limits: limits), dss: dss, consoleFolder: consoleDir,
                webhooks: WebhookDispatcher(addresses: webhookAddresses, secrets: seal), heads: heads,
                headInterval: .seconds(ledgerSignInterval))
            var services: [any Service] = [NodeService(node: node), LedgerHeadService(heads: heads, interval: .seconds(ledgerSignInterval))]
            if !noWebhooks { services.append(WebhookService(node: node, dispatcher: server.webhooks)) }
            if heapTrimInterval > 0 { services.append(HeapTrimService(interval: .seconds(heapTrimInterval))) }
            if let live {
                services.append(LiveDemoService(demo: live, node: node) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            }
            let cot = try cotSettings(file, host: host)
            if cot.isEnabled {
                if cot.tlsPort != nil {
                    do { _ = try CoTService.tlsContext(cot) } catch let error as FieldError { throw InputError("--\(error.field): \(error.reason)") }
                }
                if let party = cot.udpParty, await node.read({ $0.parties[party] == nil }) {
                    throw InputError("--cot-udp-party: \(party) is not a party")
                }
                services.append(CoTService(node: node, authenticator: server.authenticator, settings: cot, metrics: server.metrics) { transport, port in
                    FileHandle.standardError.write(Data("deconflict: Cursor-on-Target over \(transport.uppercased()) on \(cot.host):\(port)\n".utf8))
                })
            }
            // The node stops with the server: SIGTERM or SIGINT shut both down gracefully.
            let scheme = tls == nil ? "http" : "https"
            let application = try server.application(host: host, port: port, tls: tls, limits: connectionLimits, services: services) { channel in
                let address = channel.localAddress
                let elapsed = (ContinuousClock.now - began) / .seconds(1)
                FileHandle.standardError.write(Data(
                    "deconflict: listening on \(scheme)://\(address?.ipAddress ?? host):\(address?.port ?? port) (ledger \(replay.replayedEntries) entries replayed in \(String(format: "%.2f", elapsed)) s)\n".utf8))
            }
            // The server stops on SIGTERM or SIGINT (graceful shutdown), and every service with it.
            try await application.runService()
        }
    }
}

/// `deconflict party add`: a new party and its first API key.
struct PartyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "party", abstract: "Manage parties.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a party and print its API key (shown once; the store keeps only its hash).")

        @Argument(help: "The party's id: letters, digits, '-', '_', '.', ':'.")
        var id: String

        @Option(help: "A display name.")
        var name: String?

        @OptionGroup var storage: StoreOptions

        func run() async throws {
            try await storage.using { try await add(to: $0) }
        }

        private func add(to store: any Store) async throws {
            let node = try await Node(store: store)
            let add = LedgerCommand(.addParty(Party(id: PartyID(id), name: name)), by: .operator)
            let exists = await node.read { $0.parties[PartyID(id)] != nil }
            if !exists {
                do {
                    try await node.execute(add)
                } catch let error as FieldError {
                    throw InputError("\(error.field == "id" ? "id" : error.field): \(error.reason)")
                }
            }
            let (key, record) = Credentials.issue(for: .party(PartyID(id)))
            try await node.execute(.issueCredential(record))
            print(key)
        }
    }
}

/// `deconflict operator-key`: an API key for the operator.
struct OperatorKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator-key",
        abstract: "Issue an operator API key (adds parties, issues keys, reads the whole ledger) and print it once.")

    @OptionGroup var storage: StoreOptions

    func run() async throws {
        try await storage.using { store in
            let node = try await Node(store: store)
            let (key, record) = Credentials.issue(for: .operator)
            try await node.execute(.issueCredential(record))
            print(key)
        }
    }
}
