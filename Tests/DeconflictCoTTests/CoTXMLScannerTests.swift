@testable import DeconflictCoT
import DeconflictTestSupport
import Foundation
import Testing

/// The direct reader of plain CoT messages against Foundation's XML parser: on valid,
/// unusual, damaged and random messages the two give the same event or the same error;
/// and the direct time reader against Foundation's ISO 8601 parser.
@Suite("CoT XML scanner")
struct CoTXMLScannerTests {
    static func outcome(_ data: Data, scanner: Bool) -> Result<CoTEvent, CoTError> {
        Result { () throws(CoTError) -> CoTEvent in try CoTXML.decode(data, scanner: scanner) }
    }

    /// Messages as TAK clients and other writers shape them.
    static func message(_ index: Int, random: inout SeededGenerator) -> String {
        let quote = Bool.random(using: &random) ? "\"" : "'"
        func attribute(_ name: String, _ value: String) -> String {
            let space = [" ", "  ", " \n", "\t"].randomElement(using: &random)!
            let around = Int.random(in: 0..<8, using: &random) == 0 ? " " : ""
            return "\(space)\(name)\(around)=\(around)\(quote)\(value)\(quote)"
        }
        let second = String(format: "%02d", Int.random(in: 0..<60, using: &random))
        let fraction = ["", ".5", ".25", ".125", ".999", ".000"].randomElement(using: &random)!
        let time = "2017-06-0\(Int.random(in: 1...9, using: &random))T06:\(second):\(second)\(fraction)Z"
        let names = ["Alpha", "A&amp;B", "&lt;1&gt;", "caf\u{E9}", "&#x41;&#66;", "&quot;q&quot; &apos;a&apos;"]
        var text = ["", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n", "<?xml version='1.0'?>"].randomElement(using: &random)!
        text += "<event" + attribute("version", "2.0") + attribute("uid", "ANDROID-\(index)")
        text += attribute("type", ["a-f-G-U-C", "a-h-A-M-F", "t-x-takp-q", "a-f-A"].randomElement(using: &random)!)
        text += attribute("how", "m-g") + attribute("time", time) + attribute("start", time) + attribute("stale", "2017-06-10T00:00:00Z") + ">"
        text += "<point" + attribute("lat", "\(Double(Int.random(in: -90_000...90_000, using: &random)) / 1000)")
        text += attribute("lon", "\(Double(Int.random(in: -180_000...180_000, using: &random)) / 1000)")
        text += attribute("hae", ["9999999.0", "612.4", "-12"].randomElement(using: &random)!)
        text += attribute("ce", ["9.9", "9999999"].randomElement(using: &random)!) + attribute("le", "9999999") + "/>"
        text += "<detail>"
        if Bool.random(using: &random) { text += "<contact" + attribute("callsign", names.randomElement(using: &random)!) + "/>" }
        if Bool.random(using: &random) { text += "<track" + attribute("speed", "12.5") + attribute("course", "135") + "></track>" }
        if Bool.random(using: &random) { text += #"<__group name="Cyan" role="Team Member"/><remarks>on the road</remarks>"# }
        if Bool.random(using: &random) { text += #"<TakControl><TakRequest version="1"/></TakControl>"# }
        text += "</detail>" + ["", "\n", " "].randomElement(using: &random)! + "</event>"
        return text
    }

    @Test func sameOutcomesAsTheXMLParser() {
        var random = SeededGenerator(seed: 21)
        var scanned = 0
        for index in 0..<2_000 {
            let data = Data(Self.message(index, random: &random).utf8)
            #expect(Self.outcome(data, scanner: true) == Self.outcome(data, scanner: false), "\(String(decoding: data, as: UTF8.self))")
            if CoTXMLScanner.scan(data, root: "event") != nil { scanned += 1 }
        }
        // Most plain messages take the direct path.
        #expect(scanned > 1_500, "\(scanned) of 2000 scanned")
    }

    @Test func sameOutcomesOnUnusualAndBrokenMessages() {
        var seeded = SeededGenerator(seed: 1)
        let base = Self.message(1, random: &seeded)
        let variants = [
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event>",
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event><x/>",
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'/>",
            "<event uid='a' uid='b'><point lat='1' lon='2'/></event>",
            "<event uid='a&bogus;'><point lat='1' lon='2'/></event>",
            "<event uid='a<b'><point lat='1' lon='2'/></event>",
            "<event uid='a'><point lat='1' lon='2'></event></point>",
            "<event uid='a'><point lat='1' lon='2'/>",
            " <?xml version='1.0'?><event uid='a'/>",
            "<?xml version='1.1'?><event uid='a'/>",
            "<?xml version='1.0' encoding='ISO-8859-1'?><event uid='a'/>",
            "<?xml encoding='UTF-8'?><event uid='a'/>",
            "<?pi x?><event uid='a'/>",
            "<event uid='a'><!-- c --><point lat='1' lon='2'/></event>",
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/>text &amp; more</event>",
            "<event uid='a'\u{1}><point lat='1' lon='2'/></event>",
            "<ev:event xmlns:ev='x' uid='a'/>",
            "<event uid='a' type='a-f-G' time='2017-02-29T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event>",
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00.1234Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event>",
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00+00:00' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event>",
            "<event uid='&#0;'/>", "<event uid='&#x110000;'/>", "<event uid='&#xD800;'/>", "<event uid='&#65;'/>",
            "<event uid='a' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat=' 1 ' lon='2'/></event>",
            "<event uid='a'\n type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1'\tlon='2'/></event>",
            "<event uid='a\tb' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event>",
            "<event uid='a'type='b'/>", "<event uid=a/>", "<event/ >", "<1event/>", "<event></event >", "<event></ event>",
            base, base + "<", base.replacingOccurrences(of: "</detail>", with: "</Detail>"),
        ]
        for text in variants {
            let data = Data(text.utf8)
            #expect(Self.outcome(data, scanner: true) == Self.outcome(data, scanner: false), "\(text)")
        }
    }

    @Test func sameOutcomesOnRandomDamage() {
        var random = SeededGenerator(seed: 33)
        let alphabet = Array("<>&\"'=/!-?;#x \n\t:aé".utf8)
        for index in 0..<10_000 {
            var bytes = Array(Self.message(index, random: &random).utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: bytes[at] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                }
            }
            let data = Data(bytes)
            let fast = Self.outcome(data, scanner: true)
            let slow = Self.outcome(data, scanner: false)
            #expect(fast == slow, "\(String(decoding: data, as: UTF8.self))")
            if fast != slow { return }
        }
    }

    @Test func timesAsFoundationReadsThem() throws {
        var random = SeededGenerator(seed: 8)
        for _ in 0..<5_000 {
            let year = Int.random(in: 1970...2100, using: &random), month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...31, using: &random)
            var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, Int.random(in: 0..<24, using: &random),
                              Int.random(in: 0..<60, using: &random), Int.random(in: 0..<60, using: &random))
            let digits = Int.random(in: 0...3, using: &random)
            if digits > 0 { text += "." + (0..<digits).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined() }
            text += "Z"
            let foundation = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
                ?? (try? Date(text, strategy: .iso8601))
            // Foundation also takes days past a month's end (the 31st of September is the
            // 1st of October), and so does the reader still.
            #expect(CoTXML.parseTime(text) == foundation, "\(text)")
        }
    }
}
