import DeconflictGeometry
import DeconflictTestSupport
import Foundation
import Testing

@Suite("Cells classified against an outline are never wrong")
struct CellClassificationTests {
    /// Every cell said to be wholly inside (or outside) holds only points inside (or
    /// outside): its corners, its edges' midpoints and random points, near the poles and
    /// across the antimeridian too.
    @Test(arguments: Array(UInt64(1)...UInt64(8)))
    func decidedCellsAgreeWithContainment(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let regions = Generators.testRegions
        var decided = 0, undecided = 0
        for step in 0..<60 {
            let zone = Generators.zone(in: regions[step % 3], radii: 500...300_000, using: &rng)
            let box = zone.boundingBox
            let span = max(box.maxLatitude - box.minLatitude, box.longitudeSpan)
            let size = span / Double.random(in: 2...16, using: &rng)
            for grid in Generators.grids(covering: box, size: size) {
                let classes = zone.classifyCells(grid)
                #expect(classes.count == grid.rows * grid.columns)
                for row in 0..<grid.rows {
                    for column in 0..<grid.columns {
                        guard let inside = classes[row * grid.columns + column] else {
                            undecided += 1
                            continue
                        }
                        decided += 1
                        let south = max(-90, grid.minLatitude + Double(row) * size)
                        let north = min(90, grid.minLatitude + Double(row + 1) * size)
                        let west = grid.minLongitude + Double(column) * size, east = west + size
                        var samples = [(south, west), (south, east), (north, west), (north, east),
                                       ((south + north) / 2, west), ((south + north) / 2, east),
                                       (south, (west + east) / 2), (north, (west + east) / 2)]
                        for _ in 0..<6 {
                            samples.append((Double.random(in: south...north, using: &rng), Double.random(in: west...east, using: &rng)))
                        }
                        for (latitude, longitude) in samples where longitude <= 180 {
                            let point = LatLng(uncheckedLatitude: latitude, longitude: longitude)
                            // Corners may sit on the boundary itself: allow a millimetre.
                            if abs(zone.signedDistance(to: point)) < 1e-3 { continue }
                            #expect(zone.contains(point) == inside, "seed \(seed) step \(step) cell \(row),\(column) \(point)")
                        }
                    }
                }
            }
        }
        // Many cells are decided (a star's edges cross most cells of a coarse grid): the
        // classification is useful, not only safe.
        #expect(decided * 2 > undecided)
    }

    /// A boundary record answers exactly what the polygon answers, for points all over
    /// its cell and for points within a metre of the boundary.
    @Test(arguments: Array(UInt64(1)...UInt64(6)))
    func boundaryRecordsAgreeWithThePolygon(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        // Records are not made within 1° of a pole: the third region stops short of it.
        let regions = Generators.testRegions.dropLast() + [
            BoundingBox(minLatitude: 80, maxLatitude: 86, minLongitude: -180, maxLongitude: 180)
        ]
        var records = 0, checked = 0, nearBoundary = 0
        for step in 0..<40 {
            guard case .polygon(let polygon) = Generators.zone(in: regions[step % 3], radii: 500...200_000, using: &rng)
            else { continue }
            let box = polygon.boundingBox
            let span = max(box.maxLatitude - box.minLatitude, box.longitudeSpan)
            let size = span / Double.random(in: 2...16, using: &rng)
            for grid in Generators.grids(covering: box, size: size) {
                let classes = Footprint.polygon(polygon).classifyCells(grid)
                var arena: [Double] = []
                for row in 0..<grid.rows {
                    for column in 0..<grid.columns where classes[row * grid.columns + column] == nil {
                        let cell = grid.box(row: row, column: column)
                        guard let offset = polygon.appendBoundaryRecord(near: cell, to: &arena) else { continue }
                        records += 1
                        var samples: [LatLng] = (0..<30).map { _ in
                            LatLng(
                                uncheckedLatitude: Double.random(in: cell.minLatitude...cell.maxLatitude, using: &rng),
                                longitude: Double.random(in: cell.minLongitude...min(180, cell.maxLongitude), using: &rng))
                        }
                        // Points within a metre of the boundary: walk from a sample toward a
                        // vertex in the cell, if any, until the status flips.
                        for vertex in polygon.outer where cell.contains(vertex) {
                            for _ in 0..<3 {
                                let sample = samples[Int.random(in: 0..<samples.count, using: &rng)]
                                let inverse = Geodesic.inverse(vertex, sample)
                                let meters = Double.random(in: 0.001...1, using: &rng)
                                samples.append(Geodesic.destination(
                                    from: vertex, azimuthDegrees: inverse.initialAzimuthDegrees + Double.random(in: -60...60, using: &rng),
                                    distanceMeters: meters))
                            }
                        }
                        for point in samples where cell.contains(point) {
                            checked += 1
                            if abs(polygon.signedDistance(to: point)) < 2 { nearBoundary += 1 }
                            let recorded = arena.withUnsafeBufferPointer {
                                Polygon.contains(PreparedPoint(point), record: $0, at: offset)
                            }
                            #expect(recorded == polygon.contains(point), "seed \(seed) step \(step) \(point)")
                        }
                    }
                }
            }
        }
        #expect(records > 100)
        #expect(checked > 3_000)
        #expect(nearBoundary > 100)
    }
}
