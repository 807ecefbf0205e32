import ArgumentParser

/// The `deconflict` command: each capability is a subcommand.
@main
struct Deconflict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deconflict",
        abstract: "Deconfliction service for parties sharing a contested or crowded space.",
        subcommands: [Serve.self, Demo.self, PartyCommand.self, OperatorKey.self, Import.self, Measure.self, Export.self, Verify.self, Replay.self, Witness.self])
}
