import DeconflictCoT
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix

/// The same reports as Cursor-on-Target, streamed to the server's CoT TCP listener the
/// way a TAK server forwards its clients' positions: one connection per gateway, TAK's
/// `<auth>` first, then events back to back, XML or TAK protocol version 1 (protobuf).
enum CoTEncoding: String, Sendable {
    case xml, protobuf

    /// A batch of reports as one stream chunk (the events concatenated).
    func encode(_ reports: [WireReport]) -> EncodedBatch {
        var data = Data()
        data.reserveCapacity(reports.count * (self == .xml ? 330 : 120))
        for report in reports {
            let time = Date(timeIntervalSince1970: Double(report.millis) / 1_000)
            let event = CoTOutboundEvent(
                uid: report.unit, type: "a-f-G-U-C", how: "m-g", time: time, stale: time.addingTimeInterval(300),
                latitude: report.position.latitude, longitude: report.position.longitude, heightAboveEllipsoid: 0,
                circularError: 10, detail: #"<track speed="\#(report.speed)" course="\#(report.course)"/>"#)
            switch self {
            case .xml: data.append(event.xml())
            case .protobuf: data.append(TakProtocol.streamMessage(CoTProtobuf.encode(event)))
            }
        }
        return EncodedBatch(body: ByteBuffer(data: data), reports: reports.count, latestMillis: reports.map(\.millis).max() ?? 0)
    }
}

/// One CoT connection, authenticated as `party`.
struct CoTConnection: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func open(port: Int, party: String, key: String) async throws -> CoTConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        return CoTConnection(channel: channel)
    }

    /// Sends the auth message and then every batch, discarding what the server sends
    /// (its zones); then closes its side and waits until the server, having read
    /// everything, closes the connection.
    func run(party: String, key: String, _ send: @Sendable (NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void) async throws {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: #"<?xml version="1.0"?><auth><cot username="\#(party)" password="\#(key)"/></auth>"#))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for try await _ in inbound {} }
                try await send(outbound)
                outbound.finish()
                try await group.waitForAll()
            }
        }
    }
}

extension ServerAPI {
    /// `deconflict_cot_events_total{result="accepted"}` from `/metrics`.
    func cotAccepted() async throws -> Int {
        try await cotCounts()["accepted"] ?? 0
    }

    /// `deconflict_cot_events_total` by result (accepted, refused, ignored, malformed…).
    func cotCounts() async throws -> [String: Int] {
        let text = try await send(.GET, "/metrics", key: "").text
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("deconflict_cot_events_total{") {
            guard let start = line.range(of: #"result=""#), let end = line[start.upperBound...].firstIndex(of: "\""),
                  let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { continue }
            counts[String(line[start.upperBound..<end])] = Int(value)
        }
        return counts
    }
}
