public import DeconflictEngine
public import DeconflictGeometry
public import DeconflictStore
public import Foundation

/// Who asks: a party (through its key or token), or the operator who runs the
/// deployment (adds parties, issues keys, reads the whole ledger).
public enum Actor: Hashable, Sendable, CustomStringConvertible {
    case party(PartyID)
    case `operator`

    /// How the ledger names it: the party's id, or `@operator`.
    public var description: String {
        switch self {
        case .party(let id): id.rawValue
        case .operator: "@operator"
        }
    }

    init(_ text: String) {
        self = text == "@operator" ? .operator : .party(PartyID(text))
    }

    public var party: PartyID? {
        if case .party(let id) = self { return id }
        return nil
    }
}

/// A request as the ledger keeps it: ledger type `command`, its payload one JSON object
/// with the command's name, who asked, and its arguments in the API's own shapes. On
/// start a node applies these again, in order, to rebuild its state; the events that
/// follow each command in the ledger are what it produced.
public struct CommandPayload: Codable, Hashable, Sendable {
    public var command: String
    public var by: String
    public var party: PartyBody?
    public var responsibility: ResponsibilityBody?
    public var agreement: AgreementBody?
    public var zone: ZoneBody?
    public var unit: UnitBody?
    public var operation: OperationBody?
    public var message: MessageBody?
    public var incident: IncidentBody?
    /// The id the command acts on (agreement, zone, operation, message or alert).
    public var target: String?
    public var state: Operation.State?
    /// The party a message is delivered to or acknowledged by, or an alert acknowledged
    /// or resolved by.
    public var recipient: String?
    public var reason: String?
    public var credential: CredentialRecord?
    public var webhook: WebhookRecord?
    /// A request of the ASTM F3548 DSS interface.
    var dss: Airspace.Request?

    public static let ledgerType = "command"

    init(command: String, by actor: Actor) {
        self.command = command
        self.by = actor.description
    }

    public var actor: Actor { Actor(by) }

    /// A party declares (or replaces) a zone.
    public static func putZone(_ zone: ZoneBody, by party: PartyID) -> CommandPayload {
        var payload = CommandPayload(command: "putZone", by: .party(party))
        payload.zone = zone
        return payload
    }

    /// Issues a credential (the operator's doing).
    public static func issueCredential(_ record: CredentialRecord) -> CommandPayload {
        var payload = CommandPayload(command: "issueCredential", by: .operator)
        payload.credential = record
        return payload
    }

    /// The record to append.
    public func record(at time: Date) -> LedgerRecord {
        let data = (try? WireTime.encoder().encode(self)) ?? Data("{}".utf8)
        return LedgerRecord(time: time, type: Self.ledgerType, payload: String(decoding: data, as: UTF8.self))
    }

    /// Decodes a `command` entry's payload.
    public static func decode(_ payload: String) throws -> CommandPayload {
        try WireTime.decoder().decode(CommandPayload.self, from: Data(payload.utf8))
    }

    /// The engine command, or nil for a command that only concerns credentials.
    ///
    /// - Throws: ``FieldError`` naming the argument at fault.
    public func engineCommand() throws(FieldError) -> Engine.Command? {
        let caller = actor.party ?? PartyID("@operator")
        func need<T>(_ value: T?, _ field: String) throws(FieldError) -> T {
            guard let value else { throw FieldError(field: field, reason: "missing") }
            return value
        }
        switch command {
        case "addParty": return .addParty(try need(party, "party").party())
        case "setResponsibility":
            let body = try need(responsibility, "responsibility")
            return .setResponsibility(Responsibility(
                sponsor: PartyID(body.sponsor), client: PartyID(body.client), confirmed: body.confirmed ?? false))
        case "putAgreement": return .putAgreement(try need(agreement, "agreement").agreement())
        case "sign": return .sign(AgreementID(try need(target, "agreement")), by: caller)
        case "withdraw": return .withdraw(AgreementID(try need(target, "agreement")), by: caller)
        case "putZone": return .putZone(try need(zone, "zone").zone(owner: caller))
        case "removeZone": return .removeZone(ZoneID(try need(target, "zone")))
        case "addUnit": return .addUnit(try need(unit, "unit").unit(party: caller))
        case "putOperation": return .putOperation(try need(operation, "operation").operation(party: caller))
        case "notify": return .notify(OperationID(try need(target, "operation")))
        case "setOperationState":
            return .setOperationState(OperationID(try need(target, "operation")), try need(state, "state"))
        case "send": return .send(try need(message, "message").message(from: caller))
        case "deliver": return .deliver(MessageID(try need(target, "message")), to: PartyID(try need(recipient, "party")))
        case "acknowledgeMessage":
            return .acknowledgeMessage(MessageID(try need(target, "message")), by: PartyID(try need(recipient, "party")))
        case "recordIncident": return .recordIncident(try need(incident, "incident").draft(by: caller))
        case "acknowledge": return .acknowledge(AlertID(try need(target, "alert")), by: PartyID(try need(recipient, "party")))
        case "resolve":
            return .resolve(AlertID(try need(target, "alert")), by: PartyID(try need(recipient, "party")), reason: reason ?? "")
        case "tick": return .tick
        case "issueCredential", "revokeCredential", "recordRead", "registerWebhook", "removeWebhook", "webhookProgress", "dss": return nil
        default: throw FieldError(field: "command", reason: "unknown command \(command)")
        }
    }

