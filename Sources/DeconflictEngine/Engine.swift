#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import DeconflictGeometry
import DeconflictSpatialIndex

/// The deconfliction engine: a deterministic state machine. Commands go in with the time
/// they happen at; events come out. No I/O, no clock of its own: the same commands at
/// the same times give the same events.
///
/// ```swift
/// var engine = Engine()
/// try engine.handle(.addParty(Party(id: "coalition")), at: start)
/// try engine.handle(.putZone(atTanf), at: start)
/// let events = try engine.handle(.report(convoyReport), at: convoyReport.time)
/// ```
public struct Engine: Sendable {
    /// Thresholds of the detectors.
    public struct Configuration: Hashable, Sendable {
        /// How far ahead approach alerts look for ground units, seconds.
        public var approachHorizonSeconds = 3_600.0
        /// How far ahead approach alerts look for aircraft, seconds: at 200 m/s a quarter
        /// of an hour is already 180 km.
        public var airApproachHorizonSeconds = 900.0
        /// How far ahead separation alerts look, seconds.
        public var separationHorizonSeconds = 300.0
        /// How far outside a zone a unit must be, beyond its position uncertainty, before
        /// it counts as having left: a unit on the boundary does not flap.
        public var hysteresisMeters = 100.0
        /// How long a unit may stay inside a zone it is excluded from before a dwell alert.
        public var dwellSeconds = 900.0
        /// A build-up: at least this many units of one party…
        public var buildUpUnits = 3
        /// …within this distance of one of them…
        public var buildUpRadiusMeters = 2_000.0
        /// …inside one zone for at least this long.
        public var buildUpSeconds = 600.0
        /// A unit with no report for this long is stale.
        public var staleAfterSeconds = 300.0
        /// How long what a report's track was found to enter stays planned, seconds, for
        /// ground units and aircraft: later reports on the same track (within
        /// ``planToleranceMeters``, with the same speed, altitude and uncertainty and the
        /// track's course) only advance the clock. A plan ends earlier at the first entry
        /// into a zone, the first possible exit, or any change of zones or agreements.
        public var planSeconds = 300.0
        public var airPlanSeconds = 300.0
        /// How long a resolved alert stays in memory, seconds; the store keeps every alert.
        public var resolvedAlertRetentionSeconds = 3_600.0
        /// How far a report may lie from its track's projection and still confirm it.
        public var planToleranceMeters = 0.5
        /// Separation minima where no agreement binds both parties: none are checked
        /// unless this is set.
        public var defaultParameters: Agreement.Parameters? = nil

        public init() {}
    }

    public var configuration: Configuration

    /// The version of the rules the detectors decide by. What the engine decides is
    /// recorded, and a replay must decide the same: a ledger record written under
    /// earlier rules is applied under them (the node sets this from the record's
    /// version), new ones under ``currentRules``.
    ///
    /// - 1: an incursion alert keeps the distance inside the edge it was raised with.
    /// - 2: an open incursion alert's distance inside the edge follows the unit's
    ///   reports (an `alert.updated` when it moved by a tenth, and at least 10 m).
    public var rules = Engine.currentRules
    public static let currentRules = 2

    public internal(set) var parties: [PartyID: Party] = [:]
    public internal(set) var responsibilities: [Responsibility] = []
    public internal(set) var agreements: [AgreementID: Agreement] = [:]
    public internal(set) var zones: [ZoneID: Zone] = [:]
    /// Open alerts, and resolved ones for ``Configuration/resolvedAlertRetentionSeconds``.
    public internal(set) var alerts: [AlertID: Alert] = [:]
    public internal(set) var operations: [OperationID: Operation] = [:]
    public internal(set) var messages: [MessageID: Message] = [:]
    public internal(set) var incidents: [IncidentID: Incident] = [:]
    /// Engine time: the time of the last command.
    public internal(set) var now: Date

