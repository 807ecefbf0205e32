#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Something the engine did, in the order it did it. Every change of state is one.
public struct Event: Hashable, Sendable {
    public enum Change: Hashable, Sendable {
        case partyAdded(Party)
        case responsibilitySet(Responsibility)
        case agreementChanged(Agreement)
        case zoneChanged(Zone)
        case zoneRemoved(ZoneID)
        case unitAdded(Unit)
        case operationChanged(Operation)
        case messageSent(Message)
        case messageDelivered(Message, to: PartyID)
        /// A receipt: read, not agreed.
        case messageAcknowledged(Message, by: PartyID)
        /// A recipient let the deadline and the escalation delay pass in silence.
        case messageEscalated(Message, recipient: PartyID)
        case incidentRecorded(Incident)
        case alertRaised(Alert)
        case alertUpdated(Alert)
        case alertAcknowledged(Alert, by: PartyID)
        /// An addressee let the acknowledgement deadline and the escalation delay pass.
        case alertEscalated(Alert, addressee: PartyID)
        case alertResolved(Alert)
    }

    /// Engine time when it happened.
    public let time: Date
    public let change: Change

    /// A stable name of the change: `alert.raised`, `zone.changed`, …
    public var type: String {
        switch change {
        case .partyAdded: "party.added"
        case .responsibilitySet: "responsibility.set"
        case .agreementChanged: "agreement.changed"
        case .zoneChanged: "zone.changed"
        case .zoneRemoved: "zone.removed"
        case .unitAdded: "unit.added"
        case .operationChanged: "operation.changed"
        case .messageSent: "message.sent"
        case .messageDelivered: "message.delivered"
        case .messageAcknowledged: "message.acknowledged"
        case .messageEscalated: "message.escalated"
        case .incidentRecorded: "incident.recorded"
        case .alertRaised: "alert.raised"
        case .alertUpdated: "alert.updated"
        case .alertAcknowledged: "alert.acknowledged"
        case .alertEscalated: "alert.escalated"
        case .alertResolved: "alert.resolved"
        }
    }

    /// The alert the event is about, if any.
    public var alert: Alert? {
        switch change {
        case .alertRaised(let alert), .alertUpdated(let alert), .alertResolved(let alert),
             .alertAcknowledged(let alert, _), .alertEscalated(let alert, _):
            alert
        default:
            nil
        }
    }
}
