public import DeconflictEngine
import DeconflictGeometry
import DeconflictStore
public import Foundation

/// The payload of a `command` entry, every version ever written (docs/ledger.md):
///
/// - Version 1 (no `v` key; every entry written before 2026-12-07): the command's name,
///   who asked, and its arguments. An argument a request left out meant the asker's own
///   (a zone's `owner`, a unit's `party`, an operation's `party`, a message's `from`), so
///   reading one supplies it.
/// - Version 2 (`"v": 2`): the same keys, written from the ledger's own typed command
///   rather than from a request's body, so those arguments are always named.
/// - Version 3 (`"v": 3`): as version 2, with one command more, `giveNotice` (an
///   operation's notice sent on the message line to the parties owed it); `notify` keeps
///   its meaning (the notice time alone) and is no longer written.
/// - Version 4 (`"v": 4`): as version 3; an agreement's parameters may say
///   `"disclosesIntruders": false` (absent, as in every earlier version, it discloses).
/// - Version 5 (`"v": 5`): as version 4, with one command more, `ledgerKey` (the key
///   the service signs its ledger heads with from then on); a webhook's secret is
///   written sealed (`sealedSecret`), never in clear (`secret`).
///
/// These types belong to the ledger: an interface's request bodies may change, these
/// may not. A new shape is a new version, read beside the old ones.
public struct CommandRecord: Codable, Hashable, Sendable {
    /// The version written now.
    public static let currentVersion = 5

    public var v: Int?
    public var command: String
    public var by: String
    public var party: PartyRecord?
    public var responsibility: ResponsibilityRecord?
    public var agreement: AgreementRecord?
    public var zone: ZoneRecord?
    public var unit: UnitRecord?
    public var operation: OperationRecord?
    public var message: MessageRecord?
    public var incident: IncidentRecord?
    /// The id the command acts on (agreement, zone, operation, message, alert,
    /// credential or webhook).
    public var target: String?
    /// An operation's new state.
    public var state: String?
    /// The party a message is delivered to or acknowledged by, or an alert acknowledged
    /// or resolved by.
    public var recipient: String?
    /// A resolution's reason; what a `recordRead` read; a `webhookProgress`'s sequence.
    public var reason: String?
    public var credential: CredentialRecord?
    public var webhook: WebhookRecord?
    /// A request of the DSS interface, in that interface's own recorded shape.
    public var dss: JSONValue?
    /// Version 5: the key the service signs ledger heads with from this entry on.
    public var key: LedgerKeyRecord?

    public struct PartyRecord: Codable, Hashable, Sendable {
        public var id: String
        public var name: String?
    }

    public struct ResponsibilityRecord: Codable, Hashable, Sendable {
        public var sponsor: String
        public var client: String
        public var confirmed: Bool?
    }

    public struct AgreementRecord: Codable, Hashable, Sendable {
        public struct Parameters: Codable, Hashable, Sendable {
            public var groundSeparationMeters: Double?
            public var airSeparationMeters: Double?
            public var verticalSeparationMeters: Double?
            public var noticeLeadSeconds: Double?
            public var acknowledgementSeconds: Double?
            public var escalationSeconds: Double?
            /// Version 4: `false` when the agreement withholds the disclosure of intruders;
            /// absent, it discloses them (every earlier version too).
            public var disclosesIntruders: Bool?
        }

        public var id: String
        public var title: String
        /// Party to status (`proposed`, `signed`, `withdrawn`).
        public var signatories: [String: String]
        public var parameters: Parameters?
    }

    public struct CircleRecord: Codable, Hashable, Sendable {
        /// `[latitude, longitude]`.
        public var center: [Double]
        public var radius: Double
    }

    /// A 4D volume: a circle or polygon (rings of `[latitude, longitude]`, the outer
    /// first), an altitude band `[lower, upper]` in metres, a time window.
    public struct VolumeRecord: Codable, Hashable, Sendable {
        public var circle: CircleRecord?
        public var polygon: [[[Double]]]?
        public var altitude: [Double]?
        public var from: Date?
        public var until: Date?
    }

    public struct ZoneRecord: Codable, Hashable, Sendable {
        public var id: String
        public var name: String?
        public var kind: String
        public var owner: String?
        public var agreement: String?
        public var circle: CircleRecord?
        public var polygon: [[[Double]]]?
        public var altitude: [Double]?
        public var from: Date?
        public var until: Date?
        public var allowed: [String]?
        public var revalidateBy: Date?
    }

