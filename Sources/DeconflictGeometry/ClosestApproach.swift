#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The closest two moving units come to each other within a look-ahead horizon.
public struct ClosestApproach: Hashable, Sendable {
    /// Seconds after the reference instant at which they are closest.
    public let secondsFromReference: Double
    /// The geodesic (horizontal) distance in metres at that moment.
    public let distanceMeters: Double
    /// The absolute altitude difference in metres at that moment.
    public let verticalSeparationMeters: Double
    /// Where each unit is at that moment.
    public let first: LatLng
    public let second: LatLng

    /// The time and distance of closest approach of `a` and `b` between `reference`
    /// and `reference + horizon`, each unit following its track.
    ///
    /// The separation is sampled, intervals in which it could dip below the best sample
    /// (it changes no faster than the sum of the speeds) are searched by golden
    /// section, so the result is the global minimum over the horizon to about a
    /// millimetre.
    ///
    /// - Throws: ``GeometryError`` with code ``GeometryError/Code/negativeHorizon`` or
    ///   ``GeometryError/Code/notFinite`` (field `horizon`).
    public static func between(_ a: Track, _ b: Track, from reference: Date, horizon: Double) throws(GeometryError) -> ClosestApproach {
        try GeometryError.requireHorizon(horizon)
        let offsetA = reference.timeIntervalSince(a.time)
        let offsetB = reference.timeIntervalSince(b.time)
        func separation(_ t: Double) -> Double {
            Geodesic.distance(a.position(after: offsetA + t), b.position(after: offsetB + t))
        }
        let closingSpeed = a.speedMetersPerSecond + b.speedMetersPerSecond
        var best = (argument: 0.0, value: separation(0))
        if closingSpeed > 0, horizon > 0 {
            let segments = max(8, min(4_096, Int((closingSpeed * horizon / 20_000).rounded(.up))))
            let step = horizon / Double(segments)
            var values: [Double] = [best.value]
            values.reserveCapacity(segments + 1)
            for index in 1...segments {
                let t = index == segments ? horizon : Double(index) * step
                let value = separation(t)
                values.append(value)
                if value < best.value { best = (t, value) }
            }
            // Intervals whose lowest possible separation beats the best sample.
            var intervals: [(index: Int, bound: Double)] = []
            for index in 0..<segments {
                let bound = (values[index] + values[index + 1] - closingSpeed * step) / 2
                if bound < best.value { intervals.append((index, bound)) }
            }
            intervals.sort { $0.bound < $1.bound }
            let tolerance = 1e-3 / closingSpeed
            for interval in intervals where interval.bound < best.value {
                let lower = Double(interval.index) * step
                let upper = interval.index + 1 == segments ? horizon : lower + step
                let found = Minimization.minimum(lower, upper, tolerance: tolerance, separation)
                if found.value < best.value { best = found }
            }
        }
        let t = best.argument
        return ClosestApproach(
            secondsFromReference: t, distanceMeters: best.value,
            verticalSeparationMeters: abs(a.altitude(after: offsetA + t) - b.altitude(after: offsetB + t)),
            first: a.position(after: offsetA + t), second: b.position(after: offsetB + t))
    }
}
