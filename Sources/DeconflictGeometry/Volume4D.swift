#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A volume of space over a window of time: an outline, an altitude band and a time
/// window (the ASTM F3548 `Volume4D`).
///
/// ```swift
/// let zone = Volume4D(
///     footprint: .circle(try Circle(center: garrison, radiusMeters: 55_000)),
///     altitude: try AltitudeBand(lowerMeters: 0, upperMeters: 15_000),
///     time: .always)
/// zone.contains(convoy, altitudeMeters: 700, at: .now)
/// ```
public struct Volume4D: Hashable, Sendable {
    /// The horizontal outline.
    public let footprint: Footprint
    /// The altitudes covered.
    public let altitude: AltitudeBand
    /// When the volume exists.
    public let time: TimeWindow

    public init(footprint: Footprint, altitude: AltitudeBand = .all, time: TimeWindow = .always) {
        self.footprint = footprint
        self.altitude = altitude
        self.time = time
    }

    /// The box around the outline.
    public var boundingBox: BoundingBox { footprint.boundingBox }

    /// True when a unit at `point` and `altitudeMeters` is inside the volume at `instant`.
    public func contains(_ point: LatLng, altitudeMeters: Double, at instant: Date) -> Bool {
        time.contains(instant) && altitude.contains(altitudeMeters) && footprint.contains(point)
    }

    /// True when the volumes share a point at a common instant.
    public func intersects(_ other: Volume4D) -> Bool {
        time.overlaps(other.time) && altitude.overlaps(other.altitude) && footprint.intersects(other.footprint)
    }

    /// The first time, in seconds after the track's time and within `horizon`, at which
    /// the unit is inside the volume (outline, altitude band and time window together);
    /// `nil` when it is not within the horizon.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/negativeHorizon`` or
    ///   ``GeometryError/Code/notFinite`` (field `horizon`).
    public func entryTime(of track: Track, within horizon: Double) throws(GeometryError) -> Double? {
        try GeometryError.requireHorizon(horizon)
        return firstEntry(of: track, within: horizon)
    }

    func firstEntry(of track: Track, within horizon: Double) -> Double? {
        guard let altitudes = track.altitudeInterval(in: altitude) else { return nil }
        let window = time.offsets(from: track.time)
        let lower = max(0, altitudes.lower, window.lower)
        let upper = min(horizon, altitudes.upper, window.upper)
        guard lower <= upper else { return nil }
        guard let entry = footprint.firstEntry(of: track, from: lower, to: upper) else { return nil }
        // The window is half-open: its end is already outside.
        if entry >= window.upper { return nil }
        return entry
    }
}

/// One or more 4D volumes taken together, such as the volumes of an operation.
public struct Extent: Hashable, Sendable {
    /// The volumes; never empty.
    public let volumes: [Volume4D]

    /// Creates an extent.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/emptyExtent`` (field
    ///   `volumes`) when `volumes` is empty.
    public init(_ volumes: [Volume4D]) throws(GeometryError) {
        guard !volumes.isEmpty else {
            throw GeometryError(.emptyExtent, field: "volumes", reason: "at least one volume is required")
        }
        self.volumes = volumes
    }

    /// An extent of one volume.
    public init(_ volume: Volume4D) {
        volumes = [volume]
    }

    /// The box around every volume.
    public var boundingBox: BoundingBox {
        volumes.dropFirst().reduce(volumes[0].boundingBox) { $0.union($1.boundingBox) }
    }

    /// True when any volume contains the unit.
    public func contains(_ point: LatLng, altitudeMeters: Double, at instant: Date) -> Bool {
        volumes.contains { $0.contains(point, altitudeMeters: altitudeMeters, at: instant) }
    }

    /// True when any volume of one intersects any volume of the other.
    public func intersects(_ other: Extent) -> Bool {
        volumes.contains { volume in other.volumes.contains { volume.intersects($0) } }
    }

    /// The earliest entry into any of the volumes; see ``Volume4D/entryTime(of:within:)``.
    public func entryTime(of track: Track, within horizon: Double) throws(GeometryError) -> Double? {
        try GeometryError.requireHorizon(horizon)
        return volumes.compactMap { $0.firstEntry(of: track, within: horizon) }.min()
    }
}
