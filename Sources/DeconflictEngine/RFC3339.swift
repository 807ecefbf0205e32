public import Foundation

/// RFC 3339 times, the one place they are read and written: written in UTC to the
/// microsecond (``format(_:)``, the ledger's times), without trailing zeros
/// (``shortest(_:)``, the REST API's) or to the millisecond (``milliseconds(_:)``,
/// Cursor-on-Target's); read with every digit of the fraction of a second kept.
public enum RFC3339 {
    /// Reads RFC 3339 with every digit of the fraction of a second kept (to the
    /// precision of `Date`, better than a microsecond today): Foundation's ISO 8601
    /// reader keeps milliseconds only, so the fraction is read apart. A client that
    /// compares the times it sent with those it reads back (the InterUSS prober does,
    /// to the microsecond) gets them back exactly.
    public static func parse(_ text: String) -> Date? {
        // RFC 3339 allows a lowercase t and z.
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

    /// RFC 3339 in UTC with microseconds, as the ledger writes times:
    /// `2026-11-26T06:00:00.000000Z`.
    public static func format(_ date: Date) -> String {
        let (seconds, fraction) = split(date)
        return wholeSeconds(seconds) + String(format: ".%06lldZ", fraction)
    }

    /// The date of a time written by ``format(_:)`` (exactly that shape), at the instant
    /// ``instant(_:)`` gives.
    public static func parseFormatted(_ text: String) -> Date? {
        guard text.count == 27, text.hasSuffix("Z"), let dot = text.lastIndex(of: "."),
              let micros = Int64(text[text.index(after: dot)..<text.index(before: text.endIndex)]),
              let seconds = try? Date(String(text[..<dot]) + "Z", strategy: .iso8601)
        else { return nil }
        return instant(seconds: Int64(seconds.timeIntervalSince1970), micros: micros)
    }

    /// `date` to the microsecond: exactly the date its ``format(_:)`` reads back as.
    public static func instant(_ date: Date) -> Date {
        let (seconds, micros) = split(date)
        return instant(seconds: seconds, micros: micros)
    }

    /// RFC 3339 in UTC to the millisecond, rounded: `2026-11-26T06:00:00.250Z`.
    public static func milliseconds(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        return wholeSeconds(Int64(seconds)) + String(format: ".%03dZ", Int(milliseconds - seconds * 1000))
    }

    private static func instant(seconds: Int64, micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// `2026-11-26T06:00:00`, UTC, without a zone.
    private static func wholeSeconds(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds))
            .formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
                .dateSeparator(.dash).timeSeparator(.colon).dateTimeSeparator(.standard))
    }

    /// A time split as the ledger keeps it: whole seconds since 1970 and microseconds.
    private static func split(_ date: Date) -> (seconds: Int64, micros: Int64) {
        var micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        if !micros.isFinite { micros = 0 }
        let whole = Int64(micros)
        let seconds = whole >= 0 ? whole / 1_000_000 : (whole - 999_999) / 1_000_000
        return (seconds, whole - seconds * 1_000_000)
    }

    /// RFC 3339 in UTC to the microsecond, with a fraction of a second only when there is
    /// one and without its trailing zeros (`…T12:00:00Z`, `…T12:00:00.25Z`), as the REST
    /// API writes times.
    public static func shortest(_ date: Date) -> String {
        var text = format(date)
        text.removeLast()  // Z
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text + "Z"
    }

    /// A JSON decoder that reads dates with ``parse(_:)``.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        return decoder
    }

    /// A JSON encoder with sorted keys, unescaped slashes and dates to the microsecond
    /// (``format(_:)``), or with `shortest`, without trailing zeros (``shortest(_:)``).
    public static func encoder(shortest: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(shortest ? RFC3339.shortest(date) : format(date))
        }
        return encoder
    }
}
