import DeconflictEngine
import DeconflictGeometry
import Foundation

/// The demo's readable timeline: one line an event, alerts first in mind.
struct Timeline {
    let start: Date
    let colour: Bool

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func title(_ name: String) -> String {
        paint(name, "1") + "\n" + paint("scenario time is UTC; T+ counts from the start", "2")
    }

    private func stamp(_ time: Date) -> String {
        let seconds = Int(time.timeIntervalSince(start).rounded())
        let clock = time.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).time(includingFractionalSeconds: false))
        return paint(String(format: "%@  T+%02d:%02d:%02d", clock, seconds / 3_600, seconds / 60 % 60, seconds % 60), "2")
    }

    private func addressees(_ alert: Alert) -> String {
        let names = alert.addressees.map { addressee in
            var name = addressee.party.rawValue
            if let client = addressee.answersFor { name += " (for \(client)\(addressee.confirmed ? "" : ", unconfirmed"))" }
            return name
        }
        return "to " + names.joined(separator: ", ") + (alert.unconfirmedRouting ? paint("  [routing unconfirmed]", "33") : "")
    }

    private func subject(_ alert: Alert) -> String {
        var text = alert.units.map(\.rawValue).joined(separator: ", ")
        if let party = alert.party { text = "\(party): " + text }
        if let zone = alert.zone { text += text.isEmpty ? "\(zone)" : " in \(zone)" }
        if let operation = alert.operation { text += " (operation \(operation))" }
        if let agreement = alert.agreement, alert.kind == .agreementWithdrawn {
            text = "agreement \(agreement), withdrawn by \(alert.party?.rawValue ?? "a signatory")"
        }
        return text
    }

    private func figures(_ alert: Alert) -> String {
        var parts: [String] = []
        if let seconds = alert.secondsAhead {
            parts.append(alert.kind == .approach ? "enters in \(minutes(seconds))" : "closest in \(minutes(seconds))")
        }
        if let distance = alert.distanceMeters {
            switch alert.kind {
            case .separation: parts.append("\(kilometres(distance)) apart")
            case .approach: parts.append("\(kilometres(distance)) to go")
            default: parts.append("\(kilometres(abs(distance))) from the edge")
            }
        }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    /// The line of an event, or nil for setup noise that the title already covers.
    func line(_ event: Event) -> String? {
        let time = stamp(event.time)
        switch event.change {
        case .alertRaised(let alert):
            return "\(time)  " + paint("▲ \(alert.kind.rawValue.uppercased())", "1;31") + "  \(alert.id) \(subject(alert))\(figures(alert))  \(addressees(alert))"
        case .alertUpdated:
            return nil
        case .alertAcknowledged(let alert, let party):
            return "\(time)  " + paint("✓ acknowledged", "32") + "  \(alert.id) by \(party) (a receipt, not consent)"
        case .alertEscalated(let alert, let party):
            return "\(time)  " + paint("! ESCALATED", "1;33") + "  \(alert.id) \(alert.kind.rawValue): no acknowledgement from \(party)"
        case .alertResolved(let alert):
            return "\(time)  " + paint("✔ resolved", "32") + "  \(alert.id) \(alert.kind.rawValue) \(subject(alert)): \(alert.resolution ?? "")"
        case .messageSent(let message):
            return "\(time)  " + paint("✉ \(message.kind.rawValue)", "36") + "  \(message.id) \(message.from) → \(message.recipients.map(\.rawValue).joined(separator: ", ")): “\(message.text)”"
        case .messageDelivered(let message, let party):
            return "\(time)  " + paint("  delivered", "2") + "  \(message.id) to \(party)"
        case .messageAcknowledged(let message, let party):
            return "\(time)  " + paint("✓ read", "32") + "  \(message.id) by \(party) (a receipt, not consent)"
        case .messageEscalated(let message, let party):
            return "\(time)  " + paint("! ESCALATED", "1;33") + "  \(message.kind.rawValue) \(message.id): \(party) silent past the deadline"
        case .incidentRecorded(let incident):
            return "\(time)  " + paint("✱ INCIDENT", "1;35") + "  \(incident.id) reported by \(incident.reportedBy): \(incident.summary)"
        case .agreementChanged(let agreement):
            let signatories = agreement.signatories.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.rawValue)" }
            return "\(time)  agreement \(agreement.id) “\(agreement.title)”: " + signatories.joined(separator: ", ")
        case .zoneChanged(let zone):
            return "\(time)  zone \(zone.id) (\(zone.kind.rawValue)) of \(zone.owner), agreement \(zone.agreement?.rawValue ?? "none")"
        case .responsibilitySet(let responsibility):
            return "\(time)  \(responsibility.sponsor) answers for \(responsibility.client)" + (responsibility.confirmed ? "" : paint(" (claimed, unconfirmed)", "33"))
        case .operationChanged(let operation):
            return "\(time)  operation \(operation.id) of \(operation.party): \(operation.state.rawValue)"
        case .partyAdded, .unitAdded, .zoneRemoved:
            return nil
        }
    }
}
