#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The message line: send, deliver, acknowledge, and escalate silence.

extension Engine {
    mutating func send(_ draft: Message, events: inout [Event]) throws(EngineError) {
        guard messages[draft.id] == nil else {
            throw EngineError(.duplicate, field: "message.id", reason: "message \(draft.id) exists")
        }
        guard parties[draft.from] != nil else { throw EngineError(.unknownParty, field: "message.from", reason: "no party \(draft.from)") }
        guard !draft.receipts.isEmpty else { throw EngineError(.invalidValue, field: "message.to", reason: "a message needs a recipient") }
        for recipient in draft.recipients where parties[recipient] == nil || recipient == draft.from {
            throw EngineError(
                parties[recipient] == nil ? .unknownParty : .invalidValue, field: "message.to",
                reason: parties[recipient] == nil ? "no party \(recipient)" : "a party does not write to itself")
        }
        for reference in draft.references {
            let known = switch reference {
            case .zone(let id): zones[id] != nil
            case .alert(let id): alerts[id] != nil
            case .operation(let id): operations[id] != nil
            case .message(let id): messages[id] != nil
            }
            guard known else { throw EngineError(.invalidValue, field: "message.references", reason: "\(reference) is not known") }
        }
        var message = draft
        message.sentAt = now
        if message.requiresAcknowledgement {
            let parameters = messageParameters(message)
            message.deadline = now.addingTimeInterval(parameters.acknowledgementSeconds)
        }
        messages[message.id] = message
        events.append(Event(time: now, change: .messageSent(message)))
    }

    /// The line reached `party` with the message (its stream or webhook took it).
    mutating func deliver(_ id: MessageID, to party: PartyID, events: inout [Event]) throws(EngineError) {
        var message = try recipientMessage(id, party)
        guard message.receipts[party]?.deliveredAt == nil else { return }
        message.receipts[party]?.deliveredAt = now
        messages[id] = message
        events.append(Event(time: now, change: .messageDelivered(message, to: party)))
    }

    /// `party` confirms it read the message. Not consent.
    mutating func acknowledgeMessage(_ id: MessageID, by party: PartyID, events: inout [Event]) throws(EngineError) {
        var message = try recipientMessage(id, party)
        guard message.receipts[party]?.acknowledgedAt == nil else { return }
        // Reading implies delivery.
        if message.receipts[party]?.deliveredAt == nil { message.receipts[party]?.deliveredAt = now }
        message.receipts[party]?.acknowledgedAt = now
        messages[id] = message
        events.append(Event(time: now, change: .messageAcknowledged(message, by: party)))
    }

    private func recipientMessage(_ id: MessageID, _ party: PartyID) throws(EngineError) -> Message {
        guard let message = messages[id] else { throw EngineError(.unknownMessage, field: "message", reason: "no message \(id)") }
        guard message.receipts[party] != nil else {
            throw EngineError(.notAddressee, field: "party", reason: "\(party) is not a recipient of \(id)")
        }
        return message
    }

    /// Recipients silent past the deadline and the escalation delay: escalated once each.
    mutating func messageEscalations(events: inout [Event]) {
        for id in messages.keys.sorted() {
            guard var message = messages[id], let deadline = message.deadline else { continue }
            let escalation = deadline.addingTimeInterval(messageParameters(message).escalationSeconds)
            guard now >= escalation else { continue }
            for party in message.recipients
            where message.receipts[party]?.acknowledgedAt == nil && message.receipts[party]?.escalatedAt == nil {
                message.receipts[party]?.escalatedAt = now
                messages[id] = message
                events.append(Event(time: now, change: .messageEscalated(message, recipient: party)))
            }
        }
    }

    /// The parameters of an agreement binding the sender and every recipient, else the defaults.
    func messageParameters(_ message: Message) -> Agreement.Parameters {
        bindingAgreement([message.from] + message.recipients)?.parameters
            ?? configuration.defaultParameters ?? Agreement.Parameters()
    }
}