    public struct UnitRecord: Codable, Hashable, Sendable {
        public var id: String
        public var party: String?
        public var domain: String
        public var name: String?
    }

    public struct OperationRecord: Codable, Hashable, Sendable {
        public var id: String
        public var party: String?
        public var name: String?
        public var volumes: [VolumeRecord]
        public var units: [String]?
        public var state: String?
        public var priority: Int?
    }

    public struct MessageRecord: Codable, Hashable, Sendable {
        /// One of `zone`, `alert`, `operation`, `message`.
        public struct Reference: Codable, Hashable, Sendable {
            public var zone: String?
            public var alert: String?
            public var operation: String?
            public var message: String?
        }

        public var id: String
        public var kind: String
        public var from: String?
        public var to: [String]
        public var text: String
        public var references: [Reference]?
        public var requiresAcknowledgement: Bool?
    }

    public struct IncidentRecord: Codable, Hashable, Sendable {
        public var id: String
        public var summary: String
        public var units: [String]?
        public var zone: String?
        /// `[latitude, longitude]`.
        public var position: [Double]?
    }

    init(command: String, by actor: String) {
        self.v = Self.currentVersion
        self.command = command
        self.by = actor
    }
}

// MARK: Writing

extension CommandRecord {
    /// The record of `command`, in the current version.
    public init(_ command: LedgerCommand) {
        self.init(command: "", by: command.actor.description)
        switch command.action {
        case .engine(let engineCommand): self.init(engineCommand, by: command.actor)
        case .issueCredential(let record):
            self.command = "issueCredential"
            credential = record
        case .revokeCredential(let id):
            self.command = "revokeCredential"
            target = id
        case .recordRead(let what):
            self.command = "recordRead"
            reason = what
        case .registerWebhook(let record):
            self.command = "registerWebhook"
            webhook = record
        case .removeWebhook(let id):
            self.command = "removeWebhook"
            target = id
        case .webhookProgress(let id, let through):
            self.command = "webhookProgress"
            target = id
            reason = String(through)
        case .dss(let request):
            self.command = "dss"
            dss = request
        case .ledgerKey(let record):
            self.command = "ledgerKey"
            key = record
        }
    }

    private init(_ command: Engine.Command, by actor: Actor) {
        self.init(command: "", by: actor.description)
        switch command {
        case .addParty(let value):
            self.command = "addParty"
            party = PartyRecord(id: value.id.rawValue, name: value.name)
        case .setResponsibility(let value):
            self.command = "setResponsibility"
            responsibility = ResponsibilityRecord(sponsor: value.sponsor.rawValue, client: value.client.rawValue, confirmed: value.confirmed)
        case .putAgreement(let value):
            self.command = "putAgreement"
            let parameters = value.parameters
            agreement = AgreementRecord(
                id: value.id.rawValue, title: value.title,
                signatories: Dictionary(uniqueKeysWithValues: value.signatories.map { ($0.key.rawValue, $0.value.rawValue) }),
                parameters: .init(
                    groundSeparationMeters: parameters.groundSeparationMeters, airSeparationMeters: parameters.airSeparationMeters,
                    verticalSeparationMeters: parameters.verticalSeparationMeters, noticeLeadSeconds: parameters.noticeLeadSeconds,
                    acknowledgementSeconds: parameters.acknowledgementSeconds, escalationSeconds: parameters.escalationSeconds,
                    disclosesIntruders: parameters.disclosesIntruders ? nil : false))
        case .sign(let id, let party):
            self.command = "sign"
            target = id.rawValue
            by = party.rawValue
        case .withdraw(let id, let party):
            self.command = "withdraw"
            target = id.rawValue
            by = party.rawValue
        case .putZone(let value):
            self.command = "putZone"
            zone = ZoneRecord(value)
        case .removeZone(let id):
            self.command = "removeZone"
            target = id.rawValue
        case .addUnit(let value):
            self.command = "addUnit"
            unit = UnitRecord(id: value.id.rawValue, party: value.party.rawValue, domain: value.domain.rawValue, name: value.name)
        case .report:
            preconditionFailure("reports travel in batches (ReportBatchPayload), not as commands")
        case .putOperation(let value):
            self.command = "putOperation"
            operation = OperationRecord(
                id: value.id.rawValue, party: value.party.rawValue, name: value.name,
                volumes: value.extent.volumes.map(VolumeRecord.init), units: value.units.map(\.rawValue).sorted(),
                state: value.state.rawValue, priority: value.priority)
        case .notify(let id):
            self.command = "notify"
            target = id.rawValue
        case .giveNotice(let id):
            self.command = "giveNotice"
            target = id.rawValue
        case .setOperationState(let id, let state):
            self.command = "setOperationState"
            target = id.rawValue
            self.state = state.rawValue
        case .send(let value):
            self.command = "send"
            message = MessageRecord(
                id: value.id.rawValue, kind: value.kind.rawValue, from: value.from.rawValue, to: value.recipients.map(\.rawValue),
                text: value.text,
                references: value.references.map(MessageRecord.Reference.init),
                requiresAcknowledgement: value.requiresAcknowledgement)
        case .deliver(let id, let party):
            self.command = "deliver"
            target = id.rawValue
            recipient = party.rawValue
        case .acknowledgeMessage(let id, let party):
            self.command = "acknowledgeMessage"
            target = id.rawValue
            recipient = party.rawValue
        case .recordIncident(let draft):
            self.command = "recordIncident"
            incident = IncidentRecord(
                id: draft.id.rawValue, summary: draft.summary, units: draft.units?.map(\.rawValue), zone: draft.zone?.rawValue,
                position: draft.position)
            by = draft.reportedBy.rawValue
        case .acknowledge(let id, let party):
            self.command = "acknowledge"
            target = id.rawValue
            recipient = party.rawValue
        case .resolve(let id, let party, let reason):
            self.command = "resolve"
            target = id.rawValue
            recipient = party.rawValue
            self.reason = reason
        case .tick:
            self.command = "tick"
        }
    }
}

