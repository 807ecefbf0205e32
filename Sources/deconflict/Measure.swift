import ArgumentParser
import DeconflictGeometry
import Foundation

/// One zone against one position: inside or not, how far from the edge, and when a
/// unit on its course would enter.
struct Measure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test a position against a zone: membership, signed distance to the edge and entry time.",
        discussion: """
            Coordinates are WGS84 degrees, latitude first; distances are geodesic metres on the \
            WGS84 ellipsoid; polygon edges are great-circle arcs.

            Example: deconflict measure --circle 33.5,38.65,55000 --point 34.0,38.1 --course 135 --speed 12.5
            """)

    @Option(help: ArgumentHelp("A circle: centre latitude, longitude and radius in metres.", valueName: "lat,lon,radius"))
    var circle: String?

    @Option(help: ArgumentHelp(
        "A polygon: vertices separated by ';', each 'lat,lon'. Add --hole for holes.", valueName: "lat,lon;lat,lon;..."))
    var polygon: String?

    @Option(help: ArgumentHelp("A hole in the polygon, in the same form (repeatable).", valueName: "lat,lon;..."))
    var hole: [String] = []

    @Option(help: ArgumentHelp("The position to test.", valueName: "lat,lon"))
    var point: String

    @Option(help: "The unit's course in degrees clockwise from north, to compute an entry time.")
    var course: Double?

    @Option(help: "The unit's ground speed in metres per second.")
    var speed: Double = 0

    @Option(help: "How far ahead to look for an entry, in seconds.")
    var horizon: Double = 3_600

    func run() async throws {
        // Every input is checked before anything is printed.
        let footprint = try parseFootprint()
        let position = try Self.position(point, option: "point")
        var entry: (track: Track, seconds: Double?)?
        if let course {
            let track: Track
            do {
                track = try Track(position: position, time: Date(), speedMetersPerSecond: speed, courseDegrees: course)
            } catch {
                throw InputError("--\(error.field == "speedMetersPerSecond" ? "speed" : "course"): \(error.reason)")
            }
            do {
                entry = (track, try footprint.entryTime(of: track, within: horizon))
            } catch {
                throw InputError("--horizon: \(error.reason)")
            }
        }
        print(footprint.contains(position) ? "inside" : "outside")
        print(String(format: "signed distance to the edge: %.3f m (negative inside)", footprint.signedDistance(to: position)))
        switch entry {
        case nil:
            break
        case (let track, let seconds?)?:
            print(String(format: "enters after %.3f s at ", seconds) + format(track.position(after: seconds)))
        case (_, nil)?:
            print("does not enter within \(horizon) s")
        }
    }

    private func parseFootprint() throws -> Footprint {
        switch (circle, polygon) {
        case (let circle?, nil):
            let numbers = try Self.numbers(circle, count: 3, option: "circle")
            do {
                let center = try LatLng(latitude: numbers[0], longitude: numbers[1])
                return .circle(try Circle(center: center, radiusMeters: numbers[2]))
            } catch {
                throw InputError("--circle: \(error)")
            }
        case (nil, let polygon?):
            let outer = try Self.ring(polygon, option: "polygon")
            let holes = try hole.map { try Self.ring($0, option: "hole") }
            do {
                return .polygon(try Polygon(outer: outer, holes: holes))
            } catch {
                throw InputError("--polygon: \(error)")
            }
        case (nil, nil):
            throw InputError("give a zone: --circle or --polygon")
        case (_?, _?):
            throw InputError("give one zone: --circle or --polygon, not both")
        }
    }

    static func numbers(_ text: String, count: Int, option: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == count, numbers.count == count else {
            throw InputError("--\(option): expected \(count) comma-separated numbers, got '\(text)'")
        }
        return numbers
    }

    static func position(_ text: String, option: String) throws -> LatLng {
        let numbers = try numbers(text, count: 2, option: option)
        do {
            return try LatLng(latitude: numbers[0], longitude: numbers[1])
        } catch {
            throw InputError("--\(option): \(error)")
        }
    }

    static func ring(_ text: String, option: String) throws -> [LatLng] {
        try text.split(separator: ";").enumerated().map { index, vertex in
            try position(String(vertex), option: "\(option)[\(index)]")
        }
    }
}

/// Bad input found while running a command: printed as `Error: <message>`, exit status 1.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
