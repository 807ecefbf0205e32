#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DeconflictGeometry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DeconflictSpatialIndex

// What the engine keeps of each unit, compactly and by slot number, and the two devices
// that keep position reports cheap: a plan that a report on the unit's projected track
// confirms without searching again, and a screen that clears distant pairs of units
// before the exact closest approach.

/// A zone a unit is inside, since when.
struct ZoneVisit: Sendable {
    let zone: ZoneID
    let since: Date
    /// The incursion alert raised on entering, and the distance inside the edge it last
    /// told (rules 2), so a report that moves it little costs no alert lookup.
    var alert: AlertID?
    var toldDistance: Double?
}

/// A zone the unit's track enters, and when.
struct PlannedEntry: Sendable {
    let zone: ZoneID
    let at: Date
}

/// What a full evaluation of a unit's track found, valid while the unit keeps to the
/// track (its later reports lie on it) and nothing else changes.
struct Plan: Sendable {
    /// Where the track starts: the report the plan was made from.
    var basisTime: Date
    var basisPosition: LatLng
    var basisCourse: Double
    /// The first instant at which the zones the unit is inside or heading into may
    /// differ from the plan: the earliest entry, the earliest possible exit, the end of
    /// the slack.
    var validUntil: Date
    /// ``Engine/generation`` when made: any change of zones, agreements or parties
    /// makes every plan stale.
    var generation: UInt32
    /// The zones the track enters before `validUntil` plus the horizon, soonest first.
    var entries: [PlannedEntry]
}

/// An open approach alert of a unit, with the time ahead it last published.
struct Approach: Sendable {
    let zone: ZoneID
    let alert: AlertID
    var secondsAhead: Double
}

/// A unit another has an open separation alert with, and the time ahead the alert
/// last published.
struct Partner: Sendable {
    let slot: Int32
    let alert: AlertID
    var secondsAhead: Double?
}

/// The engine's record of one unit.
struct TrackedUnit: Sendable {
    var unit: Unit
    /// Index of the unit's party in ``Engine/partyOrder``.
    var party: Int32
    var report: PositionReport?
    var plan: Plan?
    /// Zones excluding the unit's party that it is inside.
    var inside: [ZoneVisit] = []
    /// The unit's open approach alerts.
    var approaching: [Approach] = []
    /// The units it has an open separation alert with.
    var partners: [Partner] = []
    /// Where its swept box is listed.
    var sweep: SweepKey?
    var staleAlert: AlertID?
}

/// What the separation detector reads of every candidate, kept apart from the rest of
/// a unit's record in plain values: the last report's time and altitude, the party's
/// slot, and its position and velocity on the unit sphere (velocity in radians per
/// second).
struct Motion: Sendable {
    var time: Date?
    var altitude = 0.0
    var party: Int32
    var x: Float = 0, y: Float = 0, z: Float = 0
    var vx: Float = 0, vy: Float = 0, vz: Float = 0
}

/// Which swept-box index a unit is listed in: its party, its domain and, for aircraft,
/// its altitude band (``Engine/altitudeBandMeters`` each), so that aircraft look only
/// among those at altitudes that could break the vertical minimum.
struct SweepKey: Hashable, Sendable {
    let party: Int32
    let air: Bool
    let band: Int32
}

/// Two slots, the lower first: the key of a separation alert.
struct SlotPair: Hashable, Sendable {
    let low: Int32
    let high: Int32

    init(_ a: Int32, _ b: Int32) {
        low = min(a, b)
        high = max(a, b)
    }
}

extension Engine {
    /// The height of the altitude bands aircraft are indexed by, metres.
    static let altitudeBandMeters = 300.0

    /// The altitude band of `altitude`.
    static func band(_ altitude: Double) -> Int32 {
        Int32(clamping: Int((altitude / altitudeBandMeters).rounded(.down)))
    }

    /// Lists the swept box of `slot` under `key`, moving it from where it was listed.
    mutating func listSweep(_ slot: Int, under key: SweepKey, box: BoundingBox) {
        if let previous = table[slot].sweep, previous != key { sweeps[previous]?.remove(slot) }
        table[slot].sweep = key
        sweeps[key, default: BoxGrid(cellDegrees: key.air ? 1.5 : 0.25)].update(slot, to: box)
    }