extension CommandRecord.ZoneRecord {
    /// The record of a zone: every argument named (version 2).
    public init(_ zone: Zone) {
        let volume = CommandRecord.VolumeRecord(zone.volume)
        self.init(
            id: zone.id.rawValue, name: zone.name, kind: zone.kind.rawValue, owner: zone.owner.rawValue,
            agreement: zone.agreement?.rawValue, circle: volume.circle, polygon: volume.polygon, altitude: volume.altitude,
            from: volume.from, until: volume.until, allowed: zone.allowed.map(\.rawValue).sorted(), revalidateBy: zone.revalidateBy)
    }
}

extension CommandRecord.MessageRecord.Reference {
    /// The record of what a message refers to.
    public init(_ reference: Message.Reference) {
        switch reference {
        case .zone(let id): self.init(zone: id.rawValue)
        case .alert(let id): self.init(alert: id.rawValue)
        case .operation(let id): self.init(operation: id.rawValue)
        case .message(let id): self.init(message: id.rawValue)
        }
    }
}

extension CommandRecord.VolumeRecord {
    init(_ volume: Volume4D) {
        switch volume.footprint {
        case .circle(let value):
            circle = .init(center: [value.center.latitude, value.center.longitude], radius: value.radiusMeters)
        case .polygon(let value):
            polygon = ([value.outer] + value.holes).map { $0.map { [$0.latitude, $0.longitude] } }
        }
        altitude = [volume.altitude.lowerMeters, volume.altitude.upperMeters]
        from = volume.time.start
        until = volume.time.end
    }
}

// MARK: Reading

