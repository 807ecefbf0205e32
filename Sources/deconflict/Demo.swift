import ArgumentParser
import DeconflictGeometry
import DeconflictSpatialIndex
import Foundation

/// The seed scenario's geometry: the 55 km At Tanf zone, the convoy coming down the
/// highway, the militia battery inside the zone and two aircraft closing on each other.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the seed scenario (At Tanf) through the geometry core and print what it finds.")

    func run() async throws {
        for line in try SeedScenario().report() { print(line) }
    }
}

/// The geometry of the seed scenario of the product brief (coordinates approximate).
struct SeedScenario {
    let garrison = LatLng(uncheckedLatitude: 33.50, longitude: 38.65)
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let zone: Volume4D

    init() throws {
        // Ground and air, 0 to 15,000 m above the ellipsoid, no end time.
        zone = Volume4D(
            footprint: .circle(try Circle(center: garrison, radiusMeters: 55_000)),
            altitude: try AltitudeBand(lowerMeters: 0, upperMeters: 15_000),
            time: try TimeWindow(start: start))
    }

    func report() throws -> [String] {
        var lines = ["Zone: 55 km circle around the At Tanf garrison \(format(garrison)), 0-15,000 m, from \(start.formatted(.iso8601)), no end"]

        // The government convoy, 80 km north-west, heading for the garrison at 45 km/h.
        let convoyStart = Geodesic.destination(from: garrison, azimuthDegrees: 315, distanceMeters: 80_000)
        let course = Geodesic.inverse(convoyStart, garrison).initialAzimuthDegrees
        let convoy = try Track(
            position: convoyStart, altitudeMeters: 700, time: start, speedMetersPerSecond: 12.5, courseDegrees: course)
        let footprint = zone.footprint
        lines.append("")
        lines.append("Convoy at \(format(convoyStart)), course \(String(format: "%.1f", course))°, 45 km/h")
        lines.append("  distance to the zone edge: \(kilometres(footprint.signedDistance(to: convoyStart)))")
        if let eta = try zone.entryTime(of: convoy, within: 4 * 3_600) {
            lines.append("  approach: enters the zone in \(minutes(eta)) at \(format(convoy.position(after: eta)))")
        } else {
            lines.append("  approach: does not enter the zone within 4 h")
        }
        // It halts about 27 km from the garrison.
        let halt = Geodesic.destination(from: garrison, azimuthDegrees: 315, distanceMeters: 27_000)
        lines.append(
            "  halted at \(format(halt)), \(kilometres(Geodesic.distance(halt, garrison))) from the garrison: "
                + (footprint.contains(halt) ? "inside" : "outside")
                + " the zone, \(kilometres(-footprint.signedDistance(to: halt))) from its edge")

        // Militia artillery digging in inside the zone: a build-up of guns within 2 km.
        let battery = Geodesic.destination(from: garrison, azimuthDegrees: 40, distanceMeters: 35_000)
        var units = PointGrid<String>(cellDegrees: 0.05)
        for (index, azimuth) in [0.0, 72, 144, 216, 288].enumerated() {
            units.update("gun-\(index + 1)", to: Geodesic.destination(from: battery, azimuthDegrees: azimuth, distanceMeters: 600))
        }
        units.update("coalition-patrol", to: Geodesic.destination(from: garrison, azimuthDegrees: 200, distanceMeters: 10_000))
        var gathered: [String] = []
        units.forEach(within: 2_000, of: battery) { unit, position in
            if footprint.contains(position) { gathered.append(unit) }
        }
        lines.append("")
        lines.append("Militia battery at \(format(battery)): \(gathered.count) guns within 2 km of each other inside the zone (\(gathered.sorted().joined(separator: ", ")))")

        // Two aircraft on crossing tracks.
        let coalitionJet = try Track(
            position: Geodesic.destination(from: garrison, azimuthDegrees: 270, distanceMeters: 60_000),
            altitudeMeters: 7_600, time: start, speedMetersPerSecond: 220, courseDegrees: 80)
        let russianJet = try Track(
            position: Geodesic.destination(from: garrison, azimuthDegrees: 0, distanceMeters: 60_000),
            altitudeMeters: 7_900, time: start, speedMetersPerSecond: 230, courseDegrees: 190)
        let approach = try ClosestApproach.between(coalitionJet, russianJet, from: start, horizon: 1_800)
        lines.append("")
        lines.append(
            "Aircraft: closest approach in \(minutes(approach.secondsFromReference)), "
                + "\(kilometres(approach.distanceMeters)) apart horizontally, "
                + "\(Int(approach.verticalSeparationMeters.rounded())) m vertically, near \(format(approach.first))")
        return lines
    }
}

func format(_ position: LatLng) -> String {
    String(format: "%.4f°%@ %.4f°%@",
           abs(position.latitude), position.latitude >= 0 ? "N" : "S",
           abs(position.longitude), position.longitude >= 0 ? "E" : "W")
}

func kilometres(_ meters: Double) -> String {
    String(format: "%.2f km", meters / 1_000)
}

func minutes(_ seconds: Double) -> String {
    String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
}
