import DeconflictGeometry
import DeconflictTestSupport
import Foundation
import Testing

/// The geometry agrees with an independent reference everywhere except within 0.5 m of
/// a boundary.
///
/// `Fixtures/reference-cases.jsonl` is written by `scripts/reference/generate_reference.py`
/// with GeographicLib (ellipsoidal geodesics), S2 (spherical polygon membership) and
/// spherely; its docstring defines every field and tolerance. Each test reports the
/// ids of the first disagreeing cases, so a failure can be looked up in the file.
@Suite("Reference cases from GeographicLib and S2")
struct ReferenceTests {
    /// Decisions closer than this to a boundary may go either way.
    static let boundaryTolerance = 0.5

    /// The fixture's lines, grouped by kind.
    static let lines: [String: [Data]] = {
        guard let url = Bundle.module.url(forResource: "reference-cases", withExtension: "jsonl", subdirectory: "Fixtures"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [:] }
        struct Kind: Decodable { let kind: String }
        var lines: [String: [Data]] = [:]
        for line in text.split(separator: "\n") {
            let data = Data(line.utf8)
            let kind = (try? JSONDecoder().decode(Kind.self, from: data).kind) ?? "unreadable"
            lines[kind, default: []].append(data)
        }
        return lines
    }()

    static func cases<Case: Decodable>(_ kind: String, as type: Case.Type = Case.self) throws -> [Case] {
        let found = lines[kind] ?? []
        try #require(!found.isEmpty, "no \(kind) cases in Fixtures/reference-cases.jsonl")
        return try found.map { try JSONDecoder().decode(Case.self, from: $0) }
    }

    @Test func theFixtureHoldsAtLeastTenThousandCases() throws {
        #expect(Self.lines["unreadable"] == nil)
        let total = Self.lines.values.reduce(0) { $0 + $1.count }
        #expect(total >= 10_000)
        for kind in ["distance", "circle", "polygon", "eta", "approach"] {
            #expect((Self.lines[kind]?.count ?? 0) >= 500, "\(kind)")
        }
    }

    @Test func geodesicDistancesAndAzimuths() throws {
        var failures = Failures()
        for test in try Self.cases("distance", as: DistanceCase.self) {
            let inverse = Geodesic.inverse(try test.a.position(), try test.b.position())
            if abs(inverse.distanceMeters - test.meters) > 1e-6 {
                failures.add(test.id, "distance \(inverse.distanceMeters) m, reference \(test.meters) m")
            }
            guard test.azimuthsWellDefined else { continue }
            for (ours, reference, name) in [
                (inverse.initialAzimuthDegrees, test.azi1, "azi1"), (inverse.finalAzimuthDegrees, test.azi2, "azi2"),
            ] where angleDifference(ours, reference) > 1e-8 {
                failures.add(test.id, "\(name) \(ours)°, reference \(reference)°")
            }
        }
        failures.check()
    }

    @Test func circleMembershipAndSignedDistance() throws {
        var failures = Failures()
        for test in try Self.cases("circle", as: CircleCase.self) {
            let circle = try Circle(center: try test.center.position(), radiusMeters: test.radius)
            let point = try test.point.position()
            let ours = circle.signedDistance(to: point)
            if abs(ours - test.signedDistance) > 1e-6 {
                failures.add(test.id, "signed distance \(ours) m, reference \(test.signedDistance) m")
            }
            if abs(test.signedDistance) > Self.boundaryTolerance, circle.contains(point) != test.inside {
                failures.add(test.id, "inside \(!test.inside), \(test.signedDistance) m from the edge")
            }
        }
        failures.check()
    }

    @Test func polygonMembershipAndSignedDistance() throws {
        var failures = Failures()
        let cases = try Self.cases("polygon", as: PolygonCase.self)
        var nearBoundary = 0
        for test in cases {
            let polygon = try test.polygon()
            let point = try test.point.position()
            if abs(test.signedDistance) <= Self.boundaryTolerance {
                nearBoundary += 1
            } else {
                if polygon.contains(point) != test.inside {
                    failures.add(test.id, "inside \(!test.inside), \(test.signedDistance) m from the edge")
                }
                if Footprint.polygon(polygon).contains(PreparedPoint(point)) != test.inside {
                    failures.add(test.id, "prepared point: inside \(!test.inside), \(test.signedDistance) m from the edge")
                }
            }
            // The boundary distance is the exact geodesic distance to the great-circle
            // arcs; its sign may only differ where the decision may.
            let ours = polygon.signedDistance(to: point)
            if abs(abs(ours) - abs(test.signedDistance)) > 1e-3 + 1e-9 * abs(test.signedDistance) {
                failures.add(test.id, "boundary distance \(abs(ours)) m, reference \(abs(test.signedDistance)) m")
            }
            if abs(test.signedDistance) > Self.boundaryTolerance, (ours < 0) != (test.signedDistance < 0) {
                failures.add(test.id, "signed distance \(ours) m, reference \(test.signedDistance) m")
            }
        }
        failures.check()
        // Many cases sit within 0.5 m of an edge on purpose (and their distances are
        // still checked), but most are decided.
        #expect(nearBoundary < cases.count / 3)
    }

