public import Foundation

/// RFC 3339 times, the one place they are read and written: written in UTC to the
/// microsecond (``format(_:)``, the ledger's times), without trailing zeros
/// (``shortest(_:)``, the REST API's) or to the millisecond (``milliseconds(_:)``,
/// Cursor-on-Target's); read with every digit of the fraction of a second kept.
///
/// Reading and writing are integer arithmetic over the bytes (the civil calendar's days
/// by Howard Hinnant's `days_from_civil` and `civil_from_days`), with no formatter,
/// calendar or locale: every report of a batch and every Cursor-on-Target event has its
/// times read here, and every ledger entry its time written. Foundation's ISO 8601
/// reader and writer, which the service used before, still take what the arithmetic
/// leaves (years before 1583; shapes other than RFC 3339's), and the tests hold the two
/// to the same answers.
public enum RFC3339 {
    /// Reads RFC 3339 with every digit of the fraction of a second kept (up to 18), to
    /// the precision of `Date` (better than a microsecond today). A client that compares
    /// the times it sent with those it reads back (the InterUSS prober does, to the
    /// microsecond) gets them back exactly.
    ///
    /// A well-formed time (`2026-11-26T06:00:00Z`, `…T06:00:00.123456789+02:00`, `t` and
    /// `z` in lowercase too) of 1583 or later, which is every time this service writes
    /// and, in practice, every time a client sends, is read by integer arithmetic over
    /// its bytes. Anything else goes to Foundation's ISO 8601 reader as it always did:
    /// it takes some shapes RFC 3339 does not (an offset without its colon, a 61st
    /// minute carried into the next hour), so a request or a ledger entry read before
    /// reads the same now.
    public static func parse(_ text: String) -> Date? {
        var text = text
        if let date = text.withUTF8({ bytes in
            read(bytes).map { Date(timeIntervalSinceReferenceDate: Double($0.seconds - secondsFrom1970ToReference) + $0.fraction.value) }
        }) {
            return date
        }
        return parseWithFoundation(text)
    }

    /// RFC 3339 in UTC with microseconds, as the ledger writes times:
    /// `2026-11-26T06:00:00.000000Z`.
    public static func format(_ date: Date) -> String {
        let (seconds, micros) = split(date)
        return write(seconds: seconds, fraction: micros, digits: 6)
    }

    /// The date of a time written by ``format(_:)`` (exactly that shape), at the instant
    /// ``instant(_:)`` gives.
    public static func parseFormatted(_ text: String) -> Date? {
        var text = text
        if let date = text.withUTF8({ bytes -> Date? in
            guard bytes.count == 27, bytes[26] == UInt8(ascii: "Z"), let time = read(bytes), time.fraction.digits == 6 else { return nil }
            return instant(seconds: Int64(time.seconds), micros: Int64(time.fraction.numerator))
        }) {
            return date
        }
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
        var milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        if !milliseconds.isFinite { milliseconds = 0 }
        let whole = Int64(milliseconds)
        let seconds = whole >= 0 ? whole / 1000 : (whole - 999) / 1000
        return write(seconds: seconds, fraction: whole - seconds * 1000, digits: 3)
    }

