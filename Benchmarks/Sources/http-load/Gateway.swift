import DeconflictGeometry
import Foundation

/// One connection's share of the background units, like a gateway that forwards the
/// reports of its own vehicles: the units are split between the connections, so each
/// unit's reports travel on one connection, one batch at a time, and reach the server in
/// the order of their times (the engine refuses a report older than the unit's last).
///
/// The gateway's report stream goes round by round over its units: report `index` is
/// unit `index % units.count` in round `index / units.count`, at scenario time
/// `phase + round × interval`. A batch larger than the share holds more than one round.
struct Gateway: Sendable {
    let tracks: [Scenario.Track]
    let interval: Double
    /// Scenario time zero, milliseconds since 1970.
    let originMillis: Int64
    /// The next report of the stream not yet encoded.
    var next = 0

    func report(_ index: Int, scenario: Scenario) -> WireReport {
        let track = tracks[index % tracks.count]
        let round = index / tracks.count
        let offsetMillis = Int64(((track.phase + Double(round) * interval) * 1_000).rounded())
        // The position is the track's at the time written, to the millisecond.
        let (position, course) = scenario.position(of: track, at: Double(offsetMillis) / 1_000)
        return WireReport(unit: track.id, millis: originMillis + offsetMillis, position: position, speed: track.speed, course: course)
    }

    /// Moves the stream on to the first round whose time is not before `millis` (units
    /// skip reports, and stay on their tracks), unless it is there already.
    mutating func skip(toMillis millis: Int64) {
        let round = Int((Double(millis - originMillis) / 1_000 / interval).rounded(.up))
        next = max(next, round * tracks.count)
    }

    /// Encodes the next `count` batches of `size` reports each.
    mutating func encode(batches count: Int, size: Int, format: BodyFormat, scenario: Scenario) -> [EncodedBatch] {
        (0..<count).map { _ in
            let reports = (next..<next + size).map { report($0, scenario: scenario) }
            next += size
            return ReportEncoder.batch(reports, format: format)
        }
    }

    /// The units split into `count` gateways.
    static func split(_ scenario: Scenario, into count: Int, originMillis: Int64) -> [Gateway] {
        (0..<count).map { part in
            Gateway(
                tracks: stride(from: part, to: scenario.tracks.count, by: count).map { scenario.tracks[$0] },
                interval: scenario.interval, originMillis: originMillis)
        }
    }
}
