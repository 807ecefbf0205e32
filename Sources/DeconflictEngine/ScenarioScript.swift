#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import DeconflictGeometry

/// A scenario to replay through the engine: the cast, the zones, how units move and what
/// the parties do when. Read from JSON (the format is in `docs/scenario-format.md`);
/// ``commands()`` turns it into the timed commands of a run.
public struct ScenarioScript: Decodable, Sendable {
    public struct PartyEntry: Decodable, Sendable {
        public var id: PartyID
        public var name: String?
    }

    public struct ZoneEntry: Decodable, Sendable {
        public struct CircleEntry: Decodable, Sendable {
            public var center: [Double]
            public var radius: Double
        }

        public var id: ZoneID
        public var name: String?
        public var kind: Zone.Kind
        public var owner: PartyID
        public var agreement: AgreementID?
        public var circle: CircleEntry?
        /// Rings of `[latitude, longitude]` vertices; the first is the outer ring.
        public var polygon: [[[Double]]]?
        /// Seconds after the start by which the owner must revalidate the zone.
        public var revalidateBy: Double?
        /// `[lower, upper]`, metres above the WGS84 ellipsoid.
        public var altitude: [Double]?
        public var allowed: [PartyID]?
    }

    public struct AgreementEntry: Decodable, Sendable {
        public var id: AgreementID
        public var title: String
        public var signatories: [String: Agreement.Status]
        public var parameters: Agreement.Parameters?
    }

    public struct UnitEntry: Decodable, Sendable {
        public var id: UnitID
        public var party: PartyID
        public var domain: Domain
        public var name: String?
    }

    /// A stretch of a unit's movement: from `from` to `to` seconds after the start, it
    /// moves from `start` along the geodesic toward `toward` (or on `course`) at `speed`,
    /// reporting every `every` seconds.
    public struct Leg: Decodable, Sendable {
        public var unit: UnitID
        public var from: Double
        public var to: Double
        public var start: [Double]
        public var toward: [Double]?
        public var course: Double?
        public var speed: Double?
        public var altitude: Double?
        public var every: Double?
    }

    /// Something a party does at `at` seconds after the start: exactly one of the fields.
    public struct Action: Decodable, Sendable {
        public struct MessageEntry: Decodable, Sendable {
            public var id: MessageID
            public var kind: Message.Kind
            public var from: PartyID
            public var to: [PartyID]
            public var text: String
            public var zones: [ZoneID]?
            public var inReplyTo: MessageID?
            public var requiresAcknowledgement: Bool?
        }

        public struct PartyRef: Decodable, Sendable {
            public var message: MessageID?
            public var agreement: AgreementID?
            public var party: PartyID
        }

        public var at: Double
        public var send: MessageEntry?
        public var deliver: PartyRef?
        public var acknowledge: PartyRef?
        public var sign: PartyRef?
        public var withdraw: PartyRef?
        public var incident: Incident.Draft?
    }

    public var name: String
    public var start: Date
    /// Scenario seconds from the start to the end of the run.
    public var duration: Double
    /// Time passes (stale tracks, dwell, build-up, escalations) every so many seconds.
    public var tickEvery: Double?
    public var parties: [PartyEntry]
    public var responsibilities: [Responsibility]?
    public var agreements: [AgreementEntry]?
    public var zones: [ZoneEntry]?
    public var units: [UnitEntry]?
    public var legs: [Leg]?
    public var actions: [Action]?

    /// Decodes a scenario from JSON, with RFC 3339 times.
    ///
    /// - Throws: `DecodingError` naming the path of the field at fault.
    public static func decode(_ data: Data) throws -> ScenarioScript {
        try RFC3339.decoder().decode(ScenarioScript.self, from: data)
    }

    /// The most reports and ticks a run may have in all: hours of dozens of units are far
    /// fewer, and a few bytes (`"every": 1e-9`) must not make the program build commands
    /// until memory runs out.
    public static let maximumSteps = 1_000_000

    /// A command of the run and when it happens.
    public struct Step: Sendable {
        public var time: Date
        public var command: Engine.Command
    }

