@testable import DeconflictCoT
import DeconflictTestSupport
import Foundation
import Testing

/// Cutting TCP streams and UDP datagrams into CoT messages, and the TAK protocol
/// version 1 payload (protobuf): the same events whatever the chunking, the XML and the
/// protobuf encodings agreeing, and hostile or broken input refused with a reason,
/// never a crash.
@Suite("CoT framing and TAK protocol")
struct CoTFramingTests {
    static func event(_ index: Int, random: inout SeededGenerator) -> CoTOutboundEvent {
        let time = Date(timeIntervalSince1970: 1_500_000_000 + Double(index) + Double(Int.random(in: 0..<1000, using: &random)) / 1000)
        let types = ["a-f-G-U-C", "a-f-A-M-F-Q", "a-a-G", "a-h-A-M-F", "b-m-p-s-p-i", "a-f-G-E-V-C"]
        return CoTOutboundEvent(
            uid: "unit-\(index)-\(Int.random(in: 0..<1_000_000, using: &random))", type: types.randomElement(using: &random)!,
            how: "m-g", time: time, stale: time.addingTimeInterval(Double.random(in: 10...600, using: &random)),
            latitude: (Double.random(in: -90...90, using: &random) * 1e6).rounded() / 1e6,
            longitude: (Double.random(in: -180...180, using: &random) * 1e6).rounded() / 1e6,
            heightAboveEllipsoid: Bool.random(using: &random) ? nil : (Double.random(in: -400...20_000, using: &random) * 10).rounded() / 10,
            circularError: Bool.random(using: &random) ? nil : Double(Int.random(in: 0...500, using: &random)),
            linearError: Bool.random(using: &random) ? nil : Double(Int.random(in: 0...500, using: &random)),
            callsign: Bool.random(using: &random) ? nil : "Call <\(index)> & \"sign\"")
    }

    /// The fields both encodings carry, as a decoder returns them.
    static func essentials(_ event: CoTEvent) -> [String] {
        [event.uid, event.type.description, event.how ?? "", "\((event.time.timeIntervalSince1970 * 1000).rounded())", "\((event.stale.timeIntervalSince1970 * 1000).rounded())",
         "\(event.latitude)", "\(event.longitude)", "\(event.heightAboveEllipsoid.map { "\($0)" } ?? "?")",
         "\(event.circularError.map { "\($0)" } ?? "?")", "\(event.linearError.map { "\($0)" } ?? "?")", event.callsign ?? ""]
    }

    static func chunks(_ data: Data, random: inout SeededGenerator) -> [Data] {
        var chunks: [Data] = []
        var index = data.startIndex
        while index < data.endIndex {
            let size = Int.random(in: 1...max(1, min(2_000, data.endIndex - index)), using: &random)
            chunks.append(data[index..<(index + size)])
            index += size
        }
        return chunks
    }

    @Test func xmlAndProtobufEncodingsAgree() throws {
        var random = SeededGenerator(seed: 7)
        for index in 0..<300 {
            let event = Self.event(index, random: &random)
            let fromXML = try CoTXML.decode(event.xml())
            let fromProtobuf = try CoTProtobuf.decode(CoTProtobuf.encode(event))
            #expect(Self.essentials(fromXML) == Self.essentials(fromProtobuf), "event \(index)")
            #expect(fromXML.uid == event.uid && fromXML.latitude == event.latitude && fromXML.callsign == event.callsign)
            #expect(fromProtobuf.heightAboveEllipsoid == event.heightAboveEllipsoid)
            #expect(abs(fromProtobuf.time.timeIntervalSince(event.time)) < 0.001)
        }
    }

    @Test func aStreamIsCutTheSameWayWhateverTheChunks() throws {
        var random = SeededGenerator(seed: 11)
        var stream = Data()
        var expected: [[String]] = []
        for index in 0..<400 {
            let event = Self.event(index, random: &random)
            // XML and TAK protocol messages, as a stream switches from one to the other.
            if index % 3 == 0 {
                stream += TakProtocol.streamMessage(CoTProtobuf.encode(event))
            } else {
                stream += event.xml()
                if index % 5 == 0 { stream += Data("\n  ".utf8) }
            }
            do {
                expected.append(Self.essentials(try CoTXML.decode(event.xml())))
            } catch {
                Issue.record("\(error): \(String(decoding: event.xml(), as: UTF8.self))")
                return
            }
        }
        for _ in 0..<5 {
            var framer = CoTStreamFramer()
            var seen: [[String]] = []
            for chunk in Self.chunks(stream, random: &random) {
                framer.append(chunk)
                while let frame = try framer.next() {
                    switch frame {
                    case .xml(let data):
                        do { seen.append(Self.essentials(try CoTXML.decode(data))) } catch {
                            Issue.record("\(error) \(data.count): \(data.prefix(60).map { String($0, radix: 16) }) ... \(String(decoding: data.suffix(100), as: UTF8.self))")
                            return
                        }
                    case .protobuf(let data): seen.append(Self.essentials(try CoTProtobuf.decode(data)))
                    }
                }
            }
            #expect(seen == expected)
            #expect(framer.pendingBytes == 0)
        }
    }

