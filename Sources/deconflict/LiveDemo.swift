import DeconflictEngine
import DeconflictLedger
import DeconflictNode
import DeconflictAPI
import Foundation
import ServiceLifecycle

/// `deconflict serve --demo`: the seed scenario loaded into an empty store and played on
/// the server's clock, which runs from the scenario's start at `speed` times real time.
struct LiveDemo: Sendable {
    let script: ScenarioScript
    let speed: Double
    let began = Date()

    /// The demo's clock: the scenario's start, advancing `speed` seconds a second.
    var clock: @Sendable () -> Date {
        let start = script.start, began = began, speed = speed
        return { start.addingTimeInterval(Date().timeIntervalSince(began) * speed) }
    }

    /// Adds the cast with a key each (printed once), then plays the steps as their times
    /// come, reports through the parties' own ingest.
    func play(on node: Node, log: @Sendable (String) -> Void) async throws {
        let steps = try script.commands()
        let keys = script.parties.map { party in (party.id, Credentials.issue(for: .party(party.id))) }
        var setupDone = false
        for step in steps {
            if case .tick = step.command { continue }
            if !setupDone, step.time > script.start {
                setupDone = true
                for (party, (key, record)) in keys {
                    try await node.execute(.issueCredential(record))
                    log("demo: party \(party.rawValue) key \(key)")
                }
                log("demo: playing \(script.name) at \(speed)× real time")
            }
            let wait = step.time.timeIntervalSince(clock()) / speed
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            switch step.command {
            case .report(let report):
                guard let party = await node.read({ $0.unit(report.unit)?.party }) else { continue }
                _ = try await node.ingest([report], by: party)
            default:
                do {
                    try await node.execute(LedgerCommand(step.command, by: .operator))
                } catch let error as FieldError {
                    log("demo: \(error)")
                }
            }
        }
        log("demo: scenario finished; the server goes on")
    }
}

/// The live demo as a service of the server's service group: it plays the scenario, then
/// waits for the group to shut down (the server goes on after the scenario ends).
struct LiveDemoService: Service {
    let demo: LiveDemo
    let node: Node
    let log: @Sendable (String) -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await demo.play(on: node, log: log) }
        } catch is CancellationError {
            // Shut down while it played: the demo simply stops.
            return
        }
        try? await gracefulShutdown()
    }
}
