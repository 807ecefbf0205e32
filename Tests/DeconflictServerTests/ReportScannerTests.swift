@testable import DeconflictAPI
import DeconflictEngine
import DeconflictStore
import DeconflictTestSupport
import Foundation
import Testing

/// The direct reader of report batches agrees with JSONDecoder: on random batches in
/// every accepted form (array, `{"reports": ...}`, one object a line), with random key
/// order, spacing, optional and null fields, number forms, times and strings, and on the
/// same batches with random bytes changed, whenever it gives an answer it is the one
/// JSONDecoder gives; on the plain shapes it always answers.
@Suite("Report batch reader")
struct ReportScannerTests {
    static func space(_ random: inout SeededGenerator) -> String {
        ["", "", " ", "\n", "\t", "  ", "\r\n"][Int.random(in: 0...6, using: &random)]
    }

    static func number(_ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0...5, using: &random) {
        case 0: return String(Int.random(in: -500...500, using: &random))
        case 1: return String(Double.random(in: -180...180, using: &random))
        case 2: return String(format: "%.3f", Double.random(in: 0...1_000, using: &random))
        case 3: return "\(Int.random(in: 1...9, using: &random))e\(Int.random(in: -3...3, using: &random))"
        case 4: return "-0.\(Int.random(in: 0...99_999, using: &random))"
        default: return "\(Int.random(in: 1...9, using: &random)).\(Int.random(in: 0...9, using: &random))E+\(Int.random(in: 0...2, using: &random))"
        }
    }

    static func time(_ random: inout SeededGenerator) -> String {
        let seconds = Int.random(in: 1_700_000_000...1_900_000_000, using: &random)
        let base = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle()).dropLast()
        let fraction = ["", ".5", ".123", ".123456", ".000001", ".9"][Int.random(in: 0...5, using: &random)]
        let zone = ["Z", "Z", "z", "+02:00", "-05:30"][Int.random(in: 0...4, using: &random)]
        return "\(base)\(fraction)\(zone)"
    }

    static func unit(_ random: inout SeededGenerator) -> String {
        ["u1", "convoy-A1", "é-unit", "u 2", "a\\\"b", "x\\u0041y", "air.7"][Int.random(in: 0...6, using: &random)]
    }

    static func report(_ random: inout SeededGenerator) -> String {
        var fields = [
            "\"unit\":\(space(&random))\"\(unit(&random))\"",
            "\"time\":\"\(time(&random))\"",
            "\"position\":[\(number(&random)),\(space(&random))\(number(&random))]",
        ]
        for key in ["altitudeMeters", "speedMetersPerSecond", "courseDegrees", "uncertaintyMeters"] where Bool.random(using: &random) {
            fields.append("\"\(key)\":\(space(&random))\(Int.random(in: 0...5, using: &random) == 0 ? "null" : number(&random))")
        }
        fields.shuffle(using: &random)
        return "{" + space(&random) + fields.joined(separator: "," + space(&random)) + space(&random) + "}"
    }

    static func decode(_ data: Data, lines: Bool) -> [ReportBody]? {
        let decoder = RFC3339.decoder()
        if lines {
            var result: [ReportBody] = []
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if line.allSatisfy({ [32, 9, 13].contains($0) }) { continue }
                guard let report = try? decoder.decode(ReportBody.self, from: Data(line)) else { return nil }
                result.append(report)
            }
            return result
        }
        struct Wrapped: Decodable { var reports: [ReportBody] }
        if data.first(where: { ![32, 9, 10, 13].contains($0) }) == UInt8(ascii: "{") {
            return (try? decoder.decode(Wrapped.self, from: data))?.reports
        }
        return try? decoder.decode([ReportBody].self, from: data)
    }

    @Test func agreesWithJSONDecoder() throws {
        var random = SeededGenerator(seed: 21)
        var answered = 0, fellBack = 0, mutatedAnswered = 0
        for round in 0..<1_500 {
            let reports = (0..<Int.random(in: 1...6, using: &random)).map { _ in Self.report(&random) }
            let form = round % 3
            let text = switch form {
            case 0: "[" + reports.joined(separator: "," + Self.space(&random)) + "]"
            case 1: "{\"reports\":" + Self.space(&random) + "[" + reports.joined(separator: ",") + "]}"
            default: reports.joined(separator: "\n") + (Bool.random(using: &random) ? "\n" : "")
            }
            var variants = [Data(text.utf8)]
            // The same batch with a byte changed, removed or added.
            for _ in 0..<3 {
                var bytes = Array(text.utf8)
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: bytes[at] = UInt8.random(in: 0x20...0x7E, using: &random)
                case 1: bytes.remove(at: at)
                default: bytes.insert(Array("\",:[]{}0.-e n".utf8).randomElement(using: &random)!, at: at)
                }
                variants.append(Data(bytes))
            }
            for (index, data) in variants.enumerated() {
                let scanned = ReportScanner.scan(data, lines: form == 2)
                let decoded = Self.decode(data, lines: form == 2)
                if let scanned {
                    #expect(decoded == scanned, "\(String(decoding: data, as: UTF8.self))")
                    if index == 0 { answered += 1 } else { mutatedAnswered += 1 }
                } else if index == 0 {
                    fellBack += 1
                }
            }
        }
        // Escaped strings are left to JSONDecoder; the plain batches are read directly.
        #expect(answered > 300, "read directly: \(answered), left to JSONDecoder: \(fellBack)")
        #expect(mutatedAnswered > 100)
    }

    @Test func readsThePlainShapeAlways() throws {
        let text = #"[{"unit":"a1","time":"2026-11-26T10:00:00.250Z","position":[33.5,38.6],"altitudeMeters":0,"speedMetersPerSecond":8,"courseDegrees":150},{"unit":"a2","time":"2026-11-26T10:00:00.250Z","position":[33.51,38.61]}]"#
        let scanned = try #require(ReportScanner.scan(Data(text.utf8), lines: false))
        #expect(scanned.count == 2)
        #expect(scanned == Self.decode(Data(text.utf8), lines: false))
        #expect(scanned[1].altitudeMeters == nil)
    }
}
