import Benchmark
import BenchmarkWorkloads
import DeconflictGeometry
import DeconflictSpatialIndex

/// A position in a replayed workload that carries on from one sample to the next, so
/// that every sample meets new points rather than the cache-warm first thousand.
final class Cursor: @unchecked Sendable {
    private var position = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int {
        defer { position = position + 1 == count ? 0 : position + 1 }
        return position
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1_000)

    let zones = Workloads.zones()
    let index = Workloads.index(zones)
    let points = Workloads.points(count: 1_000_000)

    // One iteration = 1,000 point-in-zone queries against the 10,000 zones, each
    // returning every zone that contains the point (exact). The points are uniform
    // over the square, one after another through a million of them.
    let queries = Cursor(count: points.count)
    Benchmark("Point-in-zone query, 10k mixed zones") { benchmark in
        var matches = 0
        for _ in benchmark.scaledIterations {
            index.forEach(containing: PreparedPoint(points[queries.next()])) { _ in matches += 1 }
        }
        blackHole(matches)
    }

    // The same queries over a hot set of 1,000 points that stays in the cache: the
    // ceiling of the query path when memory is not what limits it.
    Benchmark("Point-in-zone query, 10k mixed zones, hot set of 1k points") { benchmark in
        var matches = 0
        var cursor = 0
        for _ in benchmark.scaledIterations {
            index.forEach(containing: PreparedPoint(points[cursor])) { _ in matches += 1 }
            cursor = cursor + 1 == 1_000 ? 0 : cursor + 1
        }
        blackHole(matches)
    }

    // The same queries as batches of 100,000 points visited in Z-order (the ordering
    // included): one iteration = one batch.
    let prepared = points.map(PreparedPoint.init)
    let batches = Cursor(count: prepared.count / 100_000)
    Benchmark(
        "Point-in-zone batch of 100k points, 10k mixed zones",
        configuration: .init(scalingFactor: .one, maxIterations: 30)
    ) { benchmark in
        var matches = 0
        for _ in benchmark.scaledIterations {
            let first = batches.next() * 100_000
            index.forEach(containingEach: Array(prepared[first..<first + 100_000])) { _, _ in matches += 1 }
        }
        blackHole(matches)
    }

    // One iteration = 1,000 position updates in a 100,000-unit index, replaying a
    // million precomputed moves of up to 100 m.
    var moves = Workloads.UnitMoves(units: 100_000)
    var grid = PointGrid<Int>(cellDegrees: 0.1)
    for (unit, position) in moves.positions.enumerated() { grid.update(unit, to: position) }
    let replay = moves.moves(count: 1_000_000)
    let updates = Cursor(count: replay.count)
    Benchmark("Unit index update, 100k units") { benchmark in
        for _ in benchmark.scaledIterations {
            let (unit, position) = replay[updates.next()]
            grid.update(unit, to: position)
        }
        blackHole(grid.count)
    }

    // One iteration = 1,000 radius queries (10 km) in the 100,000-unit index.
    let centres = Cursor(count: points.count)
    Benchmark("Unit index radius query 10 km, 100k units") { benchmark in
        var found = 0
        for _ in benchmark.scaledIterations {
            grid.forEach(within: 10_000, of: points[centres.next()]) { _, _ in found += 1 }
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
    let pairs = Cursor(count: points.count - 1)
    Benchmark("Geodesic inverse (Karney)") { benchmark in
        var total = 0.0
        for _ in benchmark.scaledIterations {
            let first = pairs.next()
            total += Geodesic.distance(points[first], points[first + 1])
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