    /// RFC 3339 in UTC to the microsecond, with a fraction of a second only when there is
    /// one and without its trailing zeros (`…T12:00:00Z`, `…T12:00:00.25Z`), as the REST
    /// API writes times.
    public static func shortest(_ date: Date) -> String {
        var (seconds, micros) = split(date)
        var digits = 6
        while digits > 0, micros % 10 == 0 {
            micros /= 10
            digits -= 1
        }
        return write(seconds: seconds, fraction: micros, digits: digits)
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

    // MARK: The arithmetic

    /// Seconds from 1970-01-01 to 2001-01-01, `Date`'s reference date.
    private static let secondsFrom1970ToReference = 978_307_200

    private static func instant(seconds: Int64, micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// A time split as the ledger keeps it: whole seconds since 1970 and microseconds.
    private static func split(_ date: Date) -> (seconds: Int64, micros: Int64) {
        var micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        if !micros.isFinite { micros = 0 }
        let whole = Int64(micros)
        let seconds = whole >= 0 ? whole / 1_000_000 : (whole - 999_999) / 1_000_000
        return (seconds, whole - seconds * 1_000_000)
    }

    /// A time's fraction of a second as written: its digits as an integer, how many
    /// there were, and the value they stand for (correctly rounded, as `Double("0.…")`).
    private struct Fraction {
        var numerator: UInt64 = 0
        var digits = 0
        var value: Double {
            guard digits > 0 else { return 0 }
            // Both exact, so the quotient is the correctly rounded decimal.
            if numerator < 1 << 53 { return Double(numerator) / powersOfTen[digits] }
            let text = String(numerator)
            return Double("0." + String(repeating: "0", count: digits - text.count) + text) ?? 0
        }
    }

    private static let powersOfTen: [Double] = (0...18).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// The first year wholly in the Gregorian calendar. Foundation counts earlier dates
    /// in the Julian calendar (10 days apart by 1582); times of those years are read and
    /// written by Foundation, as they always were.
    private static let firstGregorianYear = 1583
    private static let firstGregorianSecond = Int64(daysSince1970(year: firstGregorianYear, month: 1, day: 1)) * 86_400

    /// Seconds since 1970 (UTC) and the fraction of a second of a well-formed RFC 3339
    /// time of ``firstGregorianYear`` or later, with an offset of at most 18 hours (the
    /// most Foundation takes); nil for anything else.
    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> (seconds: Int, fraction: Fraction)? {
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte &- UInt8(ascii: "0") < 10 else { return nil }
                value = value * 10 + Int(byte &- UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func take(_ byte: UInt8, or other: UInt8? = nil) -> Bool {
            guard index < bytes.count, bytes[index] == byte || bytes[index] == other else { return false }
            index += 1
            return true
        }
        guard let year = number(4), take(UInt8(ascii: "-")),
              let month = number(2), take(UInt8(ascii: "-")),
              let day = number(2), take(UInt8(ascii: "T"), or: UInt8(ascii: "t")),
              let hour = number(2), take(UInt8(ascii: ":")),
              let minute = number(2), take(UInt8(ascii: ":")),
              let second = number(2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction = Fraction()
        if take(UInt8(ascii: ".")) {
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                guard fraction.digits < 18 else { return nil }
                fraction.numerator = fraction.numerator * 10 + UInt64(bytes[index] &- UInt8(ascii: "0"))
                fraction.digits += 1
                index += 1
            }
            guard fraction.digits > 0 else { return nil }
        }
        var offset = 0
        if !take(UInt8(ascii: "Z"), or: UInt8(ascii: "z")) {
            let sign: Int
            if take(UInt8(ascii: "+")) {
                sign = 1
            } else if take(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return nil
            }
            guard let hours = number(2), take(UInt8(ascii: ":")), let minutes = number(2), minutes < 60,
                  hours * 60 + minutes <= 18 * 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard index == bytes.count else { return nil }
        guard year >= firstGregorianYear else { return nil }
        let days = daysSince1970(year: year, month: month, day: day)
        return (days * 86_400 + hour * 3600 + minute * 60 + second - offset, fraction)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, then `.` and `fraction` in `digits` digits when there are
    /// any, then `Z`; `seconds` since 1970.
    private static func write(seconds: Int64, fraction: Int64, digits: Int) -> String {
        guard seconds >= firstGregorianSecond else {
            let text = Date(timeIntervalSince1970: TimeInterval(seconds))
                .formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
                    .dateSeparator(.dash).timeSeparator(.colon).dateTimeSeparator(.standard))
            guard digits > 0 else { return text + "Z" }
            let fractionText = String(fraction)
            return text + "." + String(repeating: "0", count: max(0, digits - fractionText.count)) + fractionText + "Z"
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civil(daysSince1970: Int(days))
        let within = Int(seconds - days * 86_400)
        let length = 20 + (digits > 0 ? digits + 1 : 0)
        return String(unsafeUninitializedCapacity: length) { buffer in
            var index = 0
            func put(_ value: Int, _ count: Int) {
                var value = value
                for position in stride(from: index + count - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                index += count
            }
            func put(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            put(min(max(year, 0), 9999), 4)
            put(UInt8(ascii: "-"))
            put(month, 2)
            put(UInt8(ascii: "-"))
            put(day, 2)
            put(UInt8(ascii: "T"))
            put(within / 3600, 2)
            put(UInt8(ascii: ":"))
            put(within / 60 % 60, 2)
            put(UInt8(ascii: ":"))
            put(within % 60, 2)
            if digits > 0 {
                put(UInt8(ascii: "."))
                put(Int(fraction), digits)
            }
            put(UInt8(ascii: "Z"))
            return index
        }
    }

    /// Foundation's reader, for what ``read(_:)`` leaves: the whole seconds by its ISO
    /// 8601 reader (which keeps milliseconds only), the fraction read apart so every
    /// digit counts.
    private static func parseWithFoundation(_ text: String) -> Date? {
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

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of the proleptic Gregorian calendar `days` after 1970-01-01.
    private static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let days = days + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
