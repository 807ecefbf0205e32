/// One-dimensional searches used by the exact refinements.
enum Minimization {
    /// The minimum of `f` on `lower...upper` by golden-section search, assuming `f` is
    /// unimodal there. Stops when the bracket is narrower than `tolerance`.
    ///
    /// - Returns: the argument and value of the smallest evaluation.
    static func goldenSection(
        _ lower: Double, _ upper: Double, tolerance: Double, _ f: (Double) -> Double
    ) -> (argument: Double, value: Double) {
        let ratio = (5.0.squareRoot() - 1) / 2
        var a = lower, b = upper
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var fc = f(c), fd = f(d)
        var iterations = 0
        while b - a > tolerance, iterations < 200 {
            iterations += 1
            if fc <= fd {
                b = d; d = c; fd = fc
                c = b - ratio * (b - a); fc = f(c)
            } else {
                a = c; c = d; fc = fd
                d = a + ratio * (b - a); fd = f(d)
            }
        }
        var best = fc <= fd ? (c, fc) : (d, fd)
        // The ends are candidates too: a monotone function has its minimum there.
        for end in [lower, upper] {
            let value = f(end)
            if value < best.1 { best = (end, value) }
        }
        return (best.0, best.1)
    }

    /// The minimum of `f` on `lower...upper`: samples it at `samples + 1` evenly spaced
    /// points, then refines around the best sample by golden-section search.
    static func sampledMinimum(
        _ lower: Double, _ upper: Double, samples: Int, tolerance: Double, _ f: (Double) -> Double
    ) -> (argument: Double, value: Double) {
        guard upper > lower else { return (lower, f(lower)) }
        let step = (upper - lower) / Double(samples)
        var bestIndex = 0
        var bestValue = Double.infinity
        for index in 0...samples {
            let value = f(lower + Double(index) * step)
            if value < bestValue {
                bestValue = value
                bestIndex = index
            }
        }
        let from = lower + Double(max(0, bestIndex - 1)) * step
        let to = min(upper, lower + Double(min(samples, bestIndex + 1)) * step)
        return goldenSection(from, to, tolerance: tolerance, f)
    }

    /// A root of `f` in `lower...upper` by bisection, given `f(lower) > 0 >= f(upper)`
    /// (or the reverse); returns the end of the final bracket on the `f <= 0` side.
    static func bisect(_ lower: Double, _ upper: Double, tolerance: Double, _ isInside: (Double) -> Bool) -> Double {
        var outside = lower, inside = upper
        var iterations = 0
        while abs(inside - outside) > tolerance, iterations < 200 {
            iterations += 1
            let middle = (outside + inside) / 2
            if isInside(middle) { inside = middle } else { outside = middle }
        }
        return inside
    }
}
