import DeconflictEngine
import DeconflictLedger
import DeconflictNode
import Foundation
import OpenAPIRuntime

/// Alerts and the message line: what a party is told, and what it answers.
extension API {
    // MARK: Alerts

    func listAlerts(_ input: Operations.ListAlerts.Input) async throws -> Operations.ListAlerts.Output {
        let actor = caller
        let all = input.query.state == .all
        let list = await node.read { engine in
            engine.alerts.values
                .filter { alert in (all || alert.state != .resolved) && Self.addressed(alert, to: actor) }
                .sorted { ($0.raisedAt, $0.id) < ($1.raisedAt, $1.id) }
                .map(Components.Schemas.Alert.init)
        }
        return .ok(.init(body: .json(.init(alerts: list))))
    }

    func getAlert(_ input: Operations.GetAlert.Input) async throws -> Operations.GetAlert.Output {
        .ok(.init(body: .json(.init(try await addressedAlert(AlertID(try pathID(input.path.id)))))))
    }

    func acknowledgeAlert(_ input: Operations.AcknowledgeAlert.Input) async throws -> Operations.AcknowledgeAlert.Output {
        let party = try callingParty()
        let alertID = AlertID(try pathID(input.path.id))
        let sequence = try await write(.engine(.acknowledge(alertID, by: party)))
        return .ok(.init(body: .json(.init(value1: .init(try await addressedAlert(alertID)), value2: .init(sequence: sequence)))))
    }

    func resolveAlert(_ input: Operations.ResolveAlert.Input) async throws -> Operations.ResolveAlert.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let alertID = AlertID(try pathID(input.path.id))
        let sequence = try await write(.engine(.resolve(alertID, by: party, reason: body.reason)))
        return .ok(.init(body: .json(.init(value1: .init(try await addressedAlert(alertID)), value2: .init(sequence: sequence)))))
    }

    /// An alert the caller is an addressee of (alerts are never removed: one just written is there).
    private func addressedAlert(_ id: AlertID) async throws(FieldError) -> Alert {
        guard let alert = await node.read({ $0.alerts[id] }) else { throw FieldError(field: "id", reason: "no alert \(id)", code: .notFound) }
        guard Self.addressed(alert, to: caller) else { throw FieldError(field: "id", reason: "not an addressee of \(id)", code: .forbidden) }
        return alert
    }

    static func addressed(_ alert: Alert, to actor: DeconflictLedger.Actor) -> Bool {
        actor == .operator || alert.addressees.contains { $0.party == actor.party }
    }

    // MARK: Messages

    func listMessages(_ input: Operations.ListMessages.Input) async throws -> Operations.ListMessages.Output {
        let actor = caller
        let read: @Sendable (Engine) -> [Message] = { engine in
            engine.messages.values.filter { Self.involved($0, actor) }.sorted { ($0.sentAt, $0.id) < ($1.sentAt, $1.id) }
        }
        var list = await node.read(read)
        // The list carries each message whole: for a recipient, that is its delivery.
        if let party = actor.party {
            let undelivered = list.filter { $0.receipts[party].map { $0.deliveredAt == nil } == true }
            for message in undelivered { _ = try await write(.engine(.deliver(message.id, to: party))) }
            if !undelivered.isEmpty { list = await node.read(read) }
        }
        return .ok(.init(body: .json(.init(messages: list.map(Components.Schemas.Message.init)))))
    }

    func getMessage(_ input: Operations.GetMessage.Input) async throws -> Operations.GetMessage.Output {
        let messageID = MessageID(try pathID(input.path.id))
        let message = try await involvedMessage(messageID)
        // A recipient reading it is a delivery.
        if let party = caller.party, let receipt = message.receipts[party], receipt.deliveredAt == nil {
            let sequence = try await write(.engine(.deliver(messageID, to: party)))
            var answer = Components.Schemas.Message(try await involvedMessage(messageID))
            answer.additionalProperties = try .init(unvalidatedValue: ["sequence": sequence])
            return .ok(.init(body: .json(answer)))
        }
        return .ok(.init(body: .json(.init(message))))
    }

    func sendMessage(_ input: Operations.SendMessage.Input) async throws -> Operations.SendMessage.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        if let from = body.from?.value1, from != party.rawValue {
            throw FieldError(field: "from", reason: "a party sends only as itself", code: .forbidden)
        }
        let message = try body.message(from: party)
        let sequence = try await write(.engine(.send(message)))
        return .created(.init(body: .json(.init(value1: .init(try await involvedMessage(message.id)), value2: .init(sequence: sequence)))))
    }

    func acknowledgeMessage(_ input: Operations.AcknowledgeMessage.Input) async throws -> Operations.AcknowledgeMessage.Output {
        let party = try callingParty()
        let messageID = MessageID(try pathID(input.path.id))
        let sequence = try await write(.engine(.acknowledgeMessage(messageID, by: party)))
        return .ok(.init(body: .json(.init(value1: .init(try await involvedMessage(messageID)), value2: .init(sequence: sequence)))))
    }

    /// A message the caller sent or received (messages are never removed: one just written is there).
    private func involvedMessage(_ id: MessageID) async throws(FieldError) -> Message {
        guard let message = await node.read({ $0.messages[id] }) else { throw FieldError(field: "id", reason: "no message \(id)", code: .notFound) }
        guard Self.involved(message, caller) else { throw FieldError(field: "id", reason: "not a party to \(id)", code: .forbidden) }
        return message
    }

    static func involved(_ message: Message, _ actor: DeconflictLedger.Actor) -> Bool {
        actor == .operator || message.from == actor.party || actor.party.map { message.receipts[$0] != nil } == true
    }
}

