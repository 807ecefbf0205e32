import DeconflictCoT
package import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictStore
import Foundation
package import DeconflictNode
import DeconflictAccess

/// What a party's TAK clients are sent: every zone (zones are declared to be seen) as a
/// shape, and every open alert addressed to the party as an emergency, first all at
/// once, then as they change, and all again every ``CoTSettings/refreshInterval`` so
/// nothing goes stale on the map while it holds. A resolved alert is sent as its
/// cancellation; a removed zone as a delete.
package struct CoTPicture {
    package let node: Node
    package let party: PartyID
    package let settings: CoTSettings

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
                if let event = emergency(alert, in: engine, now: now) { events.append(event) }
            }
            return events
        }
        for event in events { sender.yield(.event(event)) }
    }

    private func events(for entry: LedgerEntry) async -> [CoTOutboundEvent] {
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
                engine.alerts[AlertID(id)].flatMap { emergency($0, in: engine, now: now) }.map { [$0] } ?? []
            }
        }
    }

    /// The alert as an emergency when it is addressed to the party, placed at its unit
    /// when the party may see where that unit is, otherwise at its zone.
    private func emergency(_ alert: Alert, in engine: Engine, now: Date) -> CoTOutboundEvent? {
        guard alert.addressees.contains(where: { $0.party == party }) else { return nil }
        var position: LatLng?
        var unitType = "a-u-G"
        if let id = alert.units.first, let unit = engine.unit(id) {
            let report = engine.lastReport(of: id)
            let dimension = unit.domain == .air ? "A" : "G"
            unitType = unit.party == party ? "a-f-\(dimension)" : "a-u-\(dimension)"
            if let report, Visibility.mayLocate(unit, report: report, by: party, in: engine) { position = report.position }
        }
        if position == nil, let zone = alert.zone.flatMap({ engine.zones[$0] }) {
            switch zone.volume.footprint {
            case .circle(let circle): position = circle.center
            case .polygon(let polygon): position = polygon.outer.first
            }
        }
        guard let position else { return nil }
        return CoTMapping.emergency(alert, position: position, unitType: unitType, now: now, stale: now.addingTimeInterval(staleAfter))
    }
}
