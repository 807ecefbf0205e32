#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Raising, updating and resolving alerts, and whom they go to.

extension Engine {
    /// Raises an alert about `units` (in `zone`), addressed by the routing rules, unless
    /// one with the same key is open. Returns the new alert's id.
    @discardableResult
    mutating func raise(
        _ kind: Alert.Kind, units subjects: [UnitID], zone: Zone?, party: PartyID? = nil,
        secondsAhead: Double? = nil, distance: Double? = nil, events: inout [Event]
    ) -> AlertID? {
        let (addressees, unconfirmed) = route(units: subjects, zone: zone, party: party)
        return raise(
            kind, units: subjects, zone: zone?.id, agreement: nil, party: party, operation: nil, addressees: addressees,
            unconfirmed: unconfirmed, secondsAhead: secondsAhead, distance: distance, events: &events)
    }

    @discardableResult
    mutating func raise(
        _ kind: Alert.Kind, units subjects: [UnitID], zone: ZoneID?, agreement: AgreementID?, party: PartyID? = nil,
        operation: OperationID? = nil, addressees: [Alert.Addressee], unconfirmed: Bool, secondsAhead: Double? = nil, distance: Double? = nil,
        events: inout [Event]
    ) -> AlertID? {
        let id = AlertID("A\(nextAlert)")
        let alert = Alert(
            id: id, kind: kind, units: subjects, zone: zone, agreement: agreement, party: party, operation: operation,
            state: .raised,
            raisedAt: now, resolvedAt: nil, resolution: nil, addressees: addressees, unconfirmedRouting: unconfirmed,
            secondsAhead: secondsAhead, distanceMeters: distance, updatedAt: now)
        guard open[alert.key] == nil else { return nil }
        nextAlert += 1
        alerts[id] = alert
        open[alert.key] = id
        if escalationGeneration == generation { escalationQueue.insert(id, due: escalationDeadline(of: alert)) }
        events.append(Event(time: now, change: .alertRaised(alert)))
        return id
    }

    /// Refreshes an open alert's figures when they moved noticeably (a tenth, or ten
    /// seconds or ten metres), with an event, so a steady stream of reports does not
    /// flood the line. With `distanceCounts` false only the time ahead decides (an
    /// approach's distance to the edge follows from it).
    mutating func update(
        _ id: AlertID, secondsAhead: Double?, distance: @autoclosure () -> Double?, distanceCounts: Bool,
        events: inout [Event]
    ) {
        guard var alert = alerts[id], alert.state != .resolved else { return }
        func moved(_ old: Double?, _ new: Double?, floor: Double) -> Bool { Engine.noticeable(old, new, floor: floor) }
        var distanceNow: Double?? = nil
        if distanceCounts { distanceNow = distance() }
        let noticeable = moved(alert.secondsAhead, secondsAhead, floor: 10)
            || (distanceCounts && moved(alert.distanceMeters, distanceNow!, floor: 10))
        guard noticeable else { return }
        alert.secondsAhead = secondsAhead
        alert.distanceMeters = distanceNow ?? distance()
        alert.updatedAt = now
        alerts[id] = alert
        events.append(Event(time: now, change: .alertUpdated(alert)))
    }

    /// Whether a figure moved enough to tell the addressees: by a tenth, and at least
    /// `floor`.
    static func noticeable(_ old: Double?, _ new: Double?, floor: Double) -> Bool {
        switch (old, new) {
        case (nil, nil): false
        case (let old?, let new?): abs(old - new) > max(floor, 0.1 * abs(old))
        default: true
        }
    }

    mutating func resolve(_ id: AlertID, reason: String, events: inout [Event]) {
        guard var alert = alerts[id], alert.state != .resolved else { return }
        alert.state = .resolved
        alert.resolvedAt = now
        alert.resolution = reason
        alerts[id] = alert
        open[alert.key] = nil
        resolvedQueue.insert(id, due: now)
        if alert.kind == .approach, let unit = alert.units.first, let slot = slotOf[unit] {
            table[Int(slot)].approaching.removeAll { $0.alert == id }
        }
        if alert.kind == .separation, alert.units.count == 2,
           let first = slotOf[alert.units[0]], let second = slotOf[alert.units[1]] {
            table[Int(first)].partners.removeAll { $0.slot == second }
            table[Int(second)].partners.removeAll { $0.slot == first }
        }
        events.append(Event(time: now, change: .alertResolved(alert)))
    }

    /// Whom an alert about `units` in `zone` goes to: the zone's owner, each unit's
    /// party, and every party that answers for one of them. The routing is flagged
    /// unconfirmed when a unit's party is not bound by the zone's agreement and nobody
    /// has confirmed answering for it.
    func route(units subjects: [UnitID], zone: Zone?, party: PartyID?) -> ([Alert.Addressee], Bool) {
        var addressees: [PartyID: Alert.Addressee] = [:]
        func add(_ party: PartyID, answersFor: PartyID?, confirmed: Bool, mustAcknowledge: Bool = true) {
            if let existing = addressees[party], existing.confirmed || !confirmed {
                if mustAcknowledge, !existing.mustAcknowledge {
                    addressees[party] = Alert.Addressee(
                        party: party, answersFor: existing.answersFor, confirmed: existing.confirmed, mustAcknowledge: true,
                        acknowledgedAt: nil, escalatedAt: nil)
                }
                return
            }
            addressees[party] = Alert.Addressee(
                party: party, answersFor: answersFor, confirmed: confirmed, mustAcknowledge: mustAcknowledge,
                acknowledgedAt: nil, escalatedAt: nil)
        }
        if let zone { add(zone.owner, answersFor: nil, confirmed: true, mustAcknowledge: false) }
        var unconfirmed = false
        let subjectParties = Set(subjects.compactMap { unit($0)?.party } + (party.map { [$0] } ?? []))
        for subject in subjectParties.sorted() {
            add(subject, answersFor: nil, confirmed: true)
            let sponsors = responsibilities.filter { $0.client == subject }
            for sponsor in sponsors { add(sponsor.sponsor, answersFor: subject, confirmed: sponsor.confirmed) }
            let agreement = zone?.agreement.flatMap { agreements[$0] }
            let bound = agreement.map { $0.binds(subject) } ?? true
            if !bound, !sponsors.contains(where: { $0.confirmed && (agreement?.binds($0.sponsor) ?? true) }) {
                unconfirmed = true
            }
        }
        return (addressees.values.sorted { $0.party < $1.party }, unconfirmed)
    }
}
