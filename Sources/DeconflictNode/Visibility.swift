public import DeconflictEngine
import DeconflictGeometry
public import DeconflictLedger
public import DeconflictStore
public import Foundation

/// Who may see what.
///
/// - A party sees its own units, operations, messages, alerts addressed to it, the
///   agreements it is a signatory of, and every zone (zones are declared to be seen).
/// - Another party's unit is shown in full only while it is inside, or within
///   ``nearZoneMeters`` of, a zone of an agreement both parties signed, or while an
///   alert of it entering, approaching or dwelling in a zone of the viewer's is open and
///   the zone's agreement discloses intruders (its position, and its track since the
///   alert was raised); otherwise as a reference: its id, party and domain, without
///   position. Every full read of another party's unit is recorded in the ledger
///   (`command` `recordRead`).
/// - Another party's operation is shown as a reference: id, party, state, priority and
///   its volumes (what strategic deconfliction needs), without units or name.
/// - The operator sees everything.
public enum Visibility {
    /// How close to an agreed zone another party's unit is shown in full.
    public static let nearZoneMeters = 10_000.0

    /// Since when `unit` (of another party) is disclosed to `viewer` as an intruder:
    /// the earliest raising of an open incursion, approach or dwell alert about it in a
    /// zone `viewer` owns, whose agreement discloses intruders
    /// (``Agreement/Parameters/disclosesIntruders``, on unless its signatories agreed
    /// otherwise). Nil when none is open.
    public static func disclosedSince(_ unit: DeconflictEngine.Unit, to viewer: PartyID, in engine: Engine) -> Date? {
        guard unit.party != viewer else { return nil }
        var since: Date?
        for alert in engine.openZoneAlerts(of: unit.id) {
            guard let zone = alert.zone.flatMap({ engine.zones[$0] }), zone.owner == viewer,
                  let agreement = zone.agreement.flatMap({ engine.agreements[$0] }), agreement.parameters.disclosesIntruders
            else { continue }
            since = min(since ?? alert.raisedAt, alert.raisedAt)
        }
        return since
    }

    /// Whether `viewer` may see `unit` (of another party) in full, given its last report:
    /// near a zone of an agreement both signed, or disclosed to it as an intruder into one
    /// of its zones (``disclosedSince(_:to:in:)``).
    public static func mayLocate(_ unit: DeconflictEngine.Unit, report: PositionReport?, by viewer: PartyID, in engine: Engine) -> Bool {
        guard unit.party != viewer else { return true }
        guard report != nil else { return false }
        return disclosedSince(unit, to: viewer, in: engine) != nil || isNearAgreedZone(unit, report: report, of: viewer, in: engine)
    }

    /// Whether `unit`'s last report lies inside, or within ``nearZoneMeters`` of, a zone of
    /// an agreement `viewer` and the unit's party (or a sponsor answering for it) signed.
    public static func isNearAgreedZone(_ unit: DeconflictEngine.Unit, report: PositionReport?, of viewer: PartyID, in engine: Engine) -> Bool {
        guard let report else { return false }
        // Every point within `nearZoneMeters` of the report lies in this box: a zone whose
        // box misses it is farther (the exact distance is for the zones that remain).
        // The zones' spatial index answers the zones whose boxes meet it (a situation asks
        // this for every unit: a scan of every zone for each would not scale).
        let near = BoundingBox.around(report.position, radiusMeters: nearZoneMeters)
        var found = false
        engine.forEachZone(intersecting: near) { zone in
            if !found, isAgreedNear(zone, unit, report, of: viewer, in: engine) { found = true }
        }
        return found
    }

    /// ``isNearAgreedZone(_:report:of:in:)`` by a scan of every zone: the reference the
    /// indexed answer is held to in tests.
    package static func isNearAgreedZoneByScan(
        _ unit: DeconflictEngine.Unit, report: PositionReport?, of viewer: PartyID, in engine: Engine
    ) -> Bool {
        guard let report else { return false }
        return engine.zones.values.contains { isAgreedNear($0, unit, report, of: viewer, in: engine) }
    }

    /// Whether `zone` is of an agreement `viewer` and `unit`'s party (or a sponsor) signed,
    /// and `report` lies inside it or within ``nearZoneMeters`` of it.
    private static func isAgreedNear(
        _ zone: Zone, _ unit: DeconflictEngine.Unit, _ report: PositionReport, of viewer: PartyID, in engine: Engine
    ) -> Bool {
        guard let id = zone.agreement, let agreement = engine.agreements[id],
              agreement.signatories[viewer] == .signed,
              agreement.signatories[unit.party] == .signed || engine.answersFor(unit.party, signedBy: agreement)
        else { return false }
        return zone.volume.footprint.signedDistance(to: report.position) <= nearZoneMeters
    }

    /// The parties an entry concerns (nil: every party). The operator sees all.
    public static func audience(of entry: LedgerEntry) -> Set<String>? {
        audience(of: EntrySubjects(entry))
    }

    /// The parties an entry with these subjects concerns (nil: every party).
    public static func audience(of subjects: EntrySubjects) -> Set<String>? {
        switch subjects.type {
        case LedgerCommand.ledgerType:
            if subjects.command == "issueCredential" || subjects.command == "revokeCredential" { return [] }
            // The keys the service signs ledger heads with are for every party to check.
            if subjects.command == "ledgerKey" { return nil }
            return Set([subjects.by].compactMap { $0 })
        case ReportBatchPayload.ledgerType:
            return Set([subjects.by].compactMap { $0 })
        case let type where type.hasPrefix("alert."):
            return Set(subjects.addressees)
        case let type where type.hasPrefix("message."):
            return Set(subjects.messageTo + [subjects.messageFrom].compactMap { $0 })
        case "agreement.changed":
            return Set(subjects.signatories)
        case "unit.added":
            return Set([subjects.unitParty].compactMap { $0 })
        case "operation.changed":
            return Set([subjects.operationParty].compactMap { $0 })
        default:
            // Zones, parties, responsibilities and incidents are for everyone.
            return nil
        }
    }

    public static func mayRead(_ entry: LedgerEntry, as actor: Actor) -> Bool {
        guard case .party(let party) = actor else { return true }
        guard let audience = audience(of: entry) else { return true }
        return audience.contains(party.rawValue)
    }
}

package extension Engine {
    /// Whether a signatory of `agreement` has confirmed that it answers for `party`.
    func answersFor(_ party: PartyID, signedBy agreement: Agreement) -> Bool {
        responsibilities.contains { $0.client == party && $0.confirmed && agreement.signatories[$0.sponsor] == .signed }
    }
}
