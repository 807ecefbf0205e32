// The handful of C maths functions the module needs, re-declared so that no other
// file imports the platform's C library and no client sees it through this module.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
@inline(__always) func sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func tan(_ x: Double) -> Double { Glibc.tan(x) }
@inline(__always) func asin(_ x: Double) -> Double { Glibc.asin(x) }
@inline(__always) func acos(_ x: Double) -> Double { Glibc.acos(x) }
@inline(__always) func atan(_ x: Double) -> Double { Glibc.atan(x) }
@inline(__always) func atan2(_ y: Double, _ x: Double) -> Double { Glibc.atan2(y, x) }
@inline(__always) func fmod(_ x: Double, _ y: Double) -> Double { Glibc.fmod(x, y) }
@inline(__always) func hypot(_ x: Double, _ y: Double) -> Double { Glibc.hypot(x, y) }
#elseif canImport(Musl)
@inline(__always) func sin(_ x: Double) -> Double { Musl.sin(x) }
@inline(__always) func cos(_ x: Double) -> Double { Musl.cos(x) }
@inline(__always) func tan(_ x: Double) -> Double { Musl.tan(x) }
@inline(__always) func asin(_ x: Double) -> Double { Musl.asin(x) }
@inline(__always) func acos(_ x: Double) -> Double { Musl.acos(x) }
@inline(__always) func atan(_ x: Double) -> Double { Musl.atan(x) }
@inline(__always) func atan2(_ y: Double, _ x: Double) -> Double { Musl.atan2(y, x) }
@inline(__always) func fmod(_ x: Double, _ y: Double) -> Double { Musl.fmod(x, y) }
@inline(__always) func hypot(_ x: Double, _ y: Double) -> Double { Musl.hypot(x, y) }
#elseif canImport(Darwin)
@inline(__always) func sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) func cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func tan(_ x: Double) -> Double { Darwin.tan(x) }
@inline(__always) func asin(_ x: Double) -> Double { Darwin.asin(x) }
@inline(__always) func acos(_ x: Double) -> Double { Darwin.acos(x) }
@inline(__always) func atan(_ x: Double) -> Double { Darwin.atan(x) }
@inline(__always) func atan2(_ y: Double, _ x: Double) -> Double { Darwin.atan2(y, x) }
@inline(__always) func fmod(_ x: Double, _ y: Double) -> Double { Darwin.fmod(x, y) }
@inline(__always) func hypot(_ x: Double, _ y: Double) -> Double { Darwin.hypot(x, y) }
#endif

let degreesPerRadian = 180.0 / Double.pi
let radiansPerDegree = Double.pi / 180.0

extension Double {
    /// This angle, in degrees, as radians.
    var radians: Double { self * radiansPerDegree }
    /// This angle, in radians, as degrees.
    var degrees: Double { self * degreesPerRadian }
}

/// Wraps a longitude in degrees into −180...180.
func wrapLongitude(_ longitude: Double) -> Double {
    if longitude >= -180, longitude <= 180 { return longitude }
    var wrapped = fmod(longitude + 180, 360)
    if wrapped < 0 { wrapped += 360 }
    return wrapped - 180
}
