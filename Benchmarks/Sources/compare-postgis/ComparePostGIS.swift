import ArgumentParser
import BenchmarkWorkloads
import DeconflictGeometry
import DeconflictSpatialIndex
import Foundation

/// Writes the point-in-zone workload for PostGIS and times the same queries here, so
/// that both sides answer exactly the same question in the same run.
@main
struct ComparePostGIS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-postgis",
        abstract: "Point-in-zone workload: export for PostGIS, time it in-process, or through SQLite's R*Tree.",
        subcommands: [Export.self, Time.self, SQLiteRTree.self, Pairs.self, Distances.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write zones and points as CSV for COPY.")

        @Option(help: "Directory to write circles.csv, polygons.csv and points.csv into.")
        var directory: String
        @Option(help: "Number of zones.") var zones = 10_000
        @Option(help: "Number of query points.") var points = 100_000

        func run() throws {
            let zones = Workloads.zones(count: zones)
            var circles = "id,lon,lat,radius\n"
            var polygons = "id,wkt\n"
            for (id, zone) in zones.enumerated() {
                switch zone {
                case .circle(let circle):
                    circles += "\(id),\(circle.center.longitude),\(circle.center.latitude),\(circle.radiusMeters)\n"
                case .polygon(let polygon):
                    let ring = (polygon.outer + [polygon.outer[0]]).map { "\($0.longitude) \($0.latitude)" }
                    polygons += "\(id),\"POLYGON((\(ring.joined(separator: ","))))\"\n"
                }
            }
            var points = "id,lon,lat\n"
            for (id, point) in Workloads.points(count: self.points).enumerated() {
                points += "\(id),\(point.longitude),\(point.latitude)\n"
            }
            let folder = URL(fileURLWithPath: directory)
            try circles.write(to: folder.appendingPathComponent("circles.csv"), atomically: true, encoding: .utf8)
            try polygons.write(to: folder.appendingPathComponent("polygons.csv"), atomically: true, encoding: .utf8)
            try points.write(to: folder.appendingPathComponent("points.csv"), atomically: true, encoding: .utf8)
        }
    }

    struct Time: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the point-in-zone queries in-process (one thread) and print the matches.")

        @Option(help: "Number of zones.") var zones = 10_000
        @Option(help: "Number of query points.") var points = 100_000
        @Option(help: "Timed repetitions; the median is reported.") var repetitions = 5
        @Flag(help: "Time only the broad phase (bounding boxes), to see where the time goes.")
        var broadPhaseOnly = false
        @Flag(help: "Query the points as one batch (visited in Z-order; the ordering is timed too).")
        var batch = false

        func run() throws {
            let buildStart = ContinuousClock.now
            let index = Workloads.index(Workloads.zones(count: zones))
            let buildTime = ContinuousClock.now - buildStart
            let queries = Workloads.points(count: points)
            var matches = 0
            let median = medianSeconds(repetitions: repetitions, prepare: { matches = 0 }) {
                if batch {
                    index.forEach(containingEach: queries.map(PreparedPoint.init)) { _, _ in matches += 1 }
                } else if broadPhaseOnly {
                    for point in queries {
                        index.forEach(intersecting: BoundingBox(point)) { _, _ in matches += 1 }
                    }
                } else {
                    for point in queries {
                        index.forEach(containing: PreparedPoint(point)) { _ in matches += 1 }
                    }
                }
            }
            print("index_build_seconds=\(buildTime)")
            print("points=\(points) zones=\(zones) matches=\(matches)")
            print("median_seconds=\(median) queries_per_second=\(Int(Double(points) / median))")
        }
    }

    struct Pairs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every 'point,zone' pair with the point inside the zone, to compare answers.")

        @Option(help: "Number of zones.") var zones = 10_000
        @Option(help: "Number of query points.") var points = 100_000

        func run() throws {
            let index = Workloads.index(Workloads.zones(count: zones))
            var lines: [String] = []
            for (id, point) in Workloads.points(count: points).enumerated() {
                var found: [Int] = []
                index.forEach(containing: PreparedPoint(point)) { found.append($0) }
                for zone in found.sorted() { lines.append("\(id),\(zone)") }
            }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Distances: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read 'point,zone' pairs on standard input and print each one's signed distance to the zone's edge.")

        @Option(help: "Number of zones.") var zones = 10_000
        @Option(help: "Number of query points.") var points = 100_000

        func run() throws {
            let zones = Workloads.zones(count: zones)
            let points = Workloads.points(count: points)
            while let line = readLine() {
                let fields = line.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard fields.count == 2, points.indices.contains(fields[0]), zones.indices.contains(fields[1]) else {
                    throw ValidationError("not a 'point,zone' pair: \(line)")
                }
                let distance = zones[fields[1]].signedDistance(to: points[fields[0]])
                print("\(fields[0]),\(fields[1]),\(distance)")
            }
        }
    }
}
