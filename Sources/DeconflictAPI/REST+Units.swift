import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import DeconflictStore
import Foundation
import OpenAPIRuntime

/// Units, and the situation: everything a map of the caller shows, now or at a past
/// instant (the after-action review: the ledger replayed up to then). Reports arrive
/// through `POST /v1/reports`, routed in API.swift.
extension API {
    /// The most track points a unit is given.
    static let trackPoints = 60
    /// How far back a unit's track reaches.
    static let trackSeconds = 1_800.0
    /// Units given a track at most (the others come with their last report only).
    static let unitsWithTracks = 500

    func listUnits(_ input: Operations.ListUnits.Input) async throws -> Operations.ListUnits.Output {
        let actor = caller
        let (list, located) = await node.read { engine in
            var located: [String] = []
            let list = engine.units.values.sorted { $0.id < $1.id }.map { unit in
                Self.unit(unit, report: engine.lastReport(of: unit.id), for: actor, in: engine, located: &located)
            }
            return (list, located)
        }
        try await recordRead(of: located, by: actor)
        return .ok(.init(body: .json(.init(units: list))))
    }

    func getUnit(_ input: Operations.GetUnit.Input) async throws -> Operations.GetUnit.Output {
        let actor = caller
        let unitID = UnitID(try pathID(input.path.id))
        let (found, located) = await node.read { engine -> (Components.Schemas.Unit?, [String]) in
            guard let unit = engine.unit(unitID) else { return (nil, []) }
            var located: [String] = []
            return (Self.unit(unit, report: engine.lastReport(of: unitID), for: actor, in: engine, located: &located), located)
        }
        guard let found else { throw FieldError(field: "id", reason: "no unit \(unitID)", code: .notFound) }
        try await recordRead(of: located, by: actor)
        return .ok(.init(body: .json(found)))
    }