    /// The mean Earth radius the separation screen works with, metres.
    static let screenRadius = 6_371_008.8

    public func unit(_ id: UnitID) -> Unit? { slotOf[id].map { table[Int($0)].unit } }

    func lastReport(_ id: UnitID) -> PositionReport? { slotOf[id].flatMap { table[Int($0)].report } }

    /// The open alerts of `id` entering, dwelling in or approaching a zone, found from the
    /// unit's own record (the zones it is inside, its approaches) rather than by looking
    /// through every alert: what disclosure to a zone's owner asks at every read.
    public func openZoneAlerts(of id: UnitID) -> [Alert] {
        guard let slot = slotOf[id] else { return [] }
        let tracked = table[Int(slot)]
        var found: [Alert] = []
        for visit in tracked.inside {
            for kind in [Alert.Kind.incursion, .dwell] {
                if let alert = open[AlertKey(kind: kind, units: [id], zone: visit.zone, agreement: nil, party: nil)].flatMap({ alerts[$0] }),
                   alert.state != .resolved {
                    found.append(alert)
                }
            }
        }
        for approach in tracked.approaching {
            if let alert = alerts[approach.alert], alert.state != .resolved { found.append(alert) }
        }
        return found
    }

    /// Sets the motion of `slot` from its report.
    mutating func setMotion(_ slot: Int, _ report: PositionReport) {
        let phi = report.position.latitude * .pi / 180, lambda = report.position.longitude * .pi / 180
        let course = report.courseDegrees * .pi / 180
        let (sinPhi, cosPhi) = (sin(phi), cos(phi)), (sinLambda, cosLambda) = (sin(lambda), cos(lambda))
        // East and north at the position.
        let east = (-sinLambda, cosLambda, 0.0)
        let north = (-sinPhi * cosLambda, -sinPhi * sinLambda, cosPhi)
        let rate = report.speedMetersPerSecond / Engine.screenRadius
        let (ve, vn) = (rate * sin(course), rate * cos(course))
        motions[slot] = Motion(
            time: report.time, altitude: report.altitudeMeters, party: motions[slot].party,
            x: Float(cosPhi * cosLambda), y: Float(cosPhi * sinLambda), z: Float(sinPhi),
            vx: Float(ve * east.0 + vn * north.0), vy: Float(ve * east.1 + vn * north.1), vz: Float(ve * east.2 + vn * north.2))
    }

    /// A lower bound, within the screen's tolerance, of the horizontal distance between
    /// the tracks of `a` (reported now) and `b` over the next `horizon` seconds, in
    /// metres; the bound's allowance for what the model leaves out; and when, in seconds
    /// from now, the model's closest approach is.
    ///
    /// Both tracks are extrapolated in 3D from their reports and projected on the tangent
    /// plane at `a`; the closest approach of two straight lines has a closed form. The
    /// model is a sphere, so distances on the ellipsoid may differ by up to 0.6 %; the
    /// caller clears a pair only with the allowance added, and a property test holds the
    /// screen against the exact closest approach.
    func screen(_ a: Int, _ b: Int, lag: Double, horizon: Double) -> (distance: Double, allowance: Double, seconds: Double) {
        let p = motions[a], q = motions[b]
        let lagF = Float(lag)
        // b at a's time.
        var rx = Double(q.x + q.vx * lagF - p.x), ry = Double(q.y + q.vy * lagF - p.y), rz = Double(q.z + q.vz * lagF - p.z)
        var wx = Double(q.vx - p.vx), wy = Double(q.vy - p.vy), wz = Double(q.vz - p.vz)
        // Onto the tangent plane at a.
        let (nx, ny, nz) = (Double(p.x), Double(p.y), Double(p.z))
        let rn = rx * nx + ry * ny + rz * nz, wn = wx * nx + wy * ny + wz * nz
        rx -= rn * nx; ry -= rn * ny; rz -= rn * nz
        wx -= wn * nx; wy -= wn * ny; wz -= wn * nz
        let ww = wx * wx + wy * wy + wz * wz
        let t = ww > 0 ? min(horizon, max(0, -(rx * wx + ry * wy + rz * wz) / ww)) : 0
        let (dx, dy, dz) = (rx + wx * t, ry + wy * t, rz + wz * t)
        let distance = (dx * dx + dy * dy + dz * dz).squareRoot() * Engine.screenRadius
        let span = ((rx * rx + ry * ry + rz * rz).squareRoot() + ww.squareRoot() * horizon
            + Double(abs(q.vx) + abs(q.vy) + abs(q.vz)) * lag) * Engine.screenRadius
        // The straight lines leave the sphere by s²/2R, which the projection removes
        // but for a tilt of at most span/R; the rest is Float rounding and the cubic
        // term of the arcs, well under the constant.
        let span3 = span * span * span / (2 * Engine.screenRadius * Engine.screenRadius)
        return (distance, 20 + 0.002 * span + span3, t)
    }

