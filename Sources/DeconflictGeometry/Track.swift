#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A unit's last known state, projected forward along the geodesic of its course at
/// constant ground speed and vertical rate.
///
/// ```swift
/// let convoy = try Track(
///     position: LatLng(latitude: 33.95, longitude: 38.05), altitudeMeters: 700,
///     time: .now, speedMetersPerSecond: 15, courseDegrees: 135)
/// let inTenMinutes = convoy.position(after: 600)
/// ```
public struct Track: Sendable {
    /// Where the unit was at ``time``.
    public let position: LatLng
    /// Altitude at ``time``, metres above the WGS84 ellipsoid.
    public let altitudeMeters: Double
    /// When the unit was at ``position``.
    public let time: Date
    /// Ground speed in metres per second, ≥ 0.
    public let speedMetersPerSecond: Double
    /// Initial azimuth of travel in degrees clockwise from true north.
    public let courseDegrees: Double
    /// Climb (positive) or descent rate in metres per second.
    public let verticalRateMetersPerSecond: Double

    let line: GeodesicLine

    /// Creates a track.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/notFinite`` or
    ///   ``GeometryError/Code/negativeSpeed``; the field names the value.
    public init(
        position: LatLng, altitudeMeters: Double = 0, time: Date, speedMetersPerSecond: Double,
        courseDegrees: Double, verticalRateMetersPerSecond: Double = 0
    ) throws(GeometryError) {
        try GeometryError.requireFinite(altitudeMeters, field: "altitudeMeters")
        try GeometryError.requireFinite(speedMetersPerSecond, field: "speedMetersPerSecond")
        try GeometryError.requireFinite(courseDegrees, field: "courseDegrees")
        try GeometryError.requireFinite(verticalRateMetersPerSecond, field: "verticalRateMetersPerSecond")
        guard speedMetersPerSecond >= 0 else {
            throw GeometryError(
                .negativeSpeed, field: "speedMetersPerSecond",
                reason: "speed must not be negative, got \(speedMetersPerSecond)")
        }
        self.position = position
        self.altitudeMeters = altitudeMeters
        self.time = time
        self.speedMetersPerSecond = speedMetersPerSecond
        self.courseDegrees = courseDegrees
        self.verticalRateMetersPerSecond = verticalRateMetersPerSecond
        self.line = GeodesicLine(start: position, azimuthDegrees: courseDegrees)
    }

    /// The projected position `seconds` after ``time`` (before it when negative).
    public func position(after seconds: Double) -> LatLng {
        if speedMetersPerSecond == 0 || seconds == 0 { return position }
        return line.position(atDistance: speedMetersPerSecond * seconds)
    }

    /// The projected altitude `seconds` after ``time``.
    public func altitude(after seconds: Double) -> Double {
        altitudeMeters + verticalRateMetersPerSecond * seconds
    }

    /// The projected position at `instant`.
    public func position(at instant: Date) -> LatLng {
        position(after: instant.timeIntervalSince(time))
    }

    /// The seconds after ``time`` during which the altitude is inside `band`, as a
    /// closed interval (possibly infinite), or `nil` when never.
    func altitudeInterval(in band: AltitudeBand) -> (lower: Double, upper: Double)? {
        let rate = verticalRateMetersPerSecond
        if rate == 0 {
            return band.contains(altitudeMeters) ? (-.infinity, .infinity) : nil
        }
        let first = (band.lowerMeters - altitudeMeters) / rate
        let second = (band.upperMeters - altitudeMeters) / rate
        return (min(first, second), max(first, second))
    }
}

extension GeometryError {
    static func requireHorizon(_ horizon: Double) throws(GeometryError) {
        try requireFinite(horizon, field: "horizon")
        guard horizon >= 0 else {
            throw GeometryError(.negativeHorizon, field: "horizon", reason: "horizon must not be negative, got \(horizon)")
        }
    }
}
