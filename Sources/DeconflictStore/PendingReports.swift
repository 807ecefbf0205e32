import DeconflictEngine
import DeconflictGeometry
import Foundation

/// The report batches a SQLite store has committed but not yet written into its
/// `reports` table, in commit order (each added as its commit returns, on the writer).
///
/// A batch's reports are durable from its commit on, in its ledger entry
/// (``ReportLines``); the `reports` table, which only serves queries, receives them
/// later. The units fall into ``groups`` groups by
/// their id, and each flush writes one group's pending reports, many batches' worth
/// sorted by unit: a unit's page of the `(unit, time)` index is then written once every
/// `groups` flushes, with that many flushes' reports, rather than once a report (or once a
/// flush). A batch leaves once every group has written its reports. Until then the
/// store's queries read them from here.
struct PendingReports: Sendable {
    /// A committed batch.
    struct Batch: Sendable {
        let id: String
        let reports: [PositionReport]
        /// The last ledger sequence of the commit that wrote it.
        var sequence: Int64 = 0
        /// Each report's group (``PendingReports/group(of:)``).
        var groups: [UInt8] = []
        /// The groups whose reports are in the `reports` table, one bit each.
        var written: UInt64 = 0

        /// The reports of the groups whose bits `mask` has.
        func reports(inGroups mask: UInt64) -> [PositionReport] {
            var found: [PositionReport] = []
            for index in reports.indices where mask & (UInt64(1) << UInt64(groups[index])) != 0 { found.append(reports[index]) }
            return found
        }
    }

    /// The number of groups, 1 to 64.
    let groups: Int
    /// Whether commits defer their reports (while the store runs, ``SQLiteStore/run()``).
    var deferring = false
    private(set) var batches: [Batch] = []
    private(set) var reportCount = 0
    /// The group the next round writes.
    private(set) var nextGroup = 0

    init(groups: Int = 1) {
        precondition((1...64).contains(groups), "1 to 64 groups")
        self.groups = groups
    }

    /// Every group's bit.
    var allGroups: UInt64 { groups == 64 ? .max : (1 << UInt64(groups)) - 1 }

    /// The group of `unit` (stable while the process runs).
    func group(of unit: UnitID) -> UInt8 {
        UInt8(truncatingIfNeeded: UInt(bitPattern: unit.hashValue) % UInt(groups))
    }

    /// Adds a batch, its times as the `reports` table reads them back (seconds since
    /// 1970), so a report reads the same pending or stored.
    mutating func add(_ batch: Batch) {
        let reports = batch.reports.map { report in
            var report = report
            report.time = Date(timeIntervalSince1970: report.time.timeIntervalSince1970)
            return report
        }
        batches.append(Batch(id: batch.id, reports: reports, sequence: batch.sequence, groups: reports.map { group(of: $0.unit) }))
        reportCount += reports.count
    }

    /// A batch as a flush writes it: the reports of the groups it writes, and the
    /// batch's sequence (``Batch/sequence``).
    typealias Written = (id: String, reports: [PositionReport], sequence: Int64)

    /// The next round: its group, the batches it covers (those pending now), for each
    /// the reports of that group not yet written, and the mark the round brings the
    /// store to (every batch up to that sequence wholly in the table), if it moves it.
    mutating func nextRound() -> (group: Int, batches: [Written], mark: Int64?) {
        let group = nextGroup
        nextGroup = (nextGroup + 1) % groups
        let bit = UInt64(1) << UInt64(group)
        let round = batches.compactMap { batch -> Written? in
            guard batch.written & bit == 0 else { return nil }
            return (batch.id, batch.reports(inGroups: bit), batch.sequence)
        }
        // The oldest batches that this round finishes, in commit order.
        var mark: Int64?
        for batch in batches {
            guard batch.written | bit == allGroups else { break }
            mark = batch.sequence
        }
        return (group, round, mark)
    }

    /// Records that `group` of the batches `ids` is in the table (or that another process
    /// moved the batch: `gone`), and forgets the batches every group has written.
    mutating func written(group: Int, of ids: Set<String>, gone: Set<String>) {
        let bit = UInt64(1) << UInt64(group), all = allGroups
        for index in batches.indices where ids.contains(batches[index].id) {
            let id = batches[index].id
            batches[index].written |= gone.contains(id) ? all : bit
        }
        let finished = batches.filter { $0.written == all }
        guard !finished.isEmpty else { return }
        for batch in finished { reportCount -= batch.reports.count }
        batches.removeAll { $0.written == all }
    }

    /// The reports of every batch pending now not yet in the table, for a flush of all,
    /// and the mark it brings the store to.
    func unwritten() -> (batches: [Written], mark: Int64?) {
        (batches.map { ($0.id, $0.reports(inGroups: allGroups & ~$0.written), $0.sequence) }, batches.last?.sequence)
    }

    /// Forgets the batches `ids` (all their reports in the table).
    mutating func remove(_ ids: Set<String>) {
        for batch in batches where ids.contains(batch.id) { reportCount -= batch.reports.count }
        batches.removeAll { ids.contains($0.id) }
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

/// The encoding of a batch's reports in the rows of `pending_reports`, which earlier
/// releases wrote beside each commit (a store opened on such a file moves them into the
/// `reports` table): a little-endian count, then
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
