import ArgumentParser
import DeconflictGeometry
import NIOCore

/// How a batch goes over the wire: a JSON array, or NDJSON (one report a line).
enum BodyFormat: String, ExpressibleByArgument, Sendable {
    case json, ndjson

    var contentType: String { self == .json ? "application/json" : "application/x-ndjson" }
}

/// One position report as the API takes it.
struct WireReport: Sendable {
    var unit: String
    /// Milliseconds since 1970.
    var millis: Int64
    var position: LatLng
    var speed: Double
    var course: Double
}

/// A request body encoded ahead of time, and the latest report time in it (a body is
/// not sent before the server's clock is within its allowed skew of that time).
struct EncodedBatch: Sendable {
    let body: ByteBuffer
    let reports: Int
    let latestMillis: Int64
}

/// Writes report bodies byte by byte (no `JSONEncoder`), once, before a timed phase.
enum ReportEncoder {
    static func batch(_ reports: [WireReport], format: BodyFormat) -> EncodedBatch {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(reports.count * 190)
        if format == .json { bytes.append(UInt8(ascii: "[")) }
        for (index, report) in reports.enumerated() {
            if index > 0, format == .json { bytes.append(UInt8(ascii: ",")) }
            append(report, to: &bytes)
            if format == .ndjson { bytes.append(UInt8(ascii: "\n")) }
        }
        if format == .json { bytes.append(UInt8(ascii: "]")) }
        return EncodedBatch(
            body: ByteBuffer(bytes: bytes), reports: reports.count, latestMillis: reports.map(\.millis).max() ?? 0)
    }

    static func append(_ report: WireReport, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"unit":""#.utf8)
        bytes.append(contentsOf: report.unit.utf8)
        bytes.append(contentsOf: #"","time":""#.utf8)
        appendTimestamp(report.millis, to: &bytes)
        let text = #"","position":[\#(report.position.latitude),\#(report.position.longitude)],"#
            + #""altitudeMeters":0,"speedMetersPerSecond":\#(report.speed),"courseDegrees":\#(report.course)}"#
        bytes.append(contentsOf: text.utf8)
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-26T09:30:00.125Z`.
    static func appendTimestamp(_ millis: Int64, to bytes: inout [UInt8]) {
        let (days, dayMillis) = floorDivision(millis, 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(dayMillis / 3_600_000, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(dayMillis / 60_000 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(dayMillis / 1_000 % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(dayMillis % 1_000, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (eras of 400 years of
    /// 146,097 days, years counted from March so the leap day comes last).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days from 0000-03-01 to 1970-01-01
        let era = floorDivision(shifted, 146_097).0
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
