public import Foundation

/// A Cursor-on-Target event as TAK clients and servers send it: who (`uid`), what
/// (`type`, such as `a-f-G-U-C`), when (`time`, `start`, `stale`) and where (`point`:
/// latitude, longitude, height above the ellipsoid, circular and linear error).
public struct CoTEvent: Hashable, Sendable {
    public var uid: String
    public var type: CoTType
    public var how: String?
    public var time: Date
    public var start: Date
    public var stale: Date
    public var latitude: Double
    public var longitude: Double
    /// Metres above the WGS84 ellipsoid; nil when the sender does not know (9999999).
    public var heightAboveEllipsoid: Double?
    /// Circular error (horizontal, metres); nil when unknown (9999999).
    public var circularError: Double?
    /// Linear error (vertical, metres); nil when unknown (9999999).
    public var linearError: Double?
    /// `detail/contact@callsign`, when given.
    public var callsign: String?

    /// The value CoT uses for "unknown" in `hae`, `ce` and `le`.
    public static let unknown = 9_999_999.0
}

/// A CoT type: dot-free atoms separated by `-`. For atoms (`a-…`) the second atom is the
/// affiliation and the third the battle dimension.
public struct CoTType: Hashable, Sendable, CustomStringConvertible {
    public enum Affiliation: String, Sendable {
        case pending = "p", unknown = "u", assumedFriend = "a", friend = "f", neutral = "n", suspect = "s", hostile = "h"
        case joker = "j", faker = "k", none = "o", other = "x"
    }

    public enum Dimension: String, Sendable {
        case space = "P", air = "A", ground = "G", seaSurface = "S", subsurface = "U", sof = "F", other = "X", unknown = "Z"
    }

    public let atoms: [Substring]
    public let description: String

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 128,
              text.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "." || $0 == "_" })
        else { return nil }
        atoms = text.split(separator: "-", omittingEmptySubsequences: false)
        guard !atoms.contains(where: \.isEmpty) else { return nil }
        description = text
    }

    /// Whether this is an atom (a thing on the map) rather than a bit, a tasking, a drawing.
    public var isAtom: Bool { atoms.first == "a" }
    public var affiliation: Affiliation? { isAtom && atoms.count > 1 ? Affiliation(rawValue: String(atoms[1])) : nil }
    public var dimension: Dimension? { isAtom && atoms.count > 2 ? Dimension(rawValue: String(atoms[2])) : nil }
}
