/// A point or direction in Earth-centred 3-space; unit vectors stand for points on
/// the unit sphere onto which geodetic latitude and longitude are mapped.

struct Vector3: Hashable, Sendable {
    var x: Double
    var y: Double
    var z: Double

    init(_ x: Double, _ y: Double, _ z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    func dot(_ other: Vector3) -> Double { x * other.x + y * other.y + z * other.z }

    func cross(_ other: Vector3) -> Vector3 {
        Vector3(y * other.z - z * other.y, z * other.x - x * other.z, x * other.y - y * other.x)
    }

    var normSquared: Double { x * x + y * y + z * z }
    var norm: Double { normSquared.squareRoot() }

    func normalized() -> Vector3 {
        let n = norm
        return n > 0 ? Vector3(x / n, y / n, z / n) : self
    }

    static func + (a: Vector3, b: Vector3) -> Vector3 { Vector3(a.x + b.x, a.y + b.y, a.z + b.z) }
    static func - (a: Vector3, b: Vector3) -> Vector3 { Vector3(a.x - b.x, a.y - b.y, a.z - b.z) }
    static func * (s: Double, a: Vector3) -> Vector3 { Vector3(s * a.x, s * a.y, s * a.z) }
    static prefix func - (a: Vector3) -> Vector3 { Vector3(-a.x, -a.y, -a.z) }

    /// The angle in radians between two unit vectors, accurate for small and large angles.
    func angle(to other: Vector3) -> Double {
        atan2(cross(other).norm, dot(other))
    }

    /// The squared straight-line distance between two points.
    func chordSquared(to other: Vector3) -> Double {
        let dx = x - other.x, dy = y - other.y, dz = z - other.z
        return dx * dx + dy * dy + dz * dz
    }

    /// A unit vector perpendicular to this one.
    func anyPerpendicular() -> Vector3 {
        let axis = abs(x) < 0.6 ? Vector3(1, 0, 0) : (abs(y) < 0.6 ? Vector3(0, 1, 0) : Vector3(0, 0, 1))
        return cross(axis).normalized()
    }
}
