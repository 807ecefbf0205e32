public import DeconflictEngine
public import DeconflictStore
public import Foundation

/// The situation as it stood at an instant, rebuilt from the ledger and the stored
/// position reports: the zones in force, the units and where each last reported, and
/// the alerts open then.
public struct Situation: Sendable {
    public struct ZoneState: Sendable, Hashable {
        public let id: String
        public let name: String
        public let kind: String
        public let owner: String
        /// `circle 55.0 km around 33.5000, 38.6500` or `polygon of 12 vertices`.
        public let outline: String
    }

    public struct UnitState: Sendable, Hashable {
        public let id: String
        public let party: String
        public let domain: String
        public let lastReport: PositionReport?
    }

    public struct AlertState: Sendable, Hashable {
        public let id: String
        public let kind: String
        public let units: [String]
        public let zone: String?
        public let raisedAt: Date
        public let addressees: [String]
        /// Addressees that had acknowledged by then.
        public let acknowledgedBy: [String]
    }

    public let instant: Date
    /// How many ledger entries it was built from, and the hash of the last.
    public let entries: Int
    public let head: String
    public let zones: [ZoneState]
    public let units: [UnitState]
    public let openAlerts: [AlertState]

    /// Rebuilds the situation at `instant` from `store`.
    public static func at(
        _ instant: Date, from store: any Store, progress: (Int64) -> Void = { _ in }
    ) async throws -> Situation {
        let cutoff = Ledger.timestamp(instant)
        var zones: [String: ZoneState] = [:]
        var units: [String: (party: String, domain: String)] = [:]
        var alerts: [String: AlertState] = [:]
        var count = 0
        var head = Ledger.genesis
        var after: Int64 = 0
        paging: while true {
            let page = try await store.entries(after: after, limit: 5_000)
            if page.isEmpty { break }
            for entry in page {
                // Entries are appended in time order: the first one past the instant ends it.
                if entry.time > cutoff { break paging }
                count += 1
                head = entry.hash
                // Commands, report batches and other records are not events.
                guard let event = try? EventRecord.decode(entry.payload) else { continue }
                apply(entry.type, event, zones: &zones, units: &units, alerts: &alerts)
            }
            after = page.last!.sequence
            progress(after)
        }
        let reports = Dictionary(
            try await store.latestReports(atOrBefore: instant).map { ($0.unit.rawValue, $0) }, uniquingKeysWith: { $1 })
        return Situation(
            instant: instant, entries: count, head: head,
            zones: zones.values.sorted { $0.id < $1.id },
            units: units.sorted { $0.key < $1.key }.map {
                UnitState(id: $0.key, party: $0.value.party, domain: $0.value.domain, lastReport: reports[$0.key])
            },
            openAlerts: alerts.values.sorted { ($0.raisedAt, $0.id) < ($1.raisedAt, $1.id) })
    }

    private static func apply(
        _ type: String, _ event: EventRecord, zones: inout [String: ZoneState],
        units: inout [String: (party: String, domain: String)], alerts: inout [String: AlertState]
    ) {
        switch type {
        case "zone.changed":
            guard let zone = event.zone else { return }
            var outline = "outline unknown"
            if let circle = zone.circle, circle.center.count == 2 {
                outline = String(format: "circle %.1f km around %.4f, %.4f", circle.radius / 1_000, circle.center[0], circle.center[1])
            } else if let rings = zone.polygon, let outer = rings.first {
                outline = "polygon of \(outer.count) vertices" + (rings.count > 1 ? " and \(rings.count - 1) holes" : "")
            }
            zones[zone.id] = ZoneState(
                id: zone.id, name: zone.name ?? zone.id, kind: zone.kind ?? "?", owner: zone.owner ?? "?", outline: outline)
        case "zone.removed":
            if let id = event.zone?.id { zones[id] = nil }
        case "unit.added":
            guard let unit = event.unit else { return }
            units[unit.id] = (unit.party ?? "?", unit.domain)
        case "alert.raised", "alert.updated", "alert.acknowledged", "alert.escalated":
            guard let alert = event.alert else { return }
            var acknowledged = alerts[alert.id]?.acknowledgedBy ?? []
            if type == "alert.acknowledged", let party = event.party, !acknowledged.contains(party) { acknowledged.append(party) }
            alerts[alert.id] = AlertState(
                id: alert.id, kind: alert.kind, units: alert.units, zone: alert.zone, raisedAt: alert.raisedAt,
                addressees: alert.addressees, acknowledgedBy: acknowledged)
        case "alert.resolved":
            if let id = event.alert?.id { alerts[id] = nil }
        default:
            break
        }
    }
}
