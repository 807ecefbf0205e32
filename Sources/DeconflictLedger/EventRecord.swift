public import DeconflictEngine
import DeconflictGeometry
public import DeconflictStore
public import Foundation

/// The payload of an event entry (`zone.changed`, `alert.raised`, `message.delivered`, …),
/// every version ever written (docs/ledger.md):
///
/// - Version 1 (no `v` key; written until 2026-12-06): times in UTC to the millisecond,
///   without a fraction when there is none; an alert's `unit` and `zone` written as
///   `null` when it has none.
/// - Version 2 (`"v": 2`): the same keys, times to the microsecond without trailing
///   zeros (``RFC3339/shortest(_:)``, as the REST API writes them); an alert's `unit` and
///   `zone` left out when it has none.
///
/// `time` and `type` always, and the object the event is about; alert events add
/// `basis`, the last report of each unit the alert is about as the engine had it when it
/// decided. Streams, webhooks and `deconflict demo --json` carry the same text.
public struct EventRecord: Codable, Hashable, Sendable {
    /// The version written now.
    public static let currentVersion = 2

    public var v: Int?
    public var time: Date
    public var type: String
    public var alert: Alert?
    public var basis: [Report]?
    /// Who acknowledged an alert, received or acknowledged a message; a party added.
    public var party: String?
    /// An alert escalated: the addressee that did not acknowledge in time.
    public var addressee: String?
    /// A message escalated: the recipient that did not acknowledge in time.
    public var recipient: String?
    public var message: Message?
    public var incident: Incident?
    public var responsibility: CommandRecord.ResponsibilityRecord?
    public var agreement: CommandRecord.AgreementRecord?
    /// A zone declared or changed (every field), or removed (`id` alone).
    public var zone: Zone?
    public var unit: CommandRecord.UnitRecord?
    public var operation: Operation?

    public struct Alert: Codable, Hashable, Sendable {
        public struct Routing: Codable, Hashable, Sendable {
            public var party: String
            public var confirmed: Bool
            public var answersFor: String?
            public var acknowledgedAt: Date?
            public var escalatedAt: Date?
        }

        public var id: String
        public var kind: String
        public var state: String
        public var units: [String]
        public var addressees: [String]
        public var unconfirmedRouting: Bool
        public var raisedAt: Date
        /// The first unit, the zone: absent (version 1: `null`) when there is none.
        public var unit: String?
        public var zone: String?
        public var party: String?
        public var operation: String?
        public var agreement: String?
        /// As of `updatedAt`.
        public var secondsAhead: Double?
        public var distanceMeters: Double?
        public var resolution: String?
        public var updatedAt: Date
        public var resolvedAt: Date?
        public var routing: [Routing]
    }

    /// A position report, `position` as `[latitude, longitude]`.
    public struct Report: Codable, Hashable, Sendable {
        public var unit: String
        public var time: Date
        public var position: [Double]
        public var altitudeMeters: Double
        public var speedMetersPerSecond: Double
        public var courseDegrees: Double
        public var uncertaintyMeters: Double
    }

    public struct Message: Codable, Hashable, Sendable {
        public struct Receipt: Codable, Hashable, Sendable {
            public var deliveredAt: Date?
            public var acknowledgedAt: Date?
            public var escalatedAt: Date?
        }

        public var id: String
        public var kind: String
        public var from: String
        public var to: [String]
        public var text: String
        public var requiresAcknowledgement: Bool
        public var sentAt: Date
        public var deadline: Date?
        public var references: [CommandRecord.MessageRecord.Reference]?
        /// Recipient to receipt.
        public var receipts: [String: Receipt]
    }

    public struct Incident: Codable, Hashable, Sendable {
        public var id: String
        public var reportedBy: String
        public var summary: String
        public var units: [String]
        public var zone: String?
        /// `[latitude, longitude]`.
        public var position: [Double]?
        public var recordedAt: Date?
    }

    public struct Zone: Codable, Hashable, Sendable {
        public var id: String
        public var name: String?
        public var kind: String?
        public var owner: String?
        /// `[lower, upper]` metres.
        public var altitude: [Double]?
        /// Sorted.
        public var allowed: [String]?
        public var circle: CommandRecord.CircleRecord?
        public var polygon: [[[Double]]]?
        public var agreement: String?
        public var from: Date?
        public var until: Date?
        public var revalidateBy: Date?
    }

    public struct Operation: Codable, Hashable, Sendable {
        public var id: String
        public var party: String
        public var name: String
        public var state: String
        public var priority: Int
        /// Sorted.
        public var units: [String]
        public var volumes: [CommandRecord.VolumeRecord]
        public var noticeGivenAt: Date?
    }
}

// MARK: Writing