    /// The run as timed commands, in time order (setup first, then reports, actions and
    /// ticks as they fall).
    ///
    /// - Throws: ``ScenarioError`` naming the entry and field at fault.
    public func commands() throws(ScenarioError) -> [Step] {
        // How many times `every` fits from `from` to `to`, counted against the budget.
        var budget = Self.maximumSteps
        func steps(from: Double, to: Double, every: Double, field: String) throws(ScenarioError) -> Int {
            guard to >= from else { return 0 }
            let count = ((to - from) / every).rounded(.down) + 1
            guard count.isFinite, count <= Double(budget) else {
                throw ScenarioError(field: field, reason: "more than \(Self.maximumSteps) reports and ticks in all")
            }
            budget -= Int(count)
            return Int(count)
        }
        var setup: [Engine.Command] = []
        for party in parties { setup.append(.addParty(Party(id: party.id, name: party.name))) }
        for responsibility in responsibilities ?? [] { setup.append(.setResponsibility(responsibility)) }
        for agreement in agreements ?? [] {
            var signatories: [PartyID: Agreement.Status] = [:]
            for (party, status) in agreement.signatories { signatories[PartyID(party)] = status }
            setup.append(.putAgreement(Agreement(
                id: agreement.id, title: agreement.title, signatories: signatories,
                parameters: agreement.parameters ?? Agreement.Parameters())))
        }
        for (index, zone) in (zones ?? []).enumerated() {
            setup.append(.putZone(try makeZone(zone, field: "zones[\(index)]")))
        }
        for unit in units ?? [] { setup.append(.addUnit(Unit(id: unit.id, party: unit.party, domain: unit.domain, name: unit.name))) }

        // Timed steps carry an order within the same second: reports, then actions, then ticks.
        var timed: [(seconds: Double, order: Int, command: Engine.Command)] = []
        for (index, leg) in (legs ?? []).enumerated() {
            let field = "legs[\(index)]"
            let start = try position(leg.start, field: "\(field).start")
            var course = leg.course ?? 0
            if let toward = leg.toward {
                course = Geodesic.inverse(start, try position(toward, field: "\(field).toward")).initialAzimuthDegrees
            }
            let speed = leg.speed ?? 0
            let every = leg.every ?? 60
            guard every > 0, leg.to >= leg.from, speed >= 0, every.isFinite, leg.from.isFinite, leg.to.isFinite, speed.isFinite else {
                throw ScenarioError(field: field, reason: "needs every > 0, to ≥ from and speed ≥ 0")
            }
            let track: Track
            do {
                track = try Track(position: start, time: self.start.addingTimeInterval(leg.from), speedMetersPerSecond: speed, courseDegrees: course)
            } catch {
                throw ScenarioError(error.nested(under: field))
            }
            // Counted, not summed: a sum stops growing where `every` is below its precision.
            for step in 0..<(try steps(from: leg.from, to: leg.to, every: every, field: field)) {
                let seconds = leg.from + Double(step) * every
                let elapsed = seconds - leg.from
                let here = track.position(after: elapsed)
                // The course at this point of the geodesic, for the unit's next projection.
                let ahead = track.position(after: elapsed + 1)
                let heading = speed > 0 ? Geodesic.inverse(here, ahead).initialAzimuthDegrees : course
                timed.append((seconds, 0, .report(PositionReport(
                    unit: leg.unit, time: self.start.addingTimeInterval(seconds), position: here,
                    altitudeMeters: leg.altitude ?? 0, speedMetersPerSecond: speed, courseDegrees: heading))))
            }
        }
        for (index, action) in (actions ?? []).enumerated() {
            timed.append((action.at, 1, try command(for: action, field: "actions[\(index)]")))
        }
        let tickEvery = tickEvery ?? 30
        guard tickEvery > 0, tickEvery.isFinite else {
            throw ScenarioError(field: "tickEvery", reason: "must be a positive number of seconds, got \(tickEvery)")
        }
        guard duration.isFinite else { throw ScenarioError(field: "duration", reason: "must be a finite number of seconds") }
        for step in 0..<(try steps(from: 0, to: duration, every: tickEvery, field: "duration")) {
            timed.append((Double(step) * tickEvery, 2, .tick))
        }
        timed.sort { ($0.seconds, $0.order) < ($1.seconds, $1.order) }
        return setup.map { Step(time: start, command: $0) }
            + timed.map { Step(time: start.addingTimeInterval($0.seconds), command: $0.command) }
    }

    private func position(_ pair: [Double], field: String) throws(ScenarioError) -> LatLng {
        do {
            return try LatLng(coordinates: pair)
        } catch {
            throw ScenarioError(error.nested(under: field))
        }
    }

    private func makeZone(_ entry: ZoneEntry, field: String) throws(ScenarioError) -> Zone {
        let footprint: Footprint
        let altitude: AltitudeBand
        do {
            footprint = try Footprint(circleCenter: entry.circle?.center, radiusMeters: entry.circle?.radius, polygon: entry.polygon)
        } catch {
            throw ScenarioError(error.nested(under: field))
        }
        do {
            altitude = try AltitudeBand(coordinates: entry.altitude ?? [-1_000, 1_000_000])
        } catch {
            throw ScenarioError(field: "\(field).altitude", reason: error.reason)
        }
        if let revalidateBy = entry.revalidateBy, !revalidateBy.isFinite {
            throw ScenarioError(field: "\(field).revalidateBy", reason: "must be a finite number of seconds, got \(revalidateBy)")
        }
        return Zone(
            id: entry.id, name: entry.name, kind: entry.kind, owner: entry.owner, agreement: entry.agreement,
            volume: Volume4D(footprint: footprint, altitude: altitude), allowed: Set(entry.allowed ?? []),
            revalidateBy: entry.revalidateBy.map { start.addingTimeInterval($0) })
    }

    private func command(for action: Action, field: String) throws(ScenarioError) -> Engine.Command {
        if let send = action.send {
            var references: [Message.Reference] = (send.zones ?? []).map { .zone($0) }
            if let replyTo = send.inReplyTo { references.append(.message(replyTo)) }
            return .send(Message(
                id: send.id, kind: send.kind, from: send.from, to: send.to, text: send.text, references: references,
                requiresAcknowledgement: send.requiresAcknowledgement ?? (send.kind != .reply)))
        }
        if let deliver = action.deliver, let message = deliver.message { return .deliver(message, to: deliver.party) }
        if let acknowledge = action.acknowledge, let message = acknowledge.message {
            return .acknowledgeMessage(message, by: acknowledge.party)
        }
        if let sign = action.sign, let agreement = sign.agreement { return .sign(agreement, by: sign.party) }
        if let withdraw = action.withdraw, let agreement = withdraw.agreement { return .withdraw(agreement, by: withdraw.party) }
        if let incident = action.incident { return .recordIncident(incident) }
        throw ScenarioError(field: field, reason: "an action needs one of send, deliver, acknowledge, sign, withdraw, incident")
    }
}

/// A scenario entry the engine cannot run, and where it is.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public var description: String { "\(field): \(reason)" }

    init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    init(_ error: GeometryError) {
        self.init(field: error.field ?? "", reason: error.reason)
    }
}
