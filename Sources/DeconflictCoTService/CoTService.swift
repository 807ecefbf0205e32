public import DeconflictEngine
import DeconflictCoT
import DeconflictLedger
public import DeconflictNode
public import DeconflictAccess
import DeconflictStore
import Foundation
package import Logging
package import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOTLS
public import NIOSSL
public import ServiceLifecycle
import Prometheus
import Synchronization
import X509

/// Where and how Deconflict speaks Cursor-on-Target. Every listener is off unless its
/// port is set.
public struct CoTSettings: Sendable {
    public var host = "127.0.0.1"
    /// TCP: XML events and TAK protocol version 1; the first message must be TAK's
    /// `<auth><cot username="PARTY" password="API KEY"/></auth>`.
    public var tcpPort: Int?
    /// TLS with client certificates: the party is the certificate's subject common name
    /// (CN), the certificate signed by ``tlsClientCA``.
    public var tlsPort: Int?
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var tlsClientCA: String?
    /// UDP: XML and mesh (`0xBF 0x01 0xBF`) datagrams. A datagram carries no credential:
    /// everything arriving on this port speaks for ``udpParty``; bind it to a network
    /// only that party reaches.
    public var udpPort: Int?
    public var udpParty: PartyID?
    /// How often zones and open alerts are sent again (their CoT `stale` is twice this).
    public var refreshInterval: Duration = .seconds(60)
    /// A connection must authenticate within this time.
    public var authenticationTimeout: Duration = .seconds(10)
    /// A message once begun must be complete within this time (slow senders are dropped).
    public var messageTimeout: Duration = .seconds(30)
    /// A connection that sends nothing for this long is dropped (half-open connections).
    public var idleTimeout: Duration = .seconds(300)
    /// How often an open TCP connection's key is checked again.
    public var credentialCheckInterval: Duration = .seconds(5)
    /// Connections open at once, over TCP and TLS; more are refused.
    public var maximumConnections = 1_024
    /// Units one connection may add.
    public var maximumUnitsPerConnection = 100_000

    public init() {}

    public var isEnabled: Bool { tcpPort != nil || tlsPort != nil || udpPort != nil }
}

/// The CoT listeners of a node: TCP, TLS and UDP, each optional. Runs until graceful
/// shutdown.
public struct CoTService: Service {
    package let node: Node
    package let authenticator: Authenticator
    package let settings: CoTSettings
    package let metrics: ServerMetrics
    package let onListening: @Sendable (_ transport: String, _ port: Int) -> Void
    package let logger = Logger(label: "deconflict.cot")

    public init(
        node: Node, authenticator: Authenticator, settings: CoTSettings, metrics: ServerMetrics,
        onListening: @escaping @Sendable (_ transport: String, _ port: Int) -> Void = { _, _ in }
    ) {
        self.node = node
        self.authenticator = authenticator
        self.settings = settings
        self.metrics = metrics
        self.onListening = onListening
    }

    /// The TLS context of the TLS listener: the server's certificate and key, client
    /// certificates required and verified against the client CA, TLS 1.2 or later.
    public static func tlsContext(_ settings: CoTSettings) throws -> NIOSSLContext {
        guard let certificate = settings.tlsCertificate, let key = settings.tlsKey, let ca = settings.tlsClientCA else {
            throw FieldError(field: "cot-tls", reason: "a TLS listener needs --cot-tls-cert, --cot-tls-key and --cot-tls-client-ca")
        }
        do {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            TLSPolicy.apply(to: &configuration)
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .file(ca)
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw FieldError(field: "cot-tls", reason: "cannot load the TLS certificate, key or client CA: \(error)")
        }
    }

    public func run() async throws {
        let tls = settings.tlsPort == nil ? nil : try Self.tlsContext(settings)
        do {
            try await listen(tls: tls)
        } catch where error is CancellationError || Task.isShuttingDownGracefully {
            // Graceful shutdown: the listeners and connections are closed.
        }
    }

