#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DeconflictGeometry

// Operations: their checks before they start, notices and their lead time, and whether
// their units keep to them.

extension Engine {
    /// The conflicts of an operation with zones that exclude its party and with other
    /// parties' planned or active operations that overlap it in volume and time, each
    /// with its reason; empty when it may go ahead.
    public func check(_ operation: Operation) -> [Conflict] {
        var conflicts: [Conflict] = []
        for zone in zones.values.sorted(by: { $0.id < $1.id }) where zone.excludes(operation.party) {
            guard let volume = operation.extent.volumes.first(where: { $0.intersects(zone.volume) }) else { continue }
            conflicts.append(Conflict(
                subject: .zone(zone.id), party: zone.owner,
                reason: "enters \(zone.kind.rawValue) \(zone.name) of \(zone.owner) (\(volume.altitude) within its \(zone.volume.altitude), times overlapping)"))
        }
        for other in operations.values.sorted(by: { $0.id < $1.id })
        where other.id != operation.id && other.party != operation.party && [.planned, .active].contains(other.state) {
            guard operation.extent.intersects(other.extent) else { continue }
            let precedence = other.priority > operation.priority
                ? "it has priority \(other.priority) over \(operation.priority)"
                : other.priority == operation.priority ? "equal priority \(other.priority)" : "this one has priority"
            conflicts.append(Conflict(
                subject: .operation(other.id), party: other.party,
                reason: "overlaps \(other.state.rawValue) operation \(other.name) of \(other.party) in volume and time; \(precedence)"))
        }
        return conflicts
    }

    /// What the agreements binding an operation's party ask of its notice: the longest
    /// lead time among them (``Agreement/Parameters/noticeLeadSeconds``), the agreement
    /// asking it, the parties owed the notice and when it is due before the operation
    /// starts. Nil when no agreement binds the party or the operation has no start.
    public func noticeDue(for operation: Operation) -> NoticeDue? {
        let bound = agreements.values.filter { $0.binds(operation.party) }.sorted { $0.id < $1.id }
        guard let strictest = bound.max(by: { $0.parameters.noticeLeadSeconds < $1.parameters.noticeLeadSeconds }),
              let start = operation.start
        else { return nil }
        let lead = strictest.parameters.noticeLeadSeconds
        let owed = Set(bound.flatMap { $0.signatories.filter { $0.value == .signed }.keys })
            .subtracting([operation.party]).filter { parties[$0] != nil }.sorted()
        let dueBy = start.addingTimeInterval(-lead)
        return NoticeDue(leadSeconds: lead, agreement: strictest.id, owed: owed, dueBy: dueBy, late: now > dueBy)
    }

    mutating func putOperation(_ operation: Operation, events: inout [Event]) throws(EngineError) {
        guard parties[operation.party] != nil else {
            throw EngineError(.unknownParty, field: "operation.party", reason: "no party \(operation.party)")
        }
        for unit in operation.units.sorted() where self.unit(unit)?.party != operation.party {
            throw EngineError(.invalidValue, field: "operation.units", reason: "\(unit) is not a unit of \(operation.party)")
        }
        var stored = operation
        stored.noticeGivenAt = operations[operation.id]?.noticeGivenAt
        operations[operation.id] = stored
        events.append(Event(time: now, change: .operationChanged(stored)))
    }

    /// The other parties are told of an operation now; a notice later than the agreed
    /// lead time before its start raises a late-notice alert.
    mutating func notify(_ id: OperationID, events: inout [Event]) throws(EngineError) {
        guard var operation = operations[id] else {
            throw EngineError(.unknownOperation, field: "operation", reason: "no operation \(id)")
        }
        operation.noticeGivenAt = now
        operations[id] = operation
        events.append(Event(time: now, change: .operationChanged(operation)))
        checkNotice(operation, events: &events)
    }

