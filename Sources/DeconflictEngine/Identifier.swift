/// A typed identifier: a party's, a unit's, a zone's… The tag keeps a unit's identifier
/// from being passed where a zone's is expected.
///
/// ```swift
/// let convoy: UnitID = "syrian-government/convoy-1"
/// ```
public struct Identifier<Tag>: Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum PartyTag {}
public enum AgreementTag {}
public enum ZoneTag {}
public enum UnitTag {}
public enum AlertTag {}

public typealias PartyID = Identifier<PartyTag>
public typealias AgreementID = Identifier<AgreementTag>
public typealias ZoneID = Identifier<ZoneTag>
public typealias UnitID = Identifier<UnitTag>
public typealias AlertID = Identifier<AlertTag>
