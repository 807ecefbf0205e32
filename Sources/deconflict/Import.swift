import ArgumentParser
import DeconflictEngine
import DeconflictLedger
import DeconflictNode
import DeconflictStore
import DeconflictGeoJSON
import Foundation

/// `deconflict import`: zones from a GeoJSON file into a store.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import zones from a GeoJSON FeatureCollection (Polygon, or Point with a radius) as a party's declarations.",
        discussion: """
            Every feature is checked first; one bad feature refuses the whole file, naming it. Then each zone is \
            recorded in the ledger as the party's, with progress on a terminal and a summary at the end.
            """)

    @Argument(help: ArgumentHelp("The GeoJSON file.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The party declaring the zones.", valueName: "party"))
    var owner: String

    @OptionGroup var storage: StoreOptions

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw InputError("\(file): cannot read") }
        let bodies: [ZoneBody]
        do {
            bodies = try GeoJSON.zones(from: data, owner: PartyID(owner))
        } catch {
            throw InputError("\(file): \(error.field): \(error.reason)")
        }
        try await storage.using { try await load(bodies, into: $0) }
    }

    private func load(_ bodies: [ZoneBody], into store: any Store) async throws {
        let node = try await Node(store: store)
        guard await node.read({ $0.parties[PartyID(owner)] != nil }) else {
            throw InputError("--owner: no party \(owner) (add it with deconflict party add)")
        }
        let progress = Progress("importing zones", total: Int64(bodies.count))
        var done: Int64 = 0
        for body in bodies {
            do {
                try await node.execute(LedgerCommand(.putZone(try body.zone(owner: PartyID(owner))), by: .party(PartyID(owner))))
            } catch let error as FieldError {
                progress.finish("stopped after \(done) zones")
                throw InputError("\(file): zone \(body.id): \(error.field): \(error.reason)")
            }
            done += 1
            progress.advance(to: done)
        }
        progress.finish("\(done) zones imported for \(owner) from \(file)")
    }
}
