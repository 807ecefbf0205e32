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
    /// `detail/track@speed`, metres per second, when given.
    public var speed: Double?
    /// `detail/track@course`, degrees clockwise from true north, when given.
    public var course: Double?
    /// `detail/TakControl/TakRequest@version`: the client asks to switch the stream to
    /// this version of the TAK protocol (the event's type is `t-x-takp-q`).
    public var takProtocolRequest: Int?

    public init(
        uid: String, type: CoTType, how: String? = nil, time: Date, start: Date? = nil, stale: Date,
        latitude: Double, longitude: Double, heightAboveEllipsoid: Double? = nil, circularError: Double? = nil,
        linearError: Double? = nil, callsign: String? = nil, speed: Double? = nil, course: Double? = nil,
        takProtocolRequest: Int? = nil
    ) {
        self.uid = uid
        self.type = type
        self.how = how
        self.time = time
        self.start = start ?? time
        self.stale = stale
        self.latitude = latitude
        self.longitude = longitude
        self.heightAboveEllipsoid = heightAboveEllipsoid
        self.circularError = circularError
        self.linearError = linearError
        self.callsign = callsign
        self.speed = speed
        self.course = course
        self.takProtocolRequest = takProtocolRequest
    }

    /// Checks what every decoder must: a uid of at most 256 bytes, a CoT type,
    /// latitude and longitude in range, finite numbers, `stale` not before `time`.
    static func validated(
        uid: String, type typeText: String, how: String?, time: Date, start: Date?, stale: Date,
        latitude: Double, longitude: Double, heightAboveEllipsoid: Double?, circularError: Double?, linearError: Double?,
        unknownAtOrAbove unknown: Double, callsign: String?, speed: Double?, course: Double?, takProtocolRequest: Int?
    ) throws(CoTError) -> CoTEvent {
        guard !uid.isEmpty else { throw CoTError(field: "event@uid", reason: "missing") }
        guard uid.utf8.count <= 256 else { throw CoTError(field: "event@uid", reason: "longer than 256 bytes") }
        guard !typeText.isEmpty else { throw CoTError(field: "event@type", reason: "missing") }
        guard let type = CoTType(typeText) else { throw CoTError(field: "event@type", reason: "not a CoT type: \(typeText.prefix(40))") }
        guard latitude.isFinite, (-90...90).contains(latitude) else { throw CoTError(field: "point@lat", reason: "outside -90...90: \(latitude)") }
        guard longitude.isFinite, (-180...180).contains(longitude) else { throw CoTError(field: "point@lon", reason: "outside -180...180: \(longitude)") }
        func known(_ value: Double?, _ field: String) throws(CoTError) -> Double? {
            guard let value else { return nil }
            guard value.isFinite else { throw CoTError(field: field, reason: "not a finite number") }
            return value >= unknown ? nil : value
        }
        let hae = try known(heightAboveEllipsoid, "point@hae")
        let ce = try known(circularError, "point@ce")
        let le = try known(linearError, "point@le")
        if let ce, ce < 0 { throw CoTError(field: "point@ce", reason: "negative: \(ce)") }
        if let le, le < 0 { throw CoTError(field: "point@le", reason: "negative: \(le)") }
        guard stale >= time else { throw CoTError(field: "event@stale", reason: "before the event's time") }
        let speed = speed.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        let course = course.flatMap { $0.isFinite && $0 >= 0 && $0 <= 360 ? $0 : nil }
        return CoTEvent(
            uid: uid, type: type, how: how, time: time, start: start, stale: stale, latitude: latitude, longitude: longitude,
            heightAboveEllipsoid: hae, circularError: ce, linearError: le, callsign: callsign, speed: speed, course: course,
            takProtocolRequest: takProtocolRequest)
    }

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

    /// Built once: the `CharacterSet.alphanumerics` getter builds a new set at every call.
    private static let letters = CharacterSet.alphanumerics

    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 128,
              text.unicodeScalars.allSatisfy({ Self.letters.contains($0) || $0 == "-" || $0 == "." || $0 == "_" })
        else { return nil }
        atoms = text.split(separator: "-", omittingEmptySubsequences: false)
        // A closure, not the key path `\.isEmpty`: applying a key path costs a runtime
        // lookup each time (a tenth of a CoT decode's instructions).
        guard !atoms.contains(where: { $0.isEmpty }) else { return nil }
        description = text
    }

    /// Whether this is an atom (a thing on the map) rather than a bit, a tasking, a drawing.
    public var isAtom: Bool { atoms.first == "a" }
    public var affiliation: Affiliation? { isAtom && atoms.count > 1 ? Affiliation(rawValue: String(atoms[1])) : nil }
    public var dimension: Dimension? { isAtom && atoms.count > 2 ? Dimension(rawValue: String(atoms[2])) : nil }
}
