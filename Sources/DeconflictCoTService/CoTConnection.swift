package import DeconflictCoT
import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictStore
package import Foundation
import Logging
package import NIOCore
import NIOFoundationCompat
import NIOSSL
import Synchronization
import SwiftASN1
import X509
import DeconflictNode
import DeconflictAccess

/// One TCP or TLS connection of a TAK client or server: reads its events (XML, or TAK
/// protocol version 1 once negotiated or sent), sends it the zones and the alerts its
/// party may see, and drops it on the first malformed message, on wrong framing, when it
/// does not authenticate in time, when a message takes too long to arrive, or when it
/// falls silent.
package struct CoTConnection {
    package let service: CoTService
    package let connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    package let tls: Bool

    /// What the reader and the watchdog share.
    private final class Shared: Sendable {
        package let state = Mutex(Progress())
        package func withLock<T>(_ body: (inout Progress) -> T) -> T { state.withLock { body(&$0) } }
    }

    private struct Progress {
        package var opened = ContinuousClock.now
        package var lastByte = ContinuousClock.now
        /// When the oldest incomplete message began (nil: none pending).
        package var messageBegan: ContinuousClock.Instant?
        package var party: PartyID?
        /// The key or token a TCP connection authenticated with (checked again while it
        /// is open: a revoked key ends the connection).
        package var credential: String?
        package var closing: String?
    }

    package enum Outgoing: Sendable {
        case event(CoTOutboundEvent)
        /// From here on, send TAK protocol version 1.
        case switchToProtobuf
    }

    package let peer: String

    package init(service: CoTService, connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, tls: Bool) {
        self.service = service
        self.connection = connection
        self.tls = tls
        peer = connection.channel.remoteAddress?.description ?? "?"
    }

    package func run() async {
        let logger = service.logger
        let progress = Shared()
        let (outgoing, sender) = AsyncStream<Outgoing>.makeStream(bufferingPolicy: .bufferingNewest(20_000))
        let batcher = ReportBatcher()
        let spoken = SpokenUnits()
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // However the reading ends, the ingester and the writer end too.
                    defer {
                        batcher.finish()
                        sender.finish()
                    }
                    group.addTask { try await write(outgoing, to: outbound) }
                    group.addTask { await watch(progress) }
                    var party: PartyID?
                    var ingester: Task<Void, Never>?
                    func start(_ speaker: PartyID) {
                        party = speaker
                        progress.withLock { $0.party = speaker }
                        logger.info("CoT connection of \(speaker)", metadata: ["peer": "\(peer)", "tls": "\(tls)"])
                        // Offer TAK protocol version 1, then the picture.
                        sender.yield(.event(CoTMapping.control(type: "t-x-takp-v", detail: CoTDetail.takProtocolSupport, now: Date())))
                        ingester = Task { await Ingester(service: service, party: speaker, peer: peer).run(batcher) }
                        group.addTask { await CoTPicture(node: service.node, party: speaker, settings: service.settings, spoken: spoken).follow(into: sender) }
                    }
                    var framer = CoTStreamFramer()
                    do {
                        // A TLS client is who its certificate says, as soon as the
                        // handshake is done (TAK clients wait for the server to speak).
                        if tls { start(try await certificateParty()) }
                        for try await buffer in inbound {
                            framer.append(buffer.readableBytesView)
                            var completed = false
                            while let frame = try framer.next() {
                                completed = true
                                if party == nil {
                                    guard case .xml(let data) = frame, Self.isAuth(data) else {
                                        throw CoTError(field: "auth", reason: "authenticate first: <auth><cot username=\"PARTY\" password=\"API KEY\"/></auth>")
                                    }
                                    let (speaker, credential) = try await authenticate(data)
                                    progress.withLock { $0.credential = credential }
                                    start(speaker)
                                    continue
                                }
                                let event = try Self.decode(frame)
                                switch CoTMapping.inbound(event, party: party!, now: service.node.configuration.clock()) {
                                case .report(let unit, let report):
                                    // Beyond the party's rate limit, events are dropped (and counted).
                                    guard service.admits(party!) else { continue }
                                    spoken.insert(unit.id)
                                    await batcher.append(unit, report)
                                case .ping:
                                    sender.yield(.event(CoTMapping.control(type: "t-x-c-t-r", detail: "", now: Date())))
                                case .protocolRequest(let version):
                                    let accepted = version == 1
                                    sender.yield(.event(CoTMapping.control(type: "t-x-takp-r", detail: CoTDetail.takResponse(accepted: accepted), now: Date())))
                                    if accepted { sender.yield(.switchToProtobuf) }
                                case .ignored(let reason):
                                    service.metrics.cotEvent("ignored")
                                    logger.debug("CoT event ignored: \(reason)", metadata: ["peer": "\(peer)", "uid": "\(event.uid)"])
                                }
                            }
                            let pending = framer.pendingBytes > 0
                            // A message is slow when no message completes for the limit
                            // while bytes wait (a busy stream ends most reads mid-message).
                            progress.withLock { state in
                                state.lastByte = .now
                                if !pending {
                                    state.messageBegan = nil
                                } else if completed || state.messageBegan == nil {
                                    state.messageBegan = .now
                                }
                            }
                        }
                    } catch let error as CoTError {
                        service.metrics.cotEvent("malformed")
                        logger.warning("CoT connection dropped: \(error)", metadata: ["peer": "\(peer)", "party": "\(party?.rawValue ?? "-")"])
                    }
                    if let reason = progress.withLock({ $0.closing }) {
                        logger.warning("CoT connection dropped: \(reason)", metadata: ["peer": "\(peer)", "party": "\(party?.rawValue ?? "-")"])
                    }
                    // What was read is stored; then the writer, the watchdog and the
                    // picture stop.
                    batcher.finish()
                    await ingester?.value
                    sender.finish()
                    group.cancelAll()
                    while (try? await group.next()) != nil {}
                }
            }
        } catch {
            logger.info("CoT connection closed: \(error)", metadata: ["peer": "\(peer)"])
        }
    }

    /// Whether a message is TAK's `<auth>` (after an optional `<?xml …?>` header).
    package static func isAuth(_ data: Data) -> Bool {
        var rest = data[...]
        if rest.starts(with: Data("<?xml".utf8)), let header = rest.range(of: Data("?>".utf8)) { rest = rest[header.upperBound...] }
        return rest.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }).starts(with: Data("<auth".utf8))
    }

    package static func decode(_ frame: CoTFrame) throws(CoTError) -> CoTEvent {
        switch frame {
        case .xml(let data): try CoTXML.decode(data)
        case .protobuf(let data): try CoTProtobuf.decode(data)
        }
    }

    /// The party of a TAK `<auth>` message: its password is an API key (or bearer
    /// token) of that party, its username the party's id.
    private func authenticate(_ data: Data) async throws -> (PartyID, String) {
        let (username, password) = try CoTXML.decodeAuth(data)
        // Failed authentications are limited per address, as over HTTP.
        let address = connection.channel.remoteAddress?.ipAddress ?? "unknown"
        if service.authenticator.limiter.failures.empty(address) != nil {
            service.metrics.rateLimited(interface: "cot", limit: "address")
            throw CoTError(field: "auth", reason: "too many failed authentications from this address")
        }
        let actor: Actor
        do {
            actor = try await service.authenticator.authenticate(password)
        } catch {
            _ = service.authenticator.limiter.failures.take(address)
            service.metrics.cotEvent("unauthenticated")
            throw CoTError(field: "auth.cot@password", reason: "\(error.reason)")
        }
        guard case .party(let party) = actor else {
            throw CoTError(field: "auth.cot@password", reason: "an operator key does not speak for a party")
        }
        guard party.rawValue == username else {
            service.metrics.cotEvent("unauthenticated")
            // A username that looks like a credential (a key pasted into the wrong field)
            // is not repeated: errors are logged.
            let named = username.hasPrefix("dck_") || username.hasPrefix("eyJ") || username.count > 64 ? "the username given" : username
            throw CoTError(field: "auth.cot@username", reason: "the key is \(party)'s, not \(named)'s")
        }
        return (party, password)
    }

    /// The party of a TLS client: the common name of its verified certificate's subject.
    private func certificateParty() async throws -> PartyID {
        do {
            try await connection.channel.pipeline.handler(type: TLSHandshake.self).get().promise.futureResult.get()
        } catch {
            throw CoTError(field: "tls", reason: "the handshake failed: \(error)")
        }
        guard let certificate = try await connection.channel.nioSSL_peerCertificate().get() else {
            throw CoTError(field: "tls", reason: "no client certificate")
        }
        let parsed = try Certificate(derEncoded: try certificate.toDERBytes())
        var commonName: String?
        for name in parsed.subject {
            for attribute in name where attribute.type == .RDNAttributeType.commonName {
                commonName = String(describing: attribute.value)
            }
        }
        guard let commonName, !commonName.isEmpty else { throw CoTError(field: "tls", reason: "the client certificate has no common name") }
        guard await service.node.read({ $0.parties[PartyID(commonName)] != nil }) else {
            service.metrics.cotEvent("unauthenticated")
            throw CoTError(field: "tls", reason: "the client certificate's common name \(commonName.prefix(64)) is not a party")
        }
        return PartyID(commonName)
    }

    private func write(_ outgoing: AsyncStream<Outgoing>, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        var protobuf = false
        for await item in outgoing {
            switch item {
            case .switchToProtobuf: protobuf = true
            case .event(let event):
                let data = protobuf ? TakProtocol.streamMessage(CoTProtobuf.encode(event)) : event.xml()
                try await outbound.write(ByteBuffer(data: data))
            }
        }
    }

    /// Closes the connection when it breaks a time limit.
    private func watch(_ progress: Shared) async {
        let settings = service.settings
        var checked = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            // The credential, again every few seconds: a revoked key ends the connection.
            if now - checked > settings.credentialCheckInterval, let credential = progress.withLock({ $0.credential }) {
                checked = now
                if (try? await service.authenticator.authenticate(credential, again: true)) == nil {
                    progress.withLock { $0.closing = "its key was revoked or its token expired" }
                    service.metrics.cotEvent("unauthenticated")
                    try? await connection.channel.close()
                    return
                }
            }
            let reason = progress.withLock { state -> String? in
                if state.party == nil, now - state.opened > settings.authenticationTimeout {
                    return "not authenticated within \(settings.authenticationTimeout)"
                }
                if let began = state.messageBegan, now - began > settings.messageTimeout {
                    return "a message not complete within \(settings.messageTimeout)"
                }
                if now - state.lastByte > settings.idleTimeout { return "silent for \(settings.idleTimeout)" }
                return nil
            }
            if let reason {
                progress.withLock { $0.closing = reason }
                service.metrics.cotEvent("timed-out")
                try? await connection.channel.close()
                return
            }
        }
    }
}

