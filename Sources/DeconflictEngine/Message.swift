#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

public enum MessageTag {}
public typealias MessageID = Identifier<MessageTag>

/// A message on the line between parties: a notice, a warning, a request or a reply,
/// with what it refers to and, per recipient, its receipt.
///
/// A receipt says the message reached the recipient (delivered) or that the recipient
/// confirmed reading it (acknowledged). Neither means consent: only a reply says what a
/// party thinks.
public struct Message: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case notice
        case warning
        case request
        case reply
    }

    /// What a message is about.
    public enum Reference: Hashable, Sendable {
        case zone(ZoneID)
        case alert(AlertID)
        case operation(OperationID)
        case message(MessageID)

        /// The first of those named, in this order; nil when none is.
        public init?(zone: String?, alert: String?, operation: String?, message: String?) {
            if let zone { self = .zone(ZoneID(zone)) }
            else if let alert { self = .alert(AlertID(alert)) }
            else if let operation { self = .operation(OperationID(operation)) }
            else if let message { self = .message(MessageID(message)) }
            else { return nil }
        }
    }

    /// Where the message stands with one recipient.
    public struct Receipt: Hashable, Sendable {
        public internal(set) var deliveredAt: Date?
        public internal(set) var acknowledgedAt: Date?
        /// When the silence past the deadline and the escalation delay was escalated.
        public internal(set) var escalatedAt: Date?
    }

    public let id: MessageID
    public let kind: Kind
    public let from: PartyID
    public let text: String
    public let references: [Reference]
    /// Whether the recipients must acknowledge it by ``deadline``.
    public let requiresAcknowledgement: Bool
    public internal(set) var sentAt: Date
    /// Acknowledge by then, or the silence is escalated after the escalation delay.
    public internal(set) var deadline: Date?
    public internal(set) var receipts: [PartyID: Receipt]

    /// A message to send: its time, deadline and receipts are the engine's to set.
    public init(
        id: MessageID, kind: Kind, from: PartyID, to recipients: [PartyID], text: String,
        references: [Reference] = [], requiresAcknowledgement: Bool = true
    ) {
        self.id = id
        self.kind = kind
        self.from = from
        self.text = text
        self.references = references
        self.requiresAcknowledgement = requiresAcknowledgement
        self.sentAt = .distantPast
        self.deadline = nil
        // A recipient named twice gets one receipt.
        self.receipts = Dictionary(recipients.map { ($0, Receipt()) }, uniquingKeysWith: { first, _ in first })
    }

    /// The recipients, in order.
    public var recipients: [PartyID] { receipts.keys.sorted() }
}
