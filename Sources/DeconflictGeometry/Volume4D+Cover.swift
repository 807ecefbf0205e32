#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Footprint {
    /// Whether `other` lies inside this outline, within `toleranceMeters`.
    ///
    /// A circle is inside when its centre is at least its radius inside the edge (exact).
    /// A polygon is inside when its vertices and points along its outer ring's geodesic
    /// edges, at most `sampleMeters` apart, all are: an edge that bulges out between two
    /// samples by less than that spacing can go unnoticed.
    public func covers(_ other: Footprint, toleranceMeters: Double = 1, sampleMeters: Double = 100) -> Bool {
        switch other {
        case .circle(let circle):
            return signedDistance(to: circle.center) <= toleranceMeters - circle.radiusMeters
        case .polygon(let polygon):
            let ring = polygon.outer
            for (index, start) in ring.enumerated() {
                let end = ring[(index + 1) % ring.count]
                guard signedDistance(to: start) <= toleranceMeters else { return false }
                let path = Geodesic.inverse(start, end)
                let steps = Int((path.distanceMeters / sampleMeters).rounded(.up))
                guard steps > 1 else { continue }
                for step in 1..<steps {
                    let point = Geodesic.destination(
                        from: start, azimuthDegrees: path.initialAzimuthDegrees,
                        distanceMeters: path.distanceMeters * Double(step) / Double(steps))
                    guard signedDistance(to: point) <= toleranceMeters else { return false }
                }
            }
            return true
        }
    }
}

extension Volume4D {
    /// Whether `other` lies inside this volume: its outline (see
    /// ``Footprint/covers(_:toleranceMeters:sampleMeters:)``), its altitude band and its
    /// time window (an open end is covered only by an open end).
    public func covers(_ other: Volume4D) -> Bool {
        guard altitude.lowerMeters <= other.altitude.lowerMeters, altitude.upperMeters >= other.altitude.upperMeters else {
            return false
        }
        if let start = time.start {
            guard let otherStart = other.time.start, start <= otherStart else { return false }
        }
        if let end = time.end {
            guard let otherEnd = other.time.end, end >= otherEnd else { return false }
        }
        return footprint.covers(other.footprint)
    }
}
