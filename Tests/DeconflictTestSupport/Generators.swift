public import DeconflictGeometry
import Foundation

/// Random shapes for property tests and benchmarks.
public enum Generators {
    /// Where the index and cell tests draw their zones: a busy region (the seed
    /// scenario's), a band along the antimeridian and a cap around the north pole.
    public static let testRegions = [
        BoundingBox(minLatitude: 29, maxLatitude: 38, minLongitude: 33, maxLongitude: 44),
        BoundingBox(minLatitude: -20, maxLatitude: 20, minLongitude: 179, maxLongitude: 180),
        BoundingBox(minLatitude: 86, maxLatitude: 89.9, minLongitude: -180, maxLongitude: 180),
    ]

    /// The grids of `size`-degree cells aligned on multiples of `size` from (−90, −180)
    /// that cover `box`, one for each side of the antimeridian.
    public static func grids(covering box: BoundingBox, size: Double) -> [CellGrid] {
        box.split.map { piece in
            let firstRow = ((piece.minLatitude + 90) / size).rounded(.down)
            let firstColumn = ((piece.minLongitude + 180) / size).rounded(.down)
            return CellGrid(
                minLatitude: firstRow * size - 90, minLongitude: firstColumn * size - 180, cellDegrees: size,
                rows: Int(((piece.maxLatitude + 90) / size).rounded(.down) - firstRow) + 1,
                columns: Int(((piece.maxLongitude + 180) / size).rounded(.down) - firstColumn) + 1)
        }
    }

    /// A position drawn uniformly from a latitude/longitude box (not crossing ±180°).
    public static func position(
        in box: BoundingBox, using rng: inout some RandomNumberGenerator
    ) -> LatLng {
        LatLng(
            uncheckedLatitude: Double.random(in: box.minLatitude...box.maxLatitude, using: &rng),
            longitude: Double.random(in: box.minLongitude...box.maxLongitude, using: &rng))
    }

    /// A position drawn uniformly over the whole sphere.
    public static func anywhere(using rng: inout some RandomNumberGenerator) -> LatLng {
        let z = Double.random(in: -1...1, using: &rng)
        let latitude = asin(z) * 180 / .pi
        return LatLng(uncheckedLatitude: latitude, longitude: Double.random(in: -180...180, using: &rng))
    }

    /// The vertices of a star-shaped ring around `center`: `count` vertices at sorted
    /// random azimuths (no gap wider than 150°), at geodesic distances within
    /// `minimumMeters...maximumMeters`. Such rings never self-intersect.
    public static func starRing(
        around center: LatLng, count: Int, minimumMeters: Double, maximumMeters: Double,
        using rng: inout some RandomNumberGenerator
    ) -> [LatLng] {
        precondition(count >= 3)
        var azimuths: [Double]
        repeat {
            azimuths = (0..<count).map { _ in Double.random(in: 0..<360, using: &rng) }.sorted()
        } while zip(azimuths, azimuths.dropFirst() + [azimuths[0] + 360]).contains { $1 - $0 > 150 }
        return azimuths.map { azimuth in
            Geodesic.destination(
                from: center, azimuthDegrees: azimuth,
                distanceMeters: Double.random(in: minimumMeters...maximumMeters, using: &rng))
        }
    }

    /// A circle or a star polygon with 8–200 vertices centred in `box`, of radius
    /// within `radii` metres: the mixed zones of the benchmarks.
    public static func zone(
        in box: BoundingBox, radii: ClosedRange<Double>, using rng: inout some RandomNumberGenerator
    ) -> Footprint {
        let center = position(in: box, using: &rng)
        let radius = Double.random(in: radii, using: &rng)
        if Bool.random(using: &rng) {
            return .circle(try! Circle(center: center, radiusMeters: radius))
        }
        let count = Int.random(in: 8...200, using: &rng)
        let ring = starRing(around: center, count: count, minimumMeters: radius * 0.5, maximumMeters: radius, using: &rng)
        return .polygon(try! Polygon(outer: ring))
    }
}
