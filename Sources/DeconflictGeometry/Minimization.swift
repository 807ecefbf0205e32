/// One-dimensional searches used by the exact refinements.
enum Minimization {
    /// The minimum of `f` on `lower...upper` by Brent's method: golden-section steps,
    /// and parabolic steps through the three best points where they fall inside the
    /// bracket, assuming `f` is unimodal there. Stops when the bracket is narrower than
    /// `tolerance`; the ends are candidates too.
    ///
    /// - Returns: the argument and value of the smallest evaluation.
    static func minimum(
        _ lower: Double, _ upper: Double, tolerance: Double, _ f: (Double) -> Double
    ) -> (argument: Double, value: Double) {
        let golden = (3 - 5.0.squareRoot()) / 2
        let tol1 = tolerance / 4, tol2 = tolerance / 2
        var a = lower, b = upper
        var x = a + golden * (b - a), w = x, v = x
        var fx = f(x), fw = fx, fv = fx
        var d = 0.0, e = 0.0
        for _ in 0..<200 {
            let middle = (a + b) / 2
            if abs(x - middle) <= tol2 - (b - a) / 2 { break }
            var parabolic = false
            if abs(e) > tol1 {
                let r = (x - w) * (fx - fv)
                var q = (x - v) * (fx - fw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p } else { q = -q }
                let previous = e
                e = d
                if abs(p) < abs(0.5 * q * previous), p > q * (a - x), p < q * (b - x) {
                    d = p / q
                    let u = x + d
                    if u - a < tol2 || b - u < tol2 { d = middle >= x ? tol1 : -tol1 }
                    parabolic = true
                }
            }
            if !parabolic {
                e = (x >= middle ? a : b) - x
                d = golden * e
            }
            let u = abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1)
            let fu = f(u)
            if fu <= fx {
                if u >= x { a = x } else { b = x }
                (v, fv) = (w, fw)
                (w, fw) = (x, fx)
                (x, fx) = (u, fu)
            } else {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    (v, fv) = (w, fw)
                    (w, fw) = (u, fu)
                } else if fu <= fv || v == x || v == w {
                    (v, fv) = (u, fu)
                }
            }
        }
        var best = (x, fx)
        // The ends are candidates too: a monotone function has its minimum there.
        for end in [lower, upper] {
            let value = f(end)
            if value < best.1 { best = (end, value) }
        }
        return (best.0, best.1)
    }

    /// The minimum of `f` on `lower...upper`: samples it at `samples + 1` evenly spaced
    /// points, then refines around the best sample by Brent's method.
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
        return minimum(from, to, tolerance: tolerance, f)
    }

    /// A root of `f` in `lower...upper` by bisection, given `f(lower) > 0 >= f(upper)`
    /// (or the reverse); returns the end of the final bracket on the `f <= 0` side.
    /// A root of `f` in `lower...upper`, given `f(lower) > 0 >= f(upper)`, by regula
    /// falsi with the Illinois modification (the retained end's value is halved when
    /// the same end is kept twice) and never closer than half the tolerance to an end,
    /// so the bracket closes; returns the end of the final bracket on the `f <= 0` side,
    /// within `tolerance` of the crossing like ``bisect(_:_:tolerance:_:)``, in far
    /// fewer evaluations when `f` is smooth.
    static func root(_ lower: Double, _ upper: Double, tolerance: Double, _ f: (Double) -> Double) -> Double {
        var outside = lower, inside = upper
        var outsideValue = f(lower), insideValue = f(upper)
        guard outsideValue > 0, insideValue <= 0 else { return bisect(lower, upper, tolerance: tolerance) { f($0) <= 0 } }
        var kept = 0
        var iterations = 0
        while abs(inside - outside) > tolerance, iterations < 200 {
            iterations += 1
            let low = min(outside, inside) + tolerance / 2, high = max(outside, inside) - tolerance / 2
            var x = (outside * insideValue - inside * outsideValue) / (insideValue - outsideValue)
            if !x.isFinite || iterations % 8 == 0 { x = (outside + inside) / 2 }
            x = min(max(x, low), high)
            let value = f(x)
            if value <= 0 {
                inside = x
                insideValue = value
                if kept == -1 { outsideValue /= 2 }
                kept = -1
            } else {
                outside = x
                outsideValue = value
                if kept == 1 { insideValue /= 2 }
                kept = 1
            }
        }
        return inside
    }

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
