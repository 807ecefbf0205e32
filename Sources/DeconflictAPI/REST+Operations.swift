import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import Foundation

/// Planned operations: checked against zones and other operations, filed, notified and
/// moved through their states. Another party's operation is shown as a reference.
extension API {
    func listOperations(_ input: Operations.ListOperations.Input) async throws -> Operations.ListOperations.Output {
        let actor = caller
        let list = await node.read { engine in engine.operations.values.sorted { $0.id < $1.id }.map { Components.Schemas.Operation($0, for: actor) } }
        return .ok(.init(body: .json(.init(operations: list))))
    }

    func getOperation(_ input: Operations.GetOperation.Input) async throws -> Operations.GetOperation.Output {
        let operationID = OperationID(try pathID(input.path.id))
        guard let operation = await node.read({ $0.operations[operationID] }) else {
            throw FieldError(field: "id", reason: "no operation \(operationID)", code: .notFound)
        }
        return .ok(.init(body: .json(.init(operation, for: caller))))
    }

    func checkOperation(_ input: Operations.CheckOperation.Input) async throws -> Operations.CheckOperation.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let operation = try body.operation(party: party)
        let (conflicts, notice) = await node.read { ($0.check(operation), $0.noticeDue(for: operation)) }
        return .ok(.init(body: .json(.init(
            conflicts: conflicts.map(Components.Schemas.Conflict.init), clear: conflicts.isEmpty,
            notice: notice.map(Components.Schemas.NoticeDue.init)))))
    }

    func putOperation(_ input: Operations.PutOperation.Input) async throws -> Operations.PutOperation.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let pathID = try pathID(input.path.id)
        guard body.id == pathID else { throw FieldError(field: "id", reason: "differs from the path's \(pathID)") }
        if let owner = body.party?.value1, owner != party.rawValue {
            throw FieldError(field: "party", reason: "a party plans only its own operations", code: .forbidden)
        }
        if let existing = await node.read({ $0.operations[OperationID(body.id)] }), existing.party != party {
            throw FieldError(field: "id", reason: "\(body.id) belongs to \(existing.party)", code: .forbidden)
        }
        let operation = try body.operation(party: party)
        let sequence = try await write(.engine(.putOperation(operation)))
        let (held, conflicts) = await node.read { engine in
            let held = engine.operations[operation.id] ?? operation
            return (held, engine.check(held))
        }
        return .ok(.init(body: .json(.init(
            value1: .init(held, for: .party(party)), value2: .init(sequence: sequence),
            value3: .init(conflicts: conflicts.map(Components.Schemas.Conflict.init))))))
    }

    func notifyOperation(_ input: Operations.NotifyOperation.Input) async throws -> Operations.NotifyOperation.Output {
        let (operation, sequence) = try await ownOperation(input.path.id) { .giveNotice($0) }
        return .ok(.init(body: .json(.init(value1: operation, value2: .init(sequence: sequence)))))
    }

    func setOperationState(_ input: Operations.SetOperationState.Input) async throws -> Operations.SetOperationState.Output {
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let state = Operation.State(body.state)
        let (operation, sequence) = try await ownOperation(input.path.id) { .setOperationState($0, state) }
        return .ok(.init(body: .json(.init(value1: operation, value2: .init(sequence: sequence)))))
    }

    /// Runs a command of the caller's on one of its own operations: the operation
    /// afterwards, and the sequence reached.
    private func ownOperation(
        _ rawID: String, _ make: (OperationID) -> Engine.Command
    ) async throws -> (Components.Schemas.Operation, Int) {
        let party = try callingParty()
        let operationID = OperationID(try pathID(rawID))
        guard let operation = await node.read({ $0.operations[operationID] }) else {
            throw FieldError(field: "id", reason: "no operation \(operationID)", code: .notFound)
        }
        guard operation.party == party else { throw FieldError(field: "id", reason: "\(operationID) belongs to \(operation.party)", code: .forbidden) }
        let sequence = try await write(.engine(make(operationID)))
        let held = await node.read { $0.operations[operationID] } ?? operation
        return (.init(held, for: .party(party)), sequence)
    }
}

extension Components.Schemas.OperationInput {
    /// The operation `party` plans: at least one volume, each checked as a zone's is.
    func operation(party: PartyID) throws(FieldError) -> Operation {
        guard !volumes.isEmpty else { throw FieldError(field: "volumes", reason: "an operation needs at least one volume") }
        var converted: [Volume4D] = []
        for (index, volume) in volumes.enumerated() { converted.append(try volume.volume(field: "volumes[\(index)]")) }
        let extent: Extent
        do {
            extent = try Extent(converted)
        } catch {
            throw FieldError(error, under: "volumes")
        }
        return Operation(
            id: OperationID(try identifier(id, field: "id")), party: party, name: name, extent: extent,
            units: Set((units ?? []).map { UnitID($0) }), state: state.map { Operation.State($0.value1) } ?? .planned, priority: priority ?? 0)
    }
}

extension Components.Schemas.Operation {
    /// An operation as `actor` may see it: another party's without its name and units.
    init(_ operation: Operation, for actor: DeconflictLedger.Actor) {
        let whole = actor == .operator || actor.party == operation.party
        self.init(
            id: operation.id.rawValue, party: operation.party.rawValue, name: whole ? operation.name : nil, state: .init(operation.state),
            priority: operation.priority, units: whole ? operation.units.map(\.rawValue).sorted() : nil,
            volumes: operation.extent.volumes.map(Components.Schemas.Volume.init), noticeGivenAt: operation.noticeGivenAt,
            reference: whole ? nil : true)
    }
}

extension Components.Schemas.Conflict {
    init(_ conflict: Conflict) {
        switch conflict.subject {
        case .zone(let id): self.init(party: conflict.party.rawValue, reason: conflict.reason, zone: id.rawValue)
        case .operation(let id): self.init(party: conflict.party.rawValue, reason: conflict.reason, operation: id.rawValue)
        }
    }
}

extension Components.Schemas.NoticeDue {
    init(_ notice: DeconflictEngine.NoticeDue) {
        self.init(
            leadSeconds: notice.leadSeconds, agreement: notice.agreement.rawValue, owed: notice.owed.map(\.rawValue),
            dueBy: notice.dueBy, late: notice.late)
    }
}

extension Components.Schemas.OperationState {
    init(_ state: Operation.State) {
        switch state {
        case .planned: self = .planned
        case .active: self = .active
        case .completed: self = .completed
        case .cancelled: self = .cancelled
        }
    }
}

extension Operation.State {
    init(_ state: Components.Schemas.OperationState) {
        switch state {
        case .planned: self = .planned
        case .active: self = .active
        case .completed: self = .completed
        case .cancelled: self = .cancelled
        }
    }
}