    /// Records the notice and sends it, as a `notice` message from the operation's party,
    /// to the parties owed it; its id is `notice:<operation>:<n>`, n counting the
    /// operation's notices.
    mutating func giveNotice(_ id: OperationID, events: inout [Event]) throws(EngineError) {
        try notify(id, events: &events)
        guard let operation = operations[id] else { return }
        let owed = Set(agreements.values.filter { $0.binds(operation.party) }.flatMap { $0.signatories.filter { $0.value == .signed }.keys })
            .subtracting([operation.party]).filter { parties[$0] != nil }.sorted()
        guard !owed.isEmpty else { return }
        let prefix = "notice:\(id.rawValue):"
        let number = messages.keys.filter { $0.rawValue.hasPrefix(prefix) }.count + 1
        var window = ""
        if let start = operation.start { window += " from \(start.formatted(.iso8601))" }
        if let end = operation.extent.volumes.compactMap(\.time.end).max() { window += " until \(end.formatted(.iso8601))" }
        let text = "Notice of operation \(operation.name) (\(id)) by \(operation.party)\(window), \(operation.state.rawValue)."
        try send(
            Message(id: MessageID(prefix + String(number)), kind: .notice, from: operation.party, to: owed, text: text, references: [.operation(id)]),
            events: &events)
    }

    mutating func setState(_ state: Operation.State, of id: OperationID, events: inout [Event]) throws(EngineError) {
        guard var operation = operations[id] else {
            throw EngineError(.unknownOperation, field: "operation", reason: "no operation \(id)")
        }
        operation.state = state
        operations[id] = operation
        events.append(Event(time: now, change: .operationChanged(operation)))
        switch state {
        case .active:
            checkNotice(operation, events: &events)
        case .completed, .cancelled:
            for (key, alert) in open.sorted(by: { $0.value < $1.value }) where key.kind == .conformance && key.operation == id {
                resolve(alert, reason: "operation \(state.rawValue)", events: &events)
            }
        case .planned:
            break
        }
    }

    /// Late notice: given (or starting without one) less than the lead time of the
    /// agreements that bind the operator before the start.
    private mutating func checkNotice(_ operation: Operation, events: inout [Event]) {
        let bound = agreements.values.filter { $0.binds(operation.party) }.sorted { $0.id < $1.id }
        guard let lead = bound.map(\.parameters.noticeLeadSeconds).max(), let start = operation.start ?? (operation.state == .active ? now : nil)
        else { return }
        let given = operation.noticeGivenAt ?? (operation.state == .active ? now : nil)
        guard let given, start.timeIntervalSince(given) < lead else { return }
        // The other signatories of those agreements are the ones owed the notice.
        let owed = Set(bound.flatMap { $0.signatories.filter { $0.value == .signed }.keys }).subtracting([operation.party])
        let addressees = ([operation.party] + owed.sorted()).map {
            Alert.Addressee(party: $0, answersFor: nil, confirmed: true, mustAcknowledge: true, acknowledgedAt: nil, escalatedAt: nil)
        }
        raise(
            .lateNotice, units: [], zone: nil, agreement: bound.first?.id, operation: operation.id, addressees: addressees,
            unconfirmed: false, secondsAhead: start.timeIntervalSince(given), events: &events)
    }

    /// Records which units belong to active operations: only their reports are checked
    /// for conformance.
    /// Kept per change, not recomputed from every operation: a unit counts the active
    /// operations it belongs to.
    mutating func updateOperatingUnits(from before: Operation?, to after: Operation?) {
        if let before, before.state == .active {
            for unit in before.units {
                let count = (operatingUnits[unit] ?? 0) - 1
                operatingUnits[unit] = count > 0 ? count : nil
            }
        }
        if let after, after.state == .active {
            for unit in after.units { operatingUnits[unit, default: 0] += 1 }
        }
    }

    /// Conformance: a unit of an active operation outside every volume of it.
    mutating func conformance(of unit: Unit, _ report: PositionReport, events: inout [Event]) {
        for operation in operations.values.sorted(by: { $0.id < $1.id })
        where operation.state == .active && operation.units.contains(unit.id) {
            let key = AlertKey(kind: .conformance, units: [unit.id], zone: nil, agreement: nil, party: nil, operation: operation.id)
            let within = operation.extent.volumes.contains { volume in
                volume.altitude.contains(report.altitudeMeters) && volume.time.contains(report.time)
                    && volume.footprint.signedDistance(to: report.position) <= (open[key] == nil
                        ? configuration.hysteresisMeters + report.uncertaintyMeters : 0)
            }
            if !within, open[key] == nil {
                let (addressees, unconfirmed) = route(units: [unit.id], zone: nil, party: nil)
                raise(
                    .conformance, units: [unit.id], zone: nil, agreement: nil, operation: operation.id,
                    addressees: addressees, unconfirmed: unconfirmed, events: &events)
            } else if within, let alert = open[key] {
                resolve(alert, reason: "back within the operation", events: &events)
            }
        }
    }
}