    private func listen(tls: NIOSSLContext?) async throws {
        let connections = ConnectionCount()
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                if let port = settings.tcpPort {
                    let server = try await bind(port: port, tls: nil)
                    onListening("tcp", server.channel.localAddress?.port ?? port)
                    group.addTask { try await accept(server, tls: false, connections: connections) }
                }
                if let port = settings.tlsPort, let tls {
                    let server = try await bind(port: port, tls: tls)
                    onListening("tls", server.channel.localAddress?.port ?? port)
                    group.addTask { try await accept(server, tls: true, connections: connections) }
                }
                if let port = settings.udpPort {
                    guard let party = settings.udpParty else {
                        throw FieldError(field: "cot-udp-party", reason: "a UDP listener needs the party its datagrams speak for")
                    }
                    let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .channelOption(.socketOption(.so_reuseaddr), value: 1)
                        .channelOption(.socketOption(.so_rcvbuf), value: 4 * 1024 * 1024)
                        .bind(host: settings.host, port: port)
                        .flatMapThrowing { channel in
                            try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                        }.get()
                    onListening("udp", channel.channel.localAddress?.port ?? port)
                    group.addTask { try await receive(channel, party: party) }
                }
            }
        }
    }

    private typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    private func bind(port: Int, tls: NIOSSLContext?) async throws -> NIOAsyncChannel<Connection, Never> {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .bind(host: settings.host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        try channel.pipeline.syncOperations.addHandler(TLSHandshake(promise: channel.eventLoop.makePromise()))
                    }
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
    }

    private func accept(_ server: NIOAsyncChannel<Connection, Never>, tls: Bool, connections: ConnectionCount) async throws {
        try await server.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    let open = connections.add(1)
                    guard open <= settings.maximumConnections else {
                        _ = connections.add(-1)
                        logger.warning("CoT connection refused: \(settings.maximumConnections) connections open", metadata: ["peer": "\(connection.channel.remoteAddress?.description ?? "?")"])
                        metrics.cotEvent("connection-refused")
                        try? await connection.channel.close()
                        continue
                    }
                    metrics.cotConnections.increment()
                    group.addTask {
                        await CoTConnection(service: self, connection: connection, tls: tls).run()
                        _ = connections.add(-1)
                        metrics.cotConnections.decrement()
                    }
                }
            }
        }
    }

    /// UDP: every datagram is one message, of ``CoTSettings/udpParty``.
    private func receive(_ channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>, party: PartyID) async throws {
        let batcher = ReportBatcher()
        let ingester = Ingester(service: self, party: party, peer: "udp")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ingester.run(batcher) }
            // The ingester ends once the batcher is finished and empty, however the
            // receiving ends (shutdown cancels it).
            defer { batcher.finish() }
            try await channel.executeThenClose { inbound, _ in
                for try await envelope in inbound {
                    do {
                        let frame = try TakProtocol.frame(datagram: Data(buffer: envelope.data))
                        let event = try CoTConnection.decode(frame)
                        switch CoTMapping.inbound(event, party: party, now: node.configuration.clock()) {
                        case .report(let unit, let report): if admits(party) { await batcher.append(unit, report) }
                        case .ignored: metrics.cotEvent("ignored")
                        case .ping, .protocolRequest: metrics.cotEvent("ignored")
                        }
                    } catch let error as CoTError {
                        metrics.cotEvent("malformed")
                        logger.info("CoT datagram dropped: \(error)", metadata: ["peer": "\(envelope.remoteAddress)"])
                    }
                }
            }
            batcher.finish()
            try await group.waitForAll()
        }
    }
}

/// Completes once a TLS connection's handshake has (the client's certificate verified),
/// fails when the connection ends before.
package final class TLSHandshake: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    package typealias InboundIn = NIOAny
    package let promise: EventLoopPromise<Void>

    package init(promise: EventLoopPromise<Void>) { self.promise = promise }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}

/// Connections open on the TCP and TLS listeners.
package final class ConnectionCount: Sendable {
    private let count = Mutex(0)
    package func add(_ value: Int) -> Int { count.withLock { $0 += value; return $0 } }
}

