/// A latitude/longitude rectangle, the broad phase of every spatial query.
///
/// When ``minLongitude`` is greater than ``maxLongitude`` the box crosses the
/// antimeridian: it covers `minLongitude...180` and `-180...maxLongitude`. A box that
/// reaches a pole covers every longitude.
public struct BoundingBox: Hashable, Sendable, CustomStringConvertible {
    public var minLatitude: Double
    public var maxLatitude: Double
    public var minLongitude: Double
    public var maxLongitude: Double

    /// Creates a box; `minLongitude > maxLongitude` means it crosses the antimeridian.
    public init(minLatitude: Double, maxLatitude: Double, minLongitude: Double, maxLongitude: Double) {
        self.minLatitude = minLatitude
        self.maxLatitude = maxLatitude
        self.minLongitude = minLongitude
        self.maxLongitude = maxLongitude
    }

    /// The box holding exactly one position.
    public init(_ point: LatLng) {
        self.init(
            minLatitude: point.latitude, maxLatitude: point.latitude,
            minLongitude: point.longitude, maxLongitude: point.longitude)
    }

    /// The whole Earth.
    public static let world = BoundingBox(minLatitude: -90, maxLatitude: 90, minLongitude: -180, maxLongitude: 180)

    /// True when the box crosses the antimeridian.
    public var crossesAntimeridian: Bool { minLongitude > maxLongitude }

    /// The longitude width in degrees, 0...360.
    public var longitudeSpan: Double {
        crossesAntimeridian ? (180 - minLongitude) + (maxLongitude + 180) : maxLongitude - minLongitude
    }

    public var description: String {
        "[\(minLatitude)...\(maxLatitude), \(minLongitude)...\(maxLongitude)]"
    }

    /// True when `point` is inside or on the edge of the box.
    public func contains(_ point: LatLng) -> Bool {
        guard point.latitude >= minLatitude, point.latitude <= maxLatitude else { return false }
        return containsLongitude(point.longitude)
    }

    /// True when the longitude lies within the box's longitude range.
    public func containsLongitude(_ longitude: Double) -> Bool {
        if crossesAntimeridian { return longitude >= minLongitude || longitude <= maxLongitude }
        return longitude >= minLongitude && longitude <= maxLongitude
    }

    /// True when the two boxes share at least one point.
    public func intersects(_ other: BoundingBox) -> Bool {
        guard minLatitude <= other.maxLatitude, other.minLatitude <= maxLatitude else { return false }
        for a in longitudeRanges {
            for b in other.longitudeRanges where a.lowerBound <= b.upperBound && b.lowerBound <= a.upperBound {
                return true
            }
        }
        return false
    }

    /// The box split at the antimeridian into one or two boxes that do not cross it.
    public var split: [BoundingBox] {
        guard crossesAntimeridian else { return [self] }
        return [
            BoundingBox(minLatitude: minLatitude, maxLatitude: maxLatitude, minLongitude: minLongitude, maxLongitude: 180),
            BoundingBox(minLatitude: minLatitude, maxLatitude: maxLatitude, minLongitude: -180, maxLongitude: maxLongitude),
        ]
    }

    /// The longitude ranges the box covers, one or two of them.
    var longitudeRanges: [ClosedRange<Double>] {
        crossesAntimeridian ? [minLongitude...180, -180...maxLongitude] : [minLongitude...maxLongitude]
    }

    /// The smallest box that contains both.
    ///
    /// Longitude ranges are joined the short way round, as a box around two nearby
    /// places on either side of the antimeridian should be.
    public func union(_ other: BoundingBox) -> BoundingBox {
        let latitudes = (min(minLatitude, other.minLatitude), max(maxLatitude, other.maxLatitude))
        if longitudeSpan >= 360 || other.longitudeSpan >= 360 {
            return BoundingBox(minLatitude: latitudes.0, maxLatitude: latitudes.1, minLongitude: -180, maxLongitude: 180)
        }
        // Candidates: each box's west edge as the union's west edge; keep the narrowest.
        var best: (Double, Double)? = nil
        var bestSpan = Double.infinity
        for west in [minLongitude, other.minLongitude] {
            let span = max(
                BoundingBox.eastwardSpan(from: west, to: maxLongitude, startingAt: minLongitude),
                BoundingBox.eastwardSpan(from: west, to: other.maxLongitude, startingAt: other.minLongitude))
            if span < bestSpan {
                bestSpan = span
                best = (west, wrapLongitude(west + span))
            }
        }
        guard let best, bestSpan < 360 else {
            return BoundingBox(minLatitude: latitudes.0, maxLatitude: latitudes.1, minLongitude: -180, maxLongitude: 180)
        }
        return BoundingBox(minLatitude: latitudes.0, maxLatitude: latitudes.1, minLongitude: best.0, maxLongitude: best.1)
    }

    /// Eastward distance in degrees from `west` to the east edge `east` of a range that
    /// starts at `start`, such that the whole range `start...east` is covered.
    private static func eastwardSpan(from west: Double, to east: Double, startingAt start: Double) -> Double {
        var toStart = start - west
        if toStart < 0 { toStart += 360 }
        var width = east - start
        if width < 0 { width += 360 }
        return toStart + width
    }

    /// The box expanded by `degrees` on every side (longitudes are not scaled by latitude).
    func expanded(latitudeDegrees: Double, longitudeDegrees: Double) -> BoundingBox {
        let south = max(-90, minLatitude - latitudeDegrees)
        let north = min(90, maxLatitude + latitudeDegrees)
        if longitudeSpan + 2 * longitudeDegrees >= 360 || south <= -90 || north >= 90 {
            return BoundingBox(minLatitude: south, maxLatitude: north, minLongitude: -180, maxLongitude: 180)
        }
        return BoundingBox(
            minLatitude: south, maxLatitude: north,
            minLongitude: wrapLongitude(minLongitude - longitudeDegrees),
            maxLongitude: wrapLongitude(maxLongitude + longitudeDegrees))
    }
}

extension BoundingBox {
    /// The box around every point within `radiusMeters` (geodesic) of `center`.
    ///
    /// Conservative: it bounds the spherical cap of angle `radius / a(1 − e²)`, which
    /// contains every such point (see ``Geodesic/minimumCurvatureRadius``).
    public static func around(_ center: LatLng, radiusMeters: Double) -> BoundingBox {
        SphericalCap(center: center.unitVector, angle: radiusMeters / Geodesic.minimumCurvatureRadius).boundingBox
    }
}
