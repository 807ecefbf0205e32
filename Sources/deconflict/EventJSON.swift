import DeconflictEngine
import DeconflictGeometry
import Foundation

/// Events as JSON Lines: one object an event, with `time` (RFC 3339, scenario time) and
/// `type` always, and the details of the alert, message or incident it is about.
enum EventJSON {
    static func line(_ event: Event) -> String {
        var object: [String: Any] = ["time": rfc3339(event.time), "type": event.type]
        switch event.change {
        case .alertRaised(let alert), .alertUpdated(let alert), .alertResolved(let alert):
            object["alert"] = describe(alert)
        case .alertAcknowledged(let alert, let party):
            object["alert"] = describe(alert)
            object["party"] = party.rawValue
        case .alertEscalated(let alert, let party):
            object["alert"] = describe(alert)
            object["addressee"] = party.rawValue
        case .messageSent(let message):
            object["message"] = describe(message)
        case .messageDelivered(let message, let party), .messageAcknowledged(let message, let party):
            object["message"] = describe(message)
            object["party"] = party.rawValue
        case .messageEscalated(let message, let party):
            object["message"] = describe(message)
            object["recipient"] = party.rawValue
        case .incidentRecorded(let incident):
            var details: [String: Any] = [
                "id": incident.id.rawValue, "reportedBy": incident.reportedBy.rawValue, "summary": incident.summary,
                "units": incident.units.map(\.rawValue),
            ]
            if let zone = incident.zone { details["zone"] = zone.rawValue }
            if let position = incident.position { details["position"] = [position.latitude, position.longitude] }
            object["incident"] = details
        case .partyAdded(let party):
            object["party"] = party.id.rawValue
        case .responsibilitySet(let responsibility):
            object["responsibility"] = [
                "sponsor": responsibility.sponsor.rawValue, "client": responsibility.client.rawValue,
                "confirmed": responsibility.confirmed,
            ]
        case .agreementChanged(let agreement):
            object["agreement"] = [
                "id": agreement.id.rawValue, "title": agreement.title,
                "signatories": Dictionary(uniqueKeysWithValues: agreement.signatories.map { ($0.key.rawValue, $0.value.rawValue) }),
            ]
        case .zoneChanged(let zone):
            object["zone"] = ["id": zone.id.rawValue, "kind": zone.kind.rawValue, "owner": zone.owner.rawValue]
        case .zoneRemoved(let id):
            object["zone"] = ["id": id.rawValue]
        case .unitAdded(let unit):
            object["unit"] = ["id": unit.id.rawValue, "party": unit.party.rawValue, "domain": unit.domain.rawValue]
        case .operationChanged(let operation):
            object["operation"] = ["id": operation.id.rawValue, "party": operation.party.rawValue, "state": operation.state.rawValue]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func describe(_ alert: Alert) -> [String: Any] {
        var details: [String: Any] = [
            "id": alert.id.rawValue, "kind": alert.kind.rawValue, "state": alert.state.rawValue,
            "units": alert.units.map(\.rawValue), "addressees": alert.addressees.map(\.party.rawValue),
            "unconfirmedRouting": alert.unconfirmedRouting, "raisedAt": rfc3339(alert.raisedAt),
        ]
        details["unit"] = alert.units.first?.rawValue ?? NSNull()
        details["zone"] = alert.zone?.rawValue ?? NSNull()
        if let party = alert.party { details["party"] = party.rawValue }
        if let operation = alert.operation { details["operation"] = operation.rawValue }
        if let agreement = alert.agreement { details["agreement"] = agreement.rawValue }
        if let seconds = alert.secondsAhead { details["secondsAhead"] = seconds }
        if let distance = alert.distanceMeters { details["distanceMeters"] = distance }
        if let resolution = alert.resolution { details["resolution"] = resolution }
        details["routing"] = alert.addressees.map { addressee -> [String: Any] in
            var entry: [String: Any] = ["party": addressee.party.rawValue, "confirmed": addressee.confirmed]
            if let client = addressee.answersFor { entry["answersFor"] = client.rawValue }
            return entry
        }
        return details
    }

    static func describe(_ message: Message) -> [String: Any] {
        [
            "id": message.id.rawValue, "kind": message.kind.rawValue, "from": message.from.rawValue,
            "to": message.recipients.map(\.rawValue), "text": message.text,
        ]
    }

    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: date.timeIntervalSince1970.rounded() != date.timeIntervalSince1970))
    }
}
