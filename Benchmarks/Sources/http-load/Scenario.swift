import DeconflictGeometry
import Foundation

/// A small seeded generator (SplitMix64), so a run's units, zones and probes are the same
/// from run to run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// The units, zones and probes of a run.
///
/// Background units are ground units that move along geodesics at a constant speed, so
/// every report lies exactly on the track the engine projects from the one before (the
/// engine's planned-track shortcut holds, as it would for real vehicles on a straight
/// road). Zones are circles of one agreement between the two parties; a background unit
/// that drives into one raises an incursion alert like any other. Probes are units kept
/// apart for the latency phase: each is first placed, stationary, outside every zone,
/// then reported once at the centre of a zone.
struct Scenario: Sendable {
    /// The region: the 1,000 km square around the At Tanf garrison the other benchmarks use.
    static let latitudes = 29.0...38.0
    static let longitudes = 33.25...44.05

    struct Track: Sendable {
        let id: String
        /// Where the unit is at `Scenario.origin` (scenario time zero).
        let start: LatLng
        let course: Double
        let speed: Double
        /// Offset of the unit's reports within each reporting interval, seconds.
        let phase: Double
    }

    struct Zone: Sendable {
        let id: String
        let center: LatLng
        let radius: Double
    }

    struct Probe: Sendable {
        let id: String
        let outside: LatLng
        let zone: Zone
    }

    let tracks: [Track]
    let zones: [Zone]
    let probes: [Probe]
    /// Seconds between two reports of one unit, in scenario time.
    let interval: Double

    init(units: Int, zones zoneCount: Int, probes probeCount: Int, interval: Double, seed: UInt64 = 42) {
        var random = SeededGenerator(seed: seed)
        func point() -> LatLng {
            LatLng(
                uncheckedLatitude: Double.random(in: Self.latitudes, using: &random),
                longitude: Double.random(in: Self.longitudes, using: &random))
        }
        self.interval = interval
        tracks = (0..<units).map { index in
            Track(
                id: "u\(index)", start: point(), course: Double.random(in: 0..<360, using: &random),
                speed: Double.random(in: 5...20, using: &random), phase: Double.random(in: 0..<interval, using: &random))
        }
        let zones = (0..<zoneCount).map { index in
            Zone(id: "z\(index)", center: point(), radius: Double.random(in: 2_000...8_000, using: &random))
        }
        self.zones = zones
        // A probe starts 20–40 km from its zone's centre, clear of every zone by 1 km.
        probes = (0..<probeCount).map { index in
            let zone = zones[index % zones.count]
            while true {
                let outside = Geodesic.direct(
                    from: zone.center, azimuthDegrees: Double.random(in: 0..<360, using: &random),
                    distanceMeters: Double.random(in: 20_000...40_000, using: &random)
                ).position
                let clear = zones.allSatisfy { Geodesic.inverse($0.center, outside).distanceMeters > $0.radius + 1_000 }
                if clear { return Probe(id: "p\(index)", outside: outside, zone: zone) }
            }
        }
    }

    /// Where `track` is `seconds` after the scenario's origin, and its course there.
    func position(of track: Track, at seconds: Double) -> (position: LatLng, course: Double) {
        let moved = Geodesic.direct(from: track.start, azimuthDegrees: track.course, distanceMeters: track.speed * seconds)
        return (moved.position, moved.azimuthDegrees)
    }
}
