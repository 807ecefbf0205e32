import DeconflictGeometry
import DeconflictTestSupport
import Foundation
import Testing

/// The `deconflict` executable as a user runs it: its output, its errors and exit codes.
@Suite("Command line")
struct CommandLineTests {
    typealias Run = Executables.Run

    /// Runs the built `deconflict` with `arguments`.
    static func deconflict(_ arguments: String...) throws -> Run {
        try deconflict(arguments)
    }

    static func deconflict(_ arguments: [String]) throws -> Run {
        try Executables.run("deconflict", arguments)
    }

    @Test func demoPrintsTheTimelineOfTheSeedScenario() throws {
        let run = try Self.deconflict("demo", "--speed", "0")
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("At Tanf"))
        #expect(run.output.contains("▲ APPROACH  A1 convoy in at-tanf-55km (enters in 33 min 20 s, 25.00 km to go)"))
        #expect(run.output.contains("russia (for allied-militia, unconfirmed)"))
        #expect(run.output.contains("! ESCALATED  notice notice-1: russia silent past the deadline"))
        // Not a terminal: no colour codes.
        #expect(!run.output.contains("\u{1B}["))
    }

    /// The JSON stream carries every alert kind the seed scenario promises, and the
    /// convoy's approach and incursion agree with the geodesic to the second.
    @Test func demoJSONStreamHasEveryPromisedAlertAndTheConvoyIsOnTime() throws {
        let run = try Self.deconflict("demo", "--speed", "0", "--json")
        #expect(run.status == 0)
        let events = try run.output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let formatter = ISO8601DateFormatter()
        for event in events {
            #expect(formatter.date(from: event["time"] as? String ?? "") != nil, "\(event)")
            #expect((event["type"] as? String)?.contains(".") == true)
        }
        let raised = events.filter { $0["type"] as? String == "alert.raised" }.compactMap { $0["alert"] as? [String: Any] }
        let kinds = Set(raised.compactMap { $0["kind"] as? String })
        for kind in ["approach", "incursion", "dwell", "build-up", "separation", "stale-track"] {
            #expect(kinds.contains(kind), "no \(kind) alert")
        }
        // Event records of version 2: an alert's zone is named or left out, never null.
        #expect(events.allSatisfy { $0["v"] as? Int == 2 })
        for alert in raised {
            #expect(alert["addressees"] is [String] && alert["unit"] is String && (alert["zone"] == nil || alert["zone"] is String))
        }
        #expect(raised.contains { $0["kind"] as? String == "incursion" && $0["zone"] is String })
        #expect(events.contains { $0["type"] as? String == "alert.escalated" })
        #expect(events.contains { $0["type"] as? String == "message.escalated" })
        #expect(events.contains { $0["type"] as? String == "incident.recorded" })
        // The militia's build-up goes to russia through a claimed, unconfirmed link.
        let buildUp = try #require(raised.first { $0["kind"] as? String == "build-up" })
        #expect(buildUp["unconfirmedRouting"] as? Bool == true)

        // The convoy starts at (34.008492, 38.037629) at 06:00:00, heading for the garrison
        // at 12.5 m/s and reporting every second: it reaches 55 km from the garrison
        // after (d0 − 55,000) / 12.5 s along the geodesic.
        let start = try #require(formatter.date(from: "2017-06-06T06:00:00Z"))
        let d0 = Geodesic.distance(
            LatLng(uncheckedLatitude: 34.008492, longitude: 38.037629), LatLng(uncheckedLatitude: 33.5, longitude: 38.65))
        let entry = (d0 - 55_000) / 12.5
        let approach = try #require(raised.first { $0["kind"] as? String == "approach" && $0["unit"] as? String == "convoy" })
        #expect(abs(try #require(approach["secondsAhead"] as? Double) - entry) < 0.01)
        let incursion = try #require(events.first {
            ($0["alert"] as? [String: Any])?["kind"] as? String == "incursion"
                && ($0["alert"] as? [String: Any])?["unit"] as? String == "convoy" && $0["type"] as? String == "alert.raised"
        })
        let raisedAt = try #require(formatter.date(from: incursion["time"] as? String ?? ""))
        #expect(raisedAt.timeIntervalSince(start) == entry.rounded(.up))
    }

    @Test func aUsersOwnScenarioRunsAndABrokenOneIsRefusedWithThePath() throws {
        let printed = try Self.deconflict("demo", "--print-scenario")
        #expect(printed.status == 0 && printed.output.contains("\"at-tanf-55km\""))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The seed scenario with a 70 km zone: the approach starts 15 km further out.
        let own = folder.appendingPathComponent("own.json")
        try printed.output.replacingOccurrences(of: "\"radius\": 55000", with: "\"radius\": 70000").write(to: own, atomically: true, encoding: .utf8)
        let run = try Self.deconflict("demo", "--speed", "0", "--scenario", own.path)
        #expect(run.status == 0)
        #expect(run.output.contains("(enters in 13 min 20 s, 10.00 km to go)"))
        let broken = folder.appendingPathComponent("broken.json")
        try printed.output.replacingOccurrences(of: "\"radius\": 55000", with: "\"radius\": -5").write(to: broken, atomically: true, encoding: .utf8)
        let refused = try Self.deconflict("demo", "--speed", "0", "--scenario", broken.path)
        #expect(refused.status != 0)
        #expect(refused.error.contains("zones[0].circle.radius: radius must be positive"), "stderr: \(refused.error)")
        #expect(refused.output.isEmpty)
    }

    @Test func measureAnswersInsideOutsideAndEntry() throws {
        let outside = try Self.deconflict("measure", "--circle", "33.5,38.65,55000", "--point", "34.0,38.1", "--course", "135", "--speed", "12.5")
        #expect(outside.status == 0)
        let lines = outside.output.split(separator: "\n")
        #expect(lines.first == "outside")
        #expect(lines.count == 3 && lines[2].hasPrefix("enters after "))
        let inside = try Self.deconflict("measure", "--polygon", "33.4,38.5;33.6,38.5;33.6,38.8", "--point", "33.55,38.6")
        #expect(inside.output.hasPrefix("inside\n"))
        #expect(inside.output.contains("signed distance to the edge: -"))
    }

    @Test(arguments: [
        (["--circle", "33.5,38.65,-5", "--point", "0,0"], "--circle: radiusMeters: radius must be positive"),
        (["--circle", "33.5,38.65,5000", "--point", "91,0"], "--point: latitude: latitude must be within -90...90"),
        (["--circle", "33.5,38.65", "--point", "1,1"], "--circle: expected 3 comma-separated numbers"),
        (["--polygon", "0,0;1,1;0,1;1,0", "--point", "0,0"], "--polygon: outer[0]: edge 0-1 of outer intersects edge 2-3"),
        (["--polygon", "0,0;0,1", "--point", "0,0"], "--polygon: outer:"),
        (["--circle", "0,0,1000", "--point", "0,0", "--course", "90", "--speed=-1"], "--speed: speed must not be negative"),
        (["--point", "0,0"], "give a zone: --circle or --polygon"),
    ])
    func badInputFailsWithTheFieldAndTheReason(arguments: [String], message: String) throws {
        let run = try Self.deconflict(["measure"] + arguments)
        #expect(run.status != 0)
        #expect(run.error.contains("Error: \(message)"), "stderr: \(run.error)")
        #expect(run.output.isEmpty)
    }
}
