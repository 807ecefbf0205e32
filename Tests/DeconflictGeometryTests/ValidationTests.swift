import DeconflictGeometry
import Foundation
import Testing

@Suite("Validation: every rule refuses bad input with a typed error naming the field")
struct ValidationTests {
    private func point(_ latitude: Double, _ longitude: Double) -> LatLng {
        LatLng(uncheckedLatitude: latitude, longitude: longitude)
    }

    @Test(arguments: [
        (91.0, 0.0, GeometryError.Code.latitudeOutOfRange, "latitude"),
        (-90.0001, 0.0, .latitudeOutOfRange, "latitude"),
        (0.0, 180.5, .longitudeOutOfRange, "longitude"),
        (0.0, -181.0, .longitudeOutOfRange, "longitude"),
        (Double.nan, 0.0, .notFinite, "latitude"),
        (0.0, Double.infinity, .notFinite, "longitude"),
        (-Double.infinity, 0.0, .notFinite, "latitude"),
    ])
    func positionsOutOfRange(latitude: Double, longitude: Double, code: GeometryError.Code, field: String) {
        #expect {
            _ = try LatLng(latitude: latitude, longitude: longitude)
        } throws: { error in
            guard let error = error as? GeometryError else { return false }
            return error.code == code && error.field == field && !error.reason.isEmpty
        }
    }

    @Test func boundaryPositionsAreAccepted() throws {
        for (latitude, longitude) in [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0), (-33.5, 179.999)] {
            let position = try LatLng(latitude: latitude, longitude: longitude)
            #expect(position.latitude == latitude && position.longitude == longitude)
        }
    }

    @Test(arguments: [
        (0.0, GeometryError.Code.radiusNotPositive),
        (-5.0, .radiusNotPositive),
        (Double.nan, .notFinite),
        (Double.infinity, .notFinite),
        (Circle.maximumRadiusMeters + 1, .radiusTooLarge),
    ])
    func badRadius(radius: Double, code: GeometryError.Code) {
        let error = #expect(throws: GeometryError.self) {
            _ = try Circle(center: point(33.5, 38.65), radiusMeters: radius)
        }
        #expect(error?.code == code)
        #expect(error?.field == "radiusMeters")
    }

    @Test func largestRadiusIsAccepted() throws {
        let circle = try Circle(center: point(0, 0), radiusMeters: Circle.maximumRadiusMeters)
        #expect(circle.radiusMeters == Circle.maximumRadiusMeters)
    }

    @Test func tooFewDistinctVertices() {
        let cases: [[LatLng]] = [
            [point(0, 0), point(0, 1)],
            [point(0, 0), point(0, 1), point(0, 0)],  // closed ring of two distinct points
            [point(0, 0), point(0, 1), point(0, 1), point(0, 1)],  // repeated vertices
            [],
        ]
        for ring in cases {
            let error = #expect(throws: GeometryError.self) { _ = try Polygon(outer: ring) }
            #expect(error?.code == .tooFewVertices)
            #expect(error?.field == "outer")
        }
        let hole = #expect(throws: GeometryError.self) {
            _ = try Polygon(
                outer: [point(0, 0), point(0, 1), point(1, 1), point(1, 0)], holes: [[point(0.5, 0.5), point(0.5, 0.6)]])
        }
        #expect(hole?.code == .tooFewVertices)
        #expect(hole?.field == "holes[0]")
    }

    @Test func closedAndOpenRingsAreTheSamePolygon() throws {
        let open = try Polygon(outer: [point(0, 0), point(0, 1), point(1, 1)])
        let closed = try Polygon(outer: [point(0, 0), point(0, 1), point(1, 1), point(0, 0)])
        #expect(open == closed)
        #expect(closed.outer.count == 3)
    }

    @Test func selfIntersectingRings() {
        // A bow-tie.
        let bowTie = #expect(throws: GeometryError.self) {
            _ = try Polygon(outer: [point(0, 0), point(1, 1), point(1, 0), point(0, 1)])
        }
        #expect(bowTie?.code == .selfIntersectingRing)
        #expect(bowTie?.field?.hasPrefix("outer[") == true)
        #expect(bowTie?.reason.contains("intersects") == true)
        // A symmetric bow-tie: its two lobes cancel to zero signed area, yet it is a
        // crossing, not a ring on one great circle.
        let symmetric = #expect(throws: GeometryError.self) {
            _ = try Polygon(outer: [point(0, 0), point(1, 1), point(0, 1), point(1, 0)])
        }
        #expect(symmetric?.code == .selfIntersectingRing)
        // A ring touching itself at a vertex (figure eight through a shared point).
        let figureEight = #expect(throws: GeometryError.self) {
            _ = try Polygon(outer: [point(0, 0), point(1, 1), point(2, 0), point(2, 2), point(1, 1), point(0, 2)])
        }
        #expect(figureEight?.code == .selfIntersectingRing)
        // A spike that folds straight back over the previous edge.
        let spike = #expect(throws: GeometryError.self) {
            _ = try Polygon(outer: [point(0, 0), point(0, 2), point(0, 1), point(1, 1)])
        }
        #expect(spike?.code == .selfIntersectingRing)
        // A hole crossing the outer ring.
        let crossingHole = #expect(throws: GeometryError.self) {
            _ = try Polygon(
                outer: [point(0, 0), point(0, 2), point(2, 2), point(2, 0)],
                holes: [[point(1, 1), point(1, 3), point(1.5, 1)]])
        }
        #expect(crossingHole?.code == .selfIntersectingRing)
        // Two holes crossing each other.
        let crossingHoles = #expect(throws: GeometryError.self) {
            _ = try Polygon(
                outer: [point(0, 0), point(0, 4), point(4, 4), point(4, 0)],
                holes: [
                    [point(1, 1), point(1, 2), point(2, 2), point(2, 1)],
                    [point(1.5, 1.5), point(1.5, 3), point(3, 3), point(3, 1.5)],
                ])
        }
        #expect(crossingHoles?.code == .selfIntersectingRing)
        #expect(crossingHoles?.field?.hasPrefix("holes[0]") == true)
    }

    @Test func edgesThatOnlyLookCrossedInLongitudeAreFine() throws {
        // Across the antimeridian, a ring that would be a bow-tie if longitudes were
        // treated as planar coordinates is a plain quadrilateral on the sphere.
        let polygon = try Polygon(outer: [point(-1, 179), point(-1, -179), point(1, -179), point(1, 179)])
        #expect(polygon.contains(point(0, 180)))
        #expect(polygon.contains(point(0, -179.5)))
        #expect(!polygon.contains(point(0, 0)))
    }

    @Test func tooManyVertices() {
        let center = point(10, 10)
        let count = Polygon.maximumVertexCount + 1
        let ring = (0..<count).map { index in
            Geodesic.destination(from: center, azimuthDegrees: Double(index) * 360 / Double(count), distanceMeters: 100_000)
        }
        let error = #expect(throws: GeometryError.self) { _ = try Polygon(outer: ring) }
        #expect(error?.code == .tooManyVertices)
        #expect(error?.reason.contains("10000") == true)
    }

    @Test func maximumVertexCountIsAccepted() throws {
        let center = point(-45, -170)
        let count = Polygon.maximumVertexCount
        let ring = (0..<count).map { index in
            Geodesic.destination(from: center, azimuthDegrees: Double(index) * 360 / Double(count), distanceMeters: 800_000)
        }
        let polygon = try Polygon(outer: ring)
        #expect(polygon.vertexCount == count)
        #expect(polygon.contains(center))
        #expect(!polygon.contains(Geodesic.destination(from: center, azimuthDegrees: 33, distanceMeters: 800_100)))
        #expect(polygon.contains(Geodesic.destination(from: center, azimuthDegrees: 33, distanceMeters: 799_900)))
    }

    @Test func degenerateRing() {
        // Three distinct vertices on one meridian enclose nothing.
        let error = #expect(throws: GeometryError.self) {
            _ = try Polygon(outer: [point(0, 10), point(1, 10), point(2, 10), point(1.5, 10)])
        }
        #expect([GeometryError.Code.degenerateRing, .selfIntersectingRing].contains(error?.code))
    }

    @Test func polygonLargerThanAHemisphere() {
        // A ring along the equator's neighbourhood cannot fit a hemisphere.
        let ring = stride(from: -180.0, to: 180.0, by: 30).map { point($0 == -180 ? 0.5 : -0.5, $0) }
        let error = #expect(throws: GeometryError.self) { _ = try Polygon(outer: ring) }
        #expect(error?.code == .polygonTooLarge)
    }

    @Test func holesMustBeInsideTheOuterRingAndNotNested() {
        let outer = [point(0, 0), point(0, 4), point(4, 4), point(4, 0)]
        let outside = #expect(throws: GeometryError.self) {
            _ = try Polygon(outer: outer, holes: [[point(5, 5), point(5, 6), point(6, 6)]])
        }
        #expect(outside?.code == .holeOutsideOuterRing)
        #expect(outside?.field == "holes[0]")
        let nested = #expect(throws: GeometryError.self) {
            _ = try Polygon(
                outer: outer,
                holes: [
                    [point(1, 1), point(1, 3), point(3, 3), point(3, 1)],
                    [point(1.5, 1.5), point(1.5, 2.5), point(2.5, 2.5), point(2.5, 1.5)],
                ])
        }
        #expect(nested?.code == .nestedHoles)
        #expect(nested?.field == "holes[1]")
    }

    @Test func altitudeBands() throws {
        let inverted = #expect(throws: GeometryError.self) { _ = try AltitudeBand(lowerMeters: 500, upperMeters: 100) }
        #expect(inverted?.code == .altitudeBandInverted)
        #expect(inverted?.field == "lowerMeters")
        let notFinite = #expect(throws: GeometryError.self) { _ = try AltitudeBand(lowerMeters: 0, upperMeters: .nan) }
        #expect(notFinite?.code == .notFinite)
        #expect(notFinite?.field == "upperMeters")
        let flat = try AltitudeBand(lowerMeters: 100, upperMeters: 100)
        #expect(flat.contains(100) && !flat.contains(100.001))
    }

    @Test func timeWindows() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let error = #expect(throws: GeometryError.self) {
            _ = try TimeWindow(start: now, end: now.addingTimeInterval(-1))
        }
        #expect(error?.code == .timeWindowInverted)
        #expect(error?.field == "end")
        // Open-ended windows are fine.
        let open = try TimeWindow(start: now)
        #expect(open.contains(now.addingTimeInterval(1e9)))
        #expect(!open.contains(now.addingTimeInterval(-1)))
        let untilNow = try TimeWindow(end: now)
        #expect(untilNow.contains(.distantPast) && !untilNow.contains(now))
    }

    @Test func tracksAndHorizons() throws {
        let negative = #expect(throws: GeometryError.self) {
            _ = try Track(position: point(0, 0), time: Date(), speedMetersPerSecond: -1, courseDegrees: 0)
        }
        #expect(negative?.code == .negativeSpeed)
        let nanCourse = #expect(throws: GeometryError.self) {
            _ = try Track(position: point(0, 0), time: Date(), speedMetersPerSecond: 1, courseDegrees: .nan)
        }
        #expect(nanCourse?.code == .notFinite)
        #expect(nanCourse?.field == "courseDegrees")
        let track = try Track(position: point(0, 0), time: Date(), speedMetersPerSecond: 1, courseDegrees: 0)
        let zone = Footprint.circle(try Circle(center: point(0, 1), radiusMeters: 1000))
        let horizon = #expect(throws: GeometryError.self) { _ = try zone.entryTime(of: track, within: -5) }
        #expect(horizon?.code == .negativeHorizon)
        #expect(throws: GeometryError.self) { _ = try Extent([]) }
    }

    @Test func errorsDescribeThemselvesWithTheirField() {
        let error = GeometryError(.radiusNotPositive, field: "radiusMeters", reason: "radius must be positive, got 0.0")
        #expect("\(error)" == "radiusMeters: radius must be positive, got 0.0")
        #expect(error.nested(under: "zones[2]").field == "zones[2].radiusMeters")
        #expect(error.code.description == "radius_not_positive")
    }
}
