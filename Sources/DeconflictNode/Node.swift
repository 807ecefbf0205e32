public import DeconflictEngine
package import DeconflictF3548
public import DeconflictLedger
public import DeconflictStore
public import Foundation
import Crypto
import DeconflictGeometry
import Logging
public import ServiceLifecycle

/// One Deconflict process: the engine's state, rebuilt from the ledger on start and kept
/// in step with it, and the only way requests change that state.
///
/// Every request is applied to the engine at once (so its answer, events and refusals
/// come from the state as it stands) and is acknowledged only when its ledger records
/// are durable. Requests that arrive while a commit runs are applied behind it and go
/// into the next commit (group commit). A commit names the ledger head its state was
/// computed from; when another node (or the command line) appended first, the node goes
/// back to its last durable state, applies the other writer's entries, applies the
/// waiting requests again and retries: several nodes sharing one database process
/// requests in one order, the ledger's.
public actor Node {
    public struct Configuration: Sendable {
        public var engine = Engine.Configuration()
        /// The clock requests are applied at.
        public var clock: @Sendable () -> Date = { Date() }
        /// How often the node looks for entries other writers appended.
        public var followInterval: Duration = .milliseconds(100)
        /// How often time passes for the engine (stale tracks, dwell, escalations).
        public var tickInterval: Duration = .seconds(1)
        /// Reports older than this are deleted (nil keeps them all).
        public var reportRetention: TimeInterval? = nil
        /// How far ahead of the clock a report's time may be.
        public var maximumClockSkew: TimeInterval = 30
        /// How often, at most, the node keeps a copy of its durable state (a checkpoint).
        /// When a commit fails or another writer appended first, the node goes back to
        /// the checkpoint and applies the ledger entries after it. Each checkpoint copies
        /// the tables changed since the last one (a cost growing with the state); the
        /// replay after one costs the entries since. Zero keeps one at every commit.
        public var checkpointInterval: Duration = .seconds(2)

        public init() {}
    }

    /// What the engine holds plus the credentials: everything a ledger replay rebuilds.
    package struct State: Sendable {
        package var engine: Engine
        package var credentials: [String: CredentialRecord] = [:]
        package var webhooks: [String: WebhookRecord] = [:]
        package var airspace = Airspace()
        /// The keys the service has signed ledger heads with, oldest first.
        package var ledgerKeys: [LedgerKeyRecord] = []
    }

    /// What applying a request gave: its ledger records, the engine's events and, for a
    /// request that answers with more than the state afterwards, that answer.
    package struct Applied {
        package var records: [LedgerRecord]
        package var events: [Event]
        package var answer: (any Encodable & Sendable)?
    }

    /// A request applied but not yet durable.
    private struct Job {
        package enum Work {
            case command(LedgerCommand)
            case reports(ReportBatch, by: PartyID)
        }

        package let work: Work
        package let time: Date
        package var records: [LedgerRecord]
        package var events: [Event]
        package var answer: (any Encodable & Sendable)?
        package let continuation: CheckedContinuation<(entries: [LedgerEntry], answer: (any Encodable & Sendable)?), any Error>
    }

    /// An entry another writer appended, with the reports it names.
    private struct Foreign {
        package let entry: LedgerEntry
        package let reports: [PositionReport]
        /// The engine's rules the batch was decided by (``ReportBatchPayload/rules``).
        package var rules = Engine.currentRules
    }

    public nonisolated let store: any Store
    public nonisolated let configuration: Configuration
    private var state: State
    /// A durable state (at `checkpointHead`): what a failed or conflicting commit goes
    /// back to, before applying the ledger entries after it.
    private var checkpoint: State
    private var checkpointHead: Int64 = 0
    private var checkpointTaken = ContinuousClock.now
    /// A failed commit left requests in the state and going back failed too: the next
    /// write (or the follower) goes back first.
    private var needsReplay = false
    /// The last ledger sequence the state includes.
    public private(set) var head: Int64 = 0
    private var pending: [Job] = []
    private var committing = false
    private let logger = Logger(label: "deconflict.node")
    /// Subscribers to the ledger as it grows.
    public nonisolated let hub = Hub()
    /// Other parties' units read in full, recorded in the ledger (``ReadRecords``).
    public nonisolated let reads = ReadRecords()
    private var tasks: [Task<Void, Never>] = []
    /// Counters for `/metrics` and the tests.
    public private(set) var statistics = Statistics()

    public struct Statistics: Sendable {
        public var commits = 0
        public var conflicts = 0
        public var replayedEntries = 0
        public var foreignEntries = 0
        public var reportsAccepted = 0
        /// Seconds the start-up replay took.
        public var replaySeconds = 0.0
        /// Store operations (commits and reads of the ledger) that failed.
        public var storeFailures = 0
    }

    /// The store failing: when writing (a commit) or reading (following the ledger)
    /// last failed, and why. A success of the same kind clears it; a write failure
    /// also ages out after ``StoreFault/window`` without another, so a node that
    /// receives no writes after the fault is over becomes ready again.
    public struct StoreFault: Sendable {
        public static let window: TimeInterval = 15
        public var writeFailed: Date?
        public var readFailed: Date?
        public var reason = ""

        /// Whether the fault is current at `now`.
        public func isCurrent(at now: Date) -> Bool {
            readFailed != nil || writeFailed.map { now.timeIntervalSince($0) < Self.window } == true
        }
    }

    /// The store's current fault, if any (see ``StoreFault``).
    public private(set) var storeFault = StoreFault()

    package func storeFailed(writing: Bool, _ error: any Error) {
        statistics.storeFailures += 1
        if writing { storeFault.writeFailed = Date() } else { storeFault.readFailed = Date() }
        storeFault.reason = (error as? StoreError)?.reason ?? "\(error)"
    }

    /// Opens a node on `store`: replays the ledger into a fresh engine.
    public init(store: any Store, configuration: Configuration = Configuration()) async throws {
        self.store = store
        self.configuration = configuration
        let start = Date(timeIntervalSince1970: 0)
        state = State(engine: Engine(configuration: configuration.engine, start: start))
        checkpoint = state
        let began = ContinuousClock.now
        while true {
            let foreign = try await Node.fetch(after: head, from: store, limit: 2_000)
            if foreign.isEmpty { break }
            apply(foreign)
            statistics.replayedEntries += foreign.count
        }
        checkpoint = state
        checkpointHead = head
        statistics.replaySeconds = (ContinuousClock.now - began) / .seconds(1)
    }

    /// Starts following other writers, ticking and pruning; stops them when the task
    /// running it is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.loop(every: self.configuration.followInterval) { try await $0.follow() } }
            group.addTask { await self.loop(every: self.configuration.tickInterval) { try await $0.tick() } }
            if configuration.reportRetention != nil {
                group.addTask { await self.loop(every: .seconds(60)) { try await $0.prune() } }
            }
            await group.waitForAll()
        }
        hub.finish()
    }

    private nonisolated func loop(every interval: Duration, _ body: @escaping @Sendable (Node) async throws -> Void) async {
        while !Task.isCancelled {
            do {
                try await body(self)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("background work failed: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    // MARK: Reading

    /// Reads the engine's state (never blocked by a commit in flight).
    public func read<T: Sendable>(_ body: (Engine) throws -> T) rethrows -> T { try body(state.engine) }

    /// The registered webhooks, by id.
    public func webhooks() -> [String: WebhookRecord] { state.webhooks }

    /// The keys the service has signed ledger heads with, as the ledger records them,
    /// oldest first.
    public func ledgerKeys() -> [LedgerKeyRecord] { state.ledgerKeys }

    /// The credential with `id`, if issued and not revoked.
    public func credential(_ id: String) -> CredentialRecord? { state.credentials[id] }

    // MARK: Writing

    /// Applies a command and returns, once durable, the ledger entries it produced (the
    /// command first, then its events).
    ///
    /// - Throws: ``FieldError`` when the engine refuses it (nothing applied), or a storage
    ///   error when the commit failed (nothing applied either).
    @discardableResult
    public func execute(_ command: LedgerCommand) async throws -> [LedgerEntry] {
        try await executeWithAnswer(command).entries
    }

    /// Applies a command like ``execute(_:)`` and also returns the answer it made when
    /// applied (a DSS request's body), computed from the state right after it.
    package func executeWithAnswer(_ request: LedgerCommand) async throws -> (entries: [LedgerEntry], answer: (any Encodable & Sendable)?) {
        try await replayIfNeeded()
        // What is applied is what the ledger will hold: the command read back from its
        // record (times to the microsecond, say), so a replay applies exactly this.
        let payload = (try? LedgerCommand.decode(request.record(at: Date()).payload)) ?? request
        var time = Ledger.instant(max(configuration.clock(), state.engine.now))
        var applied = attempt(payload, at: time)
        if case .failure(let error) = applied, error.code == .notFound || error.code == .forbidden {
            // Perhaps another node knows what this one does not yet: catch up, try once more.
            try await sync()
            time = Ledger.instant(max(configuration.clock(), state.engine.now))
            applied = attempt(payload, at: time)
        }
        let result = try applied.get()
        return try await enqueue(.command(payload), time: time, applied: result)
    }

    /// The state as it stands (for the golden-ledger test).
    package func currentState() -> State { state }

    /// Reads the DSS airspace.
    package func readAirspace<T: Sendable>(_ body: (Airspace, Engine) throws -> T) rethrows -> T { try body(state.airspace, state.engine) }

    private func attempt(_ payload: LedgerCommand, at time: Date) -> Result<Applied, FieldError> {
        do {
            return .success(try apply(.command(payload), at: time, to: &state))
        } catch {
            return .failure(error)
        }
    }

    /// The outcome of a batch of reports: the entries (the batch's record, then the
    /// events it raised) and the reports the engine refused, by index.
    public struct IngestResult: Sendable {
        public let entries: [LedgerEntry]
        public let accepted: Int
        public let rejected: [(index: Int, error: FieldError)]
    }

    /// Applies a batch of reports of `party`'s units; returns once the accepted ones
    /// and their events are durable. Reports of unknown units, other parties' units,
    /// out of order or too far ahead of the clock are refused one by one.
    public func ingest(_ reports: [PositionReport], by party: PartyID) async throws -> IngestResult {
        try await replayIfNeeded()
        if reports.contains(where: { state.engine.unit($0.unit) == nil }) { try await sync() }
        let time = Ledger.instant(max(configuration.clock(), state.engine.now))
        var accepted: [PositionReport] = []
        var rejected: [(Int, FieldError)] = []
        accepted.reserveCapacity(reports.count)
        for (index, report) in reports.enumerated() {
            guard let unit = state.engine.unit(report.unit), unit.party == party else {
                let known = state.engine.unit(report.unit) != nil
                rejected.append((index, FieldError(
                    field: "[\(index)].unit", reason: known ? "\(report.unit) is not a unit of \(party)" : "no unit \(report.unit)",
                    code: known ? .forbidden : .notFound)))
                continue
            }
            guard report.time.timeIntervalSince(time) <= configuration.maximumClockSkew else {
                rejected.append((index, FieldError(field: "[\(index)].time", reason: "more than \(Int(configuration.maximumClockSkew)) s ahead of the server's clock")))
                continue
            }
            // The time as the batch's ledger line reads back (seconds since 1970), so a
            // replay meets the very same report.
            var kept = report
            kept.time = ReportBatchPayload.recordedTime(report.time)
            accepted.append(kept)
        }
        guard !accepted.isEmpty else { return IngestResult(entries: [], accepted: 0, rejected: rejected) }
        let batch = ReportBatch(id: UUID().uuidString.lowercased(), reports: accepted)
        let (applied, refused) = applyReports(batch, by: party, at: time, to: &state)
        // Indices of refused reports, mapped back to the request's.
        var acceptedIndices = Array(reports.indices)
        acceptedIndices.removeAll { index in rejected.contains { $0.0 == index } }
        for (position, error) in refused {
            rejected.append((acceptedIndices[position], FieldError(field: "[\(acceptedIndices[position])].\(error.field)", reason: error.reason, code: error.code)))
        }
        let kept = ReportBatch(id: batch.id, reports: batch.reports.enumerated().filter { item in !refused.contains { $0.0 == item.offset } }.map(\.element))
        guard !kept.reports.isEmpty else {
            return IngestResult(entries: [], accepted: 0, rejected: rejected.sorted { $0.0 < $1.0 })
        }
        let entries = try await enqueue(.reports(kept, by: party), time: time, applied: applied).entries
        statistics.reportsAccepted += kept.reports.count
        return IngestResult(entries: entries, accepted: kept.reports.count, rejected: rejected.sorted { $0.0 < $1.0 })
    }

    /// Whether a report timed `time` is within the clock skew ``ingest(_:by:)`` allows
    /// (one further ahead is refused); a listener asks before adding a unit for it.
    package func acceptsReportTime(_ time: Date) -> Bool {
        time.timeIntervalSince(Ledger.instant(max(configuration.clock(), state.engine.now))) <= configuration.maximumClockSkew
    }

    /// Time passes: a tick is recorded when it raised something or marked a time the
    /// engine will remember (``Engine/timeMarks``); otherwise it leaves no entry.
    package func tick() async throws {
        guard pending.isEmpty, !committing else { return }
        let time = Ledger.instant(max(configuration.clock(), state.engine.now))
        let marks = state.engine.timeMarks
        let payload = LedgerCommand(.tick, by: .operator)
        let applied = try apply(.command(payload), at: time, to: &state)
        guard !applied.events.isEmpty || marks != state.engine.timeMarks else { return }
        _ = try await enqueue(.command(payload), time: time, applied: applied)
    }

    /// Catches up with what other writers appended, unless a commit of this node's is
    /// under way (which meets those entries anyway): called before a write, so that a
    /// request sees what another node acknowledged before it.
    public func sync() async throws {
        // While the store cannot be read, refuse at once rather than let every request
        // wait for it; the follower keeps trying every `followInterval`.
        if storeFault.readFailed != nil { throw StoreError("reading the ledger", storeFault.reason) }
        try await follow()
    }

    /// Brings this node up to the ledger's head as it is when called, so that a read
    /// answered afterwards sees every write acknowledged, by any node, before it began
    /// (a pool of DSS instances answers the same from each). One look at the head; when
    /// this node is behind, it applies the other writers' entries, waiting for a commit
    /// of its own under way (which applies them too) rather than answering from the past.
    ///
    /// - Throws: ``StoreError`` when the ledger cannot be read, or the node has not caught
    ///   up within 5 seconds.
    public func catchUp() async throws {
        if storeFault.readFailed != nil { throw StoreError("reading the ledger", storeFault.reason) }
        let target: Int64
        do {
            target = try await store.head()?.sequence ?? 0
        } catch {
            storeFailed(writing: false, error)
            throw error
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while head < target {
            try await follow()
            guard head < target else { break }
            guard ContinuousClock.now < deadline else {
                throw StoreError("catching up with the ledger", "still at \(head) of \(target) after 5 s")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Applies what other writers appended since `head`.
    package func follow() async throws {
        guard pending.isEmpty, !committing else { return }
        let last: LedgerEntry?
        let known: Int64
        let foreign: [Foreign]
        do {
            try await replayIfNeeded()
            last = try await store.head()
            storeFault.readFailed = nil
            guard let last, last.sequence > head else { return }
            known = head
            foreign = try await Node.fetch(after: known, from: store, limit: 5_000)
        } catch {
            storeFailed(writing: false, error)
            throw error
        }
        // Requests that came in meanwhile will meet the other writer's entries at commit.
        guard head == known, pending.isEmpty, !committing else { return }
        apply(foreign)
        takeCheckpointIfDue(state)
        statistics.foreignEntries += foreign.count
        hub.publish(foreign.map(\.entry))
    }

    /// Whether a checkpoint is due: none was taken for the interval.
    private var checkpointDue: Bool { ContinuousClock.now - checkpointTaken >= configuration.checkpointInterval }

    /// Keeps `durable` (the state at `head`) as the checkpoint, if one is due.
    private func takeCheckpointIfDue(_ durable: State) {
        guard checkpointDue else { return }
        checkpoint = durable
        checkpointHead = head
        checkpointTaken = .now
    }

    /// Goes back to the durable state: the checkpoint, with the ledger entries after it
    /// (this node's and other writers') applied. Requests arriving meanwhile meet the
    /// current state and are applied again afterwards.
    private func restoreDurable() async throws {
        var restored = checkpoint
        var reached = checkpointHead
        do {
            while true {
                let page = try await Node.fetch(after: reached, from: store, limit: 5_000)
                if page.isEmpty { break }
                apply(page, to: &restored, head: &reached)
            }
        } catch {
            needsReplay = true
            throw error
        }
        state = restored
        head = reached
        needsReplay = false
    }

    private func replayIfNeeded() async throws {
        guard needsReplay, !committing else { return }
        logger.info("going back to the durable state after a failed commit")
        try await restoreDurable()
    }

    package func prune() async throws {
        guard let retention = configuration.reportRetention else { return }
        let removed = try await store.pruneReports(before: configuration.clock().addingTimeInterval(-retention))
        if removed > 0 { logger.info("retention removed \(removed) position reports") }
    }

    private func enqueue(_ work: Job.Work, time: Date, applied: Applied) async throws -> (entries: [LedgerEntry], answer: (any Encodable & Sendable)?) {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Job(
                work: work, time: time, records: applied.records, events: applied.events, answer: applied.answer,
                continuation: continuation))
            if !committing {
                committing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let round = pending
            pending = []
            // The state with this round applied: durable once the round commits.
            let snapshot = checkpointDue ? state : nil
            let batches = round.compactMap { job -> ReportBatch? in
                if case .reports(let batch, _) = job.work { return batch }
                return nil
            }
            do {
                let entries = try await store.commit(round.flatMap(\.records), batches: batches, expectingHead: head)
                statistics.commits += 1
                storeFault = StoreFault()
                head = entries.last?.sequence ?? head
                if let snapshot { takeCheckpointIfDue(snapshot) }
                var offset = 0
                for job in round {
                    job.continuation.resume(returning: (Array(entries[offset..<offset + job.records.count]), job.answer))
                    offset += job.records.count
                }
                hub.publish(entries)
            } catch is LedgerConflict {
                statistics.conflicts += 1
                do {
                    var foreign: [Foreign] = []
                    while true {
                        let page = try await Node.fetch(after: foreign.last?.entry.sequence ?? head, from: store, limit: 5_000)
                        if page.isEmpty { break }
                        foreign += page
                    }
                    try await restoreDurable()
                    statistics.foreignEntries += foreign.count
                    hub.publish(foreign.map(\.entry))
                    reapply(round + pending)
                } catch {
                    await fail(round, error)
                }
            } catch {
                logger.error("commit failed: \(error)")
                storeFailed(writing: true, error)
                await fail(round, error)
            }
        }
        committing = false
    }

    /// The round failed: back to the durable state, its requests fail, and those that
    /// came in behind it are applied again. If going back fails too (the store is
    /// down), those fail as well, and the next write (or the follower, within its
    /// interval) goes back first.
    private func fail(_ round: [Job], _ error: any Error) async {
        for job in round { job.continuation.resume(throwing: error) }
        do {
            try await restoreDurable()
        } catch {
            logger.error("going back to the durable state failed: \(error)")
            let waiting = pending
            pending = []
            for job in waiting { job.continuation.resume(throwing: error) }
            return
        }
        reapply(pending)
    }

    /// Applies `jobs` again on the current state (after going back to the durable one);
    /// those the engine now refuses fail with its reason.
    private func reapply(_ jobs: [Job]) {
        pending = []
        for job in jobs {
            let time = max(job.time, state.engine.now)
            do {
                let applied: Applied
                switch job.work {
                case .command(let payload): applied = try apply(.command(payload), at: time, to: &state)
                case .reports(let batch, let party): applied = applyReports(batch, by: party, at: time, to: &state).applied
                }
                pending.append(Job(
                    work: job.work, time: time, records: applied.records, events: applied.events, answer: applied.answer,
                    continuation: job.continuation))
            } catch {
                job.continuation.resume(throwing: error)
            }
        }
    }

    // MARK: Applying

    /// Applies a command to `state`: nothing when it throws.
    private func apply(_ work: Job.Work, at time: Date, to state: inout State) throws(FieldError) -> Applied {
        guard case .command(let payload) = work else { return Applied(records: [], events: []) }
        var records = [payload.record(at: time)]
        let command: Engine.Command
        switch payload.action {
        case .dss(let json):
            let request: Airspace.Request
            do {
                request = try RFC3339.decoder().decode(Airspace.Request.self, from: RFC3339.encoder().encode(json))
            } catch {
                throw FieldError(field: "dss", reason: "unreadable: \(error)")
            }
            let (answer, events): (any Encodable & Sendable, [Event])
            do {
                (answer, events) = try state.airspace.apply(request, at: time, engine: &state.engine)
            } catch {
                var refusal = FieldError(field: "", reason: error.message, code: FieldError.Code(error.code))
                refusal.detail = error.conflict
                throw refusal
            }
            let engine = state.engine
            records += events.map { EventRecord.record($0, basis: { engine.lastReport(of: $0) }) }
            return Applied(records: records, events: events, answer: answer)
        case .issueCredential(let credential):
            if case .party(let party) = Actor(credential.actor), state.engine.parties[party] == nil {
                throw FieldError(field: "party", reason: "no party \(party)", code: .notFound)
            }
            state.credentials[credential.id] = credential
            return Applied(records: records, events: [])
        case .revokeCredential(let id):
            guard state.credentials.removeValue(forKey: id) != nil else {
                throw FieldError(field: "credential", reason: "no credential \(id)", code: .notFound)
            }
            return Applied(records: records, events: [])
        case .recordRead:
            return Applied(records: records, events: [])
        case .ledgerKey(let key):
            guard payload.actor == .operator else {
                throw FieldError(field: "key", reason: "only the operator records the service's key", code: .forbidden)
            }
            state.ledgerKeys.append(key)
            return Applied(records: records, events: [])
        case .registerWebhook(let hook):
            state.webhooks[hook.id] = hook
            return Applied(records: records, events: [])
        case .removeWebhook(let id):
            guard state.webhooks.removeValue(forKey: id) != nil else {
                throw FieldError(field: "id", reason: "no webhook \(id)", code: .notFound)
            }
            return Applied(records: records, events: [])
        case .webhookProgress(let id, let through):
            if var hook = state.webhooks[id] {
                hook.deliveredThrough = Swift.max(hook.deliveredThrough, through)
                state.webhooks[id] = hook
            }
            return Applied(records: records, events: [])
        case .engine(let engineCommand):
            command = engineCommand
        }
        // An operation claims its volumes: one that overlaps another party's planned or
        // active operation is refused, so of two conflicting claims exactly one stands.
        var claim: DeconflictEngine.Operation?
        if case .putOperation(let operation) = command { claim = operation }
        if case .setOperationState(let id, let target) = command, var operation = state.engine.operations[id] {
            operation.state = target
            claim = operation
        }
        if let operation = claim, [.planned, .active].contains(operation.state) {
            let clashes = state.engine.check(operation).filter {
                if case .operation = $0.subject { return true }
                return false
            }
            if !clashes.isEmpty {
                throw FieldError(field: "operation", reason: clashes.map(\.reason).joined(separator: "; "), code: .conflict)
            }
        }
        // A native zone is a constraint of the DSS interface: its old and new volumes.
        var nativeVolumes: [Volume4D] = []
        var nativeZone: ZoneID?
        switch command {
        case .putZone(let zone):
            nativeZone = zone.id
            nativeVolumes = [state.engine.zones[zone.id]?.volume, zone.volume].compactMap { $0 }
        case .removeZone(let id):
            nativeZone = id
            nativeVolumes = [state.engine.zones[id]?.volume].compactMap { $0 }
        default:
            break
        }
        let events: [Event]
        do {
            events = try state.engine.handle(command, at: time)
        } catch {
            throw FieldError(error)
        }
        if !nativeVolumes.isEmpty { state.airspace.nativeZoneChanged(nativeZone, nativeVolumes, at: time) }
        let engine = state.engine
        records += events.map { EventRecord.record($0, basis: { engine.lastReport(of: $0) }) }
        return Applied(records: records, events: events)
    }

    /// Applies a batch; reports the engine refuses are left out (by position in the batch).
    private func applyReports(
        _ batch: ReportBatch, by party: PartyID, at time: Date, to state: inout State
    ) -> (applied: Applied, refused: [(Int, FieldError)]) {
        var events: [Event] = []
        var refused: [(Int, FieldError)] = []
        for (index, report) in batch.reports.enumerated() {
            do {
                events += try state.engine.handle(.report(report), at: time)
            } catch {
                refused.append((index, FieldError(error)))
            }
        }
        let kept = batch.reports.enumerated().filter { item in !refused.contains { $0.0 == item.offset } }.map(\.element)
        let payload = ReportBatchPayload(batch: batch.id, by: party.rawValue, reports: kept)
        let engine = state.engine
        let records = [payload.record(at: time)] + events.map { EventRecord.record($0, basis: { engine.lastReport(of: $0) }) }
        return (Applied(records: records, events: events), refused)
    }

    private static func fetch(after sequence: Int64, from store: any Store, limit: Int) async throws -> [Foreign] {
        try await store.entries(after: sequence, limit: limit).map { entry in
            guard entry.type == ReportBatchPayload.ledgerType,
                  let payload = try? ReportBatchPayload.decode(entry.payload)
            else { return Foreign(entry: entry, reports: []) }
            return Foreign(entry: entry, reports: payload.positionReports, rules: payload.rules)
        }
    }

    /// The engine as it stood at `instant`: a fresh engine given the ledger entries up to
    /// that time (the after-action review). Costs a replay of the ledger up to there.
    public func engine(at instant: Date) async throws -> Engine {
        var past = State(engine: Engine(configuration: configuration.engine, start: Date(timeIntervalSince1970: 0)))
        var pastHead: Int64 = 0
        let cutoff = Ledger.timestamp(instant)
        paging: while true {
            let page = try await Node.fetch(after: pastHead, from: store, limit: 2_000)
            if page.isEmpty { break }
            // Entries are appended in time order: the first one past the instant ends it.
            let kept = page.prefix { $0.entry.time <= cutoff }
            apply(Array(kept), to: &past, head: &pastHead)
            if kept.count < page.count { break paging }
        }
        return past.engine
    }

    /// Replays the whole ledger into a fresh state, as a start does, and holds every
    /// command and report batch to what the ledger says it produced: the event entries
    /// that follow it, type, time and payload. Returns the first difference, or nil when
    /// replaying gives exactly the recorded events (and, in `state`, the state replayed).
    package func replayDifference() async throws -> (difference: String?, state: State) {
        var replayed = State(engine: Engine(configuration: configuration.engine, start: Date(timeIntervalSince1970: 0)))
        var produced: [LedgerRecord] = []
        var source = ""
        var after: Int64 = 0
        func unexpected(_ entry: LedgerEntry) -> String? {
            guard !produced.isEmpty else {
                return "entry \(entry.sequence) (\(entry.type)) follows \(source) but replaying it produced nothing more"
            }
            let expected = produced.removeFirst()
            // An event written by an earlier version is held to what that version wrote.
            guard expected.type == entry.type, expected.time == entry.time,
                  expected.payload == entry.payload
                    || (try? EventRecord.decode(expected.payload))?.isRecorded(as: entry.payload) == true
            else {
                return "entry \(entry.sequence) after \(source): recorded \(entry.type) \(entry.time) \(entry.payload)\n"
                    + "replaying produced \(expected.type) \(expected.time) \(expected.payload)"
            }
            return nil
        }
        while true {
            let page = try await Node.fetch(after: after, from: store, limit: 2_000)
            if page.isEmpty { break }
            for item in page {
                let entry = item.entry
                after = entry.sequence
                guard entry.type == LedgerCommand.ledgerType || entry.type == ReportBatchPayload.ledgerType else {
                    if let difference = unexpected(entry) { return (difference, replayed) }
                    continue
                }
                if let missing = produced.first {
                    return ("\(source): replaying produced \(missing.type) \(missing.payload), which the ledger lacks", replayed)
                }
                guard let time = entry.date else { return ("entry \(entry.sequence): unreadable time \(entry.time)", replayed) }
                let at = max(time, replayed.engine.now)
                source = "entry \(entry.sequence) (\(entry.type))"
                if entry.type == LedgerCommand.ledgerType {
                    let payload = try LedgerCommand.decode(entry.payload)
                    source += " \(payload.name)"
                    let applied = try apply(.command(payload), at: at, to: &replayed)
                    produced = Array(applied.records.dropFirst())
                } else {
                    var events: [Event] = []
                    replayed.engine.rules = item.rules
                    for report in item.reports { events += (try? replayed.engine.handle(.report(report), at: at)) ?? [] }
                    replayed.engine.rules = Engine.currentRules
                    let engine = replayed.engine
                    produced = events.map { EventRecord.record($0, basis: { engine.lastReport(of: $0) }) }
                }
            }
        }
        if let missing = produced.first {
            return ("\(source): replaying produced \(missing.type) \(missing.payload), which the ledger lacks", replayed)
        }
        return (nil, replayed)
    }

    /// Applies entries of the ledger (a replay, or another writer's appends): commands
    /// and report batches run through the engine again at their recorded times; the
    /// events recorded after them are what that produced, so they are not applied.
    private func apply(_ foreign: [Foreign]) {
        apply(foreign, to: &state, head: &head)
    }

    private func apply(_ foreign: [Foreign], to state: inout State, head: inout Int64) {
        for item in foreign {
            let entry = item.entry
            defer { head = entry.sequence }
            guard let time = entry.date else { continue }
            let at = max(time, state.engine.now)
            switch entry.type {
            case LedgerCommand.ledgerType:
                do {
                    let payload = try LedgerCommand.decode(entry.payload)
                    _ = try apply(.command(payload), at: at, to: &state)
                } catch {
                    logger.warning("ledger entry \(entry.sequence): command not applied again: \(error)")
                }
            case ReportBatchPayload.ledgerType:
                state.engine.rules = item.rules
                for report in item.reports { _ = try? state.engine.handle(.report(report), at: at) }
                state.engine.rules = Engine.currentRules
            default:
                break
            }
        }
    }
}

/// The node as a service of the application's service group: it runs until the group
/// shuts down gracefully (SIGTERM, SIGINT), then stops, which ends the live streams so
/// the HTTP server can finish its requests.
public struct NodeService: Service {
    package let node: Node

    public init(node: Node) {
        self.node = node
    }

    public func run() async throws {
        let node = node
        await cancelWhenGracefulShutdown { await node.run() }
    }
}

extension FieldError.Code {
    /// The kind of a refusal of the DSS interface.
    package init(_ code: F3548.Failure.Code) {
        self = switch code {
        case .badRequest: .badRequest
        case .unauthenticated: .unauthenticated
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        }
    }
}