    /// The units, by id.
    public var units: [UnitID: Unit] {
        Dictionary(uniqueKeysWithValues: table.map { ($0.unit.id, $0.unit) })
    }

    /// The last report of `unit`, if it has reported.
    public func lastReport(of unit: UnitID) -> PositionReport? { lastReport(unit) }

    /// The last report of each unit that has reported.
    public var reports: [UnitID: PositionReport] {
        Dictionary(uniqueKeysWithValues: table.compactMap { tracked in tracked.report.map { (tracked.unit.id, $0) } })
    }

    var zoneIndex = ShapeIndex<ZoneID>()
    // Units by slot, and the slot of each unit.
    var table: [TrackedUnit] = []
    var slotOf: [UnitID: Int32] = [:]
    // What separation reads of each unit, by slot.
    var motions: [Motion] = []
    // Parties by slot, and the slot of each party.
    var partyOrder: [PartyID] = []
    var partyIndex: [PartyID: Int32] = [:]
    // The boxes units sweep, by party, domain and (aircraft) altitude band.
    var sweeps: [SweepKey: BoxGrid] = [:]
    // Separation parameters by pair of party slots, as of `parameterGeneration`.
    var parameterTable: [Agreement.Parameters?] = []
    var parameterGeneration: UInt32 = .max
    // Bumped by every change of parties, agreements, responsibilities or zones.
    var generation: UInt32 = 0
    // Open alerts by deduplication key.
    var open: [AlertKey: AlertID] = [:]
    // Open separation alerts by pair of unit slots.
    var separations: [SlotPair: AlertID] = [:]
    // Units of active operations.
    var operatingUnits: [UnitID: Int] = [:]
    // Open alerts by the time their silence is escalated, as of `escalationGeneration`.
    var escalationQueue = DeadlineQueue<AlertID>()
    var escalationGeneration: UInt32 = .max
    // Zones by the time they must be revalidated (stale entries are skipped).
    var revalidationQueue = DeadlineQueue<ZoneID>()
    // Resolved alerts by the time they were resolved.
    var resolvedQueue = DeadlineQueue<AlertID>()
    // Since when each (zone, party) has held a build-up.
    var buildUpSince: [ZoneParty: Date] = [:]
    /// Counts the changes a tick makes that depend on when it ran rather than on the
    /// reports (a gathering first seen): a recorder that keeps only ticks with events
    /// must also keep those that moved this, to replay the same.
    public internal(set) var timeMarks = 0
    var nextAlert = 1

    struct ZoneParty: Hashable, Sendable {
        let zone: ZoneID
        let party: PartyID
    }

    public init(configuration: Configuration = Configuration(), start: Date = Date(timeIntervalSince1970: 0)) {
        self.configuration = configuration
        self.now = start
    }

    /// What can be asked of the engine.
    public enum Command: Hashable, Sendable {
        case addParty(Party)
        /// Records (or confirms) that a party answers for another.
        case setResponsibility(Responsibility)
        /// Creates or replaces an agreement.
        case putAgreement(Agreement)
        case sign(AgreementID, by: PartyID)
        /// A signatory withdraws: every party is alerted at once.
        case withdraw(AgreementID, by: PartyID)
        /// Creates or replaces a zone.
        case putZone(Zone)
        case removeZone(ZoneID)
        case addUnit(Unit)
        case report(PositionReport)
        /// Creates or replaces an operation (its notice time is kept).
        case putOperation(Operation)
        /// The operation's notice time, recorded now (the notice as ledgers before
        /// `giveNotice` recorded it: nothing is sent).
        case notify(OperationID)
        /// The operation's notice, given now and carried on the message line to the
        /// parties owed it (the other signatories of the agreements binding its party),
        /// with receipts, a deadline and escalation like any other message.
        case giveNotice(OperationID)
        case setOperationState(OperationID, Operation.State)
        /// Sends a message on the line; its deadline comes from the parties' agreement.
        case send(Message)
        case deliver(MessageID, to: PartyID)
        /// A recipient confirms it read a message. Never consent.
        case acknowledgeMessage(MessageID, by: PartyID)
        case recordIncident(Incident.Draft)
        /// An addressee confirms it received the alert. Never consent.
        case acknowledge(AlertID, by: PartyID)
        case resolve(AlertID, by: PartyID, reason: String)
        /// Time passes: stale tracks, dwell, build-up and escalations are checked.
        case tick
    }

