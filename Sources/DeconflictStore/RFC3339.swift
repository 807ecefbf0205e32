public import Foundation

/// RFC 3339 times, as the ledger and the interfaces read and write them: written in UTC
/// to the microsecond (``Ledger/timestamp(_:)``), read with every digit of the fraction
/// of a second kept.
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

    /// RFC 3339 in UTC with microseconds, as the ledger writes times.
    public static func format(_ date: Date) -> String { Ledger.timestamp(date) }

    /// RFC 3339 in UTC to the microsecond, with a fraction of a second only when there is
    /// one and without its trailing zeros (`…T12:00:00Z`, `…T12:00:00.25Z`), as the REST
    /// API writes times.
    public static func shortest(_ date: Date) -> String {
        var text = Ledger.timestamp(date)
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

    /// A JSON encoder with sorted keys, unescaped slashes and dates to the microsecond.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Ledger.timestamp(date))
        }
        return encoder
    }
}
