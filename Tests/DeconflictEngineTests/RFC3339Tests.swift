import DeconflictEngine
import DeconflictTestSupport
import Foundation
import Testing

/// RFC 3339 is read and written by integer arithmetic over the bytes; Foundation's ISO
/// 8601 reader and writer, as the service used them before, are the reference.
@Suite("RFC 3339 without Foundation, held to Foundation")
struct RFC3339Tests {
    // MARK: The reference: Foundation

    /// The reader as it was: Foundation's ISO 8601 reader for the whole seconds, the
    /// fraction read apart so every digit counts.
    static func referenceParse(_ text: String) -> Date? {
        var text = text.uppercased()
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 18, let value = Double("0." + digits) else { return nil }
            fraction = value
            text.removeSubrange(dot..<digits.endIndex)
        }
        guard let whole = try? Date(text, strategy: .iso8601) else { return nil }
        return Date(timeIntervalSinceReferenceDate: whole.timeIntervalSinceReferenceDate + fraction)
    }

    static func referenceWholeSeconds(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds))
            .formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
                .dateSeparator(.dash).timeSeparator(.colon).dateTimeSeparator(.standard))
    }

    static func referenceSplit(_ date: Date) -> (seconds: Int64, micros: Int64) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let whole = Int64(micros)
        let seconds = whole >= 0 ? whole / 1_000_000 : (whole - 999_999) / 1_000_000
        return (seconds, whole - seconds * 1_000_000)
    }

    static func referenceFormat(_ date: Date) -> String {
        let (seconds, fraction) = referenceSplit(date)
        return referenceWholeSeconds(seconds) + String(format: ".%06lldZ", fraction)
    }

    static func referenceMilliseconds(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        return referenceWholeSeconds(Int64(seconds)) + String(format: ".%03dZ", Int(milliseconds - seconds * 1000))
    }

    static func referenceShortest(_ date: Date) -> String {
        var text = referenceFormat(date)
        text.removeLast()
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text + "Z"
    }

    // MARK: Generated times

    static func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }

    /// A valid RFC 3339 time: any day of 1600 to 2400 (now and then of 0001 to 9999), a
    /// fraction of 0 to 18 digits, `Z`, `z` or an offset up to 18 hours, `T` or `t`.
    static func validTime(_ rng: inout SeededGenerator) -> String {
        let year = Int.random(in: 0..<10, using: &rng) == 0 ? Int.random(in: 1...9999, using: &rng) : Int.random(in: 1600...2400, using: &rng)
        let month = Int.random(in: 1...12, using: &rng)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        var text = "\(digits(year, 4))-\(digits(month, 2))-\(digits(Int.random(in: 1...days, using: &rng), 2))"
        text += Bool.random(using: &rng) ? "T" : "t"
        text += "\(digits(Int.random(in: 0...23, using: &rng), 2)):\(digits(Int.random(in: 0...59, using: &rng), 2)):\(digits(Int.random(in: 0...59, using: &rng), 2))"
        let fractionDigits = Int.random(in: 0...18, using: &rng)
        if fractionDigits > 0 {
            text += "." + String((0..<fractionDigits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
        }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: text += "Z"
        case 1: text += "z"
        default:
            text += Bool.random(using: &rng) ? "+" : "-"
            // Foundation takes offsets up to 18 hours, as RFC3339.parse does.
            let minutes = Int.random(in: 0...18 * 60, using: &rng)
            text += "\(digits(minutes / 60, 2)):\(digits(minutes % 60, 2))"
        }
        return text
    }

    /// `text` with one byte replaced, removed or added.
    static func mutated(_ text: String, _ rng: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array("0123456789-:.TtZz+ x/".utf8) + [0xC3]
        let position = Int.random(in: 0...bytes.count - 1, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: bytes[position] = alphabet.randomElement(using: &rng)!
        case 1: bytes.remove(at: position)
        default: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Tests

    @Test("valid times read as Foundation reads them, to the last bit", arguments: [1, 2, 3] as [UInt64])
    func validTimesReadAsFoundation(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<4_000 {
            let text = Self.validTime(&rng)
            let expected = Self.referenceParse(text)
            #expect(expected != nil, "the reference refuses \(text)")
            #expect(RFC3339.parse(text) == expected, "\(text)")
        }
    }

    @Test("mistyped times are refused where Foundation refuses them", arguments: [4, 5, 6] as [UInt64])
    func mistypedTimesAsFoundation(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var refused = 0
        for _ in 0..<4_000 {
            let text = Self.mutated(Self.validTime(&rng), &rng)
            let parsed = RFC3339.parse(text)
            #expect(parsed == Self.referenceParse(text), "\(text)")
            if parsed == nil { refused += 1 }
        }
        // Most mutations break a time; some (a digit for a digit) leave one.
        #expect(refused > 1_000)
    }

    @Test("edges read as Foundation reads them")
    func edges() {
        for text in [
            "2024-02-29T00:00:00Z", "2000-02-29T23:59:59.999999999Z", "2026-12-31T23:59:59+18:00", "1583-01-01T00:00:00Z",
            "1582-12-31T23:59:59Z", "1582-10-04T12:00:00Z", "9999-12-31T23:59:59-18:00",
            // Shapes RFC 3339 has not, which Foundation takes or refuses in its own way.
            "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:60Z", "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00+18:01", "2026-1-01T00:00:00Z",
            "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z", "2026-01-01 00:00:00Z", "",
        ] {
            #expect(RFC3339.parse(text) == Self.referenceParse(text), "\(text)")
        }
        #expect(RFC3339.parse("2026-11-26T08:00:00+02:00") == RFC3339.parse("2026-11-26T06:00:00Z"))
        #expect(RFC3339.parse("2026-11-26T08:00:00-18:00") == RFC3339.parse("2026-11-27T02:00:00Z"))
        #expect(RFC3339.parse("2026-01-01T00:00:00.123456789012345678Z") != nil)
        #expect(RFC3339.parse("2026-01-01T00:00:00.1234567890123456789Z") == nil)
    }

    @Test("times are written as Foundation writes them", arguments: [7, 8, 9] as [UInt64])
    func writtenAsFoundation(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for round in 0..<4_000 {
            // From 1600 to 2400, with a whole microsecond now and then and noise below it.
            var seconds = Double(Int64.random(in: -11_676_096_000...13_574_563_200, using: &rng))
            if round % 3 == 0 { seconds += Double(Int.random(in: 0..<1_000_000, using: &rng)) / 1_000_000 }
            if round % 3 == 1 { seconds += Double.random(in: 0..<1, using: &rng) }
            let date = Date(timeIntervalSince1970: seconds)
            #expect(RFC3339.format(date) == Self.referenceFormat(date))
            #expect(RFC3339.shortest(date) == Self.referenceShortest(date))
            #expect(RFC3339.milliseconds(date) == Self.referenceMilliseconds(date))
            #expect(RFC3339.parseFormatted(RFC3339.format(date)) == RFC3339.instant(date))
        }
    }
}
