import ArgumentParser
import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictStore
import Foundation

/// Replays a scenario (the seed scenario by default) through the engine and prints the
/// timeline of what it raised and what the parties did.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a scenario through the engine: the seed scenario (At Tanf) unless --scenario names another.",
        discussion: """
            The scenario format is documented in docs/scenario-format.md; \
            `deconflict demo --print-scenario > mine.json` writes the seed scenario to start from.
            """)

    @Option(help: ArgumentHelp("A scenario file (JSON) to run instead of the seed scenario.", valueName: "file"))
    var scenario: String?

    @Flag(help: "Print one JSON object per line for every event instead of the timeline.")
    var json = false

    @Option(help: "Scenario seconds per real second; 0 prints everything at once.")
    var speed: Double = 600

    @Flag(help: "Print the seed scenario's JSON and exit.")
    var printScenario = false

    @Option(help: ArgumentHelp(
        "Also write the run's ledger and position reports to this store: a SQLite file (created if missing) or a postgres:// URL.",
        valueName: "file-or-url"))
    var store: String?

    func run() async throws {
        let data = try Self.scenarioData(scenario)
        if printScenario {
            FileHandle.standardOutput.write(data)
            return
        }
        let script: ScenarioScript
        do {
            script = try ScenarioScript.decode(data)
        } catch let error as DecodingError {
            throw InputError("\(scenario ?? "seed scenario"): \(Self.describe(error))")
        }
        let steps: [ScenarioScript.Step]
        do {
            steps = try script.commands()
        } catch {
            throw InputError("\(scenario ?? "seed scenario"): \(error)")
        }
        guard speed >= 0, speed.isFinite else { throw InputError("--speed: must be 0 or more, got \(speed)") }
        // The whole run first, so that a scenario the engine refuses prints nothing but the error.
        var engine = Engine(start: script.start)
        var timeline: [(time: Date, events: [Event])] = []
        var records: [LedgerRecord] = []
        var reports: [PositionReport] = []
        for step in steps {
            do {
                let events = try engine.handle(step.command, at: step.time)
                if !events.isEmpty { timeline.append((step.time, events)) }
                if store != nil {
                    if case .report(let report) = step.command { reports.append(report) }
                    records += events.map { EventRecord.record($0, basis: engine.lastReport(of:)) }
                }
            } catch {
                throw InputError("\(scenario ?? "seed scenario") at \(RFC3339.shortest(step.time)): \(error)")
            }
        }
        if let store {
            let opened: any Store
            do {
                opened = store.hasPrefix("postgres://") || store.hasPrefix("postgresql://")
                    ? try PostgresStore(url: store) : try SQLiteStore(path: store)
            } catch {
                throw InputError("--store: \(error)")
            }
            let sealed = try await withStore(opened) { opened in
                try await opened.appendReports(reports)
                return try await opened.append(records)
            }
            if let head = sealed.last {
                FileHandle.standardError.write(Data("ledger: \(sealed.count) entries written to \(store), head \(head.hash)\n".utf8))
            }
        }
        let printer = Timeline(start: script.start, colour: !json && isatty(STDOUT_FILENO) == 1)
        if !json { print(printer.title(script.name)) }
        let clock = ContinuousClock()
        let began = clock.now
        for (time, events) in timeline {
            if speed > 0 {
                let due = began + .milliseconds(Int64(time.timeIntervalSince(script.start) / speed * 1_000))
                if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            }
            for event in events {
                if json {
                    print(EventRecord(event).payload)
                } else if let line = printer.line(event) {
                    print(line)
                }
            }
        }
    }

    static func scenarioData(_ path: String?) throws -> Data {
        if let path {
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw InputError("--scenario: cannot read \(path): \(error.localizedDescription)")
            }
        }
        guard let url = Bundle.module.url(forResource: "at-tanf", withExtension: "json", subdirectory: "Scenarios") else {
            throw InputError("the seed scenario is missing from this build")
        }
        return try Data(contentsOf: url)
    }

    /// The path and reason of a decoding error, for a person.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
