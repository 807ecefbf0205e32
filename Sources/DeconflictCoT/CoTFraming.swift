public import Foundation

/// One message cut from a CoT stream or datagram.
public enum CoTFrame: Hashable, Sendable {
    /// An XML `<event>` (or `<auth>`), with its `<?xml …?>` header when it had one.
    case xml(Data)
    /// A TAK protocol version 1 payload: one serialised `TakMessage`.
    case protobuf(Data)
}

/// Cuts a TCP (or TLS) stream into CoT messages, in either of the encodings TAK uses on
/// streams, told apart by their first byte:
/// - XML: `<?xml …?>` then `<event>…</event>` (or `<auth>…</auth>`), one after another;
///   a message ends right after its closing tag.
/// - TAK protocol version 1: the byte `0xBF`, the payload's length as a varint, then the
///   payload (one `TakMessage`).
///
/// Anything else, and any message longer than ``maximumMessageBytes``, is wrong framing:
/// ``next()`` throws and the connection should be dropped.
public struct CoTStreamFramer: Sendable {
    public static let maximumMessageBytes = CoTXML.maximumBytes
    public static let magic: UInt8 = 0xBF

    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for a closing tag resumes (an absolute index into `buffer`).
    private var scanned = 0

    public init() {}

    /// Bytes received and not yet returned in a frame.
    public var pendingBytes: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, nil when more bytes are needed.
    public mutating func next() throws(CoTError) -> CoTFrame? {
        // Whitespace between messages is tolerated.
        while start < buffer.count, Self.isSpace(buffer[start]) { start += 1 }
        if scanned < start { scanned = start }
        guard start < buffer.count else { return nil }
        switch buffer[start] {
        case Self.magic: return try nextProtobuf()
        case UInt8(ascii: "<"): return try nextXML()
        case let byte:
            throw CoTError(field: "stream", reason: "wrong framing: a message starts with byte 0x\(String(byte, radix: 16)), neither '<' (XML) nor 0xBF (TAK protocol)")
        }
    }

    private mutating func nextProtobuf() throws(CoTError) -> CoTFrame? {
        var index = start + 1
        guard let length = try Self.readVarint(buffer, at: &index) else { return nil }
        guard length <= UInt64(Self.maximumMessageBytes) else {
            throw CoTError(field: "stream", reason: "a TAK protocol message of \(length) bytes, more than the limit of \(Self.maximumMessageBytes)")
        }
        let end = index + Int(length)
        guard end <= buffer.count else { return nil }
        let payload = Data(buffer[index..<end])
        start = end
        return .protobuf(payload)
    }

    private static let eventEnd = Array("</event>".utf8)
    private static let authEnd = Array("</auth>".utf8)

    private mutating func nextXML() throws(CoTError) -> CoTFrame? {
        var index = scanned
        let count = buffer.count
        while index < count {
            if buffer[index] == UInt8(ascii: "<") {
                for closing in [Self.eventEnd, Self.authEnd] where index + closing.count <= count {
                    if buffer[index..<(index + closing.count)].elementsEqual(closing) {
                        let end = index + closing.count
                        let message = Data(buffer[start..<end])
                        start = end
                        scanned = end
                        return .xml(message)
                    }
                }
                // Perhaps a closing tag cut at the end of the buffer: look again from
                // here when more arrives.
                if index + Self.eventEnd.count > count { break }
            }
            index += 1
        }
        scanned = index
        if count - start > Self.maximumMessageBytes {
            throw CoTError(field: "stream", reason: "no </event> within \(Self.maximumMessageBytes) bytes")
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// A base-128 varint (least significant group first) of at most 10 bytes; nil when
    /// the buffer ends inside it.
    static func readVarint(_ bytes: [UInt8], at index: inout Int) throws(CoTError) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var position = index
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if shift == 63, byte > 1 { throw CoTError(field: "stream", reason: "a varint longer than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                index = position
                return value
            }
            shift += 7
            if shift > 63 { throw CoTError(field: "stream", reason: "a varint longer than 10 bytes") }
        }
        return nil
    }
}

/// The framing of TAK protocol messages on the wire.
public enum TakProtocol {
    /// A UDP datagram's message: XML, or `0xBF 0x01 0xBF` followed by a `TakMessage`
    /// (the mesh header of TAK protocol version 1). A datagram framed as a stream message
    /// (`0xBF`, the length, the payload: what some senders put in unicast datagrams) is
    /// taken too when its length is exactly the rest of the datagram.
    public static func frame(datagram: Data) throws(CoTError) -> CoTFrame {
        guard let first = datagram.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw CoTError(field: "datagram", reason: "empty")
        }
        if first == UInt8(ascii: "<") { return .xml(datagram) }
        let bytes = [UInt8](datagram)
        guard bytes.count >= 2, bytes[0] == CoTStreamFramer.magic else {
            throw CoTError(field: "datagram", reason: "wrong framing: neither XML nor a TAK protocol header (0xBF)")
        }
        if bytes.count >= 3, bytes[2] == CoTStreamFramer.magic {
            guard bytes[1] == 1 else { throw CoTError(field: "datagram", reason: "TAK protocol version \(bytes[1]) is not supported (1 is)") }
            return .protobuf(Data(bytes[3...]))
        }
        var index = 1
        guard let length = try CoTStreamFramer.readVarint(bytes, at: &index), length == UInt64(bytes.count - index) else {
            throw CoTError(field: "datagram", reason: "wrong framing: neither a mesh header (0xBF 0x01 0xBF) nor a stream header whose length is the datagram's")
        }
        return .protobuf(Data(bytes[index...]))
    }

    /// A stream message: `0xBF`, the length as a varint, the payload.
    public static func streamMessage(_ payload: Data) -> Data {
        Data([CoTStreamFramer.magic]) + varint(UInt64(payload.count)) + payload
    }

    /// A base-128 varint, least significant group first.
    static func varint(_ value: UInt64) -> Data {
        var data = Data()
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest != 0 { byte |= 0x80 }
            data.append(byte)
        } while rest != 0
        return data
    }

    /// A mesh datagram: `0xBF 0x01 0xBF` then the payload.
    public static func meshMessage(_ payload: Data) -> Data {
        Data([0xBF, 0x01, 0xBF]) + payload
    }
}
