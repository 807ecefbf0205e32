public import DeconflictGeometry
public import DeconflictSpatialIndex

/// The seeded workloads behind every figure in BENCHMARKS.md, so that the Swift
/// benchmarks and the PostGIS comparison measure exactly the same zones and points.
public enum Workloads {
    /// A 1,000 km square around the At Tanf garrison: 9° of latitude by 10.8° of
    /// longitude (about 1,000 km each way at 33.5°N).
    public static let square = BoundingBox(minLatitude: 29.0, maxLatitude: 38.0, minLongitude: 33.25, maxLongitude: 44.05)

    /// Mixed zones spread over ``square``: half geodesic circles, half star polygons
    /// with 8–200 vertices, radii 1–15 km.
    public static func zones(
        count: Int = 10_000, seed: UInt64 = 1, radii: ClosedRange<Double> = 1_000...15_000
    ) -> [Footprint] {
        var rng = WorkloadRandom(seed: seed)
        return (0..<count).map { _ in zone(using: &rng, radii: radii) }
    }

    /// Query points drawn uniformly from ``square``.
    public static func points(count: Int, seed: UInt64 = 2) -> [LatLng] {
        var rng = WorkloadRandom(seed: seed)
        return (0..<count).map { _ in position(using: &rng) }
    }

    /// The zones in a ``ShapeIndex`` keyed by their position in `zones`.
    public static func index(_ zones: [Footprint]) -> ShapeIndex<Int> {
        ShapeIndex(zones.enumerated().map { ($0.offset, $0.element) })
    }

    static func position(using rng: inout WorkloadRandom) -> LatLng {
        LatLng(
            uncheckedLatitude: Double.random(in: square.minLatitude...square.maxLatitude, using: &rng),
            longitude: Double.random(in: square.minLongitude...square.maxLongitude, using: &rng))
    }

    static func zone(using rng: inout WorkloadRandom, radii: ClosedRange<Double>) -> Footprint {
        let center = position(using: &rng)
        let radius = Double.random(in: radii, using: &rng)
        if Bool.random(using: &rng) {
            return .circle(try! Circle(center: center, radiusMeters: radius))
        }
        let count = Int.random(in: 8...200, using: &rng)
        var azimuths: [Double]
        repeat {
            azimuths = (0..<count).map { _ in Double.random(in: 0..<360, using: &rng) }.sorted()
        } while zip(azimuths, azimuths.dropFirst() + [azimuths[0] + 360]).contains { $1 - $0 > 150 }
        let ring = azimuths.map { azimuth in
            Geodesic.destination(
                from: center, azimuthDegrees: azimuth,
                distanceMeters: Double.random(in: radius * 0.5...radius, using: &rng))
        }
        return .polygon(try! Polygon(outer: ring))
    }

    /// Random small moves for `units` units: each step moves one unit up to 100 m.
    public struct UnitMoves {
        public private(set) var positions: [LatLng]
        private var rng: WorkloadRandom

        public init(units: Int, seed: UInt64 = 3) {
            rng = WorkloadRandom(seed: seed)
            var positions: [LatLng] = []
            positions.reserveCapacity(units)
            for _ in 0..<units { positions.append(Workloads.position(using: &rng)) }
            self.positions = positions
        }

        /// Precomputed moves: (unit, new position), cheap to replay in a timed loop.
        public mutating func moves(count: Int) -> [(Int, LatLng)] {
            (0..<count).map { _ in
                let unit = Int.random(in: 0..<positions.count, using: &rng)
                let old = positions[unit]
                // About 100 m in each direction at 33°N.
                let new = LatLng(
                    uncheckedLatitude: min(90, max(-90, old.latitude + Double.random(in: -0.0009...0.0009, using: &rng))),
                    longitude: old.longitude + Double.random(in: -0.0011...0.0011, using: &rng))
                positions[unit] = new
                return (unit, new)
            }
        }
    }
}

/// The median wall time, in seconds, of `repetitions` runs of `body`; `prepare` runs
/// before each one, untimed.
public func medianSeconds(repetitions: Int, prepare: () -> Void = {}, _ body: () -> Void) -> Double {
    var durations: [Double] = []
    for _ in 0..<max(1, repetitions) {
        prepare()
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        durations.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return durations.sorted()[durations.count / 2]
}

/// SplitMix64: a fixed, portable sequence for a given seed.
public struct WorkloadRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Position reports for the engine benchmark: units of three parties moving in straight
/// lines inside ``Workloads/square``, each reporting in turn.
public struct EngineWorkload {
    public let parties: [String] = ["blue", "red", "green"]
    /// Unit id, party, domain (true for air), start, course, speed.
    public let units: [(id: String, party: String, air: Bool, start: LatLng, course: Double, speed: Double)]

    public init(units count: Int, seed: UInt64 = 4) {
        var rng = WorkloadRandom(seed: seed)
        units = (0..<count).map { index in
            let air = Double.random(in: 0..<1, using: &rng) < 0.2
            return (
                "u\(index)", ["blue", "red", "green"][index % 3], air, Workloads.position(using: &rng),
                Double.random(in: 0..<360, using: &rng), air ? Double.random(in: 150...250, using: &rng) : Double.random(in: 5...20, using: &rng))
        }
    }
}