/// Reports decoded and waiting for the ingester: the reader appends, the ingester takes
/// everything there is, so a busy connection's reports go to the node in large batches.
package final class ReportBatcher: Sendable {
    private struct State {
        package var units: [UnitID: DeconflictEngine.Unit] = [:]
        package var reports: [PositionReport] = []
        package var waiter: CheckedContinuation<Void, Never>?
        package var finished = false
    }

    private let state = Mutex(State())
    /// Reports waiting before the reader is held back.
    package static let limit = 20_000
    /// Reports handed to the node at once: a large batch holds the node (and every alert
    /// it raises) longer before it is durable.
    package static let batch = 5_000

    package func append(_ unit: DeconflictEngine.Unit, _ report: PositionReport) async {
        while state.withLock({ $0.reports.count >= Self.limit && !$0.finished }) {
            try? await Task.sleep(for: .milliseconds(1))
        }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.units[unit.id] == nil { state.units[unit.id] = unit }
            state.reports.append(report)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    package func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// What is waiting, at most `limit` reports (with the units not taken before), or
    /// nil once finished and empty.
    package func take(limit: Int = ReportBatcher.batch) async -> (units: [UnitID: DeconflictEngine.Unit], reports: [PositionReport])? {
        while true {
            let taken = state.withLock { state -> (units: [UnitID: DeconflictEngine.Unit], reports: [PositionReport])?? in
                if !state.reports.isEmpty {
                    defer { state.units = [:] }
                    if state.reports.count <= limit {
                        defer { state.reports = [] }
                        return .some((state.units, state.reports))
                    }
                    let head = Array(state.reports.prefix(limit))
                    state.reports.removeFirst(limit)
                    return .some((state.units, head))
                }
                return state.finished ? .some(nil) : nil
            }
            if let taken { return taken }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.reports.isEmpty || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}

/// Hands a connection's reports to the node: adds the units it sees for the first time
/// (as the connection's party's), refuses reports of other parties' units.
package struct Ingester: Sendable {
    package let service: CoTService
    package let party: PartyID
    package let peer: String

    package func run(_ batcher: ReportBatcher) async {
        var known: Set<UnitID> = []
        var refused: Set<UnitID> = []
        let logger = service.logger
        while let (units, reports) = await batcher.take() {
            var fresh: [DeconflictEngine.Unit] = []
            for (id, unit) in units where !known.contains(id) && !refused.contains(id) {
                if let existing = await service.node.read({ $0.unit(id) }) {
                    if existing.party == party {
                        known.insert(id)
                    } else {
                        refused.insert(id)
                        logger.warning("CoT: \(party) reports unit \(id) of \(existing.party); refused", metadata: ["peer": "\(peer)"])
                    }
                } else if known.count + fresh.count < service.settings.maximumUnitsPerConnection {
                    // A unit is added for a report the node will take: one whose every
                    // report is refused (timed too far ahead) leaves nothing behind.
                    if let earliest = reports.lazy.filter({ $0.unit == id }).map(\.time).min(),
                       await !service.node.acceptsReportTime(earliest) { continue }
                    fresh.append(unit)
                } else {
                    refused.insert(id)
                    logger.warning("CoT: more than \(service.settings.maximumUnitsPerConnection) units on one connection; \(id) refused", metadata: ["peer": "\(peer)"])
                }
            }
            // New units are added together (the node commits them in a few rounds).
            for chunk in stride(from: 0, to: fresh.count, by: 256).map({ fresh[$0..<min($0 + 256, fresh.count)] }) {
                let added = await withTaskGroup(of: (UnitID, (any Error)?).self) { group in
                    for unit in chunk {
                        group.addTask {
                            do {
                                _ = try identifier(unit.id.rawValue, field: "id")
                                _ = try await service.node.execute(LedgerCommand(.addUnit(unit), by: .party(party)))
                                return (unit.id, nil)
                            } catch {
                                return (unit.id, error)
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                for (id, error) in added {
                    let owner: PartyID? = error == nil ? party : await service.node.read({ $0.unit(id)?.party })
                    if owner == party {
                        // Another connection of the party may have added it a moment ago.
                        known.insert(id)
                    } else {
                        refused.insert(id)
                        logger.warning("CoT: unit \(id) not added: \(error.map { "\($0)" } ?? "")", metadata: ["peer": "\(peer)"])
                    }
                }
            }
            let accepted = reports.filter { known.contains($0.unit) }
            if accepted.count < reports.count { service.metrics.cotEvent("refused", count: reports.count - accepted.count) }
            guard !accepted.isEmpty else { continue }
            do {
                let result = try await service.node.ingest(accepted, by: party)
                service.metrics.cotEvent("accepted", count: result.accepted)
                service.metrics.reportsAccepted.increment(by: Int64(result.accepted))
                if !result.rejected.isEmpty {
                    service.metrics.cotEvent("refused", count: result.rejected.count)
                    service.metrics.reportsRejected.increment(by: Int64(result.rejected.count))
                    logger.info("CoT: \(result.rejected.count) reports refused, e.g. \(result.rejected[0].error.field): \(result.rejected[0].error.reason)", metadata: ["peer": "\(peer)"])
                }
            } catch {
                service.metrics.cotEvent("failed", count: accepted.count)
                logger.error("CoT: \(accepted.count) reports not stored: \(error)", metadata: ["peer": "\(peer)"])
            }
        }
    }
}

package extension CoTService {
    /// Whether `party` may send one more CoT event now; counts it when not.
    func admits(_ party: PartyID) -> Bool {
        guard authenticator.limiter.cotEvents.take(party.rawValue) != nil else { return true }
        metrics.rateLimited(interface: "cot", limit: "party")
        metrics.cotEvent("rate-limited")
        return false
    }
}
