import ArgumentParser

@main
struct Deconflict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deconfliction service.")
}