extension Components.Schemas.MessageInput {
    /// The message `sender` sends: recipients named once each, the text within 16 KiB,
    /// each reference naming one object.
    func message(from sender: PartyID) throws(FieldError) -> Message {
        guard !to.isEmpty else { throw FieldError(field: "to", reason: "a message needs at least one recipient") }
        if let repeated = Dictionary(grouping: to, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw FieldError(field: "to", reason: "names \(repeated) more than once")
        }
        guard text.utf8.count <= 16_384 else { throw FieldError(field: "text", reason: "longer than 16384 bytes") }
        var converted: [Message.Reference] = []
        for (index, reference) in (references ?? []).enumerated() {
            guard let named = Message.Reference(zone: reference.zone, alert: reference.alert, operation: reference.operation, message: reference.message)
            else { throw FieldError(field: "references[\(index)]", reason: "names one of zone, alert, operation, message") }
            converted.append(named)
        }
        let kind = Message.Kind(kind)
        return Message(
            id: MessageID(try identifier(id, field: "id")), kind: kind, from: sender,
            to: to.map { PartyID($0) }, text: text, references: converted,
            requiresAcknowledgement: requiresAcknowledgement ?? (kind != .reply))
    }
}

extension Components.Schemas.Alert {
    init(_ alert: Alert) {
        self.init(
            id: alert.id.rawValue, kind: .init(alert.kind), state: .init(alert.state), units: alert.units.map(\.rawValue),
            unit: alert.units.first?.rawValue, zone: alert.zone?.rawValue, addressees: alert.addressees.map(\.party.rawValue),
            routing: alert.addressees.map { addressee in
                .init(
                    party: addressee.party.rawValue, confirmed: addressee.confirmed, mustAcknowledge: addressee.mustAcknowledge, answersFor: addressee.answersFor.map { .init(value1: $0.rawValue) },
                    acknowledgedAt: addressee.acknowledgedAt, escalatedAt: addressee.escalatedAt)
            },
            unconfirmedRouting: alert.unconfirmedRouting, raisedAt: alert.raisedAt, party: alert.party?.rawValue,
            operation: alert.operation?.rawValue, agreement: alert.agreement?.rawValue, secondsAhead: alert.secondsAhead,
            distanceMeters: alert.distanceMeters, resolution: alert.resolution, updatedAt: .init(value1: alert.updatedAt),
            resolvedAt: alert.resolvedAt)
    }
}

extension Components.Schemas.Message {
    init(_ message: Message) {
        self.init(
            id: message.id.rawValue, kind: .init(message.kind), from: message.from.rawValue, to: message.recipients.map(\.rawValue),
            text: message.text, requiresAcknowledgement: message.requiresAcknowledgement, sentAt: message.sentAt,
            deadline: message.deadline.map { .init(value1: $0) },
            references: message.references.isEmpty ? nil : message.references.map { reference in
                switch reference {
                case .zone(let id): .init(zone: id.rawValue)
                case .alert(let id): .init(alert: id.rawValue)
                case .operation(let id): .init(operation: id.rawValue)
                case .message(let id): .init(message: id.rawValue)
                }
            },
            receipts: .init(additionalProperties: Dictionary(uniqueKeysWithValues: message.receipts.map { party, receipt in
                (party.rawValue, Components.Schemas.Receipt(
                    deliveredAt: receipt.deliveredAt, acknowledgedAt: receipt.acknowledgedAt, escalatedAt: receipt.escalatedAt))
            })))
    }
}

extension Components.Schemas.AlertKind {
    init(_ kind: Alert.Kind) {
        switch kind {
        case .incursion: self = .incursion
        case .approach: self = .approach
        case .dwell: self = .dwell
        case .buildUp: self = .buildUp
        case .separation: self = .separation
        case .staleTrack: self = .staleTrack
        case .conformance: self = .conformance
        case .lateNotice: self = .lateNotice
        case .agreementWithdrawn: self = .agreementWithdrawn
        case .zoneRevalidation: self = .zoneRevalidation
        }
    }
}

extension Components.Schemas.AlertState {
    init(_ state: Alert.State) {
        switch state {
        case .raised: self = .raised
        case .acknowledged: self = .acknowledged
        case .resolved: self = .resolved
        }
    }
}

extension Components.Schemas.MessageKind {
    init(_ kind: Message.Kind) {
        switch kind {
        case .notice: self = .notice
        case .warning: self = .warning
        case .request: self = .request
        case .reply: self = .reply
        }
    }
}

extension Message.Kind {
    init(_ kind: Components.Schemas.MessageKind) {
        switch kind {
        case .notice: self = .notice
        case .warning: self = .warning
        case .request: self = .request
        case .reply: self = .reply
        }
    }
}
