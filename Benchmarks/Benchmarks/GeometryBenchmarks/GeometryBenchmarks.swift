import Benchmark
import BenchmarkWorkloads
import DeconflictGeometry
import DeconflictSpatialIndex

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1_000)

    let zones = Workloads.zones()
    let index = Workloads.index(zones)
    let points = Workloads.points(count: 100_000)

    // One iteration = 1,000 point-in-zone queries against the 10,000 zones, each
    // returning every zone that contains the point (exact).
    Benchmark("Point-in-zone query, 10k mixed zones") { benchmark in
        var matches = 0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            let point = PreparedPoint(points[cursor])
            cursor = cursor + 1 == points.count ? 0 : cursor + 1
            index.forEach(containing: point) { _ in matches += 1 }
        }
        blackHole(matches)
    }

    // The same queries as one batch, visited in Z-order (the ordering included):
    // one iteration = all 100,000 points.
    let prepared = points.map(PreparedPoint.init)
    Benchmark(
        "Point-in-zone batch of 100k points, 10k mixed zones",
        configuration: .init(scalingFactor: .one, maxIterations: 30)
    ) { benchmark in
        var matches = 0
        for _ in benchmark.scaledIterations {
            index.forEach(containingEach: prepared) { _, _ in matches += 1 }
        }
        blackHole(matches)
    }

    // One iteration = 1,000 position updates in a 100,000-unit index.
    var moves = Workloads.UnitMoves(units: 100_000)
    var grid = PointGrid<Int>(cellDegrees: 0.1)
    for (unit, position) in moves.positions.enumerated() { grid.update(unit, to: position) }
    let replay = moves.moves(count: 1_000_000)
    Benchmark("Unit index update, 100k units") { benchmark in
        var cursor = 0
        for _ in benchmark.scaledIterations {
            let (unit, position) = replay[cursor]
            cursor = cursor + 1 == replay.count ? 0 : cursor + 1
            grid.update(unit, to: position)
        }
        blackHole(grid.count)
    }

    // One iteration = 1,000 radius queries (10 km) in the 100,000-unit index.
    Benchmark("Unit index radius query 10 km, 100k units") { benchmark in
        var found = 0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            grid.forEach(within: 10_000, of: points[cursor]) { _, _ in found += 1 }
            cursor = cursor + 1 == points.count ? 0 : cursor + 1
        }
        blackHole(found)
    }

    Benchmark(
        "Zone index bulk load, 10k mixed zones",
        configuration: .init(scalingFactor: .one, maxIterations: 50)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Workloads.index(zones).count)
        }
    }

    // Geodesic primitives, for scale: one iteration = 1,000 calls.
    Benchmark("Geodesic inverse (Karney)") { benchmark in
        var total = 0.0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            total += Geodesic.distance(points[cursor], points[cursor + 1])
            cursor = cursor + 2 >= points.count ? 0 : cursor + 1
        }
        blackHole(total)
    }

    let circle = try! Circle(center: LatLng(uncheckedLatitude: 33.5, longitude: 38.65), radiusMeters: 55_000)
    let convoy = try! Track(
        position: Geodesic.destination(from: circle.center, azimuthDegrees: 315, distanceMeters: 80_000),
        time: .init(timeIntervalSince1970: 0), speedMetersPerSecond: 12.5, courseDegrees: 135)
    Benchmark("Entry time into a 55 km circle", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! Footprint.circle(circle).entryTime(of: convoy, within: 3_600))
        }
    }
}
