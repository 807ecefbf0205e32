import CS2Shim
import DeconflictGeometry

/// Google's S2 library, reached through the `CS2Shim` wrapper: the independent oracle
/// for great-circle polygon predicates.
final class S2Oracle {
    private let handle: OpaquePointer
    let error: String? = nil

    /// The S2 polygon for `rings`, or the reason S2 refuses them.
    static func make(_ rings: [[LatLng]]) -> Result<S2Oracle, S2Refusal> {
        var flat: [Double] = []
        for ring in rings { for vertex in ring { flat += [vertex.latitude, vertex.longitude] } }
        let sizes = rings.map { Int32($0.count) }
        var message = [CChar](repeating: 0, count: 256)
        let pointer = flat.withUnsafeBufferPointer { coordinates in
            sizes.withUnsafeBufferPointer { counts in
                s2shim_polygon_create(coordinates.baseAddress, counts.baseAddress, Int32(rings.count), &message, 256)
            }
        }
        guard let pointer else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(S2Refusal(message: text))
        }
        return .success(S2Oracle(handle: pointer))
    }

    private init(handle: OpaquePointer) { self.handle = handle }
    deinit { s2shim_polygon_destroy(handle) }

    func contains(_ point: LatLng) -> Bool {
        s2shim_polygon_contains(handle, point.latitude, point.longitude) != 0
    }

    /// Angle in radians from the point to the boundary.
    func boundaryAngle(_ point: LatLng) -> Double {
        s2shim_polygon_boundary_distance(handle, point.latitude, point.longitude)
    }

    func intersects(_ other: S2Oracle) -> Bool {
        s2shim_polygons_intersect(handle, other.handle) != 0
    }
}

struct S2Refusal: Error {
    let message: String
}