extension EventRecord {
    /// The record of `event`, in the current version, with `basis`: the last report of
    /// each unit an alert is about, as the engine had it when it decided.
    public init(_ event: Event, basis: (UnitID) -> PositionReport? = { _ in nil }) {
        v = Self.currentVersion
        time = event.time
        type = event.type
        switch event.change {
        case .alertRaised(let alert), .alertUpdated(let alert), .alertResolved(let alert):
            self.alert = Alert(alert)
            let reports = alert.units.compactMap(basis)
            if !reports.isEmpty { self.basis = reports.map(Report.init) }
        case .alertAcknowledged(let alert, let party):
            self.alert = Alert(alert)
            self.party = party.rawValue
        case .alertEscalated(let alert, let party):
            self.alert = Alert(alert)
            addressee = party.rawValue
        case .messageSent(let message):
            self.message = Message(message)
        case .messageDelivered(let message, let party), .messageAcknowledged(let message, let party):
            self.message = Message(message)
            self.party = party.rawValue
        case .messageEscalated(let message, let party):
            self.message = Message(message)
            recipient = party.rawValue
        case .incidentRecorded(let incident):
            // The event has carried no `recordedAt` since version 1: the entry's time is it.
            var record = Incident(incident)
            record.recordedAt = nil
            self.incident = record
        case .partyAdded(let party):
            self.party = party.id.rawValue
        case .responsibilitySet(let responsibility):
            self.responsibility = .init(
                sponsor: responsibility.sponsor.rawValue, client: responsibility.client.rawValue, confirmed: responsibility.confirmed)
        case .agreementChanged(let agreement):
            self.agreement = .init(
                id: agreement.id.rawValue, title: agreement.title,
                signatories: Dictionary(uniqueKeysWithValues: agreement.signatories.map { ($0.key.rawValue, $0.value.rawValue) }),
                parameters: nil)
        case .zoneChanged(let zone):
            self.zone = Zone(zone)
        case .zoneRemoved(let id):
            self.zone = Zone(id: id.rawValue)
        case .unitAdded(let unit):
            self.unit = .init(id: unit.id.rawValue, party: unit.party.rawValue, domain: unit.domain.rawValue, name: nil)
        case .operationChanged(let operation):
            self.operation = Operation(operation)
        }
    }

