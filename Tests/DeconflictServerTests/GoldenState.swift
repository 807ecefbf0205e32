import DeconflictEngine
import DeconflictGeometry
import Foundation

/// The engine's state as the golden ledgers' `.state.json` files describe it: objects of
/// plain JSON values, times as version 1 events wrote them (to the millisecond). Frozen:
/// the fixtures were written with exactly this.
enum GoldenState {
    static func describe(_ report: PositionReport) -> [String: Any] {
        [
            "unit": report.unit.rawValue, "time": rfc3339(report.time),
            "position": [report.position.latitude, report.position.longitude], "altitudeMeters": report.altitudeMeters,
            "speedMetersPerSecond": report.speedMetersPerSecond, "courseDegrees": report.courseDegrees,
            "uncertaintyMeters": report.uncertaintyMeters,
        ]
    }

    static func describe(_ zone: Zone) -> [String: Any] {
        var details: [String: Any] = [
            "id": zone.id.rawValue, "name": zone.name, "kind": zone.kind.rawValue, "owner": zone.owner.rawValue,
            "altitude": [zone.volume.altitude.lowerMeters, zone.volume.altitude.upperMeters],
            "allowed": zone.allowed.map(\.rawValue).sorted(),
        ]
        switch zone.volume.footprint {
        case .circle(let circle):
            details["circle"] = ["center": [circle.center.latitude, circle.center.longitude], "radius": circle.radiusMeters]
        case .polygon(let polygon):
            details["polygon"] = ([polygon.outer] + polygon.holes).map { ring in ring.map { [$0.latitude, $0.longitude] } }
        }
        if let agreement = zone.agreement { details["agreement"] = agreement.rawValue }
        if let start = zone.volume.time.start { details["from"] = rfc3339(start) }
        if let end = zone.volume.time.end { details["until"] = rfc3339(end) }
        if let revalidateBy = zone.revalidateBy { details["revalidateBy"] = rfc3339(revalidateBy) }
        return details
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
        // `secondsAhead` and `distanceMeters` are as of `updatedAt`.
        details["updatedAt"] = rfc3339(alert.updatedAt)
        if let resolved = alert.resolvedAt { details["resolvedAt"] = rfc3339(resolved) }
        details["routing"] = alert.addressees.map { addressee -> [String: Any] in
            var entry: [String: Any] = ["party": addressee.party.rawValue, "confirmed": addressee.confirmed]
            if let client = addressee.answersFor { entry["answersFor"] = client.rawValue }
            if let acknowledged = addressee.acknowledgedAt { entry["acknowledgedAt"] = rfc3339(acknowledged) }
            if let escalated = addressee.escalatedAt { entry["escalatedAt"] = rfc3339(escalated) }
            return entry
        }
        return details
    }

    static func describe(_ message: Message) -> [String: Any] {
        var details: [String: Any] = [
            "id": message.id.rawValue, "kind": message.kind.rawValue, "from": message.from.rawValue,
            "to": message.recipients.map(\.rawValue), "text": message.text,
            "requiresAcknowledgement": message.requiresAcknowledgement, "sentAt": rfc3339(message.sentAt),
        ]
        if let deadline = message.deadline { details["deadline"] = rfc3339(deadline) }
        if !message.references.isEmpty {
            details["references"] = message.references.map { reference -> [String: String] in
                switch reference {
                case .zone(let id): ["zone": id.rawValue]
                case .alert(let id): ["alert": id.rawValue]
                case .operation(let id): ["operation": id.rawValue]
                case .message(let id): ["message": id.rawValue]
                }
            }
        }
        details["receipts"] = Dictionary(uniqueKeysWithValues: message.receipts.map { party, receipt -> (String, [String: String]) in
            var entry: [String: String] = [:]
            if let delivered = receipt.deliveredAt { entry["deliveredAt"] = rfc3339(delivered) }
            if let acknowledged = receipt.acknowledgedAt { entry["acknowledgedAt"] = rfc3339(acknowledged) }
            if let escalated = receipt.escalatedAt { entry["escalatedAt"] = rfc3339(escalated) }
            return (party.rawValue, entry)
        })
        return details
    }

    static func describe(_ unit: DeconflictEngine.Unit) -> [String: Any] {
        ["id": unit.id.rawValue, "party": unit.party.rawValue, "domain": unit.domain.rawValue, "name": unit.name]
    }

    static func describe(_ agreement: Agreement) -> [String: Any] {
        let parameters = agreement.parameters
        return [
            "id": agreement.id.rawValue, "title": agreement.title,
            "signatories": Dictionary(uniqueKeysWithValues: agreement.signatories.map { ($0.key.rawValue, $0.value.rawValue) }),
            "parameters": [
                "groundSeparationMeters": parameters.groundSeparationMeters, "airSeparationMeters": parameters.airSeparationMeters,
                "verticalSeparationMeters": parameters.verticalSeparationMeters, "noticeLeadSeconds": parameters.noticeLeadSeconds,
                "acknowledgementSeconds": parameters.acknowledgementSeconds, "escalationSeconds": parameters.escalationSeconds,
            ],
        ]
    }

    static func describe(_ operation: DeconflictEngine.Operation) -> [String: Any] {
        var details: [String: Any] = [
            "id": operation.id.rawValue, "party": operation.party.rawValue, "name": operation.name,
            "state": operation.state.rawValue, "priority": operation.priority, "units": operation.units.map(\.rawValue).sorted(),
            "volumes": operation.extent.volumes.map(describe),
        ]
        if let notice = operation.noticeGivenAt { details["noticeGivenAt"] = rfc3339(notice) }
        return details
    }

    static func describe(_ volume: Volume4D) -> [String: Any] {
        var details: [String: Any] = ["altitude": [volume.altitude.lowerMeters, volume.altitude.upperMeters]]
        switch volume.footprint {
        case .circle(let circle):
            details["circle"] = ["center": [circle.center.latitude, circle.center.longitude], "radius": circle.radiusMeters]
        case .polygon(let polygon):
            details["polygon"] = ([polygon.outer] + polygon.holes).map { ring in ring.map { [$0.latitude, $0.longitude] } }
        }
        if let start = volume.time.start { details["from"] = rfc3339(start) }
        if let end = volume.time.end { details["until"] = rfc3339(end) }
        return details
    }

    static func describe(_ incident: Incident) -> [String: Any] {
        var details: [String: Any] = [
            "id": incident.id.rawValue, "reportedBy": incident.reportedBy.rawValue, "summary": incident.summary,
            "units": incident.units.map(\.rawValue), "recordedAt": rfc3339(incident.recordedAt),
        ]
        if let zone = incident.zone { details["zone"] = zone.rawValue }
        if let position = incident.position { details["position"] = [position.latitude, position.longitude] }
        return details
    }

    /// RFC 3339 in UTC, with fractions of a second only when there are any.
    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: date.timeIntervalSince1970.rounded() != date.timeIntervalSince1970))
    }
}
