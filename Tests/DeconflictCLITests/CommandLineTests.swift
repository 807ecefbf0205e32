import Foundation
import Testing

/// The `deconflict` executable as a user runs it: its output, its errors and exit codes.
@Suite("Command line")
struct CommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    /// Runs the built `deconflict` with `arguments`.
    static func deconflict(_ arguments: String...) throws -> Run {
        try deconflict(arguments)
    }

    static func deconflict(_ arguments: [String]) throws -> Run {
        // Test bundles and executables are built into the same products directory.
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        let executable = directory.appendingPathComponent("deconflict")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "no executable at \(executable.path)")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }

    @Test func demoTellsTheSeedScenario() throws {
        let run = try Self.deconflict("demo")
        #expect(run.status == 0)
        // 80 km out, 55 km zone, 12.5 m/s: 25 km to go, 2,000 s.
        #expect(run.output.contains("distance to the zone edge: 25.00 km"))
        #expect(run.output.contains("enters the zone in 33 min 20 s"))
        #expect(run.output.contains("27.00 km from the garrison: inside the zone, 28.00 km from its edge"))
        #expect(run.output.contains("5 guns within 2 km of each other inside the zone"))
        #expect(run.output.contains("300 m vertically"))
    }

    @Test func measureAnswersInsideOutsideAndEntry() throws {
        let outside = try Self.deconflict("measure", "--circle", "33.5,38.65,55000", "--point", "34.0,38.1", "--course", "135", "--speed", "12.5")
        #expect(outside.status == 0)
        let lines = outside.output.split(separator: "\n")
        #expect(lines.first == "outside")
        #expect(lines.count == 3 && lines[2].hasPrefix("enters after "))
        let inside = try Self.deconflict("measure", "--polygon", "33.4,38.5;33.6,38.5;33.6,38.8", "--point", "33.55,38.6")
        #expect(inside.output.hasPrefix("inside\n"))
        #expect(inside.output.contains("signed distance to the edge: -"))
    }

    @Test(arguments: [
        (["--circle", "33.5,38.65,-5", "--point", "0,0"], "--circle: radiusMeters: radius must be positive"),
        (["--circle", "33.5,38.65,5000", "--point", "91,0"], "--point: latitude: latitude must be within -90...90"),
        (["--circle", "33.5,38.65", "--point", "1,1"], "--circle: expected 3 comma-separated numbers"),
        (["--polygon", "0,0;1,1;0,1;1,0", "--point", "0,0"], "--polygon: outer[0]: edge 0-1 of outer intersects edge 2-3"),
        (["--polygon", "0,0;0,1", "--point", "0,0"], "--polygon: outer:"),
        (["--circle", "0,0,1000", "--point", "0,0", "--course", "90", "--speed=-1"], "--speed: speed must not be negative"),
        (["--point", "0,0"], "give a zone: --circle or --polygon"),
    ])
    func badInputFailsWithTheFieldAndTheReason(arguments: [String], message: String) throws {
        let run = try Self.deconflict(["measure"] + arguments)
        #expect(run.status != 0)
        #expect(run.error.contains("Error: \(message)"), "stderr: \(run.error)")
        #expect(run.output.isEmpty)
    }
}
