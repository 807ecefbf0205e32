import ArgumentParser
import BenchmarkWorkloads
import DeconflictGeometry
import DeconflictSpatialIndex
import Foundation

/// The separation workload: every position report moves one unit and asks for every
/// other unit within the separation minimum of it. Written as Redis commands (`GEOADD`
/// then `GEOSEARCH … BYRADIUS`) for `redis-cli --pipe`, or answered here by the unit
/// index, so that both sides do exactly the same work in the same run.
@main
struct CompareRedis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-redis",
        abstract: "Separation workload: Redis commands, or the same reports timed in-process.",
        subcommands: [Commands.self, Export.self, Time.self, Neighbours.self])

    struct Workload: ParsableArguments {
        @Option(help: "Units, placed uniformly over the 1,000 km square.") var units = 100_000
        @Option(help: "Position reports, each moving one unit up to about 100 m.") var reports = 200_000
        @Option(help: "Separation minimum in metres (5 NM by default).") var radius = 9_260.0

        /// The units' first positions and the reports that follow, the same on both sides.
        func make() -> (start: [LatLng], moves: [(Int, LatLng)]) {
            var moves = Workloads.UnitMoves(units: units)
            let start = moves.positions
            return (start, moves.moves(count: reports))
        }
    }

    struct Commands: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the workload as Redis protocol: the units' first positions to --load, the reports to --reports.")

        @OptionGroup var workload: Workload
        @Option(help: "File for the GEOADD commands placing every unit.") var load: String
        @Option(help: "File for the reports: GEOADD, then GEOSEARCH around the unit.") var reportsFile: String
        @Flag(help: "Write commands as text lines, one per line, instead of the wire protocol.") var text = false

        func run() throws {
            let (start, moves) = workload.make()
            var placing = RedisWriter(text: text)
            for batch in stride(from: 0, to: start.count, by: 1_000) {
                var command = ["GEOADD", "units"]
                for unit in batch..<min(start.count, batch + 1_000) {
                    command += [coordinate(start[unit].longitude), coordinate(start[unit].latitude), "u\(unit)"]
                }
                placing.append(command)
            }
            try placing.bytes.write(to: URL(fileURLWithPath: load))
            var reporting = RedisWriter(text: text)
            let radius = coordinate(workload.radius)
            for (unit, position) in moves {
                let lon = coordinate(position.longitude), lat = coordinate(position.latitude)
                reporting.append(["GEOADD", "units", lon, lat, "u\(unit)"])
                reporting.append(["GEOSEARCH", "units", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "m"])
            }
            try reporting.bytes.write(to: URL(fileURLWithPath: reportsFile))
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the workload as CSV for COPY: units.csv (id,lon,lat) and reports.csv (seq,unit,lon,lat).")

        @OptionGroup var workload: Workload
        @Option(help: "Directory to write units.csv and reports.csv into.") var directory: String

        func run() throws {
            let (start, moves) = workload.make()
            var units = "id,lon,lat\n"
            for (unit, position) in start.enumerated() {
                units += "\(unit),\(coordinate(position.longitude)),\(coordinate(position.latitude))\n"
            }
            var reports = "seq,unit,lon,lat\n"
            for (seq, (unit, position)) in moves.enumerated() {
                reports += "\(seq),\(unit),\(coordinate(position.longitude)),\(coordinate(position.latitude))\n"
            }
            let folder = URL(fileURLWithPath: directory)
            try units.write(to: folder.appendingPathComponent("units.csv"), atomically: true, encoding: .utf8)
            try reports.write(to: folder.appendingPathComponent("reports.csv"), atomically: true, encoding: .utf8)
        }
    }

    struct Time: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the reports against the unit index on one thread; print reports per second and neighbours found.")

        @OptionGroup var workload: Workload
        @Option(help: "Timed repetitions, each from the same start; the median is reported.") var repetitions = 5

        func run() throws {
            let (start, moves) = workload.make()
            var found = 0
            var grid = PointGrid<Int32>()
            let median = medianSeconds(repetitions: repetitions, prepare: {
                grid = placed(start)
                found = 0
            }) {
                for (unit, position) in moves {
                    grid.update(Int32(unit), to: position)
                    grid.forEach(within: workload.radius, of: position) { _, _ in found += 1 }
                }
            }
            print("units=\(workload.units) reports=\(workload.reports) radius=\(workload.radius) neighbours=\(found)")
            print("median_seconds=\(median) reports_per_second=\(Int(Double(workload.reports) / median))")
        }
    }

    struct Neighbours: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print 'report,unit,metres' for every unit found within the radius of each of the first --limit reports.")

        @OptionGroup var workload: Workload
        @Option(help: "Reports to print the neighbours of.") var limit = 2_000

        func run() throws {
            let (start, moves) = workload.make()
            var grid = placed(start)
            var lines: [String] = []
            for (report, (unit, position)) in moves.prefix(limit).enumerated() {
                grid.update(Int32(unit), to: position)
                grid.forEach(within: workload.radius, of: position) { other, at in
                    lines.append("\(report),u\(other),\(Geodesic.distance(position, at))")
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

/// Coordinates and distances as Redis reads them: plain decimals, no exponent.
func coordinate(_ value: Double) -> String { String(format: "%.7f", value) }

/// The unit index with every unit at its first position.
func placed(_ start: [LatLng]) -> PointGrid<Int32> {
    var grid = PointGrid<Int32>()
    for (unit, position) in start.enumerated() { grid.update(Int32(unit), to: position) }
    return grid
}

/// Redis commands as the wire protocol (arrays of bulk strings) or as text lines.
struct RedisWriter {
    let text: Bool
    private(set) var bytes = Data()

    init(text: Bool) { self.text = text }

    mutating func append(_ command: [String]) {
        if text {
            bytes.append(contentsOf: Array((command.joined(separator: " ") + "\n").utf8))
            return
        }
        var encoded = "*\(command.count)\r\n"
        for argument in command { encoded += "$\(argument.utf8.count)\r\n\(argument)\r\n" }
        bytes.append(contentsOf: Array(encoded.utf8))
    }
}
