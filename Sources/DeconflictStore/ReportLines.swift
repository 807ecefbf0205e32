public import DeconflictEngine
import DeconflictGeometry
public import Foundation

/// How a ledger entry of type ``ledgerType`` carries a batch of position reports: a JSON
/// object whose `batch` is the batch's id and whose `reports` are one canonical line each
/// (`unit time latitude longitude altitude speed course uncertainty`, times in seconds
/// since 1970, numbers in their shortest exact form, so every value reads back exactly).
///
/// The ledger's `ReportBatchPayload` writes these entries; the SQLite store reads them
/// back to fill its `reports` table after a stop that left reports unwritten there, so
/// the ledger entry is the one durable copy of a batch's reports. Every version of the
/// payload ever written keeps these two keys.
public enum ReportLines {
    /// The ledger type of an entry that carries a batch of reports.
    public static let ledgerType = "reports.accepted"

    /// A report as its canonical line.
    public static func line(_ report: PositionReport) -> String {
        "\(report.unit.rawValue) \(report.time.timeIntervalSince1970) \(report.position.latitude) \(report.position.longitude) \(report.altitudeMeters) \(report.speedMetersPerSecond) \(report.courseDegrees) \(report.uncertaintyMeters)"
    }

    /// The report of a canonical line, or nil when it does not read as one.
    public static func report(_ line: some StringProtocol) -> PositionReport? {
        let parts = line.split(separator: " ")
        guard parts.count == 8, let time = Double(parts[1]), let latitude = Double(parts[2]), let longitude = Double(parts[3]),
              let altitude = Double(parts[4]), let speed = Double(parts[5]), let course = Double(parts[6]),
              let uncertainty = Double(parts[7])
        else { return nil }
        return PositionReport(
            unit: UnitID(String(parts[0])), time: Date(timeIntervalSince1970: time),
            position: LatLng(uncheckedLatitude: latitude, longitude: longitude), altitudeMeters: altitude,
            speedMetersPerSecond: speed, courseDegrees: course, uncertaintyMeters: uncertainty)
    }

    /// The keys of the payload the store reads.
    private struct Carried: Decodable {
        let batch: String
        let reports: [String]
    }

    /// The batch an entry's payload carries: its id and its reports (lines that do not
    /// read are skipped, as a replay skips them).
    ///
    /// - Throws: when the payload is not a JSON object with a `batch` string and a
    ///   `reports` array of strings.
    static func batch(inPayload payload: String) throws -> (id: String, reports: [PositionReport]) {
        let carried = try JSONDecoder().decode(Carried.self, from: Data(payload.utf8))
        return (carried.batch, carried.reports.compactMap { report($0) })
    }
}
