import AsyncHTTPClient
import Crypto
public import DeconflictAccess
import DeconflictLedger
public import DeconflictNode
import DeconflictStore
public import Foundation
import Logging
import NIOCore
import NIOHTTP1
public import ServiceLifecycle
import Synchronization

/// Where a webhook's deliveries stand (not in the ledger: it changes with every try).
public struct WebhookStatus: Sendable, Hashable {
    public var deliveredThrough: Int64
    /// Failed attempts since the last success.
    public var failures = 0
    public var totalFailures = 0
    public var lastError: String?
    public var lastAttempt: Date?
}

/// Delivers each party's stream to its webhooks: every entry the party may see, in
/// order, as `POST` with the stream's JSON body, signed
/// `Deconflict-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` and
/// numbered `Deconflict-Event-Id: <sequence>`. A failure (no answer, or a status other
/// than 2xx) is retried with a doubling pause (0.5 s up to 60 s) before the next entry:
/// nothing is skipped. Progress is recorded in the ledger every few seconds, so after a
/// restart delivery resumes there (at least once: a receiver drops repeated ids).
///
/// Deliveries go only to the addresses ``addresses`` allows (no loopback, private,
/// link-local or metadata address unless the operator allows its range), checked on the
/// address each connection is made to, resolved just before and pinned for it; a
/// refused address is a failed attempt, retried like any other (its reason in the
/// webhook's status). Redirects are not followed.
public final class WebhookDispatcher: Sendable {
    private let statuses = Mutex<[String: WebhookStatus]>([:])
    private let logger = Logger(label: "deconflict.webhooks")
    static let maximumPause = 60.0
    /// Where deliveries may go.
    public let addresses: OutboundAddresses
    /// Seals the secrets of webhooks registered, and opens them to sign deliveries.
    public let secrets: SecretSeal

    /// - Parameter secrets: the service's secrets key; without it, a key of this
    ///   dispatcher's own (secrets sealed with it do not open after a restart).
    public init(addresses: OutboundAddresses = OutboundAddresses(), secrets: SecretSeal = SecretSeal()) {
        self.addresses = addresses
        self.secrets = secrets
    }

    /// An HTTP client pinned to the address a webhook's host was resolved to.
    private struct Pinned {
        let host: String
        let address: String
        let client: HTTPClient
    }

    public func status(_ id: String) -> WebhookStatus? { statuses.withLock { $0[id] } }

    /// Every running webhook's status, by id.
    public func allStatuses() -> [String: WebhookStatus] { statuses.withLock { $0 } }

    /// Keeps one delivery, a child task, per registered webhook until cancelled; a
    /// webhook removed ends its delivery.
    func run(node: Node) async {
        await withDiscardingTaskGroup { group in
            var running: [String: AsyncStream<Never>.Continuation] = [:]
            var recorded: [String: Int64] = [:]
            while !Task.isCancelled {
                let hooks = await node.webhooks()
                for hook in hooks.values where running[hook.id] == nil {
                    statuses.withLock { $0[hook.id] = $0[hook.id] ?? WebhookStatus(deliveredThrough: hook.deliveredThrough) }
                    recorded[hook.id] = hook.deliveredThrough
                    // Finishing `removed` ends the delivery.
                    let (removed, removal) = AsyncStream<Never>.makeStream()
                    running[hook.id] = removal
                    group.addTask {
                        await withTaskGroup(of: Void.self) { delivery in
                            delivery.addTask { await self.deliver(hook, node: node) }
                            delivery.addTask { for await _ in removed {} }
                            await delivery.next()
                            delivery.cancelAll()
                        }
                    }
                }
                for (id, removal) in running where hooks[id] == nil {
                    removal.finish()
                    running[id] = nil
                    statuses.withLock { _ = $0.removeValue(forKey: id) }
                }
                // Record progress now and then.
                for id in running.keys {
                    guard let through = status(id)?.deliveredThrough, through > (recorded[id] ?? 0) else { continue }
                    let progress = LedgerCommand(.webhookProgress(id: id, through: through), by: .operator)
                    if (try? await node.execute(progress)) != nil { recorded[id] = through }
                }
                try? await Task.sleep(for: .seconds(2))
            }
            group.cancelAll()
        }
    }

