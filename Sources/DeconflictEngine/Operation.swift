#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import DeconflictGeometry

public enum OperationTag {}
public typealias OperationID = Identifier<OperationTag>

/// A planned movement or activity of a party: where and when (one or more 4D volumes),
/// which units carry it out, its state and priority.
public struct Operation: Hashable, Sendable {
    public enum State: String, Hashable, Sendable, Codable {
        case planned
        case active
        case completed
        case cancelled
    }

    public let id: OperationID
    public var party: PartyID
    public var name: String
    public var extent: Extent
    public var units: Set<UnitID>
    public var state: State
    /// Higher goes first where operations conflict.
    public var priority: Int
    /// When the other parties were told, if they were.
    public internal(set) var noticeGivenAt: Date?

    public init(
        id: OperationID, party: PartyID, name: String? = nil, extent: Extent, units: Set<UnitID> = [],
        state: State = .planned, priority: Int = 0
    ) {
        self.id = id
        self.party = party
        self.name = name ?? id.rawValue
        self.extent = extent
        self.units = units
        self.state = state
        self.priority = priority
    }

    /// The earliest start of its volumes, if any has one.
    public var start: Date? { extent.volumes.compactMap(\.time.start).min() }
}

/// Why an operation cannot go ahead as planned without someone being told.
public struct Conflict: Hashable, Sendable {
    public enum Subject: Hashable, Sendable {
        case zone(ZoneID)
        case operation(OperationID)
    }

    public let subject: Subject
    /// The party on the other side: the zone's owner or the other operation's party.
    public let party: PartyID
    public let reason: String
}

/// What the agreements binding an operation's party ask of its notice
/// (``Engine/noticeDue(for:)``).
public struct NoticeDue: Sendable, Hashable {
    /// The longest lead time among the agreements, seconds before the start.
    public var leadSeconds: TimeInterval
    /// The agreement asking that lead time.
    public var agreement: AgreementID
    /// The other signatories owed the notice.
    public var owed: [PartyID]
    /// When the notice is due: the start less the lead time.
    public var dueBy: Date
    /// Whether a notice given now would be late (a late-notice alert).
    public var late: Bool
}