    /// The payload text: one JSON object, keys sorted.
    public var payload: String {
        String(decoding: (try? RFC3339.encoder(shortest: true).encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The ledger record of `event`, in the current version.
    public static func record(_ event: Event, basis: (UnitID) -> PositionReport? = { _ in nil }) -> LedgerRecord {
        LedgerRecord(time: event.time, type: event.type, payload: EventRecord(event, basis: basis).payload)
    }
}

extension EventRecord.Alert {
    public init(_ alert: DeconflictEngine.Alert) {
        id = alert.id.rawValue
        kind = alert.kind.rawValue
        state = alert.state.rawValue
        units = alert.units.map(\.rawValue)
        addressees = alert.addressees.map(\.party.rawValue)
        unconfirmedRouting = alert.unconfirmedRouting
        raisedAt = alert.raisedAt
        unit = alert.units.first?.rawValue
        zone = alert.zone?.rawValue
        party = alert.party?.rawValue
        operation = alert.operation?.rawValue
        agreement = alert.agreement?.rawValue
        secondsAhead = alert.secondsAhead
        distanceMeters = alert.distanceMeters
        resolution = alert.resolution
        updatedAt = alert.updatedAt
        resolvedAt = alert.resolvedAt
        routing = alert.addressees.map {
            Routing(
                party: $0.party.rawValue, confirmed: $0.confirmed, answersFor: $0.answersFor?.rawValue,
                acknowledgedAt: $0.acknowledgedAt, escalatedAt: $0.escalatedAt)
        }
    }
}

extension EventRecord.Report {
    public init(_ report: PositionReport) {
        unit = report.unit.rawValue
        time = report.time
        position = [report.position.latitude, report.position.longitude]
        altitudeMeters = report.altitudeMeters
        speedMetersPerSecond = report.speedMetersPerSecond
        courseDegrees = report.courseDegrees
        uncertaintyMeters = report.uncertaintyMeters
    }
}

extension EventRecord.Message {
    public init(_ message: DeconflictEngine.Message) {
        id = message.id.rawValue
        kind = message.kind.rawValue
        from = message.from.rawValue
        to = message.recipients.map(\.rawValue)
        text = message.text
        requiresAcknowledgement = message.requiresAcknowledgement
        sentAt = message.sentAt
        deadline = message.deadline
        references = message.references.isEmpty ? nil : message.references.map(CommandRecord.MessageRecord.Reference.init)
        receipts = Dictionary(uniqueKeysWithValues: message.receipts.map { party, receipt in
            (party.rawValue, Receipt(deliveredAt: receipt.deliveredAt, acknowledgedAt: receipt.acknowledgedAt, escalatedAt: receipt.escalatedAt))
        })
    }
}

extension EventRecord.Incident {
    public init(_ incident: DeconflictEngine.Incident) {
        id = incident.id.rawValue
        reportedBy = incident.reportedBy.rawValue
        summary = incident.summary
        units = incident.units.map(\.rawValue)
        zone = incident.zone?.rawValue
        position = incident.position.map { [$0.latitude, $0.longitude] }
        recordedAt = incident.recordedAt
    }
}

extension EventRecord.Zone {
    init(id: String) {
        self.id = id
    }

    public init(_ zone: DeconflictEngine.Zone) {
        id = zone.id.rawValue
        name = zone.name
        kind = zone.kind.rawValue
        owner = zone.owner.rawValue
        altitude = [zone.volume.altitude.lowerMeters, zone.volume.altitude.upperMeters]
        allowed = zone.allowed.map(\.rawValue).sorted()
        switch zone.volume.footprint {
        case .circle(let circle):
            self.circle = .init(center: [circle.center.latitude, circle.center.longitude], radius: circle.radiusMeters)
        case .polygon(let polygon):
            self.polygon = ([polygon.outer] + polygon.holes).map { ring in ring.map { [$0.latitude, $0.longitude] } }
        }
        agreement = zone.agreement?.rawValue
        from = zone.volume.time.start
        until = zone.volume.time.end
        revalidateBy = zone.revalidateBy
    }
}

extension EventRecord.Operation {
    public init(_ operation: DeconflictEngine.Operation) {
        id = operation.id.rawValue
        party = operation.party.rawValue
        name = operation.name
        state = operation.state.rawValue
        priority = operation.priority
        units = operation.units.map(\.rawValue).sorted()
        volumes = operation.extent.volumes.map(CommandRecord.VolumeRecord.init)
        noticeGivenAt = operation.noticeGivenAt
    }
}

// MARK: Reading

extension EventRecord {
    /// The record in an event entry's payload, of any version.
    ///
    /// - Throws: ``LedgerDecodingError`` when it is not an event record this release reads.
    public static func decode(_ payload: String) throws(LedgerDecodingError) -> EventRecord {
        let record: EventRecord
        do {
            record = try RFC3339.decoder().decode(EventRecord.self, from: Data(payload.utf8))
        } catch {
            throw LedgerDecodingError(field: "payload", reason: "not an event record: \(error)")
        }
        guard (record.v ?? 1) <= Self.currentVersion else {
            throw LedgerDecodingError(field: "v", reason: "version \(record.v ?? 1) is newer than this release reads (\(Self.currentVersion))")
        }
        return record
    }

    /// Whether `recorded`, an event entry's payload of any version, records what this
    /// record does, as that version wrote it: for version 1, each time to the
    /// millisecond, and `null` the same as absent. A replay holds the events it produces
    /// to the ledger's this way, whatever version wrote them.
    public func isRecorded(as recorded: String) -> Bool {
        guard let stored = try? RFC3339.decoder().decode(JSONValue.self, from: Data(recorded.utf8)),
              case .object(let fields) = stored
        else { return false }
        var written = self
        written.v = fields["v"].flatMap { if case .integer(let value) = $0 { Int(value) } else { nil } }
        guard let data = try? RFC3339.encoder(shortest: true).encode(written),
              let mine = try? RFC3339.decoder().decode(JSONValue.self, from: data)
        else { return false }
        return mine.comparable.matches(stored.comparable, timesToTheMillisecond: written.v == nil)
    }
}

extension JSONValue {
    /// For comparing documents by meaning: `null` members dropped, every number a double.
    fileprivate var comparable: JSONValue {
        switch self {
        case .integer(let value): .number(Double(value))
        case .array(let items): .array(items.map(\.comparable))
        case .object(let members): .object(members.filter { $0.value != .null }.mapValues(\.comparable))
        default: self
        }
    }

    /// Equal, except that with `timesToTheMillisecond` a time in `self` matches a time in
    /// `recorded` written to the millisecond from it (version 1 truncated a `Date`'s
    /// binary fraction, so `…:51.9` could read `…:51.899`).
    fileprivate func matches(_ recorded: JSONValue, timesToTheMillisecond: Bool) -> Bool {
        switch (self, recorded) {
        case (.array(let mine), .array(let theirs)):
            return mine.count == theirs.count
                && zip(mine, theirs).allSatisfy { $0.matches($1, timesToTheMillisecond: timesToTheMillisecond) }
        case (.object(let mine), .object(let theirs)):
            return mine.count == theirs.count && mine.allSatisfy { key, value in
                theirs[key].map { value.matches($0, timesToTheMillisecond: timesToTheMillisecond) } ?? false
            }
        case (.string(let mine), .string(let theirs)) where mine != theirs && timesToTheMillisecond:
            guard let exact = RFC3339.parse(mine), let written = RFC3339.parse(theirs) else { return false }
            return abs(exact.timeIntervalSince(written)) < 0.001_001
        default:
            return self == recorded
        }
    }
}
