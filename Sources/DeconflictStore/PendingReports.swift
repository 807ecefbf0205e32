import DeconflictEngine
import DeconflictGeometry
import Foundation

/// The report batches a SQLite store has committed but not yet written into its
/// `reports` table, in commit order.
///
/// A batch's reports are durable from its commit on (in the ledger entry and in the
/// `pending_reports` row written in the same transaction); the `reports` table, which
/// only serves queries, receives them a moment later, many batches in one transaction
/// sorted by unit, so a unit's index page is written once a flush rather than once a
/// report. Until then the store's queries read them from here.
struct PendingReports: Sendable {
    /// A committed batch.
    struct Batch: Sendable {
        let id: String
        let reports: [PositionReport]
    }

    /// Whether commits defer their reports (while the store runs, ``SQLiteStore/run()``).
    var deferring = false
    private(set) var batches: [Batch] = []
    private(set) var reportCount = 0

    /// Adds a batch, its times as the `reports` table reads them back (seconds since
    /// 1970), so a report reads the same pending or stored.
    mutating func add(_ batch: Batch) {
        let reports = batch.reports.map { report in
            var report = report
            report.time = Date(timeIntervalSince1970: report.time.timeIntervalSince1970)
            return report
        }
        batches.append(Batch(id: batch.id, reports: reports))
        reportCount += reports.count
    }

    /// Forgets the first `count` batches (written to the table, or by another process).
    mutating func removeFirst(_ count: Int) {
        for batch in batches.prefix(count) { reportCount -= batch.reports.count }
        batches.removeFirst(count)
    }

    /// Every pending report of `unit`, oldest first.
    func reports(of unit: UnitID) -> [PositionReport] {
        batches.flatMap { $0.reports.filter { $0.unit == unit } }.sorted { $0.time < $1.time }
    }

    /// The pending reports of `units`, each unit's oldest first.
    func reports(of units: Set<UnitID>) -> [UnitID: [PositionReport]] {
        var found: [UnitID: [PositionReport]] = [:]
        for batch in batches {
            for report in batch.reports where units.contains(report.unit) { found[report.unit, default: []].append(report) }
        }
        return found.mapValues { $0.sorted { $0.time < $1.time } }
    }

    /// Each unit's last pending report at or before `instant`.
    func latest(atOrBefore instant: Date) -> [UnitID: PositionReport] {
        var latest: [UnitID: PositionReport] = [:]
        for batch in batches {
            for report in batch.reports where report.time.timeIntervalSince1970 <= instant.timeIntervalSince1970 {
                if let known = latest[report.unit], known.time >= report.time { continue }
                latest[report.unit] = report
            }
        }
        return latest
    }
}

/// The `pending_reports` row's encoding of a batch's reports: a little-endian count, then
/// per report the unit's UTF-8 length (2 bytes) and bytes, and seven IEEE 754 doubles
/// (time in seconds since 1970, latitude, longitude, altitude, speed, course,
/// uncertainty), so every value reads back exactly.
enum PendingReportsCodec {
    static func encode(_ reports: [PositionReport]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + reports.count * 80)
        append(UInt32(reports.count), to: &bytes)
        for report in reports {
            let unit = Array(report.unit.rawValue.utf8.prefix(Int(UInt16.max)))
            append(UInt16(unit.count), to: &bytes)
            bytes.append(contentsOf: unit)
            for value in [
                report.time.timeIntervalSince1970, report.position.latitude, report.position.longitude, report.altitudeMeters,
                report.speedMetersPerSecond, report.courseDegrees, report.uncertaintyMeters,
            ] {
                append(value.bitPattern, to: &bytes)
            }
        }
        return bytes
    }

    /// The reports of `bytes`, or nil when they are not what ``encode(_:)`` writes.
    static func decode(_ bytes: [UInt8]) -> [PositionReport]? {
        var offset = 0
        func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { return nil }
            var value: T = 0
            for i in 0..<size { value |= T(bytes[offset + i]) << (8 * i) }
            offset += size
            return value
        }
        guard let count = read(UInt32.self) else { return nil }
        var reports: [PositionReport] = []
        reports.reserveCapacity(Int(min(count, 1_000_000)))
        for _ in 0..<count {
            guard let length = read(UInt16.self), offset + Int(length) <= bytes.count else { return nil }
            let unit = String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
            offset += Int(length)
            var values: [Double] = []
            for _ in 0..<7 {
                guard let bits = read(UInt64.self) else { return nil }
                values.append(Double(bitPattern: bits))
            }
            reports.append(PositionReport(
                unit: UnitID(unit), time: Date(timeIntervalSince1970: values[0]),
                position: LatLng(uncheckedLatitude: values[1], longitude: values[2]), altitudeMeters: values[3],
                speedMetersPerSecond: values[4], courseDegrees: values[5], uncertaintyMeters: values[6]))
        }
        return offset == bytes.count ? reports : nil
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        for i in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}
