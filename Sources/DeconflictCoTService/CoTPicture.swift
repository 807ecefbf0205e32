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
/// shape, and every open alert addressed to the party (a breach as an emergency, any
/// other alert as a warning marker), first all at
/// once, then as they change, and all again every ``CoTSettings/refreshInterval`` so
/// nothing goes stale on the map while it holds. A resolved alert is sent as its
/// cancellation (a warning as a delete); a removed zone as a delete.
package struct CoTPicture {
    package let node: Node
    package let party: PartyID
    package let settings: CoTSettings
    /// The units this connection itself reports: its device is not sent its own position.
    package let spoken: SpokenUnits

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
                    for event in await events(for: entry) { sender.yield(.event(event)) }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func sendAll(into sender: AsyncStream<CoTConnection.Outgoing>.Continuation) async {
        let events = await node.read { engine -> [CoTOutboundEvent] in
            let now = Date()
            var events = engine.zones.values.sorted { $0.id < $1.id }.map { zone in
                CoTMapping.shape(zone, now: now, stale: now.addingTimeInterval(staleAfter))
            }
            for alert in engine.alerts.values.sorted(by: { $0.id < $1.id }) where alert.state != .resolved {
                if let event = alertEvent(alert, in: engine, now: now) { events.append(event) }
            }
            let spoken = spoken.all
            for unit in engine.units.values.sorted(by: { $0.id < $1.id }) where unit.party == party && !spoken.contains(unit.id) {
                if let report = engine.lastReport(of: unit.id) { events.append(CoTMapping.ownUnit(unit, report: report, staleAfter: unitStaleAfter(engine))) }
            }
            return events
        }
        for event in events { sender.yield(.event(event)) }
    }

    /// How long a unit's position holds on the map: the engine's stale-track time.
    private func unitStaleAfter(_ engine: Engine) -> TimeInterval { engine.configuration.staleAfterSeconds }

    private func events(for entry: LedgerEntry) async -> [CoTOutboundEvent] {
        if entry.type == ReportBatchPayload.ledgerType {
            // The party's own units, as their reports arrive (over any connection or the API).
            guard let batch = try? ReportBatchPayload.decode(entry.payload), batch.by == party.rawValue else { return [] }
            let spoken = spoken.all
            let units = Set(batch.positionReports.map(\.unit)).subtracting(spoken)
            guard !units.isEmpty else { return [] }
            return await node.read { engine in
                units.sorted().compactMap { id in
                    guard let unit = engine.unit(id), unit.party == party, let report = engine.lastReport(of: id) else { return nil }
                    return CoTMapping.ownUnit(unit, report: report, staleAfter: unitStaleAfter(engine))
                }
            }
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
            return await node.read { engine in
                engine.alerts[AlertID(id)].flatMap { alertEvent($0, in: engine, now: now) }.map { [$0] } ?? []
            }
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

/// The units a connection itself reports, shared by its reader and its picture.
package final class SpokenUnits: Sendable {
    private let units = Mutex<Set<UnitID>>([])

    package init() {}

    package func insert(_ unit: UnitID) {
        units.withLock { _ = $0.insert(unit) }
    }

    package var all: Set<UnitID> { units.withLock { $0 } }
}
