import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
public import DeconflictNode
import DeconflictStore
import Foundation
import Hummingbird

/// `GET /v1/situation`: everything a map of the caller shows, now or at a past instant
/// (the after-action review: the ledger replayed up to then).
extension API {
    /// The most track points a unit is given.
    static let trackPoints = 60
    /// How far back a unit's track reaches.
    static let trackSeconds = 1_800.0
    /// Units given a track at most (the others come with their last report only).
    static let unitsWithTracks = 500

    func registerSituation(_ router: Router<ServerContext>) {
        router.get("/v1/situation") { request, context in
            let actor = context.actor ?? .operator
            var instant: Date?
            if let text = request.uri.queryParameters.get("at") {
                guard let date = WireTime.parse(String(text)) else {
                    throw FieldError(field: "at", reason: "not an RFC 3339 time: \(text.prefix(40))")
                }
                instant = date
            }
            let engine: Engine
            if let instant {
                guard instant <= node.configuration.clock().addingTimeInterval(60) else {
                    throw FieldError(field: "at", reason: "in the future: the situation is known up to now")
                }
                engine = try await node.engine(at: instant)
            } else {
                engine = await node.read { $0 }
            }
            let now = instant ?? engine.now
            var located: [String] = []
            var units: [[String: Any]] = []
            var tracked: [UnitID] = []
            for unit in engine.units.values.sorted(by: { $0.id < $1.id }) {
                let report = engine.lastReport(of: unit.id)
                let details = Self.describe(unit, report: report, for: actor, in: engine, located: &located)
                if details["lastReport"] != nil, tracked.count < Self.unitsWithTracks { tracked.append(unit.id) }
                units.append(details)
            }
            // Tracks of the units the caller may locate, from the stored reports.
            var tracks: [String: [[Any]]] = [:]
            for id in tracked {
                let reports = try await node.store.reports(of: id, from: now.addingTimeInterval(-Self.trackSeconds), to: now)
                // At most `trackPoints`, spread over the window, the last one kept.
                let step = max(1, Int((Double(reports.count) / Double(Self.trackPoints)).rounded(.up)))
                let sampled = reports.indices.reversed().filter { ($0 - reports.count + 1) % step == 0 }.reversed().map { reports[$0] }
                tracks[id.rawValue] = sampled.map {
                    [$0.position.latitude, $0.position.longitude, EventPayload.rfc3339($0.time)] as [Any]
                }
            }
            for index in units.indices {
                if let id = units[index]["id"] as? String, let track = tracks[id] { units[index]["track"] = track }
            }
            try await recordRead(of: located, context: context)
            let alerts = engine.alerts.values
                .filter { Self.addressed($0, to: actor) }
                .sorted { ($0.raisedAt, $0.id) < ($1.raisedAt, $1.id) }
                .map(EventPayload.describe)
            let agreements = engine.agreements.values.sorted { $0.id < $1.id }
                .filter { agreement in actor == .operator || actor.party.map { agreement.signatories[$0] != nil } == true }
                .map(EventPayload.describe)
            // The first entry's own time (to the microsecond): a replay at `since` includes it.
            let first = try await node.store.entries(after: 0, limit: 1).first?.time
            // Live: the ledger sequence the answer includes (a stream resumes after it).
            let sequence = instant == nil ? await node.head : nil
            return JSON.response([
                "viewer": actor.description,
                "time": EventPayload.rfc3339(now),
                // Where the record starts (a replay's earliest instant).
                "since": first ?? NSNull(),
                "sequence": sequence.map { $0 as Any } ?? NSNull(),
                "live": instant == nil,
                "zones": engine.zones.values.sorted { $0.id < $1.id }.map { Self.describe($0, now: now) },
                "units": units,
                "alerts": alerts,
                "operations": engine.operations.values.sorted { $0.id < $1.id }.map { Self.describe($0, for: actor) },
                "agreements": agreements,
            ])
        }
    }
}
