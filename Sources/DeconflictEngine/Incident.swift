#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import DeconflictGeometry

public enum IncidentTag {}
public typealias IncidentID = Identifier<IncidentTag>

/// Something that happened and must stay on the record: an engagement, a strike, a
/// near miss. Recorded by a party, with what it involved.
public struct Incident: Hashable, Sendable {
    /// An incident as a party reports it.
    public struct Draft: Hashable, Sendable, Decodable {
        public var id: IncidentID
        public var reportedBy: PartyID
        public var summary: String
        public var units: [UnitID]?
        public var zone: ZoneID?
        /// `[latitude, longitude]`, if known.
        public var position: [Double]?

        public init(id: IncidentID, reportedBy: PartyID, summary: String, units: [UnitID]? = nil, zone: ZoneID? = nil, position: [Double]? = nil) {
            self.id = id
            self.reportedBy = reportedBy
            self.summary = summary
            self.units = units
            self.zone = zone
            self.position = position
        }
    }

    public let id: IncidentID
    public let reportedBy: PartyID
    public let summary: String
    public let units: [UnitID]
    public let zone: ZoneID?
    public let position: LatLng?
    public let recordedAt: Date
}

extension Engine {
    mutating func record(_ draft: Incident.Draft, events: inout [Event]) throws(EngineError) {
        guard incidents[draft.id] == nil else { throw EngineError(.duplicate, field: "incident.id", reason: "incident \(draft.id) exists") }
        guard parties[draft.reportedBy] != nil else {
            throw EngineError(.unknownParty, field: "incident.reportedBy", reason: "no party \(draft.reportedBy)")
        }
        for unit in draft.units ?? [] where slotOf[unit] == nil {
            throw EngineError(.unknownUnit, field: "incident.units", reason: "no unit \(unit)")
        }
        if let zone = draft.zone, zones[zone] == nil { throw EngineError(.unknownZone, field: "incident.zone", reason: "no zone \(zone)") }
        var position: LatLng?
        if let pair = draft.position {
            guard pair.count == 2, let valid = try? LatLng(latitude: pair[0], longitude: pair[1]) else {
                throw EngineError(.invalidValue, field: "incident.position", reason: "not a [latitude, longitude] in range")
            }
            position = valid
        }
        let incident = Incident(
            id: draft.id, reportedBy: draft.reportedBy, summary: draft.summary, units: draft.units ?? [], zone: draft.zone,
            position: position, recordedAt: now)
        incidents[incident.id] = incident
        events.append(Event(time: now, change: .incidentRecorded(incident)))
    }
}