    func addUnit(_ input: Operations.AddUnit.Input) async throws -> Operations.AddUnit.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        if let owner = body.party?.value1, owner != party.rawValue {
            throw FieldError(field: "party", reason: "a party adds only its own units, not \(owner)'s", code: .forbidden)
        }
        let unit = try body.unit(party: party)
        let sequence = try await write(.engine(.addUnit(unit)))
        let held = await node.read { $0.unit(unit.id) } ?? unit
        return .created(.init(body: .json(.init(value1: .init(held), value2: .init(sequence: sequence)))))
    }

    func getSituation(_ input: Operations.GetSituation.Input) async throws -> Operations.GetSituation.Output {
        let actor = caller
        let instant = input.query.at
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
        var units: [Components.Schemas.Situation.UnitsPayloadPayload] = []
        for unit in engine.units.values.sorted(by: { $0.id < $1.id }) {
            let shown = Self.unit(unit, report: engine.lastReport(of: unit.id), for: actor, in: engine, located: &located)
            units.append(.init(value1: shown, value2: .init()))
        }
        // Tracks of the units the caller may locate, from the stored reports: at most
        // `trackPoints` each, spread over the window, the last one kept (one index seek a
        // point, however long the window and however often the unit reported).
        var windows: [(unit: UnitID, from: Date)] = []
        for index in units.indices where units[index].value1.lastReport != nil && windows.count < Self.unitsWithTracks {
            let id = UnitID(units[index].value1.id)
            var from = now.addingTimeInterval(-Self.trackSeconds)
            // A unit disclosed only as an intruder into one of the caller's zones: its
            // track since the alert was raised.
            if let party = actor.party, let unit = engine.unit(id), unit.party != party,
               !Visibility.isNearAgreedZone(unit, report: engine.lastReport(of: id), of: party, in: engine),
               let since = Visibility.disclosedSince(unit, to: party, in: engine) {
                from = max(from, since)
            }
            windows.append((id, from))
        }
        let tracks = try await node.store.tracks(of: windows, to: now, points: Self.trackPoints)
        for index in units.indices {
            guard let track = tracks[UnitID(units[index].value1.id)] else { continue }
            units[index].value2.track = try track.map { report in
                try OpenAPIArrayContainer(unvalidatedValue: [report.position.latitude, report.position.longitude, RFC3339.shortest(report.time)])
            }
        }
        try await recordRead(of: located, by: actor)
        // The first entry's own time, as recorded: a replay at `since` includes it.
        let first = try await node.store.entries(after: 0, limit: 1).first?.time
        // Live: the ledger sequence the answer includes (a stream resumes after it).
        let sequence = instant == nil ? await node.head : nil
        return .ok(.init(body: .json(.init(
            viewer: actor.description, time: now, since: first, live: instant == nil, sequence: sequence.map { Int($0) },
            zones: engine.zones.values.sorted { $0.id < $1.id }.map { .init($0, now: now) },
            units: units,
            alerts: engine.alerts.values.filter { Self.addressed($0, to: actor) }.sorted { ($0.raisedAt, $0.id) < ($1.raisedAt, $1.id) }
                .map(Components.Schemas.Alert.init),
            operations: engine.operations.values.sorted { $0.id < $1.id }.map { .init($0, for: actor) },
            agreements: engine.agreements.values.sorted { $0.id < $1.id }
                .filter { agreement in actor == .operator || actor.party.map { agreement.signatories[$0] != nil } == true }
                .map(Components.Schemas.Agreement.init)))))
    }

    /// A unit as `actor` may see it; other parties' units it may locate are added to
    /// `located` (the read is recorded).
    static func unit(
        _ unit: DeconflictEngine.Unit, report: PositionReport?, for actor: DeconflictLedger.Actor, in engine: Engine, located: inout [String]
    ) -> Components.Schemas.Unit {
        var shown = Components.Schemas.Unit(unit)
        let own = actor == .operator || actor.party == unit.party
        guard own || actor.party.map({ Visibility.mayLocate(unit, report: report, by: $0, in: engine) }) == true else {
            shown.name = nil
            shown.reference = true
            return shown
        }
        if !own { located.append(unit.id.rawValue) }
        if let report {
            shown.lastReport = .init(report)
            shown.stale = engine.now.timeIntervalSince(report.time) > engine.configuration.staleAfterSeconds
        }
        return shown
    }

    /// Records in the ledger that `actor` read other parties' units in full
    /// (``ReadRecords``: once a minute per reader and unit).
    func recordRead(of units: [String], by actor: DeconflictLedger.Actor) async throws {
        try await node.reads.record(units, by: actor, on: node)
    }
}

extension Components.Schemas.UnitInput {
    /// The unit `party` adds.
    func unit(party: PartyID) throws(FieldError) -> DeconflictEngine.Unit {
        DeconflictEngine.Unit(id: UnitID(try identifier(id, field: "id")), party: party, domain: Domain(domain), name: name)
    }
}

extension Components.Schemas.Unit {
    init(_ unit: DeconflictEngine.Unit) {
        self.init(id: unit.id.rawValue, party: unit.party.rawValue, domain: .init(unit.domain), name: unit.name)
    }
}

extension Components.Schemas.PositionReport {
    init(_ report: PositionReport) {
        self.init(
            unit: report.unit.rawValue, time: report.time, position: .init(report.position),
            altitudeMeters: report.altitudeMeters, speedMetersPerSecond: report.speedMetersPerSecond, courseDegrees: report.courseDegrees,
            uncertaintyMeters: report.uncertaintyMeters)
    }
}

extension Components.Schemas.Domain {
    init(_ domain: Domain) {
        switch domain {
        case .ground: self = .ground
        case .air: self = .air
        }
    }
}

extension Domain {
    init(_ domain: Components.Schemas.Domain) {
        switch domain {
        case .ground: self = .ground
        case .air: self = .air
        }
    }
}