    /// The payload of an engine command built in code (the demo's scenario, say).
    public init(_ command: Engine.Command, by actor: Actor) {
        self.init(command: "", by: actor)
        switch command {
        case .addParty(let value):
            self.command = "addParty"
            party = PartyBody(id: value.id.rawValue, name: value.name)
        case .setResponsibility(let value):
            self.command = "setResponsibility"
            responsibility = ResponsibilityBody(sponsor: value.sponsor.rawValue, client: value.client.rawValue, confirmed: value.confirmed)
        case .putAgreement(let value):
            self.command = "putAgreement"
            let parameters = value.parameters
            agreement = AgreementBody(
                id: value.id.rawValue, title: value.title,
                signatories: Dictionary(uniqueKeysWithValues: value.signatories.map { ($0.key.rawValue, $0.value) }),
                parameters: .init(
                    groundSeparationMeters: parameters.groundSeparationMeters, airSeparationMeters: parameters.airSeparationMeters,
                    verticalSeparationMeters: parameters.verticalSeparationMeters, noticeLeadSeconds: parameters.noticeLeadSeconds,
                    acknowledgementSeconds: parameters.acknowledgementSeconds, escalationSeconds: parameters.escalationSeconds))
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
            zone = ZoneBody(value)
        case .removeZone(let id):
            self.command = "removeZone"
            target = id.rawValue
        case .addUnit(let value):
            self.command = "addUnit"
            unit = UnitBody(id: value.id.rawValue, party: value.party.rawValue, domain: value.domain, name: value.name)
        case .report:
            preconditionFailure("reports travel in batches, not as commands")
        case .putOperation(let value):
            self.command = "putOperation"
            operation = OperationBody(value)
        case .notify(let id):
            self.command = "notify"
            target = id.rawValue
        case .setOperationState(let id, let state):
            self.command = "setOperationState"
            target = id.rawValue
            self.state = state
        case .send(let value):
            self.command = "send"
            message = MessageBody(value)
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
            incident = IncidentBody(id: draft.id.rawValue, summary: draft.summary, units: draft.units?.map(\.rawValue), zone: draft.zone?.rawValue, position: draft.position)
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

/// A credential as the ledger keeps it: never the secret, only its SHA-256.
public struct CredentialRecord: Codable, Hashable, Sendable {
    /// The key's public identifier (the part of the key before its secret).
    public var id: String
    /// The party it speaks for, or `@operator`.
    public var actor: String
    /// SHA-256 of the secret, hex.
    public var digest: String
}

/// The ledger record of a batch of position reports: who sent it and the reports
/// themselves, one canonical line each (`unit time latitude longitude altitude speed
/// course uncertainty`, times in seconds since 1970, numbers in their shortest exact
/// form). The ledger alone thus replays every decision, whatever the retention of the
/// `reports` table (which serves queries).
public struct ReportBatchPayload: Codable, Hashable, Sendable {
    public var batch: String
    public var by: String
    public var reports: [String]

    public static let ledgerType = "reports.accepted"

    public init(batch: String, by: String, reports: [PositionReport]) {
        self.batch = batch
        self.by = by
        self.reports = reports.map(Self.line)
    }

    public func record(at time: Date) -> LedgerRecord {
        let data = (try? WireTime.encoder().encode(self)) ?? Data("{}".utf8)
        return LedgerRecord(time: time, type: Self.ledgerType, payload: String(decoding: data, as: UTF8.self))
    }

    static func line(_ report: PositionReport) -> String {
        "\(report.unit.rawValue) \(report.time.timeIntervalSince1970) \(report.position.latitude) \(report.position.longitude) \(report.altitudeMeters) \(report.speedMetersPerSecond) \(report.courseDegrees) \(report.uncertaintyMeters)"
    }

    /// The reports again; lines that do not parse are skipped.
    public var positionReports: [PositionReport] {
        reports.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 8, let time = Double(parts[1]), let latitude = Double(parts[2]), let longitude = Double(parts[3]),
                  let altitude = Double(parts[4]), let speed = Double(parts[5]), let course = Double(parts[6]),
                  let uncertainty = Double(parts[7])
            else { return nil }
            return PositionReport(
                unit: UnitID(String(parts[0])), time: Date(timeIntervalSince1970: time),
                position: LatLng(uncheckedLatitude: latitude, longitude: longitude), altitudeMeters: altitude,
                speedMetersPerSecond: speed, courseDegrees: course, uncertaintyMeters: uncertainty)
        }
    }
}

extension ZoneBody {
    init(_ zone: Zone) {
        let volume = VolumeBody(zone.volume)
        self.init(
            id: zone.id.rawValue, name: zone.name, kind: zone.kind, owner: zone.owner.rawValue, agreement: zone.agreement?.rawValue,
            circle: volume.circle, polygon: volume.polygon, altitude: volume.altitude,
            from: volume.from, until: volume.until, allowed: zone.allowed.map(\.rawValue).sorted(),
            revalidateBy: zone.revalidateBy)
    }
}

extension VolumeBody {
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

extension OperationBody {
    init(_ operation: Operation) {
        self.init(
            id: operation.id.rawValue, party: operation.party.rawValue, name: operation.name,
            volumes: operation.extent.volumes.map(VolumeBody.init), units: operation.units.map(\.rawValue).sorted(),
            state: operation.state, priority: operation.priority)
    }
}

extension MessageBody {
    init(_ message: Message) {
        self.init(
            id: message.id.rawValue, kind: message.kind, from: message.from.rawValue, to: message.recipients.map(\.rawValue),
            text: message.text,
            references: message.references.map { reference in
                switch reference {
                case .zone(let id): ReferenceBody(zone: id.rawValue)
                case .alert(let id): ReferenceBody(alert: id.rawValue)
                case .operation(let id): ReferenceBody(operation: id.rawValue)
                case .message(let id): ReferenceBody(message: id.rawValue)
                }
            },
            requiresAcknowledgement: message.requiresAcknowledgement)
    }
}