extension CommandRecord {
    /// The typed command, for every version.
    ///
    /// - Throws: ``LedgerDecodingError`` naming the field missing or unreadable.
    public func typed() throws(LedgerDecodingError) -> LedgerCommand {
        guard (v ?? 1) <= Self.currentVersion else {
            throw LedgerDecodingError(field: "v", reason: "version \(v ?? 1) is newer than this release reads (\(Self.currentVersion))")
        }
        let actor = Actor(by)
        let caller = actor.party ?? PartyID("@operator")
        func need<T>(_ value: T?, _ field: String) throws(LedgerDecodingError) -> T {
            guard let value else { throw LedgerDecodingError(field: field, reason: "missing") }
            return value
        }
        func engine(_ command: Engine.Command) -> LedgerCommand { LedgerCommand(.engine(command), by: actor) }
        switch command {
        case "addParty":
            let party = try need(party, "party")
            return engine(.addParty(Party(id: PartyID(party.id), name: party.name)))
        case "setResponsibility":
            let body = try need(responsibility, "responsibility")
            return engine(.setResponsibility(Responsibility(
                sponsor: PartyID(body.sponsor), client: PartyID(body.client), confirmed: body.confirmed ?? false)))
        case "putAgreement": return engine(.putAgreement(try need(agreement, "agreement").agreement()))
        case "sign": return engine(.sign(AgreementID(try need(target, "target")), by: caller))
        case "withdraw": return engine(.withdraw(AgreementID(try need(target, "target")), by: caller))
        case "putZone": return engine(.putZone(try need(zone, "zone").zone(owner: caller)))
        case "removeZone": return engine(.removeZone(ZoneID(try need(target, "target"))))
        case "addUnit":
            let unit = try need(unit, "unit")
            return engine(.addUnit(Unit(
                id: UnitID(unit.id), party: unit.party.map { PartyID($0) } ?? caller,
                domain: try Self.value(Domain.self, unit.domain, "unit.domain"), name: unit.name)))
        case "putOperation": return engine(.putOperation(try need(operation, "operation").operation(party: caller)))
        case "notify": return engine(.notify(OperationID(try need(target, "target"))))
        case "giveNotice": return engine(.giveNotice(OperationID(try need(target, "target"))))
        case "setOperationState":
            return engine(.setOperationState(
                OperationID(try need(target, "target")), try Self.value(DeconflictEngine.Operation.State.self, try need(state, "state"), "state")))
        case "send": return engine(.send(try need(message, "message").message(from: caller)))
        case "deliver": return engine(.deliver(MessageID(try need(target, "target")), to: PartyID(try need(recipient, "recipient"))))
        case "acknowledgeMessage":
            return engine(.acknowledgeMessage(MessageID(try need(target, "target")), by: PartyID(try need(recipient, "recipient"))))
        case "recordIncident":
            let incident = try need(incident, "incident")
            return engine(.recordIncident(Incident.Draft(
                id: IncidentID(incident.id), reportedBy: caller, summary: incident.summary, units: incident.units?.map { UnitID($0) },
                zone: incident.zone.map { ZoneID($0) }, position: incident.position)))
        case "acknowledge": return engine(.acknowledge(AlertID(try need(target, "target")), by: PartyID(try need(recipient, "recipient"))))
        case "resolve":
            return engine(.resolve(AlertID(try need(target, "target")), by: PartyID(try need(recipient, "recipient")), reason: reason ?? ""))
        case "tick": return engine(.tick)
        case "issueCredential": return LedgerCommand(.issueCredential(try need(credential, "credential")), by: actor)
        case "revokeCredential": return LedgerCommand(.revokeCredential(id: try need(target, "target")), by: actor)
        case "recordRead": return LedgerCommand(.recordRead(reason ?? ""), by: actor)
        case "registerWebhook": return LedgerCommand(.registerWebhook(try need(webhook, "webhook")), by: actor)
        case "removeWebhook": return LedgerCommand(.removeWebhook(id: try need(target, "target")), by: actor)
        case "webhookProgress":
            guard let through = Int64(try need(reason, "reason")) else {
                throw LedgerDecodingError(field: "reason", reason: "not a ledger sequence: \(reason ?? "")")
            }
            return LedgerCommand(.webhookProgress(id: try need(target, "target"), through: through), by: actor)
        case "dss": return LedgerCommand(.dss(try need(dss, "dss")), by: actor)
        case "ledgerKey": return LedgerCommand(.ledgerKey(try need(key, "key")), by: actor)
        default: throw LedgerDecodingError(field: "command", reason: "unknown command \(command)")
        }
    }

    static func value<T: RawRepresentable>(_ type: T.Type, _ text: String, _ field: String) throws(LedgerDecodingError) -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else { throw LedgerDecodingError(field: field, reason: "unknown value \(text)") }
        return value
    }

    static func geometry<T>(_ field: String, _ body: () throws(GeometryError) -> T) throws(LedgerDecodingError) -> T {
        do {
            return try body()
        } catch {
            throw LedgerDecodingError(field: [field, error.field].compactMap { $0 }.joined(separator: "."), reason: error.reason)
        }
    }
}

