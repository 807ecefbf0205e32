import DeconflictEngine
import Foundation
import DeconflictStore
import DeconflictNode

/// Reads a batch of position reports straight from its bytes, for the shape nearly every
/// batch has: a JSON array of report objects (or `{"reports": [...]}`, or one object a
/// line), keys among `unit`, `time`, `position`, `altitudeMeters`,
/// `speedMetersPerSecond`, `courseDegrees`, `uncertaintyMeters`, strings without
/// escapes, plain numbers. Anything else (an escape, an unknown or repeated key, a
/// malformed value) makes it give up and return nil: the caller then decodes with
/// `JSONDecoder`, which accepts or refuses the batch and names the field at fault. Where
/// it does not give up, it gives what `JSONDecoder` gives (property test).
enum ReportScanner {
    static func scan(_ data: Data, lines: Bool) -> [ReportBody]? {
        data.withUnsafeBytes { raw -> [ReportBody]? in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            return lines ? scanner.lines() : scanner.batch()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        // Reports of one batch often share their time: the last one parsed.
        var lastTime: (text: String, date: Date)?

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard current == byte else { return false }
            index += 1
            return true
        }

        mutating func batch() -> [ReportBody]? {
            skipSpace()
            if current == UInt8(ascii: "{") {
                index += 1
                guard let key = string(), key == "reports", expect(UInt8(ascii: ":")), let reports = array(),
                      expect(UInt8(ascii: "}"))
                else { return nil }
                skipSpace()
                return index == bytes.count ? reports : nil
            }
            guard let reports = array() else { return nil }
            skipSpace()
            return index == bytes.count ? reports : nil
        }

        /// One object a line (an object may not span lines); blank lines are skipped.
        mutating func lines() -> [ReportBody]? {
            var reports: [ReportBody] = []
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                var line = Scanner(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                line.lastTime = lastTime
                line.skipSpace()
                if line.index < line.bytes.count {
                    guard let report = line.object() else { return nil }
                    line.skipSpace()
                    guard line.index == line.bytes.count else { return nil }
                    reports.append(report)
                    lastTime = line.lastTime
                }
                start = end + 1
            }
            return reports
        }

        mutating func array() -> [ReportBody]? {
            guard expect(UInt8(ascii: "[")) else { return nil }
            var reports: [ReportBody] = []
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                return reports
            }
            while true {
                guard let report = object() else { return nil }
                reports.append(report)
                skipSpace()
                guard let next = current else { return nil }
                index += 1
                if next == UInt8(ascii: "]") { return reports }
                guard next == UInt8(ascii: ",") else { return nil }
            }
        }

        /// A string without escapes or control characters.
        mutating func string() -> String? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    // Invalid UTF-8 was repaired by the decoding: leave it to JSONDecoder.
                    return text.utf8.count == index - 1 - start ? text : nil
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// A number in JSON's grammar, converted as JSONDecoder converts it.
        mutating func number() -> Double? {
            skipSpace()
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, first >= 0x30, first <= 0x39 else { return nil }
            index += 1
            if first == 0x30, let next = current, next >= 0x30, next <= 0x39 { return nil }
            func digits() -> Int {
                var count = 0
                while let byte = current, byte >= 0x30, byte <= 0x39 {
                    index += 1
                    count += 1
                }
                return count
            }
            _ = digits()
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return nil }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return nil }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { return nil }
            return value
        }

        /// A number or null for an optional field.
        mutating func optionalNumber() -> Double?? {
            skipSpace()
            if index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
               bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") {
                index += 4
                return .some(nil)
            }
            return number().map { .some($0) }
        }

        mutating func object() -> ReportBody? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            var unit: String?, time: Date?, position: [Double]?
            var altitude: Double??, speed: Double??, course: Double??, uncertainty: Double??
            skipSpace()
            if current == UInt8(ascii: "}") { return nil }
            while true {
                guard let key = string(), expect(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "unit":
                    guard unit == nil, let value = string() else { return nil }
                    unit = value
                case "time":
                    guard time == nil, let text = string() else { return nil }
                    if let last = lastTime, last.text == text {
                        time = last.date
                    } else {
                        guard let value = RFC3339.parse(text) else { return nil }
                        lastTime = (text, value)
                        time = value
                    }
                case "position":
                    guard position == nil, expect(UInt8(ascii: "[")) else { return nil }
                    var values: [Double] = []
                    skipSpace()
                    if current == UInt8(ascii: "]") {
                        index += 1
                    } else {
                        while true {
                            guard let value = number() else { return nil }
                            values.append(value)
                            skipSpace()
                            guard let next = current else { return nil }
                            index += 1
                            if next == UInt8(ascii: "]") { break }
                            guard next == UInt8(ascii: ",") else { return nil }
                        }
                    }
                    position = values
                case "altitudeMeters":
                    guard altitude == nil, let value = optionalNumber() else { return nil }
                    altitude = value
                case "speedMetersPerSecond":
                    guard speed == nil, let value = optionalNumber() else { return nil }
                    speed = value
                case "courseDegrees":
                    guard course == nil, let value = optionalNumber() else { return nil }
                    course = value
                case "uncertaintyMeters":
                    guard uncertainty == nil, let value = optionalNumber() else { return nil }
                    uncertainty = value
                default:
                    return nil
                }
                skipSpace()
                guard let next = current else { return nil }
                index += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { return nil }
            }
            guard let unit, let time, let position else { return nil }
            return ReportBody(
                unit: unit, time: time, position: position, altitudeMeters: altitude ?? nil, speedMetersPerSecond: speed ?? nil,
                courseDegrees: course ?? nil, uncertaintyMeters: uncertainty ?? nil)
        }
    }
}
