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

/// A position as `[latitude, longitude]`.
func position(_ pair: [Double], field: String) throws(FieldError) -> LatLng {
    do {
        return try LatLng(coordinates: pair)
    } catch {
        throw FieldError(error, under: field)
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

    private enum CodingKeys: String, CodingKey {
        case unit, time, position, altitudeMeters, speedMetersPerSecond, courseDegrees, uncertaintyMeters
    }

    /// `{"lat", "lng"}`, the unambiguous form of a position.
    private struct NamedPosition: Decodable {
        var lat: Double
        var lng: Double
    }

    /// Reads `position` named (`{"lat": 33.5, "lng": 38.65}`) or as the pair
    /// `[latitude, longitude]` that clients written before the named form send.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        unit = try container.decode(String.self, forKey: .unit)
        time = try container.decode(Date.self, forKey: .time)
        if let pair = try? container.decode([Double].self, forKey: .position) {
            position = pair
        } else if let named = try? container.decode(NamedPosition.self, forKey: .position) {
            position = [named.lat, named.lng]
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .position, in: container,
                debugDescription: #"a position is {"lat": latitude, "lng": longitude} or the pair [latitude, longitude]"#)
        }
        altitudeMeters = try container.decodeIfPresent(Double.self, forKey: .altitudeMeters)
        speedMetersPerSecond = try container.decodeIfPresent(Double.self, forKey: .speedMetersPerSecond)
        courseDegrees = try container.decodeIfPresent(Double.self, forKey: .courseDegrees)
        uncertaintyMeters = try container.decodeIfPresent(Double.self, forKey: .uncertaintyMeters)
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