    @Test func wrongFramingIsRefused() {
        let cases: [(Data, String)] = [
            (Data([0x00, 0x01]), "wrong framing"),
            (Data("hello <event/>".utf8), "wrong framing"),
            // A length over the limit.
            (Data([0xBF, 0xFF, 0xFF, 0x7F]), "more than the limit"),
            // A varint that never ends within 64 bits.
            (Data([0xBF] + Array(repeating: 0xFF, count: 11)), "varint"),
            // XML that never closes.
            (Data(("<event uid='x'>" + String(repeating: "x", count: CoTStreamFramer.maximumMessageBytes + 10)).utf8), "no </event>"),
        ]
        for (input, expected) in cases {
            var framer = CoTStreamFramer()
            framer.append(input)
            do {
                while try framer.next() != nil {}
                Issue.record("no error for \(input.prefix(20).map { String($0, radix: 16) })")
            } catch {
                #expect(error.reason.contains(expected), "\(error)")
            }
        }
        // A message cut short is simply not complete yet.
        var framer = CoTStreamFramer()
        framer.append(TakProtocol.streamMessage(Data(repeating: 1, count: 300)).prefix(100))
        #expect((try? framer.next()) == .some(nil))
    }

    @Test func datagrams() throws {
        var random = SeededGenerator(seed: 3)
        let event = Self.event(1, random: &random)
        let payload = CoTProtobuf.encode(event)
        guard case .protobuf(let body) = try TakProtocol.frame(datagram: TakProtocol.meshMessage(payload)) else {
            Issue.record("a mesh datagram is not protobuf")
            return
        }
        #expect(try CoTProtobuf.decode(body).uid == event.uid)
        guard case .protobuf(let streamed) = try TakProtocol.frame(datagram: TakProtocol.streamMessage(payload)), streamed == payload else {
            Issue.record("a stream-framed datagram is not read")
            return
        }
        guard case .xml = try TakProtocol.frame(datagram: event.xml()) else {
            Issue.record("an XML datagram is not XML")
            return
        }
        for (datagram, expected) in [
            (Data([0xBF, 0x02, 0xBF]) + payload, "version 2"), (Data([0x42]), "wrong framing"), (Data(), "empty"),
            (TakProtocol.streamMessage(payload).dropLast(), "wrong framing"),
        ] {
            #expect(throws: CoTError.self, "\(expected)") { try TakProtocol.frame(datagram: datagram) }
        }
    }

    @Test func protobufRefusesHostileAndBrokenInput() throws {
        var random = SeededGenerator(seed: 5)
        let valid = CoTProtobuf.encode(Self.event(1, random: &random))
        var nested = Data()
        // Field 15 (detail) nested in itself far deeper than any TakMessage.
        for _ in 0..<200 { nested = Data([0x7A]) + Self.varint(nested.count) + nested }
        let cases: [(Data, String)] = [
            (Data(), "cotEvent"),
            (Data([0x12, 0x05, 0x01]), "not a TakMessage"),
            (Data([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), "not a TakMessage"),
            // Refused (it has no time), and read without recursing 200 levels deep.
            (Data([0x12]) + Self.varint(nested.count) + nested, ""),
            (Data(repeating: 0x08, count: CoTXML.maximumBytes + 1), "limit"),
        ]
        for (input, expected) in cases {
            do {
                _ = try CoTProtobuf.decode(input)
                Issue.record("accepted \(input.prefix(16).map { String($0, radix: 16) })")
            } catch {
                #expect(expected.isEmpty || error.description.contains(expected), "\(error)")
            }
        }
        // Random damage to a valid message: an event that passes every check, or an
        // error; never a crash.
        var decoded = 0
        for _ in 0..<5_000 {
            var bytes = [UInt8](valid)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            case 1: bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random))
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
            default: bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            if let event = try? CoTProtobuf.decode(Data(bytes)) {
                decoded += 1
                #expect(!event.uid.isEmpty && (-90...90).contains(event.latitude) && (-180...180).contains(event.longitude))
                #expect(event.stale >= event.time)
            }
        }
        #expect(decoded < 5_000)
    }

    static func varint(_ value: Int) -> Data { TakProtocol.varint(UInt64(value)) }

    @Test func authMessages() throws {
        let auth = try CoTXML.decodeAuth(Data(#"<?xml version="1.0"?><auth><cot username="coalition" password="dck_x.y" uid="A"/></auth>"#.utf8))
        #expect(auth.username == "coalition" && auth.password == "dck_x.y")
        #expect(throws: CoTError.self) { try CoTXML.decodeAuth(Data(#"<auth><cot username="coalition"/></auth>"#.utf8)) }
        #expect(throws: CoTError.self) { try CoTXML.decodeAuth(Data(#"<event uid="x"/>"#.utf8)) }
        // The framer ends an auth message at </auth>.
        var framer = CoTStreamFramer()
        framer.append(Data(#"<auth><cot username="a" password="b"/></auth><?xml version="1.0"?><event"#.utf8))
        guard case .xml(let first) = try framer.next() else {
            Issue.record("no auth frame")
            return
        }
        #expect(String(decoding: first, as: UTF8.self).hasSuffix("</auth>"))
        #expect(try framer.next() == nil)
    }
}
