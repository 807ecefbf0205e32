import DeconflictEngine
import DeconflictGeometry
@testable import DeconflictStore
import Foundation
import GRDB
import Testing

/// A running SQLite store writes committed reports into its `reports` table later, in a
/// flush (``SQLiteStore/run()``), the ledger entry carrying each batch being its one
/// durable copy until then; held to a store that writes them at once, query for query,
/// while they are pending, after a flush, and after the process that committed them
/// stopped without flushing.
@Suite("SQLite: reports flushed after their commit")
struct PendingReportsTests {
    static func path() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("store.sqlite").path
    }

    /// Random batches over a few units: dense, sparse, and a unit that stops early.
    static func batches(count: Int, from start: Double, using generator: inout some RandomNumberGenerator) -> [ReportBatch] {
        (0..<count).map { index in
            let reports = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                let unit = "u\(Int.random(in: 0..<7, using: &generator))"
                return report(unit, at: start + Double(index) * 10 + Double.random(in: 0..<10, using: &generator),
                              latitude: Double.random(in: 33...34, using: &generator))
            }
            return ReportBatch(id: UUID().uuidString, reports: reports)
        }
    }

    /// The ledger record that carries `batch` (``ReportLines``), as the node writes one.
    static func carrying(_ batch: ReportBatch) -> LedgerRecord {
        let lines = batch.reports.map { "\"\(ReportLines.line($0))\"" }.joined(separator: ",")
        return LedgerRecord(
            time: Date(timeIntervalSince1970: 1_790_000_000), type: ReportLines.ledgerType,
            payload: "{\"batch\":\"\(batch.id)\",\"by\":\"test\",\"reports\":[\(lines)]}")
    }

    /// Commits `batch` with its carrying record after `head`; the new head.
    static func commit(_ batch: ReportBatch, to store: any Store, after head: Int64) async throws -> Int64 {
        try await store.commit([record(Int(head) + 1), carrying(batch)], batches: [batch], expectingHead: head).last!.sequence
    }

    /// The store's mark (`report_mark`), read from the file.
    static func mark(_ path: String) async throws -> Int64? {
        try await DatabaseQueue(path: path).read { db in try Int64.fetchOne(db, sql: "SELECT sequence FROM report_mark") }
    }

    /// Every query of the contract, at random instants and windows, answers on `store` what
    /// it answers on `reference`.
    static func expectSameAnswers(_ store: any Store, _ reference: any Store, span: Double, using generator: inout some RandomNumberGenerator) async throws {
        let units = (0..<8).map { UnitID("u\($0)") }
        for _ in 0..<15 {
            let instant = Date(timeIntervalSince1970: 1_790_000_000 + Double.random(in: -5...(span + 5), using: &generator))
            #expect(try await store.latestReports(atOrBefore: instant) == reference.latestReports(atOrBefore: instant))
            let from = Date(timeIntervalSince1970: 1_790_000_000 + Double.random(in: -5...span, using: &generator))
            let to = from.addingTimeInterval(Double.random(in: 0...span, using: &generator))
            for unit in units {
                #expect(try await store.reports(of: unit, from: from, to: to) == reference.reports(of: unit, from: from, to: to))
            }
            let points = [1, 5, 60][Int.random(in: 0..<3, using: &generator)]
            let windows = units.map { (unit: $0, from: from) }
            #expect(try await store.tracks(of: windows, to: to, points: points) == reference.tracks(of: windows, to: to, points: points))
        }
    }

    @Test func pendingFlushedAndLeftBehindReportsAnswerAsIfWrittenAtOnce() async throws {
        var generator = SystemRandomNumberGenerator()
        let reference = try SQLiteStore(path: Self.path())  // not running: writes reports in the commit
        let path = Self.path()
        var head: Int64 = 0
        var referenceHead: Int64 = 0
        try await withStore(try SQLiteStore(path: path, reportFlushInterval: .seconds(3_600), reportFlushGroups: 4)) { store in
            let sqlite = try #require(store as? SQLiteStore)
            // run() starts in a child task.
            while !sqlite.defersReports { try await Task.sleep(for: .milliseconds(5)) }
            for round in 0..<3 {
                for batch in Self.batches(count: 12, from: Double(round) * 120, using: &generator) {
                    head = try await Self.commit(batch, to: store, after: head)
                    referenceHead = try await Self.commit(batch, to: reference, after: referenceHead)
                }
                #expect(sqlite.pendingReportCount > 0)
                try await Self.expectSameAnswers(store, reference, span: Double(round + 1) * 120, using: &generator)
                if round == 1 {
                    try await sqlite.flushPendingReports()
                    #expect(sqlite.pendingReportCount == 0)
                    try await Self.expectSameAnswers(store, reference, span: 240, using: &generator)
                }
            }
            // Flushes of one group of units each: the first groups' reports are in the
            // table, the others still pending.
            try await sqlite.flushPendingGroup()
            try await sqlite.flushPendingGroup()
            try await Self.expectSameAnswers(store, reference, span: 360, using: &generator)
            for batch in Self.batches(count: 5, from: 360, using: &generator) {
                head = try await Self.commit(batch, to: store, after: head)
                referenceHead = try await Self.commit(batch, to: reference, after: referenceHead)
            }
            try await sqlite.flushPendingGroup()
            try await Self.expectSameAnswers(store, reference, span: 420, using: &generator)
            // A process that stops here: another opening of the file fills the table from
            // the ledger entries after the mark, skipping the reports the groups wrote; this
            // one's later flushes then skip the batches it filled, adding nothing twice.
            #expect(try await Self.mark(path)! < head)
            let reopened = try SQLiteStore(path: path)
            #expect(try await Self.mark(path) == head)
            try await Self.expectSameAnswers(reopened, reference, span: 420, using: &generator)
            for _ in 0..<sqlite.reportFlushGroups { try await sqlite.flushPendingGroup() }
            #expect(sqlite.pendingReportCount == 0)
            try await Self.expectSameAnswers(store, reference, span: 420, using: &generator)
            try await Self.expectSameAnswers(reopened, reference, span: 420, using: &generator)
            // The usual course: batches leave once every group has written its reports.
            for batch in Self.batches(count: 6, from: 420, using: &generator) {
                head = try await Self.commit(batch, to: store, after: head)
                referenceHead = try await Self.commit(batch, to: reference, after: referenceHead)
            }
            for flushed in 1...sqlite.reportFlushGroups {
                try await sqlite.flushPendingGroup()
                #expect((sqlite.pendingReportCount == 0) == (flushed == sqlite.reportFlushGroups))
                try await Self.expectSameAnswers(store, reference, span: 480, using: &generator)
            }
            // Committed just before the store stops: its last flush writes them.
            for batch in Self.batches(count: 3, from: 480, using: &generator) {
                head = try await Self.commit(batch, to: store, after: head)
                referenceHead = try await Self.commit(batch, to: reference, after: referenceHead)
            }
            #expect(sqlite.pendingReportCount > 0)
            #expect(try await Self.mark(path)! < head)
        }
        // Stopped cleanly: the last flush wrote every report and marked the whole ledger.
        #expect(try await Self.mark(path) == head)
        let reopened = try SQLiteStore(path: path)
        try await Self.expectSameAnswers(reopened, reference, span: 510, using: &generator)
        // Every report once: as many rows as the store that wrote them in the commit.
        let rows = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        let referenceRows = try await DatabaseQueue(path: reference.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        #expect(rows == referenceRows)
    }

    @Test func flushRowsComeInTheIndexOrderWithEveryReportOnce() {
        var generator = SystemRandomNumberGenerator()
        // Units whose UTF-8 order differs from String's order ("é" against "z"), reports
        // out of time order, equal times.
        let names = ["a", "B", "z", "é", "u10", "u9", "Ω", "日本"]
        let batches: [(id: String?, reports: [PositionReport])] = (0..<20).map { index in
            let reports = (0..<Int.random(in: 0...30, using: &generator)).map { _ in
                report(names.randomElement(using: &generator)!, at: Double(Int.random(in: 0..<50, using: &generator)), latitude: .random(in: 33...34, using: &generator))
            }
            return (index % 5 == 0 ? nil : "b\(index)", reports)
        }
        let rows = SQLiteStore.rows(batches)
        let key = { (row: (batch: String?, report: PositionReport)) in (Array(row.report.unit.rawValue.utf8), row.report.time) }
        for (earlier, later) in zip(rows, rows.dropFirst()) {
            let (a, b) = (key(earlier), key(later))
            #expect(a.0.lexicographicallyPrecedes(b.0) || (a.0 == b.0 && a.1 <= b.1), "\(earlier.report.unit) \(earlier.report.time) before \(later.report.unit) \(later.report.time)")
        }
        let counted = { (list: [(batch: String?, report: PositionReport)]) in
            Dictionary(list.map { ("\($0.batch ?? "-") \($0.report)", 1) }, uniquingKeysWith: +)
        }
        #expect(counted(rows) == counted(batches.flatMap { batch in batch.reports.map { (batch.id, $0) } }))
    }

    /// Random values in every field, written by the commit (a store not running) and by a
    /// flush (a running one): each reads back exactly as sent.
    @Test func theReportsTableReadsBackEveryValue() async throws {
        var generator = SystemRandomNumberGenerator()
        let units = ["é-unit", "u1", "日本-7", "with space"]
        let reports = (0..<200).map { index in
            PositionReport(
                unit: UnitID(units[index % units.count]),
                time: Date(timeIntervalSince1970: (1_790_000_000 + Double(index) + Double.random(in: 0..<1, using: &generator))),
                position: LatLng(uncheckedLatitude: .random(in: -90...90, using: &generator), longitude: .random(in: -180...180, using: &generator)),
                altitudeMeters: .random(in: -500...20_000, using: &generator), speedMetersPerSecond: .random(in: 0...400, using: &generator),
                courseDegrees: .random(in: 0..<360, using: &generator), uncertaintyMeters: [0, 3.5, .greatestFiniteMagnitude][index % 3])
        }
        let batch = ReportBatch(id: "batch-é-\(UUID().uuidString)", reports: reports)
        let direct = try SQLiteStore(path: Self.path())
        _ = try await Self.commit(batch, to: direct, after: 0)
        let flushedPath = Self.path()
        try await withStore(try SQLiteStore(path: flushedPath, reportFlushInterval: .seconds(3_600))) { store in
            let sqlite = try #require(store as? SQLiteStore)
            while !sqlite.defersReports { try await Task.sleep(for: .milliseconds(5)) }
            _ = try await Self.commit(batch, to: store, after: 0)
            try await sqlite.flushPendingReports()
        }
        let flushed = try SQLiteStore(path: flushedPath)
        let (from, to) = (Date(timeIntervalSince1970: 1_789_999_999), Date(timeIntervalSince1970: 1_790_001_000))
        for unit in Set(reports.map(\.unit)) {
            let sent = reports.filter { $0.unit == unit }
            #expect(try await direct.reports(of: unit, from: from, to: to) == sent)
            #expect(try await flushed.reports(of: unit, from: from, to: to) == sent)
        }
        let batches = try await DatabaseQueue(path: flushedPath).read { db in try String.fetchAll(db, sql: "SELECT DISTINCT batch FROM reports") }
        #expect(batches == [batch.id])
    }

    /// Stopped without a flush (as by kill -9): the next opening fills the table from the
    /// ledger, every value exact, and marks the ledger; a batch whose record does not
    /// carry it is written in its commit instead.
    @Test func aStopWithoutFlushIsFilledFromTheLedger() async throws {
        var generator = SystemRandomNumberGenerator()
        let path = Self.path()
        let reference = try SQLiteStore(path: Self.path())
        var (head, referenceHead): (Int64, Int64) = (0, 0)
        let store = try SQLiteStore(path: path, reportFlushInterval: .seconds(3_600), reportFlushGroups: 3)
        let running = Task { await store.run() }
        while !store.defersReports { try await Task.sleep(for: .milliseconds(5)) }
        let batches = Self.batches(count: 9, from: 0, using: &generator)
        for batch in batches {
            head = try await Self.commit(batch, to: store, after: head)
            referenceHead = try await Self.commit(batch, to: reference, after: referenceHead)
        }
        try await store.flushPendingGroup()
        let total = batches.reduce(0) { $0 + $1.reports.count }
        // Not carried by its records: written at once, never pending.
        let loose = Self.batches(count: 1, from: 100, using: &generator)[0]
        let before = store.pendingReportCount
        head = try await store.commit([record(Int(head) + 1)], batches: [loose], expectingHead: head).last!.sequence
        referenceHead = try await reference.commit([record(Int(referenceHead) + 1)], batches: [loose], expectingHead: referenceHead).last!.sequence
        #expect(store.pendingReportCount == before)
        let inTable = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") } ?? 0
        #expect(inTable >= loose.reports.count && inTable < total + loose.reports.count)
        // The process "dies": its pending reports are only in the ledger.
        #expect(store.pendingReportCount > 0)
        let reopened = try SQLiteStore(path: path)
        #expect(try await Self.mark(path) == head)
        let rows = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        let referenceRows = try await DatabaseQueue(path: reference.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        #expect(rows == referenceRows)
        try await Self.expectSameAnswers(reopened, reference, span: 110, using: &generator)
        running.cancel()
        await running.value
        // The first store's last flush skipped what the opening filled: still every report once.
        let after = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        #expect(after == referenceRows)
    }

    /// A file of an earlier release, with reports left in `pending_reports` and no mark:
    /// the opening moves them into the table and marks the ledger.
    @Test func pendingRowsOfAnEarlierReleaseAreMoved() async throws {
        let path = Self.path()
        let reports = (0..<30).map { report("u\($0 % 4)", at: Double($0)) }
        do {
            let store = try SQLiteStore(path: path)
            _ = try await store.append([record(1)])
        }
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM report_mark")
            try db.execute(sql: "INSERT INTO pending_reports (batch, reports) VALUES (?, ?)",
                           arguments: ["old-batch", Data(PendingReportsCodec.encode(reports))])
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await Self.mark(path) == 1)
        let left = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_reports") }
        #expect(left == 0)
        let read = try await reopened.reports(of: "u1", from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 2e9))
        #expect(read == reports.filter { $0.unit == "u1" })
    }

    /// One process defers at a time: a second store running on the same file writes its
    /// reports in its commits, and defers once the first has stopped.
    @Test func oneProcessAtATimeDefers() async throws {
        let path = Self.path()
        let first = try SQLiteStore(path: path, reportFlushInterval: .seconds(3_600))
        let firstRun = Task { await first.run() }
        while !first.defersReports { try await Task.sleep(for: .milliseconds(5)) }
        let second = try SQLiteStore(path: path, reportFlushInterval: .seconds(3_600))
        await second.run()  // returns at once: the lock is held
        #expect(!second.defersReports)
        let batch = ReportBatch(id: "b", reports: [report("u1", at: 1)])
        _ = try await Self.commit(batch, to: second, after: 0)
        #expect(second.pendingReportCount == 0)
        let rows = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        #expect(rows == 1)
        firstRun.cancel()
        await firstRun.value
        let secondRun = Task { await second.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !second.defersReports, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(second.defersReports)
        secondRun.cancel()
        await secondRun.value
    }

    @Test func theRowEncodingReadsBackEveryValueAndRefusesDamage() {
        var generator = SystemRandomNumberGenerator()
        let reports = (0..<300).map { index in
            PositionReport(
                unit: UnitID(index % 3 == 0 ? "é-unit-\(index)" : "u\(index)"),
                time: Date(timeIntervalSince1970: Double.random(in: -1e9...4e9, using: &generator)),
                position: LatLng(uncheckedLatitude: Double.random(in: -90...90, using: &generator), longitude: Double.random(in: -180...180, using: &generator)),
                altitudeMeters: Double.random(in: -500...20_000, using: &generator), speedMetersPerSecond: .random(in: 0...400, using: &generator),
                courseDegrees: .random(in: 0..<360, using: &generator), uncertaintyMeters: [0, 3.5, .greatestFiniteMagnitude][index % 3])
        }
        let bytes = PendingReportsCodec.encode(reports)
        #expect(PendingReportsCodec.decode(bytes) == reports)
        #expect(PendingReportsCodec.decode(Array(bytes.dropLast())) == nil)
        #expect(PendingReportsCodec.decode(bytes + [0]) == nil)
        #expect(PendingReportsCodec.decode([]) == nil)
        #expect(PendingReportsCodec.encode([]) == [0, 0, 0, 0])
    }
}
