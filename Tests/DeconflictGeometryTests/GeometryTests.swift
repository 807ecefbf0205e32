import DeconflictGeometry
import DeconflictTestSupport
import Foundation
import Testing

@Suite("Geometry behaviour")
struct GeometryTests {
    let garrison = LatLng(uncheckedLatitude: 33.50, longitude: 38.65)
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    // MARK: Circles

    /// The spherical fast path never decides differently from Karney's distance.
    @Test(arguments: Array(UInt64(1)...UInt64(8)))
    func circleFastPathAgreesWithGeodesic(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let circle = try Circle(
                center: Generators.anywhere(using: &rng), radiusMeters: pow(10, Double.random(in: 1...6.3, using: &rng)))
            for _ in 0..<20 {
                // Points within ±1 % of the radius: where the filter must defer.
                let point = Geodesic.destination(
                    from: circle.center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                    distanceMeters: circle.radiusMeters * Double.random(in: 0.97...1.03, using: &rng))
                #expect(circle.contains(point) == (Geodesic.distance(circle.center, point) <= circle.radiusMeters))
            }
        }
    }

    @Test func circlesAroundPolesAndAcrossTheAntimeridian() throws {
        let polar = try Circle(center: LatLng(latitude: 89.5, longitude: 10), radiusMeters: 100_000)
        #expect(polar.contains(try LatLng(latitude: 90, longitude: 0)))
        #expect(polar.contains(try LatLng(latitude: 89.7, longitude: -170)))  // 0.8° over the pole
        #expect(!polar.contains(try LatLng(latitude: 89.5, longitude: -170)))  // 1.0° over the pole
        #expect(polar.boundingBox.maxLatitude == 90)
        #expect(polar.boundingBox.longitudeSpan == 360)

        let dateLine = try Circle(center: LatLng(latitude: -17, longitude: 179.9), radiusMeters: 50_000)
        #expect(dateLine.contains(try LatLng(latitude: -17, longitude: -179.8)))
        #expect(!dateLine.contains(try LatLng(latitude: -17, longitude: -179.0)))
        #expect(dateLine.boundingBox.crossesAntimeridian)
        #expect(dateLine.boundingBox.contains(try LatLng(latitude: -17, longitude: -179.8)))
    }

    /// Every point inside a shape is inside its bounding box.
    @Test(arguments: Array(UInt64(1)...UInt64(6)))
    func boundingBoxesHoldTheirShapes(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<60 {
            let center = Generators.anywhere(using: &rng)
            let radius = pow(10, Double.random(in: 2...6.2, using: &rng))
            let shapes: [Footprint] = [
                .circle(try Circle(center: center, radiusMeters: radius)),
                .polygon(try Polygon(outer: Generators.starRing(
                    around: center, count: Int.random(in: 3...40, using: &rng), minimumMeters: radius * 0.5,
                    maximumMeters: radius, using: &rng))),
            ]
            for shape in shapes {
                let box = shape.boundingBox
                for _ in 0..<200 {
                    let point = Geodesic.destination(
                        from: center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                        distanceMeters: radius * Double.random(in: 0...1.01, using: &rng))
                    if shape.contains(point) { #expect(box.contains(point), "seed \(seed): \(point) not in \(box)") }
                }
            }
        }
    }

    @Test func polygonAroundThePole() throws {
        let ring = stride(from: 0.0, to: 360.0, by: 45).map { LatLng(uncheckedLatitude: 80, longitude: $0 - 180) }
        let cap = try Polygon(outer: ring)
        #expect(cap.contains(LatLng(uncheckedLatitude: 90, longitude: 0)))
        #expect(cap.contains(LatLng(uncheckedLatitude: 85, longitude: 123)))
        #expect(!cap.contains(LatLng(uncheckedLatitude: 79, longitude: 0)))
        #expect(cap.boundingBox.maxLatitude == 90 && cap.boundingBox.longitudeSpan == 360)
        // Great-circle edges bulge poleward: the middle of an edge between vertices at
        // 80°N reaches 80.75°N, so a point at 80.3°N there is outside.
        #expect(!cap.contains(LatLng(uncheckedLatitude: 80.3, longitude: -157.5)))
        #expect(!cap.contains(LatLng(uncheckedLatitude: 80.7, longitude: -157.5)))
        #expect(cap.contains(LatLng(uncheckedLatitude: 80.8, longitude: -157.5)))
    }

    @Test func greatCircleEdgesAreNotRhumbLines() throws {
        // A long east–west edge at 60°N: the great circle runs north of the parallel,
        // up to 61.52°N halfway along.
        let polygon = try Polygon(outer: [
            LatLng(uncheckedLatitude: 60, longitude: 0), LatLng(uncheckedLatitude: 60, longitude: 40),
            LatLng(uncheckedLatitude: 50, longitude: 40), LatLng(uncheckedLatitude: 50, longitude: 0),
        ])
        #expect(polygon.contains(LatLng(uncheckedLatitude: 61.5, longitude: 20)))
        #expect(!polygon.contains(LatLng(uncheckedLatitude: 61.53, longitude: 20)))
        #expect(abs(polygon.boundingBox.maxLatitude - 61.5188) < 1e-3)
    }

    @Test func signedDistancesOfACircle() throws {
        let zone = try Circle(center: garrison, radiusMeters: 55_000)
        let outside = Geodesic.destination(from: garrison, azimuthDegrees: 300, distanceMeters: 80_000)
        let inside = Geodesic.destination(from: garrison, azimuthDegrees: 300, distanceMeters: 27_000)
        #expect(abs(zone.signedDistance(to: outside) - 25_000) < 1e-6)
        #expect(abs(zone.signedDistance(to: inside) + 28_000) < 1e-6)
    }

    // MARK: Volumes

    @Test func volumesRespectAltitudeAndTime() throws {
        let window = try TimeWindow(start: start, end: start.addingTimeInterval(3_600))
        let volume = Volume4D(
            footprint: .circle(try Circle(center: garrison, radiusMeters: 55_000)),
            altitude: try AltitudeBand(lowerMeters: 0, upperMeters: 15_000), time: window)
        #expect(volume.contains(garrison, altitudeMeters: 500, at: start))
        #expect(!volume.contains(garrison, altitudeMeters: 15_001, at: start))
        #expect(!volume.contains(garrison, altitudeMeters: 500, at: start.addingTimeInterval(3_600)))
        #expect(!volume.contains(garrison, altitudeMeters: 500, at: start.addingTimeInterval(-1)))

        let later = Volume4D(
            footprint: volume.footprint, altitude: volume.altitude,
            time: try TimeWindow(start: start.addingTimeInterval(3_600)))
        #expect(!volume.intersects(later), "half-open windows that only touch do not overlap")
        let above = Volume4D(
            footprint: volume.footprint, altitude: try AltitudeBand(lowerMeters: 15_500, upperMeters: 20_000), time: window)
        #expect(!volume.intersects(above))
        let open = Volume4D(footprint: volume.footprint)
        #expect(volume.intersects(open))
        let extent = try Extent([later, above])
        #expect(!extent.intersects(Extent(volume)))
        #expect(extent.intersects(Extent(open)))
    }

    @Test func circleIntersectionIsExact() throws {
        let a = try Circle(center: garrison, radiusMeters: 55_000)
        let distance = 120_000.0
        let far = Geodesic.destination(from: garrison, azimuthDegrees: 77, distanceMeters: distance)
        #expect(Footprint.circle(a).intersects(.circle(try Circle(center: far, radiusMeters: 65_000.01))))
        #expect(!Footprint.circle(a).intersects(.circle(try Circle(center: far, radiusMeters: 64_999.99))))
    }

    /// Circle/polygon overlap against a dense sampling of the circle's disc.
    @Test(arguments: Array(UInt64(1)...UInt64(6)))
    func circlePolygonIntersection(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<25 {
            let center = Generators.anywhere(using: &rng)
            let polygon = try Polygon(outer: Generators.starRing(
                around: center, count: Int.random(in: 3...12, using: &rng), minimumMeters: 20_000,
                maximumMeters: 50_000, using: &rng))
            let circleCenter = Geodesic.destination(
                from: center, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                distanceMeters: Double.random(in: 0...120_000, using: &rng))
            let circle = try Circle(center: circleCenter, radiusMeters: Double.random(in: 1_000...40_000, using: &rng))
            let distance = polygon.contains(circleCenter) ? 0 : polygon.boundaryDistance(to: circleCenter)
            // Skip grazing cases: the exact answer is within a metre of flipping.
            guard abs(distance - circle.radiusMeters) > 1 else { continue }
            let overlaps = Footprint.circle(circle).intersects(.polygon(polygon))
            #expect(overlaps == (distance <= circle.radiusMeters))
            if !overlaps {
                // No sampled point of the disc may be inside the polygon.
                for _ in 0..<200 {
                    let point = Geodesic.destination(
                        from: circleCenter, azimuthDegrees: Double.random(in: 0..<360, using: &rng),
                        distanceMeters: circle.radiusMeters * Double.random(in: 0...1, using: &rng).squareRoot())
                    #expect(!polygon.contains(point))
                }
            }
        }
    }

    // MARK: Moving units

    @Test func convoyEntersTheZoneAt55Kilometres() throws {
        let zone = Footprint.circle(try Circle(center: garrison, radiusMeters: 55_000))
        let origin = Geodesic.destination(from: garrison, azimuthDegrees: 315, distanceMeters: 80_000)
        let course = Geodesic.inverse(origin, garrison).initialAzimuthDegrees
        let convoy = try Track(position: origin, time: start, speedMetersPerSecond: 12.5, courseDegrees: course)
        let eta = try #require(try zone.entryTime(of: convoy, within: 7_200))
        #expect(abs(eta - 25_000 / 12.5) < 1e-3)
        #expect(abs(Geodesic.distance(garrison, convoy.position(after: eta)) - 55_000) < 1e-3)
        #expect(try zone.entryTime(of: convoy, within: 1_999) == nil)
        let stopped = try Track(position: origin, time: start, speedMetersPerSecond: 0, courseDegrees: course)
        #expect(try zone.entryTime(of: stopped, within: 1e6) == nil)
    }

    @Test func entryIntoAPolygonAcrossTheAntimeridian() throws {
        let zone = try Polygon(outer: [
            LatLng(uncheckedLatitude: -1, longitude: 179.5), LatLng(uncheckedLatitude: -1, longitude: -179.5),
            LatLng(uncheckedLatitude: 1, longitude: -179.5), LatLng(uncheckedLatitude: 1, longitude: 179.5),
        ])
        // Eastbound along the equator from 179°E: the western edge is the meridian 179.5°E.
        let ship = try Track(position: LatLng(latitude: 0, longitude: 179), time: start, speedMetersPerSecond: 10, courseDegrees: 90)
        let eta = try #require(try Footprint.polygon(zone).entryTime(of: ship, within: 86_400))
        let expected = Geodesic.distance(LatLng(uncheckedLatitude: 0, longitude: 179), LatLng(uncheckedLatitude: 0, longitude: 179.5)) / 10
        #expect(abs(eta - expected) < 1e-3)
        // Westbound, it never gets there.
        let away = try Track(position: LatLng(latitude: 0, longitude: 179), time: start, speedMetersPerSecond: 10, courseDegrees: 270)
        #expect(try Footprint.polygon(zone).entryTime(of: away, within: 86_400) == nil)
    }

    @Test func entryWaitsForTheAltitudeBandAndTheTimeWindow() throws {
        let footprint = Footprint.circle(try Circle(center: garrison, radiusMeters: 55_000))
        // Inside the outline from the start, climbing from 0 m at 5 m/s into 1,000–2,000 m.
        let climbing = try Track(
            position: garrison, altitudeMeters: 0, time: start, speedMetersPerSecond: 0, courseDegrees: 0,
            verticalRateMetersPerSecond: 5)
        let band = Volume4D(footprint: footprint, altitude: try AltitudeBand(lowerMeters: 1_000, upperMeters: 2_000))
        #expect(try band.entryTime(of: climbing, within: 1_000) == 200)
        #expect(try band.entryTime(of: climbing, within: 199) == nil)
        // The zone only opens ten minutes from now.
        let opening = Volume4D(footprint: footprint, time: try TimeWindow(start: start.addingTimeInterval(600)))
        #expect(try opening.entryTime(of: climbing, within: 3_600) == 600)
        let closed = Volume4D(footprint: footprint, time: try TimeWindow(end: start))
        #expect(try closed.entryTime(of: climbing, within: 3_600) == nil)
    }

    @Test func closestApproachOfConvergingAndParallelUnits() throws {
        let west = Geodesic.destination(from: garrison, azimuthDegrees: 270, distanceMeters: 50_000)
        let east = Geodesic.destination(from: garrison, azimuthDegrees: 90, distanceMeters: 50_000)
        let a = try Track(position: west, altitudeMeters: 6_000, time: start, speedMetersPerSecond: 100,
                          courseDegrees: Geodesic.inverse(west, east).initialAzimuthDegrees)
        let b = try Track(position: east, altitudeMeters: 6_300, time: start, speedMetersPerSecond: 100,
                          courseDegrees: Geodesic.inverse(east, west).initialAzimuthDegrees)
        let approach = try ClosestApproach.between(a, b, from: start, horizon: 3_600)
        #expect(abs(approach.secondsFromReference - 500) < 0.01)
        #expect(approach.distanceMeters < 0.5)
        #expect(abs(approach.verticalSeparationMeters - 300) < 1e-9)

        // Diverging: closest now.
        let apart = try Track(position: east, time: start, speedMetersPerSecond: 100,
                              courseDegrees: Geodesic.inverse(west, east).finalAzimuthDegrees)
        let diverging = try ClosestApproach.between(
            try Track(position: west, time: start, speedMetersPerSecond: 100,
                      courseDegrees: Geodesic.inverse(east, west).finalAzimuthDegrees),
            apart, from: start, horizon: 3_600)
        #expect(diverging.secondsFromReference == 0)
        #expect(abs(diverging.distanceMeters - 100_000) < 1e-3)

        // A later reference instant projects both units forward first.
        let later = try ClosestApproach.between(a, b, from: start.addingTimeInterval(100), horizon: 3_600)
        #expect(abs(later.secondsFromReference - 400) < 0.01)
    }
}
