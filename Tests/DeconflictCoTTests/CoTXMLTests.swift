import DeconflictCoT
import DeconflictTestSupport
import Foundation
import Testing

/// Reading CoT XML: the events TAK clients send, and everything hostile or broken a
/// network can bring (entity expansion, external entities, oversize, wrong root, bad
/// values, random damage), refused with the field and the reason, never a crash.
@Suite("CoT XML")
struct CoTXMLTests {
    static let convoy = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <event version="2.0" uid="ANDROID-A1" type="a-f-G-U-C" how="m-g" time="2017-06-06T06:00:00.000Z" \
    start="2017-06-06T06:00:00.000Z" stale="2017-06-06T06:05:00.000Z"><point lat="33.55" lon="38.6" hae="612.4" ce="9.9" le="9999999.0"/>\
    <detail><contact callsign="A1 convoy"/><__group name="Cyan" role="Team Member"/></detail></event>
    """

    @Test func readsAnEventAsTAKSendsIt() throws {
        let event = try CoTXML.decode(Data(Self.convoy.utf8))
        #expect(event.uid == "ANDROID-A1")
        #expect(event.type.description == "a-f-G-U-C")
        #expect(event.type.affiliation == .friend)
        #expect(event.type.dimension == .ground)
        #expect(event.latitude == 33.55 && event.longitude == 38.6)
        #expect(event.heightAboveEllipsoid == 612.4)
        #expect(event.circularError == 9.9)
        #expect(event.linearError == nil, "9999999 means unknown")
        #expect(event.callsign == "A1 convoy")
        #expect(event.stale.timeIntervalSince(event.time) == 300)
        let hostileAir = try CoTXML.decode(Data(Self.convoy.replacingOccurrences(of: "a-f-G-U-C", with: "a-h-A-M-F").utf8))
        #expect(hostileAir.type.affiliation == .hostile && hostileAir.type.dimension == .air)
    }

    @Test func refusesHostileAndBrokenInput() {
        let laughs = """
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><event uid="&lol3;"/>
        """
        let external = """
        <?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><event uid="&x;"/>
        """
        let cases: [(String, String)] = [
            (laughs, "declarations"),
            (external, "declarations"),
            ("<event uid='x'", "not well-formed"),
            ("<message/>", "root element"),
            (Self.convoy.replacingOccurrences(of: "lat=\"33.55\"", with: "lat=\"133.55\""), "point@lat"),
            (Self.convoy.replacingOccurrences(of: "lon=\"38.6\"", with: "lon=\"east\""), "point@lon"),
            (Self.convoy.replacingOccurrences(of: " uid=\"ANDROID-A1\"", with: ""), "event@uid"),
            (Self.convoy.replacingOccurrences(of: "stale=\"2017-06-06T06:05:00.000Z\"", with: "stale=\"soon\""), "event@stale"),
            (Self.convoy.replacingOccurrences(of: "a-f-G-U-C", with: "a f G"), "event@type"),
            (Self.convoy.replacingOccurrences(of: "<point lat=\"33.55\" lon=\"38.6\" hae=\"612.4\" ce=\"9.9\" le=\"9999999.0\"/>", with: ""), "event.point"),
            (String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40), "root element"),
            ("<event>" + String(repeating: "<d>", count: 40) + String(repeating: "</d>", count: 40) + "</event>", "deep"),
            (Self.convoy + String(repeating: " ", count: CoTXML.maximumBytes), "limit"),
        ]
        for (input, expected) in cases {
            do {
                _ = try CoTXML.decode(Data(input.utf8))
                Issue.record("accepted: \(input.prefix(80))")
            } catch {
                #expect("\(error)".contains(expected), "\(error) for \(input.prefix(80))")
            }
        }
    }

    /// Random damage to a valid event: every outcome is an event or a CoTError.
    @Test func survivesRandomDamage() {
        var random = SeededGenerator(seed: 5)
        let bytes = Array(Self.convoy.utf8)
        var accepted = 0, refused = 0
        for _ in 0..<5_000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: damaged[at] = UInt8.random(in: 0...255, using: &random)
                case 1: damaged.remove(at: at)
                default: damaged.insert(Array("<>&\"'=/!-".utf8).randomElement(using: &random)!, at: at)
                }
            }
            do {
                let event = try CoTXML.decode(Data(damaged))
                #expect((-90...90).contains(event.latitude) && !event.uid.isEmpty)
                accepted += 1
            } catch {
                refused += 1
            }
        }
        #expect(accepted > 100 && refused > 100, "accepted \(accepted), refused \(refused)")
    }
}