    /// The boxes a unit reported now sweeps: over the separation horizon (where it
    /// looks for others) and over the stale time plus the horizon (where others may
    /// find it, projecting its report until it is stale).
    func sweptBoxes(of report: PositionReport) -> (query: BoundingBox, swept: BoundingBox) {
        let horizon = configuration.separationHorizonSeconds
        let longest = horizon + configuration.staleAfterSeconds
        let speed = report.speedMetersPerSecond
        let length = speed * longest
        // Short sweeps: a box around the position is close enough.
        guard length > 30_000 else {
            return (
                BoundingBox.around(report.position, radiusMeters: 1 + speed * horizon),
                BoundingBox.around(report.position, radiusMeters: 1 + length))
        }
        // A geodesic strays from the box of its ends and middle by less than the sagitta.
        let margin = 100 + length * length / (4 * Engine.screenRadius)
        func at(_ seconds: Double) -> BoundingBox {
            BoundingBox.around(
                Geodesic.destination(from: report.position, azimuthDegrees: report.courseDegrees, distanceMeters: speed * seconds),
                radiusMeters: margin)
        }
        let start = BoundingBox.around(report.position, radiusMeters: margin)
        let query = start.union(at(horizon / 2)).union(at(horizon))
        return (query, query.union(at((horizon + longest) / 2)).union(at(longest)))
    }

    /// The separation parameters between the parties in slots `a` and `b`, from a table
    /// rebuilt when agreements, parties or responsibilities change.
    mutating func pairParameters(_ a: Int32, _ b: Int32) -> Agreement.Parameters? {
        let count = partyOrder.count
        if parameterGeneration != generation || parameterTable.count != count * count {
            parameterTable = []
            parameterTable.reserveCapacity(count * count)
            for first in partyOrder {
                for second in partyOrder {
                    parameterTable.append(first == second ? nil : separationParameters(first, second))
                }
            }
            parameterGeneration = generation
        }
        return parameterTable[Int(a) * count + Int(b)]
    }
}

extension BoundingBox {
    /// The box grown by `meters` on every side (not across a pole).
    func expanded(byMeters meters: Double) -> BoundingBox {
        let degrees = meters / Geodesic.minimumCurvatureRadius * 180 / .pi
        let minLatitude = max(-90, self.minLatitude - degrees), maxLatitude = min(90, self.maxLatitude + degrees)
        let widest = max(abs(minLatitude), abs(maxLatitude))
        guard widest < 89, longitudeSpan + 2 * degrees / cos(widest * .pi / 180) < 359 else {
            return BoundingBox(minLatitude: minLatitude, maxLatitude: maxLatitude, minLongitude: -180, maxLongitude: 180)
        }
        let longitudeDegrees = degrees / cos(widest * .pi / 180)
        func wrap(_ longitude: Double) -> Double {
            longitude > 180 ? longitude - 360 : longitude < -180 ? longitude + 360 : longitude
        }
        return BoundingBox(
            minLatitude: minLatitude, maxLatitude: maxLatitude,
            minLongitude: wrap(minLongitude - longitudeDegrees), maxLongitude: wrap(maxLongitude + longitudeDegrees))
    }
}
