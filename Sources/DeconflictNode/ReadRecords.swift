public import DeconflictEngine
public import DeconflictLedger
import Synchronization

/// The full reads of other parties' units that are recorded in the ledger (`command`
/// `recordRead`), wherever they are read: the REST API, the live situation, a TAK
/// client's map. A unit read again by the same reader within ``window`` seconds is the
/// read already recorded (a console refreshing its map, a TAK client sent each report),
/// so each reader's reads of a unit are in the ledger at least once a minute while they
/// go on, and the ledger does not grow with every refresh.
public final class ReadRecords: Sendable {
    /// How long a recorded read covers the same reader reading the same unit again.
    public static let window: Duration = .seconds(60)

    private let recent = Mutex<[Key: ContinuousClock.Instant]>([:])

    private struct Key: Hashable {
        let reader: String
        let unit: String
    }

    public init() {}

    /// Records that `actor` read `units` (of other parties) in full, leaving out those it
    /// read within the window. Nothing is recorded for the operator.
    public func record(_ units: [String], by actor: Actor, on node: Node) async throws {
        guard !units.isEmpty, actor != .operator else { return }
        let now = ContinuousClock.now
        let reader = actor.description
        let unread = recent.withLock { recent -> [String] in
            if recent.count > 10_000 { recent = recent.filter { now - $0.value < Self.window } }
            var unread: [String] = []
            for unit in units {
                let key = Key(reader: reader, unit: unit)
                if let last = recent[key], now - last < Self.window { continue }
                recent[key] = now
                unread.append(unit)
            }
            return unread
        }
        guard !unread.isEmpty else { return }
        do {
            try await node.execute(LedgerCommand(.recordRead("units " + unread.joined(separator: ",")), by: actor))
        } catch {
            // Not recorded: the next read must try again.
            recent.withLock { recent in for unit in unread { recent[Key(reader: reader, unit: unit)] = nil } }
            throw error
        }
    }
}
