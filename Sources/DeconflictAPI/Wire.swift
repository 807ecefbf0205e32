public import DeconflictEngine
public import DeconflictNode
import DeconflictGeometry
import DeconflictStore
public import Foundation

/// The engine's operation and unit (Foundation has types of the same names).
public typealias Operation = DeconflictEngine.Operation
public typealias Unit = DeconflictEngine.Unit

/// The one place refusals become HTTP statuses.
extension FieldError {
    /// A refusal with the code of an HTTP status.
    public init(field: String, reason: String, status: Int) {
        self.init(field: field, reason: reason, code: Code(httpStatus: status))
    }

    /// The HTTP status of the refusal.
    public var status: Int {
        switch code {
        case .invalid: 422
        case .badRequest: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .preconditionFailed: 412
        case .tooLarge: 413
        case .upgradeRequired: 426
        }
    }
}

/// A JSON value built from dictionaries and arrays, handed out of the node's isolation.
struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
}

/// How the API writes and reads times: RFC 3339, with every digit of a fraction of a
/// second kept (see ``RFC3339``).
typealias WireTime = RFC3339

/// A position as `[latitude, longitude]`.
func position(_ pair: [Double], field: String) throws(FieldError) -> LatLng {
    do {
        return try LatLng(coordinates: pair)
    } catch {
        throw FieldError(error, under: field)
    }
}

/// A 4D volume on the wire: a circle or a polygon, an altitude band and a time window.
public struct VolumeBody: Codable, Hashable, Sendable {
    public struct CircleBody: Codable, Hashable, Sendable {
        public var center: [Double]
        public var radius: Double
    }

    public var circle: CircleBody?
    /// Rings of `[latitude, longitude]`; the first is the outer ring, the others holes.
    public var polygon: [[[Double]]]?
    /// `[lower, upper]` metres above the WGS84 ellipsoid; everything when absent.
    public var altitude: [Double]?
    public var from: Date?
    public var until: Date?

    func volume(field: String) throws(FieldError) -> Volume4D {
        let footprint: Footprint
        let band: AltitudeBand
        do {
            footprint = try Footprint(circleCenter: circle?.center, radiusMeters: circle?.radius, polygon: polygon)
        } catch {
            throw FieldError(error, under: field)
        }
        do {
            band = try altitude.map { pair throws(GeometryError) in try AltitudeBand(coordinates: pair) } ?? .all
        } catch {
            throw FieldError(field: "\(field).altitude", reason: error.reason)
        }
        let window: TimeWindow
        do {
            window = try TimeWindow(start: from, end: until)
        } catch {
            throw FieldError(field: "\(field).until", reason: error.reason)
        }
        return Volume4D(footprint: footprint, altitude: band, time: window)
    }
}

/// Letters and digits, built once: the `CharacterSet.alphanumerics` getter builds a new
/// set at every call.
private let identifierLetters = CharacterSet.alphanumerics

/// Checks an identifier: 1 to 128 characters of letters, digits, `-`, `_`, `.`, `:`.
package func identifier(_ text: String, field: String) throws(FieldError) -> String {
    guard !text.isEmpty, text.count <= 128,
          text.unicodeScalars.allSatisfy({ identifierLetters.contains($0) || "-_.:".unicodeScalars.contains($0) })
    else {
        throw FieldError(field: field, reason: "an identifier is 1 to 128 letters, digits, '-', '_', '.' or ':'; got \"\(text.prefix(40))\"")
    }
    return text
}

public struct ZoneBody: Codable, Hashable, Sendable {
    public var id: String
    public var name: String?
    public var kind: Zone.Kind
    /// The declaring party; the caller's own party when absent.
    public var owner: String?
    public var agreement: String?
    public var circle: VolumeBody.CircleBody?
    public var polygon: [[[Double]]]?
    public var altitude: [Double]?
    public var from: Date?
    public var until: Date?
    public var allowed: [String]?
    public var revalidateBy: Date?

    public func zone(owner defaultOwner: PartyID) throws(FieldError) -> Zone {
        let volume = try VolumeBody(circle: circle, polygon: polygon, altitude: altitude, from: from, until: until).volume(field: "zone")
        return Zone(
            id: ZoneID(try identifier(id, field: "id")), name: name, kind: kind, owner: owner.map { PartyID($0) } ?? defaultOwner,
            agreement: agreement.map { AgreementID($0) }, volume: volume, allowed: Set((allowed ?? []).map { PartyID($0) }),
            revalidateBy: revalidateBy)
    }
}

public struct ReportBody: Codable, Hashable, Sendable {
    public var unit: String
    public var time: Date
    public var position: [Double]
    public var altitudeMeters: Double?
    public var speedMetersPerSecond: Double?
    public var courseDegrees: Double?
    public var uncertaintyMeters: Double?

    init(
        unit: String, time: Date, position: [Double], altitudeMeters: Double?, speedMetersPerSecond: Double?, courseDegrees: Double?,
        uncertaintyMeters: Double?
    ) {
        self.unit = unit
        self.time = time
        self.position = position
        self.altitudeMeters = altitudeMeters
        self.speedMetersPerSecond = speedMetersPerSecond
        self.courseDegrees = courseDegrees
        self.uncertaintyMeters = uncertaintyMeters
    }

    func report(field: String) throws(FieldError) -> PositionReport {
        let at = try DeconflictAPI.position(position, field: "\(field).position")
        let values: [(String, Double?)] = [
            ("altitudeMeters", altitudeMeters), ("speedMetersPerSecond", speedMetersPerSecond),
            ("courseDegrees", courseDegrees), ("uncertaintyMeters", uncertaintyMeters),
        ]
        for (name, value) in values where !(value?.isFinite ?? true) {
            throw FieldError(field: "\(field).\(name)", reason: "must be a finite number")
        }
        if let speed = speedMetersPerSecond, speed < 0 || speed > 1_500 {
            throw FieldError(field: "\(field).speedMetersPerSecond", reason: "must be within 0...1500 m/s, got \(speed)")
        }
        if let uncertainty = uncertaintyMeters, uncertainty < 0 {
            throw FieldError(field: "\(field).uncertaintyMeters", reason: "must be ≥ 0, got \(uncertainty)")
        }
        if let course = courseDegrees, course < -360 || course > 360 {
            throw FieldError(field: "\(field).courseDegrees", reason: "must be within -360...360 degrees, got \(course)")
        }
        return PositionReport(
            unit: UnitID(unit), time: time, position: at, altitudeMeters: altitudeMeters ?? 0,
            speedMetersPerSecond: speedMetersPerSecond ?? 0, courseDegrees: courseDegrees ?? 0,
            uncertaintyMeters: uncertaintyMeters ?? 0)
    }

    init(_ report: PositionReport) {
        unit = report.unit.rawValue
        time = report.time
        position = [report.position.latitude, report.position.longitude]
        altitudeMeters = report.altitudeMeters
        speedMetersPerSecond = report.speedMetersPerSecond
        courseDegrees = report.courseDegrees
        uncertaintyMeters = report.uncertaintyMeters
    }
}
