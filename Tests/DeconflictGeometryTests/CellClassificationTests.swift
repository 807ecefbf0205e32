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
        let regions = [
            BoundingBox(minLatitude: 29, maxLatitude: 38, minLongitude: 33, maxLongitude: 44),
            BoundingBox(minLatitude: -20, maxLatitude: 20, minLongitude: 179, maxLongitude: 180),
            BoundingBox(minLatitude: 84, maxLatitude: 89.9, minLongitude: -180, maxLongitude: 180),
        ]
        var decided = 0, undecided = 0
        for step in 0..<60 {
            let zone = Generators.zone(in: regions[step % 3], radii: 500...300_000, using: &rng)
            let box = zone.boundingBox
            let span = max(box.maxLatitude - box.minLatitude, box.longitudeSpan)
            let size = span / Double.random(in: 2...16, using: &rng)
            for piece in box.split {
                let firstRow = ((piece.minLatitude + 90) / size).rounded(.down)
                let firstColumn = ((piece.minLongitude + 180) / size).rounded(.down)
                let grid = CellGrid(
                    minLatitude: firstRow * size - 90, minLongitude: firstColumn * size - 180, cellDegrees: size,
                    rows: Int(((piece.maxLatitude + 90) / size).rounded(.down) - firstRow) + 1,
                    columns: Int(((piece.maxLongitude + 180) / size).rounded(.down) - firstColumn) + 1)
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
}
