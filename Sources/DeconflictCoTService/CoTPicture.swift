import DeconflictCoT
package import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictStore
import Foundation
import Synchronization
package import DeconflictNode
import DeconflictAccess

/// What a party's TAK clients are sent: every zone (zones are declared to be seen) as a
/// shape, every open alert addressed to the party (a breach as an emergency, any
/// other alert as a warning marker), the party's own units (not those this connection
/// reports itself) and the other parties' units it may locate
/// (``Visibility/mayLocate(_:report:by:in:)``: near a zone of an agreement both signed, or
/// an intruder into one of its zones), each such read recorded in the ledger like any
/// other (``ReadRecords``); a unit it may no longer locate is deleted from its map. First all at
/// once, then as they change, and all again every ``CoTSettings/refreshInterval`` so
/// nothing goes stale on the map while it holds. A resolved alert is sent as its
/// cancellation (a warning as a delete); a removed zone as a delete.
package struct CoTPicture {
    package let node: Node
    package let party: PartyID
    package let settings: CoTSettings
    /// The units this connection itself reports: its device is not sent its own position.
    package let spoken: SpokenUnits
    /// The other parties' units this connection was sent and has not been told to delete.
    private let shown = SpokenUnits()

    private var staleAfter: TimeInterval { (settings.refreshInterval * 2) / .seconds(1) }

    package func follow(into sender: AsyncStream<CoTConnection.Outgoing>.Continuation) async {
        let (key, entries) = node.hub.subscribe()
        defer { node.hub.unsubscribe(key) }
        await sendAll(into: sender)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.refreshInterval)
                    if Task.isCancelled { break }
                    await sendAll(into: sender)
                }
            }
            group.addTask {
                for await entry in entries {
                    for event in await events(for: entry, into: sender) { sender.yield(.event(event)) }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func sendAll(into sender: AsyncStream<CoTConnection.Outgoing>.Continuation) async {
        let (events, units) = await node.read { engine -> ([CoTOutboundEvent], Located) in
            let now = Date()
            var events = engine.zones.values.sorted { $0.id < $1.id }.map { zone in
                CoTMapping.shape(zone, now: now, stale: now.addingTimeInterval(staleAfter))
            }
            for alert in engine.alerts.values.sorted(by: { $0.id < $1.id }) where alert.state != .resolved {
                if let event = alertEvent(alert, in: engine, now: now) { events.append(event) }
            }
            return (events, located(engine.units.keys, in: engine, now: now))
        }
        for event in events { sender.yield(.event(event)) }
        await send(units, into: sender)
    }

    /// The units among `ids` this party's map is sent (its own, except those this
    /// connection reports, and the others it may locate), and the deletions of those it was
    /// sent before and may no longer locate.
    private struct Located {
        var events: [CoTOutboundEvent] = []
        var others: [UnitID] = []
        var deleted: [UnitID] = []
    }

    private func located(_ ids: some Sequence<UnitID>, in engine: Engine, now: Date) -> Located {
        var located = Located()
        let spoken = spoken.all
        let shown = shown.all
        for id in ids.sorted() {
            guard let unit = engine.unit(id), !spoken.contains(id) else { continue }
            let report = engine.lastReport(of: id)
            if unit.party == party {
                if let report { located.events.append(CoTMapping.ownUnit(unit, report: report, staleAfter: unitStaleAfter(engine))) }
            } else if let report, Visibility.mayLocate(unit, report: report, by: party, in: engine) {
                let why = Visibility.disclosedSince(unit, to: party, in: engine) != nil
                    ? "shown while its alert in a zone of yours is open" : "shown near a zone of an agreement you both signed"
                located.events.append(CoTMapping.otherUnit(unit, report: report, staleAfter: unitStaleAfter(engine), why: why))
                located.others.append(id)
            } else if shown.contains(id) {
                located.events.append(CoTMapping.deletion(of: id, now: now))
                located.deleted.append(id)
            }
        }
        return located
    }

    /// Sends `units` once their reads are recorded in the ledger (a read that cannot be
    /// recorded is not sent).
    private func send(_ units: Located, into sender: AsyncStream<CoTConnection.Outgoing>.Continuation) async {
        var recorded = true
        if !units.others.isEmpty {
            do {
                try await node.reads.record(units.others.map(\.rawValue), by: .party(party), on: node)
            } catch {
                recorded = false
            }
        }
        let others = Set(units.others)
        for event in units.events where recorded || !others.contains(UnitID(event.uid)) { sender.yield(.event(event)) }
        if recorded { for id in units.others { shown.insert(id) } }
        for id in units.deleted { shown.remove(id) }
    }

    /// How long a unit's position holds on the map: the engine's stale-track time.
    private func unitStaleAfter(_ engine: Engine) -> TimeInterval { engine.configuration.staleAfterSeconds }

    private func events(for entry: LedgerEntry, into sender: AsyncStream<CoTConnection.Outgoing>.Continuation) async -> [CoTOutboundEvent] {
        if entry.type == ReportBatchPayload.ledgerType {
            // The units of the batch this party's map shows, as their reports arrive (over
            // any connection or the API).
            guard let batch = try? ReportBatchPayload.decode(entry.payload) else { return [] }
            let ids = Set(batch.positionReports.map(\.unit))
            let units = await node.read { engine in located(ids, in: engine, now: Date()) }
            await send(units, into: sender)
            return []
        }
        guard entry.type.hasPrefix("zone.") || entry.type.hasPrefix("alert.") else { return [] }
        let subjects = EntrySubjects(entry)
        let now = Date()
        switch entry.type {
        case "zone.changed":
            guard let id = subjects.zoneID else { return [] }
            return await node.read { engine in
                engine.zones[ZoneID(id)].map { [CoTMapping.shape($0, now: now, stale: now.addingTimeInterval(staleAfter))] } ?? []
            }
        case "zone.removed":
            guard let id = subjects.zoneID else { return [] }
            return [CoTMapping.deletion(of: ZoneID(id), now: now)]
        default:
            guard let id = subjects.alertID else { return [] }
            let shown = shown.all
            let (events, units) = await node.read { engine -> ([CoTOutboundEvent], Located) in
                let alert = engine.alerts[AlertID(id)]
                let event = alert.flatMap { alertEvent($0, in: engine, now: now) }
                // A resolved alert may end a disclosure: its units shown are looked at again.
                let again = (alert?.units ?? []).filter { shown.contains($0) }
                return (event.map { [$0] } ?? [], located(again, in: engine, now: now))
            }
            await send(units, into: sender)
            return events
        }
    }

    /// The alert (an emergency or a warning, ``CoTMapping/alert(_:position:unitType:now:stale:)``)
    /// when it is addressed to the party, placed at its unit when the party may see where
    /// that unit is, otherwise at its zone.
    private func alertEvent(_ alert: Alert, in engine: Engine, now: Date) -> CoTOutboundEvent? {
        guard alert.addressees.contains(where: { $0.party == party }) else { return nil }
        var position: LatLng?
        var unitType = "a-u-G"
        if let id = alert.units.first, let unit = engine.unit(id) {
            let report = engine.lastReport(of: id)
            let dimension = unit.domain == .air ? "A" : "G"
            unitType = unit.party == party ? "a-f-\(dimension)" : "a-u-\(dimension)"
            if let report, Visibility.mayLocate(unit, report: report, by: party, in: engine) { position = report.position }
        }
        // A unit the party may not locate is not linked: its map never receives it.
        let linked = position != nil
        if position == nil, let zone = alert.zone.flatMap({ engine.zones[$0] }) {
            switch zone.volume.footprint {
            case .circle(let circle): position = circle.center
            case .polygon(let polygon): position = polygon.outer.first
            }
        }
        guard let position else { return nil }
        return CoTMapping.alert(
            alert, position: position, unitType: unitType, linkingUnits: linked, now: now, stale: now.addingTimeInterval(staleAfter))
    }
}

/// A set of units shared between tasks: those a connection itself reports (shared by its
/// reader and its picture), those its picture sent of other parties.
package final class SpokenUnits: Sendable {
    private let units = Mutex<Set<UnitID>>([])

    package init() {}

    package func insert(_ unit: UnitID) {
        units.withLock { _ = $0.insert(unit) }
    }

    package func remove(_ unit: UnitID) {
        units.withLock { _ = $0.remove(unit) }
    }

    package var all: Set<UnitID> { units.withLock { $0 } }
}
