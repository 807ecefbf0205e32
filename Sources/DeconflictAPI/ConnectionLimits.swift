import DeconflictAccess
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// What one client may hold of the HTTP listener, so that slow or idle clients (a
/// slowloris: many connections, each sending its request's head a byte at a time)
/// cannot keep others out:
///
/// - ``headerTimeout``: a connection that has not sent a whole request head within this
///   time of opening is closed; bytes that do not complete the head do not extend it.
///   Later requests on the same connection have as long from the last answer
///   (Hummingbird's idle timeout). A request being answered (a stream included) is not
///   idle.
/// - ``maximumConnections``: connections open at once; one more is closed as soon as it
///   is accepted, before anything is read (counted in
///   `deconflict_http_connections_refused_total`).
public struct HTTPConnectionLimits: Sendable {
    public var headerTimeout: Duration = .seconds(30)
    public var maximumConnections = 4_096

    public init() {}
}

/// The connections open, shared by the guards of every connection.
final class ConnectionCount: Sendable {
    let open = Atomic<Int>(0)
}

/// A server child channel with a ``ConnectionGuard`` first in its pipeline (after TLS
/// when the listener has it), then the wrapped channel's handlers.
struct GuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let limits: HTTPConnectionLimits
    let count: ConnectionCount
    let metrics: ServerMetrics

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, count: count, metrics: metrics))
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Counts its connection among the open ones while it lasts, closing it at once when
/// that makes more than the limit, and closes it when the first request's head (up to its
/// blank line) has not arrived within the header timeout.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limits: HTTPConnectionLimits
    private let count: ConnectionCount
    private let metrics: ServerMetrics
    private var counted = false
    private var deadline: Scheduled<Void>?
    private var waitingForHead = true
    /// The last bytes read while waiting, to find a blank line split across reads.
    private var tail: [UInt8] = []

    init(limits: HTTPConnectionLimits, count: ConnectionCount, metrics: ServerMetrics) {
        self.limits = limits
        self.count = count
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        if count.open.wrappingAdd(1, ordering: .relaxed).newValue > limits.maximumConnections {
            metrics.httpConnectionRefused()
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(limits.headerTimeout)) {
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            count.open.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if waitingForHead {
            // Only the first request's head is looked for; the bytes are not changed.
            let window = tail + Array(unwrapInboundIn(data).readableBytesView)
            if Self.containsBlankLine(window) {
                waitingForHead = false
                deadline?.cancel()
                deadline = nil
                tail = []
            } else {
                tail = Array(window.suffix(3))
            }
        }
        context.fireChannelRead(data)
    }

    /// Whether `bytes` hold the end of a request head: CRLF CRLF (or LF LF).
    static func containsBlankLine(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        for index in 1..<bytes.count where bytes[index] == 0x0A {
            if bytes[index - 1] == 0x0A { return true }
            if index >= 3, bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D { return true }
        }
        return false
    }
}