extension CommandRecord.AgreementRecord {
    func agreement() throws(LedgerDecodingError) -> Agreement {
        var signatories: [PartyID: Agreement.Status] = [:]
        for (party, status) in self.signatories {
            signatories[PartyID(party)] = try CommandRecord.value(Agreement.Status.self, status, "agreement.signatories.\(party)")
        }
        var result = Agreement(id: AgreementID(id), title: title, signatories: signatories)
        let given = parameters ?? Parameters()
        let values: [(Double?, WritableKeyPath<Agreement.Parameters, Double>)] = [
            (given.groundSeparationMeters, \.groundSeparationMeters), (given.airSeparationMeters, \.airSeparationMeters),
            (given.verticalSeparationMeters, \.verticalSeparationMeters), (given.noticeLeadSeconds, \.noticeLeadSeconds),
            (given.acknowledgementSeconds, \.acknowledgementSeconds), (given.escalationSeconds, \.escalationSeconds),
        ]
        for (value, path) in values {
            if let value { result.parameters[keyPath: path] = value }
        }
        if let discloses = given.disclosesIntruders { result.parameters.disclosesIntruders = discloses }
        return result
    }
}

extension CommandRecord.VolumeRecord {
    func volume(field: String) throws(LedgerDecodingError) -> Volume4D {
        let footprint = try CommandRecord.geometry(field) { () throws(GeometryError) in
            try Footprint(circleCenter: circle?.center, radiusMeters: circle?.radius, polygon: polygon)
        }
        let band = try CommandRecord.geometry("\(field).altitude") { () throws(GeometryError) in
            try altitude.map { pair throws(GeometryError) in try AltitudeBand(coordinates: pair) } ?? .all
        }
        let window = try CommandRecord.geometry("\(field).until") { () throws(GeometryError) in try TimeWindow(start: from, end: until) }
        return Volume4D(footprint: footprint, altitude: band, time: window)
    }
}

extension CommandRecord.ZoneRecord {
    func zone(owner defaultOwner: PartyID) throws(LedgerDecodingError) -> Zone {
        let volume = try CommandRecord.VolumeRecord(circle: circle, polygon: polygon, altitude: altitude, from: from, until: until)
            .volume(field: "zone")
        return Zone(
            id: ZoneID(id), name: name, kind: try CommandRecord.value(Zone.Kind.self, kind, "zone.kind"),
            owner: owner.map { PartyID($0) } ?? defaultOwner, agreement: agreement.map { AgreementID($0) }, volume: volume,
            allowed: Set((allowed ?? []).map { PartyID($0) }), revalidateBy: revalidateBy)
    }
}

extension CommandRecord.OperationRecord {
    func operation(party defaultParty: PartyID) throws(LedgerDecodingError) -> DeconflictEngine.Operation {
        var converted: [Volume4D] = []
        for (index, volume) in volumes.enumerated() { converted.append(try volume.volume(field: "operation.volumes[\(index)]")) }
        let extent = try CommandRecord.geometry("operation.volumes") { () throws(GeometryError) in try Extent(converted) }
        return DeconflictEngine.Operation(
            id: OperationID(id), party: party.map { PartyID($0) } ?? defaultParty, name: name, extent: extent,
            units: Set((units ?? []).map { UnitID($0) }),
            state: try state.map { text throws(LedgerDecodingError) in try CommandRecord.value(DeconflictEngine.Operation.State.self, text, "operation.state") }
                ?? .planned,
            priority: priority ?? 0)
    }
}

extension CommandRecord.MessageRecord {
    func message(from defaultSender: PartyID) throws(LedgerDecodingError) -> Message {
        var converted: [Message.Reference] = []
        for (index, reference) in (references ?? []).enumerated() {
            guard let named = Message.Reference(zone: reference.zone, alert: reference.alert, operation: reference.operation, message: reference.message)
            else { throw LedgerDecodingError(field: "message.references[\(index)]", reason: "names none of zone, alert, operation, message") }
            converted.append(named)
        }
        let kind = try CommandRecord.value(Message.Kind.self, kind, "message.kind")
        return Message(
            id: MessageID(id), kind: kind, from: from.map { PartyID($0) } ?? defaultSender, to: to.map { PartyID($0) }, text: text,
            references: converted, requiresAcknowledgement: requiresAcknowledgement ?? (kind != .reply))
    }
}
