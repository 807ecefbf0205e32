import DeconflictEngine
import DeconflictStore
import Foundation

/// Events as JSON Lines for `deconflict demo --json`: the ledger's payloads.
enum EventJSON {
    static func line(_ event: Event) -> String { EventPayload.json(event) }

    static func rfc3339(_ date: Date) -> String { EventPayload.rfc3339(date) }
}
