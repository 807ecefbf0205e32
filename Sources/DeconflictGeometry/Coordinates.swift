/// Shapes from the plain coordinate arrays of configuration files and requests:
/// positions as `[latitude, longitude]`, polygons as rings of positions, altitude bands
/// as `[lower, upper]`. Errors name the offending value relative to the shape
/// (`circle.radius`, `polygon[0][3].latitude`); nest them under the caller's own path
/// with ``GeometryError/nested(under:)``.
extension LatLng {
    /// A position from `[latitude, longitude]` in degrees.
    public init(coordinates pair: [Double]) throws(GeometryError) {
        guard pair.count == 2 else {
            throw GeometryError(.malformed, field: nil, reason: "a position is [latitude, longitude], got \(pair.count) numbers")
        }
        try self.init(latitude: pair[0], longitude: pair[1])
    }
}

extension AltitudeBand {
    /// A band from `[lower, upper]` metres.
    public init(coordinates pair: [Double]) throws(GeometryError) {
        guard pair.count == 2 else {
            throw GeometryError(.malformed, field: nil, reason: "an altitude band is [lower, upper] metres, got \(pair.count) numbers")
        }
        try self.init(lowerMeters: pair[0], upperMeters: pair[1])
    }
}

extension Footprint {
    /// A circle (centre and radius in metres) or a polygon (rings of positions, the first
    /// the outer ring, the others holes): exactly one of the two.
    public init(circleCenter center: [Double]?, radiusMeters radius: Double?, polygon rings: [[[Double]]]?) throws(GeometryError) {
        switch (center, rings) {
        case (let center?, nil):
            let position: LatLng
            do {
                position = try LatLng(coordinates: center)
            } catch {
                throw error.nested(under: "circle.center")
            }
            guard let radius else { throw GeometryError(.malformed, field: "circle.radius", reason: "a circle needs a radius") }
            do {
                self = .circle(try Circle(center: position, radiusMeters: radius))
            } catch {
                throw GeometryError(error.code, field: "circle.radius", reason: error.reason)
            }
        case (nil, let rings?):
            guard let outer = rings.first, !outer.isEmpty else {
                throw GeometryError(.malformed, field: "polygon", reason: "a polygon needs an outer ring")
            }
            let vertices = rings.reduce(0) { $0 + $1.count }
            guard vertices <= Polygon.maximumVertexCount else {
                throw GeometryError(.tooManyVertices, field: "polygon",
                                    reason: "a polygon may have at most \(Polygon.maximumVertexCount) vertices, got \(vertices)")
            }
            var converted: [[LatLng]] = []
            converted.reserveCapacity(rings.count)
            for (ring, points) in rings.enumerated() {
                var ringPoints: [LatLng] = []
                ringPoints.reserveCapacity(points.count)
                for (vertex, pair) in points.enumerated() {
                    do {
                        ringPoints.append(try LatLng(coordinates: pair))
                    } catch {
                        throw error.nested(under: "polygon[\(ring)][\(vertex)]")
                    }
                }
                converted.append(ringPoints)
            }
            do {
                self = .polygon(try Polygon(outer: converted[0], holes: Array(converted.dropFirst())))
            } catch {
                throw error.nested(under: "polygon")
            }
        case (nil, nil):
            throw GeometryError(.malformed, field: nil, reason: "needs a circle or a polygon")
        case (_?, _?):
            throw GeometryError(.malformed, field: nil, reason: "has both a circle and a polygon; give one")
        }
    }
}
