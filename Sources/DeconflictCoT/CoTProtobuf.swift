public import Foundation
import SwiftProtobuf

/// Reads and writes the payload of TAK protocol version 1 (a `TakMessage`, protocol
/// buffers) with swift-protobuf's generated code (`takmessage.pb.swift`).
public enum CoTProtobuf {
    /// The value the protobuf encoding uses for "unknown" in `hae`, `ce` and `le`
    /// (smaller than XML's 9999999).
    public static let unknown = 999_999.0

    /// The event of a `TakMessage`; the same checks as ``CoTXML/decode(_:)``.
    public static func decode(_ payload: Data) throws(CoTError) -> CoTEvent {
        guard payload.count <= CoTXML.maximumBytes else {
            throw CoTError(field: "takMessage", reason: "\(payload.count) bytes, more than the limit of \(CoTXML.maximumBytes)")
        }
        let message: TakProtoTakMessage
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 16
            message = try TakProtoTakMessage(serializedBytes: payload, options: options)
        } catch {
            throw CoTError(field: "takMessage", reason: "not a TakMessage: \(error)")
        }
        guard message.hasCotEvent else { throw CoTError(field: "takMessage.cotEvent", reason: "missing") }
        let event = message.cotEvent
        func date(_ milliseconds: UInt64, _ field: String) throws(CoTError) -> Date? {
            guard milliseconds != 0 else { return nil }
            // Beyond year 9999 is not a time anybody means.
            guard milliseconds < 253_402_300_800_000 else { throw CoTError(field: "cotEvent.\(field)", reason: "out of range: \(milliseconds)") }
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        guard let time = try date(event.sendTime, "sendTime") else { throw CoTError(field: "cotEvent.sendTime", reason: "missing") }
        guard let stale = try date(event.staleTime, "staleTime") else { throw CoTError(field: "cotEvent.staleTime", reason: "missing") }
        let detail = event.hasDetail ? event.detail : nil
        let track = detail?.hasTrack == true ? detail?.track : nil
        let callsign = detail?.hasContact == true ? detail?.contact.callsign : nil
        return try CoTEvent.validated(
            uid: event.uid, type: event.type, how: event.how.isEmpty ? nil : event.how, time: time,
            start: try date(event.startTime, "startTime"), stale: stale, latitude: event.lat, longitude: event.lon,
            heightAboveEllipsoid: event.hae, circularError: event.ce, linearError: event.le, unknownAtOrAbove: unknown,
            callsign: callsign.flatMap { $0.isEmpty ? nil : $0 }, speed: track?.speed, course: track?.course, takProtocolRequest: nil)
    }

    /// A `TakMessage` carrying `event`; its detail goes as XML text (`xmlDetail`) apart
    /// from the contact, which has a field of its own.
    public static func encode(_ event: CoTOutboundEvent) -> Data {
        var message = TakProtoTakMessage()
        message.cotEvent.type = event.type
        message.cotEvent.uid = event.uid
        message.cotEvent.how = event.how
        message.cotEvent.sendTime = milliseconds(event.time)
        message.cotEvent.startTime = milliseconds(event.start)
        message.cotEvent.staleTime = milliseconds(event.stale)
        message.cotEvent.lat = event.latitude
        message.cotEvent.lon = event.longitude
        message.cotEvent.hae = event.heightAboveEllipsoid ?? unknown
        message.cotEvent.ce = event.circularError ?? unknown
        message.cotEvent.le = event.linearError ?? unknown
        if let callsign = event.callsign { message.cotEvent.detail.contact.callsign = callsign }
        if !event.detail.isEmpty { message.cotEvent.detail.xmlDetail = event.detail }
        return (try? message.serializedData()) ?? Data()
    }

    static func milliseconds(_ date: Date) -> UInt64 {
        UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded()))
    }
}