    private func deliver(_ hook: WebhookRecord, node: Node) async {
        let actor = Actor(hook.party)
        let feed = LedgerFeed(store: node.store, hub: node.hub, after: hook.deliveredThrough)
        var pinned: Pinned?
        do {
            for try await entry in feed {
                if Task.isCancelled { break }
                if Visibility.mayRead(entry, as: actor) {
                    try await send(API.eventJSON(entry), sequence: entry.sequence, to: hook, pinned: &pinned)
                }
                statuses.withLock { $0[hook.id]?.deliveredThrough = entry.sequence }
            }
        } catch {
            if !Task.isCancelled { logger.warning("webhook \(hook.id) stopped: \(error)") }
        }
        try? await pinned?.client.shutdown()
    }

    /// The client for `hook`'s host, connecting to an address the policy allows, resolved
    /// now: the one used before while the host still resolves to it.
    private func pinnedClient(for hook: WebhookRecord, pinned: inout Pinned?) async throws -> HTTPClient {
        guard let host = URL(string: hook.url)?.host, !host.isEmpty else {
            throw OutboundAddresses.Refusal(reason: "the webhook's URL names no host")
        }
        let address = try await addresses.resolve(host)
        if let pinned, pinned.host == host, pinned.address == address { return pinned.client }
        try? await pinned?.client.shutdown()
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        if AddressRange.bytes(of: host) == nil { configuration.dnsOverride = [host: address] }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        pinned = Pinned(host: host, address: address, client: client)
        return client
    }

    /// Posts one entry until it is accepted (or the task is cancelled).
    private func send(_ body: String, sequence: Int64, to hook: WebhookRecord, pinned: inout Pinned?) async throws {
        var pause = 0.5
        while true {
            try Task.checkCancellation()
            guard let problem = await attempt(body, sequence: sequence, to: hook, pinned: &pinned) else {
                statuses.withLock { $0[hook.id]?.failures = 0; $0[hook.id]?.lastAttempt = Date() }
                return
            }
            statuses.withLock { statuses in
                statuses[hook.id]?.failures += 1
                statuses[hook.id]?.totalFailures += 1
                statuses[hook.id]?.lastError = problem
                statuses[hook.id]?.lastAttempt = Date()
            }
            try await Task.sleep(for: .seconds(pause))
            pause = Swift.min(pause * 2, Self.maximumPause)
        }
    }

    /// One try at posting an entry: nil when the receiver accepted it, or what went wrong.
    private func attempt(_ body: String, sequence: Int64, to hook: WebhookRecord, pinned: inout Pinned?) async -> String? {
        // Written in clear by the ledger's earlier versions; sealed since version 5.
        var secret = hook.secret ?? ""
        if let sealed = hook.sealedSecret {
            do {
                secret = try secrets.open(sealed, for: hook.id)
            } catch {
                return "the webhook's secret does not open: \(error)"
            }
        }
        let time = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: hook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Deconflict-Event-Id", value: String(sequence))
        request.headers.add(name: "Deconflict-Signature", value: "t=\(time),v1=\(Self.signature(body, time: time, secret: secret))")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let client = try await pinnedClient(for: hook, pinned: &pinned)
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            if (200..<300).contains(response.status.code) { return nil }
            return "HTTP \(response.status.code) for entry \(sequence)"
        } catch {
            return "\(error) for entry \(sequence)"
        }
    }

    /// Hex HMAC-SHA256 over `"<time>.<body>"`.
    public static func signature(_ body: String, time: Int, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(time).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}

/// Delivers the parties' webhooks: a service of the application's service group that
/// follows the node's ledger (one node of a cluster runs it; see `--no-webhooks`).
public struct WebhookService: Service {
    let node: Node
    let dispatcher: WebhookDispatcher

    public init(node: Node, dispatcher: WebhookDispatcher) {
        self.node = node
        self.dispatcher = dispatcher
    }

    public func run() async throws {
        let node = node, dispatcher = dispatcher
        await cancelWhenGracefulShutdown { await dispatcher.run(node: node) }
    }
}
