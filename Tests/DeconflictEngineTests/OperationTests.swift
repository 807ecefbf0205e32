import DeconflictEngine
import DeconflictGeometry
import Foundation
import Testing

@Suite("Engine: operations, their checks, notices and conformance")
struct OperationTests {
    /// A 5 km circle at `meters` from the garrison on `azimuth`, 0–3,000 m, for two hours
    /// from `startSeconds`.
    static func extent(meters: Double, azimuth: Double = 315, startSeconds: Double = 7_200) throws -> Extent {
        let center = Geodesic.destination(from: Scenario.garrison, azimuthDegrees: azimuth, distanceMeters: meters)
        let start = Scenario.start.addingTimeInterval(startSeconds)
        return Extent(Volume4D(
            footprint: .circle(try Circle(center: center, radiusMeters: 5_000)),
            altitude: try AltitudeBand(lowerMeters: 0, upperMeters: 3_000),
            time: try TimeWindow(start: start, end: start.addingTimeInterval(7_200))))
    }

    @Test func checksListZonesAndOtherPartiesOperationsWithReasons() throws {
        var scenario = try Scenario()
        let patrol = Operation(id: "patrol", party: "russia", extent: try Self.extent(meters: 50_000), priority: 1)
        let convoy = Operation(id: "resupply", party: "syrian-government", extent: try Self.extent(meters: 53_000), priority: 2)
        let own = Operation(id: "own", party: "coalition", extent: try Self.extent(meters: 40_000))
        for operation in [patrol, convoy, own] { try scenario.engine.handle(.putOperation(operation), at: Scenario.start) }
        let conflicts = scenario.engine.check(patrol)
        #expect(conflicts.map(\.subject) == [.zone("at-tanf-55km"), .operation("resupply")])
        #expect(conflicts[0].party == "coalition" && conflicts[0].reason.contains("deconfliction-zone"))
        #expect(conflicts[1].party == "syrian-government" && conflicts[1].reason.contains("priority 2 over 1"))
        // The coalition's own operation inside its own zone: no conflict with the zone.
        #expect(scenario.engine.check(own).allSatisfy { $0.subject != .zone("at-tanf-55km") })
        // Far from everything, later in the day: clear.
        let clear = Operation(id: "clear", party: "russia", extent: try Self.extent(meters: 150_000, startSeconds: 30_000))
        #expect(scenario.engine.check(clear).isEmpty)
    }

    @Test func aNoticeLaterThanTheLeadTimeIsFlagged() throws {
        var scenario = try Scenario()
        // Starts at +2 h; the agreement asks for an hour's notice.
        let early = Operation(id: "early", party: "russia", extent: try Self.extent(meters: 100_000))
        let late = Operation(id: "late", party: "russia", extent: try Self.extent(meters: 120_000))
        let silent = Operation(id: "silent", party: "coalition", extent: try Self.extent(meters: 30_000))
        for operation in [early, late, silent] { try scenario.engine.handle(.putOperation(operation), at: Scenario.start) }
        #expect(try scenario.engine.handle(.notify("early"), at: Scenario.start).raised(.lateNotice).isEmpty)
        let events = try scenario.engine.handle(.notify("late"), at: Scenario.start.addingTimeInterval(6_600))
        let alert = try #require(events.raised(.lateNotice).first)
        #expect(alert.operation == "late" && abs((alert.secondsAhead ?? 0) - 600) < 1e-6)
        #expect(alert.addressees.map(\.party) == ["russia", "coalition"])
        // Started with no notice at all.
        let started = try scenario.engine.handle(.setOperationState("silent", .active), at: Scenario.start.addingTimeInterval(7_200))
        #expect(started.raised(.lateNotice).first?.addressees.map(\.party) == ["coalition", "russia"])
    }

    @Test func unitsThatLeaveTheirOperationAreFlaggedWithHysteresis() throws {
        var scenario = try Scenario()
        try scenario.unit("convoy", of: "syrian-government")
        // A 5 km circle 100 km out, from +0 for two hours.
        let operation = Operation(
            id: "resupply", party: "syrian-government", extent: try Self.extent(meters: 100_000, startSeconds: 0),
            units: ["convoy"])
        try scenario.engine.handle(.putOperation(operation), at: Scenario.start)
        try scenario.engine.handle(.setOperationState("resupply", .active), at: Scenario.start)
        #expect(try scenario.report("convoy", at: 10, meters: 100_000).raised(.conformance).isEmpty)
        // 60 m past the edge: within the hysteresis, nothing yet.
        #expect(try scenario.report("convoy", at: 20, meters: 105_060).raised(.conformance).isEmpty)
        let out = try scenario.report("convoy", at: 30, meters: 105_500)
        let alert = try #require(out.raised(.conformance).first)
        #expect(alert.operation == "resupply" && alert.addressees.map(\.party) == ["russia", "syrian-government"])
        // Back to 60 m past the edge: still outside, still open.
        #expect(try scenario.report("convoy", at: 40, meters: 105_060).resolved(.conformance).isEmpty)
        #expect(try scenario.report("convoy", at: 50, meters: 104_000).resolved(.conformance).count == 1)
        // Out again, then the operation completes: resolved with it.
        #expect(try scenario.report("convoy", at: 60, meters: 106_000).raised(.conformance).count == 1)
        let completed = try scenario.engine.handle(.setOperationState("resupply", .completed), at: Scenario.start.addingTimeInterval(70))
        #expect(completed.resolved(.conformance).first?.resolution == "operation completed")
    }

    @Test func operationsNameTheirPartysUnitsOnly() throws {
        var scenario = try Scenario()
        try scenario.unit("jet", of: "coalition", .air)
        let wrong = Operation(id: "x", party: "russia", extent: try Self.extent(meters: 100_000), units: ["jet"])
        let error = #expect(throws: EngineError.self) { try scenario.engine.handle(.putOperation(wrong), at: Scenario.start) }
        #expect(error?.field == "operation.units")
        #expect(scenario.engine.operations.isEmpty)
    }
}
