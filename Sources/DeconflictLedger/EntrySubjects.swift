public import DeconflictStore
import Foundation

/// What a ledger entry is about: who asked (a command, a batch of reports) and the ids
/// and parties of the alert, message, zone, agreement, unit or operation an event
/// concerns. Read once from the entry with the ledger's own Codable shapes; visibility,
/// the TAK picture and message delivery decide on it.
public struct EntrySubjects: Hashable, Sendable {
    public var type: String
    /// Who asked, for a command or a batch of reports.
    public var by: String?
    /// The command's name, for a command.
    public var command: String?
    public var alertID: String?
    /// The parties an alert is addressed to.
    public var addressees: [String] = []
    public var messageID: String?
    public var messageFrom: String?
    public var messageTo: [String] = []
    public var zoneID: String?
    /// The signatories of an agreement.
    public var signatories: [String] = []
    /// The party of a unit added.
    public var unitParty: String?
    /// The party of an operation.
    public var operationParty: String?

    private struct Payload: Decodable {
        struct Alert: Decodable {
            var id: String?
            var addressees: [String]?
        }

        struct Message: Decodable {
            var id: String?
            var from: String?
            var to: [String]?
        }

        struct Identified: Decodable {
            var id: String?
            var party: String?
        }

        struct Agreement: Decodable {
            var signatories: [String: String]?
        }

        var by: String?
        var command: String?
        var alert: Alert?
        var message: Message?
        var zone: Identified?
        var agreement: Agreement?
        var unit: Identified?
        var operation: Identified?
    }

    /// The subjects of `entry`; an entry whose payload cannot be read concerns nobody in
    /// particular (every field empty).
    public init(_ entry: LedgerEntry) {
        type = entry.type
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(entry.payload.utf8)) else { return }
        by = payload.by
        command = payload.command
        alertID = payload.alert?.id
        addressees = payload.alert?.addressees ?? []
        messageID = payload.message?.id
        messageFrom = payload.message?.from
        messageTo = payload.message?.to ?? []
        zoneID = payload.zone?.id
        signatories = payload.agreement?.signatories.map { Array($0.keys) } ?? []
        unitParty = payload.unit?.party
        operationParty = payload.operation?.party
    }
}