    /// Applies `command` at `time` (which must not go back) and returns what happened.
    ///
    /// - Throws: ``EngineError`` naming the field at fault: an unknown party, unit, zone,
    ///   agreement or alert; a duplicate; an acknowledgement from a party that is not an
    ///   addressee; a time before the engine's. Nothing is applied then.
    @discardableResult
    public mutating func handle(_ command: Command, at time: Date) throws(EngineError) -> [Event] {
        guard time >= now else {
            throw EngineError(.outOfOrder, field: "time", reason: "\(time) is before the engine's time \(now)")
        }
        now = time
        var events: [Event] = []
        switch command {
        case .addParty(let party):
            guard parties[party.id] == nil else {
                throw EngineError(.duplicate, field: "party.id", reason: "party \(party.id) exists")
            }
            parties[party.id] = party
            partyIndex[party.id] = Int32(partyOrder.count)
            partyOrder.append(party.id)
            generation &+= 1
            events.append(Event(time: time, change: .partyAdded(party)))
        case .setResponsibility(let responsibility):
            try requireParty(responsibility.sponsor, field: "sponsor")
            try requireParty(responsibility.client, field: "client")
            responsibilities.removeAll { $0.sponsor == responsibility.sponsor && $0.client == responsibility.client }
            responsibilities.append(responsibility)
            generation &+= 1
            events.append(Event(time: time, change: .responsibilitySet(responsibility)))
        case .putAgreement(let agreement):
            for party in agreement.signatories.keys.sorted() { try requireParty(party, field: "signatories") }
            agreements[agreement.id] = agreement
            generation &+= 1
            events.append(Event(time: time, change: .agreementChanged(agreement)))
        case .sign(let id, let party):
            try setStatus(.signed, of: party, in: id, events: &events)
        case .withdraw(let id, let party):
            try setStatus(.withdrawn, of: party, in: id, events: &events)
            let agreement = agreements[id]!
            // Everyone is told, signatory or not.
            let addressees = parties.keys.sorted().map {
                Alert.Addressee(party: $0, answersFor: nil, confirmed: true, mustAcknowledge: true, acknowledgedAt: nil, escalatedAt: nil)
            }
            raise(
                .agreementWithdrawn, units: [], zone: nil, agreement: agreement.id, party: party, addressees: addressees,
                unconfirmed: false, events: &events)
        case .putZone(let zone):
            try requireParty(zone.owner, field: "zone.owner")
            if let agreement = zone.agreement, agreements[agreement] == nil {
                throw EngineError(.unknownAgreement, field: "zone.agreement", reason: "no agreement \(agreement)")
            }
            zones[zone.id] = zone
            zoneIndex.insert(zone.id, zone.volume.footprint)
            generation &+= 1
            events.append(Event(time: time, change: .zoneChanged(zone)))
            if let revalidateBy = zone.revalidateBy { revalidationQueue.insert(zone.id, due: revalidateBy) }
            if !zone.isStale(at: time),
               let overdue = open[AlertKey(kind: .zoneRevalidation, units: [], zone: zone.id, agreement: nil, party: nil)] {
                resolve(overdue, reason: "revalidated by \(zone.owner)", events: &events)
            }
            // Units already there are judged against the new outline at their next report.
        case .removeZone(let id):
            guard zones.removeValue(forKey: id) != nil else {
                throw EngineError(.unknownZone, field: "zone", reason: "no zone \(id)")
            }
            zoneIndex.remove(id)
            generation &+= 1
            events.append(Event(time: time, change: .zoneRemoved(id)))
            for (key, alert) in open.sorted(by: { $0.value < $1.value }) where key.zone == id {
                resolve(alert, reason: "zone removed", events: &events)
            }
            for slot in table.indices {
                table[slot].inside.removeAll { $0.zone == id }
                table[slot].approaching.removeAll { $0.zone == id }
            }
        case .addUnit(let unit):
            try requireParty(unit.party, field: "unit.party")
            guard slotOf[unit.id] == nil else {
                throw EngineError(.duplicate, field: "unit.id", reason: "unit \(unit.id) exists")
            }
            slotOf[unit.id] = Int32(table.count)
            table.append(TrackedUnit(unit: unit, party: partyIndex[unit.party]!))
            motions.append(Motion(party: partyIndex[unit.party]!))
            events.append(Event(time: time, change: .unitAdded(unit)))
        case .report(let report):
            try ingest(report, events: &events)
        case .putOperation(let operation):
            let before = operations[operation.id]
            try putOperation(operation, events: &events)
            updateOperatingUnits(from: before, to: operations[operation.id])
        case .notify(let id):
            try notify(id, events: &events)
        case .giveNotice(let id):
            try giveNotice(id, events: &events)
        case .setOperationState(let id, let state):
            let before = operations[id]
            try setState(state, of: id, events: &events)
            updateOperatingUnits(from: before, to: operations[id])
        case .send(let message):
            try send(message, events: &events)
        case .deliver(let id, let party):
            try deliver(id, to: party, events: &events)
        case .acknowledgeMessage(let id, let party):
            try acknowledgeMessage(id, by: party, events: &events)
        case .recordIncident(let draft):
            try record(draft, events: &events)
        case .acknowledge(let id, let party):
            guard var alert = alerts[id] else { throw EngineError(.unknownAlert, field: "alert", reason: "no alert \(id)") }
            guard let index = alert.addressees.firstIndex(where: { $0.party == party }) else {
                throw EngineError(.notAddressee, field: "party", reason: "\(party) is not an addressee of \(id)")
            }
            if alert.addressees[index].acknowledgedAt == nil {
                alert.addressees[index].acknowledgedAt = time
                if alert.state == .raised, alert.addressees.allSatisfy({ $0.acknowledgedAt != nil }) {
                    alert.state = .acknowledged
                }
                alerts[id] = alert
                events.append(Event(time: time, change: .alertAcknowledged(alert, by: party)))
            }
        case .resolve(let id, let party, let reason):
            guard let alert = alerts[id] else { throw EngineError(.unknownAlert, field: "alert", reason: "no alert \(id)") }
            guard alert.addressees.contains(where: { $0.party == party }) else {
                throw EngineError(.notAddressee, field: "party", reason: "\(party) is not an addressee of \(id)")
            }
            if alert.state != .resolved { resolve(id, reason: "\(party): \(reason)", events: &events) }
        case .tick:
            tick(events: &events)
        }
        return events
    }

    private func requireParty(_ party: PartyID, field: String) throws(EngineError) {
        guard parties[party] != nil else { throw EngineError(.unknownParty, field: field, reason: "no party \(party)") }
    }

    private mutating func setStatus(
        _ status: Agreement.Status, of party: PartyID, in id: AgreementID, events: inout [Event]
    ) throws(EngineError) {
        guard var agreement = agreements[id] else {
            throw EngineError(.unknownAgreement, field: "agreement", reason: "no agreement \(id)")
        }
        guard agreement.signatories[party] != nil else {
            throw EngineError(.notSignatory, field: "party", reason: "\(party) is not a signatory of \(id)")
        }
        agreement.signatories[party] = status
        agreements[id] = agreement
        generation &+= 1
        events.append(Event(time: now, change: .agreementChanged(agreement)))
    }
}
