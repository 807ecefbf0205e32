/// An error raised when a coordinate, shape or window is not acceptable.
///
/// Every error carries a machine-readable ``code``, the ``field`` it concerns (a
/// dotted path such as `outer[3].latitude` where one applies) and a human-readable
/// ``reason``. Two errors are equal when their codes are equal, so adding detail to a
/// message never breaks a comparison.
///
/// ```swift
/// do {
///     _ = try Circle(center: LatLng(latitude: 33.5, longitude: 38.65), radiusMeters: -1)
/// } catch {
///     print(error.code == .radiusNotPositive) // true
///     print(error)                            // "radiusMeters: radius must be positive, got -1.0"
/// }
/// ```
public struct GeometryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, without the details.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case notFinite = "not_finite"
            case latitudeOutOfRange = "latitude_out_of_range"
            case longitudeOutOfRange = "longitude_out_of_range"
            case radiusNotPositive = "radius_not_positive"
            case radiusTooLarge = "radius_too_large"
            case tooFewVertices = "too_few_vertices"
            case tooManyVertices = "too_many_vertices"
            case selfIntersectingRing = "self_intersecting_ring"
            case degenerateRing = "degenerate_ring"
            case polygonTooLarge = "polygon_too_large"
            case holeOutsideOuterRing = "hole_outside_outer_ring"
            case nestedHoles = "nested_holes"
            case altitudeBandInverted = "altitude_band_inverted"
            case timeWindowInverted = "time_window_inverted"
            case emptyExtent = "empty_extent"
            case negativeSpeed = "negative_speed"
            case negativeHorizon = "negative_horizon"
            case malformed = "malformed"
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A stable identifier such as `latitude_out_of_range`.
        public var description: String { backing.rawValue }

        /// A value is NaN or infinite.
        public static let notFinite = Code(.notFinite)
        /// A latitude is outside −90...90 degrees.
        public static let latitudeOutOfRange = Code(.latitudeOutOfRange)
        /// A longitude is outside −180...180 degrees.
        public static let longitudeOutOfRange = Code(.longitudeOutOfRange)
        /// A circle's radius is zero or negative.
        public static let radiusNotPositive = Code(.radiusNotPositive)
        /// A circle's radius exceeds ``Circle/maximumRadiusMeters``.
        public static let radiusTooLarge = Code(.radiusTooLarge)
        /// A ring has fewer than three distinct vertices.
        public static let tooFewVertices = Code(.tooFewVertices)
        /// A polygon has more vertices than ``Polygon/maximumVertexCount``.
        public static let tooManyVertices = Code(.tooManyVertices)
        /// Two edges of the polygon cross or touch (within one ring or between rings).
        public static let selfIntersectingRing = Code(.selfIntersectingRing)
        /// A ring encloses no area (all its vertices lie on one great circle).
        public static let degenerateRing = Code(.degenerateRing)
        /// A polygon does not fit within a hemisphere.
        public static let polygonTooLarge = Code(.polygonTooLarge)
        /// A hole is not inside the outer ring.
        public static let holeOutsideOuterRing = Code(.holeOutsideOuterRing)
        /// A hole lies inside another hole.
        public static let nestedHoles = Code(.nestedHoles)
        /// An altitude band's lower bound is above its upper bound.
        public static let altitudeBandInverted = Code(.altitudeBandInverted)
        /// A time window ends before it starts.
        public static let timeWindowInverted = Code(.timeWindowInverted)
        /// An extent has no volume.
        public static let emptyExtent = Code(.emptyExtent)
        /// A speed is negative.
        public static let negativeSpeed = Code(.negativeSpeed)
        /// A look-ahead horizon is negative.
        public static let negativeHorizon = Code(.negativeHorizon)
        /// A value in coordinates does not have the form it needs (a position that is not
        /// two numbers, a shape that is neither a circle nor a polygon).
        public static let malformed = Code(.malformed)
    }

    /// What went wrong.
    public let code: Code
    /// The offending field, as a dotted path (`outer[3].latitude`), when one applies.
    public let field: String?
    /// Why the value was refused, in words.
    public let reason: String

    public init(_ code: Code, field: String?, reason: String) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { return "\(field): \(reason)" }
        return reason
    }

    /// The same error, with its field path placed under `prefix`
    /// (`center.latitude` under `zones[2]` becomes `zones[2].center.latitude`).
    public func nested(under prefix: String) -> GeometryError {
        guard let field else { return GeometryError(code, field: prefix, reason: reason) }
        let separator = field.hasPrefix("[") ? "" : "."
        return GeometryError(code, field: prefix + separator + field, reason: reason)
    }

    public static func == (lhs: GeometryError, rhs: GeometryError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension GeometryError {
    static func requireFinite(_ value: Double, field: String) throws(GeometryError) {
        guard value.isFinite else {
            throw GeometryError(.notFinite, field: field, reason: "value must be a finite number, got \(value)")
        }
    }
}