    @Test func entryTimes() throws {
        var failures = Failures()
        let cases = try Self.cases("eta", as: EntryCase.self)
        var ambiguous = 0, entries = 0
        for test in cases {
            let track = try Track(
                position: try test.start.position(), time: Self.epoch, speedMetersPerSecond: test.speed,
                courseDegrees: test.course)
            let ours = try test.zone.footprint().entryTime(of: track, within: test.horizon)
            // A path that grazes the boundary by less than 0.5 m may or may not enter.
            if test.ambiguous {
                ambiguous += 1
                continue
            }
            switch (ours, test.eta) {
            case (nil, nil):
                break
            case (let ours?, let expected?):
                entries += 1
                if abs(ours - expected) > test.tolerance {
                    failures.add(test.id, "enters after \(ours) s, reference \(expected) s ± \(test.tolerance) s")
                }
            default:
                failures.add(test.id, "entry after \(ours.map { "\($0) s" } ?? "never"), reference \(test.eta.map { "\($0) s" } ?? "never")")
            }
        }
        failures.check()
        #expect(entries > 500)
        #expect(ambiguous < cases.count / 10)
    }

    @Test func closestApproaches() throws {
        var failures = Failures()
        for test in try Self.cases("approach", as: ApproachCase.self) {
            let ours = try ClosestApproach.between(
                try test.a.track(at: Self.epoch), try test.b.track(at: Self.epoch), from: Self.epoch, horizon: test.horizon)
            // Both are global minima over the horizon: the distances agree to a centimetre.
            if abs(ours.distanceMeters - test.distance) > 0.01 {
                failures.add(test.id, "closest \(ours.distanceMeters) m, reference \(test.distance) m")
            }
            if abs(ours.secondsFromReference - test.time) > test.timeTolerance {
                failures.add(
                    test.id, "closest after \(ours.secondsFromReference) s, reference \(test.time) s ± \(test.timeTolerance) s")
            }
        }
        failures.check()
    }

    static let epoch = Date(timeIntervalSince1970: 1_790_000_000)
}

/// The degrees between two azimuths, in 0...180.
private func angleDifference(_ a: Double, _ b: Double) -> Double {
    let difference = abs((a - b).truncatingRemainder(dividingBy: 360))
    return min(difference, 360 - difference)
}

/// Disagreements, reported together with the ids of the first few.
private struct Failures {
    private(set) var count = 0
    private var first: [String] = []

    mutating func add(_ id: Int, _ message: String) {
        count += 1
        if first.count < 10 { first.append("case \(id): \(message)") }
    }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(count == 0, "\(count) disagreements, first:\n\(first.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }
}

// The fixture's records; the generator's docstring defines every field.

private typealias Pair = [Double]

private extension [Double] {
    func position() throws -> LatLng {
        try #require(count == 2, "a position is [latitude, longitude]")
        return try LatLng(latitude: self[0], longitude: self[1])
    }
}

private func polygon(_ rings: [[Pair]]) throws -> Polygon {
    let converted = try rings.map { ring in try ring.map { try $0.position() } }
    return try Polygon(outer: try #require(converted.first), holes: Array(converted.dropFirst()))
}

private struct DistanceCase: Decodable {
    let id: Int
    let a: Pair, b: Pair
    let meters: Double, azi1: Double, azi2: Double
    let azimuthsWellDefined: Bool
}

private struct CircleCase: Decodable {
    let id: Int
    let center: Pair, radius: Double, point: Pair
    let inside: Bool, signedDistance: Double
}

private struct PolygonCase: Decodable {
    let id: Int
    let rings: [[Pair]], point: Pair
    let inside: Bool, signedDistance: Double

    func polygon() throws -> Polygon { try DeconflictGeometryTests.polygon(rings) }
}

private struct EntryCase: Decodable {
    struct Zone: Decodable {
        struct CircleZone: Decodable { let center: Pair, radius: Double }
        struct PolygonZone: Decodable { let rings: [[Pair]] }
        let circle: CircleZone?
        let polygon: PolygonZone?

        func footprint() throws -> Footprint {
            if let circle { return .circle(try Circle(center: try circle.center.position(), radiusMeters: circle.radius)) }
            return .polygon(try DeconflictGeometryTests.polygon(try #require(polygon).rings))
        }
    }

    let id: Int
    let zone: Zone, start: Pair, course: Double, speed: Double, horizon: Double
    let eta: Double?, tolerance: Double, ambiguous: Bool
}

private struct ApproachCase: Decodable {
    struct Unit: Decodable {
        let start: Pair, course: Double, speed: Double

        func track(at time: Date) throws -> Track {
            try Track(position: try start.position(), time: time, speedMetersPerSecond: speed, courseDegrees: course)
        }
    }

    let id: Int
    let a: Unit, b: Unit, horizon: Double
    let time: Double, distance: Double, timeTolerance: Double
}
