public import DeconflictEngine
public import DeconflictStore
public import Foundation

/// A request as the ledger keeps it: what was asked and who asked. On start a node
/// applies these again, in order, to rebuild its state; the events that follow each
/// command in the ledger are what it produced.
///
/// Typed values, never an interface's request bodies: a command entry is written and read
/// by ``CommandRecord``, whose versions (docs/ledger.md) are the ledger's own and are read
/// for as long as entries of that version exist.
public struct LedgerCommand: Sendable {
    public enum Action: Sendable {
        /// A change the engine makes (a zone declared, a message sent, time passing, …).
        case engine(Engine.Command)
        case issueCredential(CredentialRecord)
        case revokeCredential(id: String)
        /// The actor read other parties' units in full (`units a,b,c`).
        case recordRead(String)
        case registerWebhook(WebhookRecord)
        case removeWebhook(id: String)
        /// A webhook delivered every entry up to `through`.
        case webhookProgress(id: String, through: Int64)
        /// A request of the ASTM F3548 DSS interface, as that interface records it (its
        /// own versioned shape, read by the interface).
        case dss(JSONValue)
        /// The service signs its ledger heads with this key from now on (version 5).
        case ledgerKey(LedgerKeyRecord)
    }

    public var action: Action
    public var actor: Actor

    public static let ledgerType = "command"

    public init(_ action: Action, by actor: Actor) {
        self.action = action
        self.actor = actor
    }

    /// An engine command.
    public init(_ command: Engine.Command, by actor: Actor) {
        self.init(.engine(command), by: actor)
    }

    /// The party acting: the actor's party, or `@operator`'s name for the operator.
    public var caller: PartyID { actor.party ?? PartyID("@operator") }

    /// The command's name in the ledger (`putZone`, `issueCredential`, `dss`, …).
    public var name: String { CommandRecord(self).command }

    /// The record to append (the current version, ``CommandRecord/currentVersion``).
    public func record(at time: Date) -> LedgerRecord {
        let data = (try? RFC3339.encoder().encode(CommandRecord(self))) ?? Data("{}".utf8)
        return LedgerRecord(time: time, type: Self.ledgerType, payload: String(decoding: data, as: UTF8.self))
    }

    /// Reads a `command` entry's payload, of any version written.
    ///
    /// - Throws: ``LedgerDecodingError`` naming the field at fault.
    public static func decode(_ payload: String) throws(LedgerDecodingError) -> LedgerCommand {
        let record: CommandRecord
        do {
            record = try RFC3339.decoder().decode(CommandRecord.self, from: Data(payload.utf8))
        } catch {
            throw LedgerDecodingError(field: "payload", reason: "\(error)")
        }
        return try record.typed()
    }
}

/// A ledger entry that cannot be read: the field at fault and why.
public struct LedgerDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

extension LedgerCommand {
    /// The operator issues a credential.
    public static func issueCredential(_ record: CredentialRecord) -> LedgerCommand {
        LedgerCommand(.issueCredential(record), by: .operator)
    }
}
