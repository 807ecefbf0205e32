import DeconflictLedger
package import DeconflictEngine
package import DeconflictGeometry
package import Foundation
package import Logging
import DeconflictStore

/// The strategic coordination state of the ASTM F3548-21 DSS interface: operational
/// intent references, constraint references, subscriptions and USS availability, with
/// the rules that decide each write.
///
/// It changes only through ``apply(_:at:engine:)``, which is deterministic: the ledger
/// keeps each request with every value chosen when it arrived (new OVNs, versions, ids),
/// so applying the ledger again rebuilds the same airspace. Each change also reaches
/// the engine: an operational intent is an operation of the managing USS's party
/// (`intent:<id>`), a constraint a no-fly zone of that party (`constraint:<id>`), so
/// they meet the native zones, units and alerts.
package struct Airspace: Sendable {
    package struct Intent: Located {
        package let id: String
        package var manager: String
        package var version: Int
        package var state: String
        package var ovn: String
        package var extents: [Volume4D]
        package var start: Date
        package var end: Date
        package var ussBaseURL: String
        package var subscription: String?

        package var volumes: [Volume4D] { extents }
    }

    package struct Constraint: Located {
        package let id: String
        package var manager: String
        package var version: Int
        package var ovn: String
        package var extents: [Volume4D]
        package var start: Date
        package var end: Date
        package var ussBaseURL: String

        package var volumes: [Volume4D] { extents }
    }

    package struct Subscription: Located {
        package let id: String
        package var manager: String
        package var version: String
        package var notificationIndex: Int
        package var volumes: [Volume4D]
        package var start: Date
        package var end: Date
        package var ussBaseURL: String
        package var notifyForIntents: Bool
        package var notifyForConstraints: Bool
        package var implicit: Bool
        package var dependents: Set<String>
    }

    package struct Availability: Sendable {
        package var state: String
        package var version: String
    }

    package init() {}

    package private(set) var intents = LocatedTable<Intent>()
    package private(set) var constraints = LocatedTable<Constraint>()
    package private(set) var subscriptions = LocatedTable<Subscription>()
    package private(set) var availability: [String: Availability] = [:]
    package private(set) var reports = 0

    package static let logger = Logger(label: "deconflict.dss")

    /// The longest a subscription lasts.
    package static let maximumSubscriptionDuration: TimeInterval = 24 * 3_600
    /// The states of an operational intent.
    package static let states: Set<String> = ["Accepted", "Activated", "Nonconforming", "Contingent"]
    /// How much later than a dependent intent's start a subscription may start: the
    /// reference DSS's tolerance (ValidateDependentOp, 5 minutes).
    package static let dependentStartTolerance: TimeInterval = 5 * 60
    /// The id an intent without a subscription names (the null version 4 UUID).
    package static let noSubscription = "00000000-0000-4000-8000-000000000000"

    package enum Scope {
        package static let strategicCoordination = "utm.strategic_coordination"
        package static let constraintManagement = "utm.constraint_management"
        package static let constraintProcessing = "utm.constraint_processing"
        package static let conformanceMonitoring = "utm.conformance_monitoring_sa"
        package static let availabilityArbitration = "utm.availability_arbitration"
    }

    /// The Deconflict party a USS acts as: `uss:` and its token subject.
    package static func party(of manager: String) -> PartyID {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
        return PartyID("uss:" + String(manager.prefix(120).map { allowed.contains($0) ? $0 : "_" }))
    }

    package static func operationID(_ intent: String) -> OperationID { OperationID("intent:" + intent) }
    package static func zoneIDs(_ constraint: String, count: Int) -> [ZoneID] {
        count == 1 ? [ZoneID("constraint:" + constraint)] : (0..<count).map { ZoneID("constraint:\(constraint):\($0)") }
    }

    // MARK: Requests

    /// A DSS request as the ledger keeps it, with the values chosen on arrival.
    package struct Request: Codable, Hashable, Sendable {
        package enum Kind: String, Codable, Sendable {
            case putIntent, deleteIntent, putConstraint, deleteConstraint, putSubscription, deleteSubscription
            case setAvailability, report
        }

        package var kind: Kind
        /// The token's subject: the USS making the request.
        package var manager: String
        package var scopes: [String]
        /// The entity (or the USS, for availability) in the path.
        package var id: String
        /// The OVN or version in the path of an update or delete.
        package var version: String?
        /// The OVN (or version) the change gets.
        package var newVersion: String
        /// The id of an implicit subscription this request may create.
        package var newSubscription: String?
        package var intent: F3548.PutOperationalIntentParameters?
        package var constraint: F3548.PutConstraintParameters?
        package var subscription: F3548.PutSubscriptionParameters?
        package var availability: F3548.SetAvailabilityParameters?
        /// A report's JSON, as received.
        package var report: String?
        /// This server's base URL as the request reached it: where native zones' details are.
        package var base: String?
        /// Whether what meets what is decided by S2 cell coverings, as the reference DSS
        /// does (every request since issue 19); entries written before replay with exact
        /// geometry, as they were decided.
        package var byCells: Bool?

        package func has(_ scope: String) -> Bool { scopes.contains(scope) }

        package init(
            kind: Kind, manager: String, scopes: [String], id: String, version: String? = nil, newVersion: String,
            newSubscription: String? = nil, base: String? = nil
        ) {
            self.kind = kind
            self.manager = manager
            self.scopes = scopes
            self.id = id
            self.version = version
            self.newVersion = newVersion
            self.newSubscription = newSubscription
            self.base = base
        }
    }

    /// Applies a request: changes the airspace and the engine and returns the answer's
    /// body, or throws the refusal (nothing changed).
    ///
    /// Every check comes before the first change, so a refusal changes nothing. The
    /// engine's part cannot be refused (the USS's party is added first; operations and
    /// zones of it are always accepted); were it to fail, the airspace change would stand
    /// (logged), as it would again on replay.
    package mutating func apply(
        _ request: Request, at now: Date, engine: inout Engine
    ) throws(F3548.Failure) -> (answer: any Encodable & Sendable, events: [Event]) {
        var commands: [Engine.Command] = []
        let answer: any Encodable & Sendable
        switch request.kind {
        case .putIntent: answer = try putIntent(request, at: now, engine: engine, commands: &commands)
        case .deleteIntent: answer = try deleteIntent(request, at: now, commands: &commands)
        case .putConstraint: answer = try putConstraint(request, at: now, commands: &commands)
        case .deleteConstraint: answer = try deleteConstraint(request, at: now, commands: &commands)
        case .putSubscription: answer = try putSubscription(request, at: now, engine: engine)
        case .deleteSubscription: answer = try deleteSubscription(request)
        case .setAvailability: answer = try setAvailability(request)
        case .report:
            reports += 1
            let report = (try? JSONDecoder().decode([String: JSONValue].self, from: Data((request.report ?? "{}").utf8))) ?? [:]
            answer = F3548.ReportAnswer(report: report, reportId: request.newVersion)
        }
        // The engine follows: the USS's party, its operations and zones.
        var events: [Event] = []
        let party = Self.party(of: request.manager)
        if !commands.isEmpty, engine.parties[party] == nil { commands.insert(.addParty(Party(id: party, name: request.manager)), at: 0) }
        for command in commands {
            do {
                events += try engine.handle(command, at: now)
            } catch {
                Self.logger.error("DSS \(request.kind.rawValue) \(request.id): the engine refused \(command): \(error)")
            }
        }
        return (answer, events)
    }

    // MARK: Operational intents

    private mutating func putIntent(
        _ request: Request, at now: Date, engine: Engine, commands: inout [Engine.Command]
    ) throws(F3548.Failure) -> F3548.IntentAnswer {
        guard let parameters = request.intent else { throw .badRequest("body", "missing") }
        // The body first (400), then the intent it changes (404, 403, 409), as the
        // reference DSS does: a malformed request is malformed whatever exists.
        guard Self.states.contains(parameters.state) else {
            throw .badRequest("state", "must be one of Accepted, Activated, Nonconforming, Contingent; got \(parameters.state)")
        }
        try F3548.checkBaseURL(parameters.ussBaseUrl, field: "uss_base_url")
        if parameters.subscriptionId != nil, parameters.newSubscription != nil {
            throw .badRequest("new_subscription", "give subscription_id or new_subscription, not both")
        }
        if let given = parameters.subscriptionId, !F3548.isUUIDv4(given) {
            throw .badRequest("subscription_id", "not a version 4 UUID: \(given)")
        }
        if let implicit = parameters.newSubscription {
            try F3548.checkBaseURL(implicit.ussBaseUrl, field: "new_subscription.uss_base_url")
            if implicit.notifyForConstraints == true, !Self.mayFollowConstraints(request) {
                throw .badRequest("new_subscription.notify_for_constraints", "needs the scope \(Scope.constraintProcessing) or \(Scope.strategicCoordination)")
            }
        }
        let extents = try F3548.volumes(parameters.extents, field: "extents", requiring: .entity)
        let start = extents.compactMap(\.time.start).min()!
        let end = extents.compactMap(\.time.end).max()!
        guard end >= now else { throw .badRequest("extents", "the operational intent ends in the past (\(RFC3339.format(end)))") }
        try F3548.checkArea(extents.reduce(0) { $0 + $1.footprint.areaSquareMeters }, field: "extents")
        if request.version == nil, parameters.state != "Accepted" {
            throw .badRequest("state", "a new operational intent must be Accepted, got \(parameters.state)")
        }
        if parameters.state != "Accepted", parameters.subscriptionId == nil, parameters.newSubscription == nil {
            throw .badRequest("subscription_id", "an operational intent in the state \(parameters.state) needs a subscription (subscription_id or new_subscription)")
        }

        let existing = intents[request.id]
        if let version = request.version {
            guard let existing else { throw F3548.Failure(.notFound, "operational intent \(request.id) not found") }
            guard existing.manager == request.manager else {
                throw F3548.Failure(.forbidden, "operational intent \(request.id) is managed by another USS")
            }
            guard existing.ovn == version else {
                throw F3548.Failure(.conflict, "OVN \(version) is not the current OVN of operational intent \(request.id)")
            }
        } else if existing != nil {
            throw F3548.Failure(.conflict, "operational intent \(request.id) already exists; update it with its OVN in the path")
        }
        let offNominal = parameters.state == "Nonconforming" || parameters.state == "Contingent"
        if offNominal {
            guard request.has(Scope.conformanceMonitoring) else {
                throw F3548.Failure(.forbidden, "the state \(parameters.state) needs the scope \(Scope.conformanceMonitoring)")
            }
        } else {
            guard request.has(Scope.strategicCoordination) else {
                throw F3548.Failure(.forbidden, "the state \(parameters.state) needs the scope \(Scope.strategicCoordination)")
            }
        }
        if !offNominal, availability[request.manager]?.state == "Down" {
            throw F3548.Failure(.preconditionFailed, "USS \(request.manager) is marked Down and may not plan or activate operational intents")
        }

        // The subscription that keeps the manager informed.
        var subscriptionID: String?
        var implicitToCreate: Subscription?
        if let given = parameters.subscriptionId {
            guard let subscription = subscriptions[given.lowercased()] else {
                throw .badRequest("subscription_id", "no subscription \(given)")
            }
            guard subscription.manager == request.manager else {
                throw F3548.Failure(.forbidden, "subscription \(given) is managed by another USS")
            }
            guard subscription.notifyForIntents else {
                throw .badRequest("subscription_id", "subscription \(given) does not notify for operational intents")
            }
            if !subscription.implicit {
                for (index, volume) in extents.enumerated() where !subscription.volumes.contains(where: { $0.covers(volume) }) {
                    throw .badRequest("subscription_id", "subscription \(given) does not cover extents[\(index)]")
                }
            }
            subscriptionID = subscription.id
        } else if let implicit = parameters.newSubscription {
            guard let id = request.newSubscription else { throw .badRequest("new_subscription", "no id was chosen") }
            implicitToCreate = Subscription(
                id: id, manager: request.manager, version: request.newVersion, notificationIndex: 0, volumes: extents,
                start: start, end: end, ussBaseURL: implicit.ussBaseUrl, notifyForIntents: true,
                notifyForConstraints: implicit.notifyForConstraints ?? false, implicit: true, dependents: [request.id])
            subscriptionID = id
        }
        // The key: the OVNs of everything relevant it must know of.
        if !offNominal {
            let key = Set(parameters.key ?? [])
            let missingIntents = relevantIntents(extents, at: now, byCells: request.byCells == true).filter {
                $0.id != request.id && ($0.state == "Accepted" || $0.state == "Activated") && !key.contains($0.ovn)
            }
            let notifyForConstraints = implicitToCreate?.notifyForConstraints
                ?? subscriptionID.flatMap { subscriptions[$0]?.notifyForConstraints } ?? false
            let missingConstraints = notifyForConstraints ? relevantConstraints(extents, at: now, byCells: request.byCells == true).filter { !key.contains($0.ovn) } : []
            let missingNatives = notifyForConstraints
                ? Self.natives(in: engine, meeting: extents, at: now).filter { !key.contains($0.ovn) } : []
            if !missingIntents.isEmpty || !missingConstraints.isEmpty || !missingNatives.isEmpty {
                let constraintCount = missingConstraints.count + missingNatives.count
                var failure = F3548.Failure(.conflict, "the key does not hold the current OVN of \(missingIntents.count) operational intent(s) and \(constraintCount) constraint(s) in the area")
                failure.conflict = F3548.AirspaceConflict(
                    message: failure.message,
                    missingOperationalIntents: missingIntents.map { describe($0, for: request.manager) },
                    missingConstraints: missingConstraints.map { describe($0, for: request.manager) }
                        + missingNatives.map { describe($0, base: request.base ?? "") })
                throw failure
            }
        }

        // The change.
        let previous = existing
        if let old = previous?.subscription, old != subscriptionID { detach(request.id, from: old) }
        if let created = implicitToCreate { subscriptions.set(created) }
        if let id = subscriptionID, var subscription = subscriptions[id] {
            subscription.dependents.insert(request.id)
            if subscription.implicit {
                // An implicit subscription grows to cover its intents.
                for volume in extents where !subscription.volumes.contains(volume) { subscription.volumes.append(volume) }
                subscription.start = min(subscription.start, start)
                subscription.end = max(subscription.end, end)
                if implicitToCreate == nil { subscription.version = request.newVersion }
            }
            subscriptions.set(subscription)
        }
        let intent = Intent(
            id: request.id, manager: request.manager, version: (previous?.version ?? 0) + 1, state: parameters.state,
            ovn: request.newVersion, extents: extents, start: start, end: end, ussBaseURL: parameters.ussBaseUrl,
            subscription: subscriptionID)
        intents.set(intent)
        let subscribers = notify(extents + (previous?.extents ?? []), at: now, intents: true, byCells: request.byCells == true)
        commands.append(.putOperation(Operation(
            id: Self.operationID(request.id), party: Self.party(of: request.manager), name: "F3548 intent \(request.id.prefix(8))",
            extent: try! Extent(extents), state: parameters.state == "Accepted" ? .planned : .active)))
        return F3548.IntentAnswer(operationalIntentReference: describe(intent, for: request.manager), subscribers: subscribers)
    }

    private mutating func deleteIntent(_ request: Request, at now: Date, commands: inout [Engine.Command]) throws(F3548.Failure) -> F3548.IntentAnswer {
        guard let existing = intents[request.id] else { throw F3548.Failure(.notFound, "operational intent \(request.id) not found") }
        guard existing.manager == request.manager else {
            throw F3548.Failure(.forbidden, "operational intent \(request.id) is managed by another USS")
        }
        guard existing.ovn == request.version else {
            throw F3548.Failure(.conflict, "OVN \(request.version ?? "") is not the current OVN of operational intent \(request.id)")
        }
        if availability[request.manager]?.state == "Down" {
            throw F3548.Failure(.preconditionFailed, "USS \(request.manager) is marked Down and may not delete operational intents")
        }
        intents.remove(request.id)
        if let subscription = existing.subscription { detach(request.id, from: subscription) }
        let subscribers = notify(existing.extents, at: now, intents: true, byCells: request.byCells == true)
        commands.append(.setOperationState(Self.operationID(request.id), .cancelled))
        return F3548.IntentAnswer(operationalIntentReference: describe(existing, for: request.manager), subscribers: subscribers)
    }

    /// The intent no longer depends on the subscription; an implicit one goes with its last intent.
    private mutating func detach(_ intent: String, from id: String) {
        guard var subscription = subscriptions[id] else { return }
        subscription.dependents.remove(intent)
        if subscription.implicit, subscription.dependents.isEmpty {
            subscriptions.remove(id)
        } else {
            subscriptions.set(subscription)
        }
    }

    // MARK: Constraints

    private mutating func putConstraint(_ request: Request, at now: Date, commands: inout [Engine.Command]) throws(F3548.Failure) -> F3548.ConstraintAnswer {
        guard let parameters = request.constraint else { throw .badRequest("body", "missing") }
        // The body first (400), then the constraint it changes (404, 403, 409).
        try F3548.checkBaseURL(parameters.ussBaseUrl, field: "uss_base_url")
        let extents = try F3548.volumes(parameters.extents, field: "extents", requiring: .entity)
        let start = extents.compactMap(\.time.start).min()!
        let end = extents.compactMap(\.time.end).max()!
        guard end >= now else { throw .badRequest("extents", "the constraint ends in the past (\(RFC3339.format(end)))") }
        let existing = constraints[request.id]
        if let version = request.version {
            guard let existing else { throw F3548.Failure(.notFound, "constraint \(request.id) not found") }
            guard existing.manager == request.manager else { throw F3548.Failure(.forbidden, "constraint \(request.id) is managed by another USS") }
            guard existing.ovn == version else {
                throw F3548.Failure(.conflict, "OVN \(version) is not the current OVN of constraint \(request.id)")
            }
        } else if existing != nil {
            throw F3548.Failure(.conflict, "constraint \(request.id) already exists; update it with its OVN in the path")
        }
        let constraint = Constraint(
            id: request.id, manager: request.manager, version: (existing?.version ?? 0) + 1, ovn: request.newVersion,
            extents: extents, start: start, end: end, ussBaseURL: parameters.ussBaseUrl)
        constraints.set(constraint)
        let subscribers = notify(extents + (existing?.extents ?? []), at: now, intents: false, byCells: request.byCells == true)
        let party = Self.party(of: request.manager)
        let zones = Self.zoneIDs(request.id, count: extents.count)
        for (id, volume) in zip(zones, extents) {
            commands.append(.putZone(Zone(id: id, name: "F3548 constraint \(request.id.prefix(8))", kind: .noFlyArea, owner: party, volume: volume)))
        }
        if let existing, existing.extents.count != extents.count {
            for id in Self.zoneIDs(request.id, count: existing.extents.count) where !zones.contains(id) { commands.append(.removeZone(id)) }
        }
        return F3548.ConstraintAnswer(constraintReference: describe(constraint, for: request.manager), subscribers: subscribers)
    }

    private mutating func deleteConstraint(_ request: Request, at now: Date, commands: inout [Engine.Command]) throws(F3548.Failure) -> F3548.ConstraintAnswer {
        guard let existing = constraints[request.id] else { throw F3548.Failure(.notFound, "constraint \(request.id) not found") }
        guard existing.manager == request.manager else { throw F3548.Failure(.forbidden, "constraint \(request.id) is managed by another USS") }
        guard existing.ovn == request.version else {
            throw F3548.Failure(.conflict, "OVN \(request.version ?? "") is not the current OVN of constraint \(request.id)")
        }
        constraints.remove(request.id)
        let subscribers = notify(existing.extents, at: now, intents: false, byCells: request.byCells == true)
        for id in Self.zoneIDs(request.id, count: existing.extents.count) { commands.append(.removeZone(id)) }
        return F3548.ConstraintAnswer(constraintReference: describe(existing, for: request.manager), subscribers: subscribers)
    }

    // MARK: Subscriptions

    /// Whether the USS may ask for constraint notifications: with constraint processing,
    /// or with strategic coordination, as the reference DSS and the InterUSS prober
    /// expect (a planning USS must learn of the constraints its key has to hold).
    package static func mayFollowConstraints(_ request: Request) -> Bool {
        request.has(Scope.constraintProcessing) || request.has(Scope.strategicCoordination)
    }

    private mutating func putSubscription(_ request: Request, at now: Date, engine: Engine) throws(F3548.Failure) -> F3548.SubscriptionAnswer {
        guard let parameters = request.subscription else { throw .badRequest("body", "missing") }
        // The body first (400), then the subscription it changes (404, 409).
        try F3548.checkBaseURL(parameters.ussBaseUrl, field: "uss_base_url")
        let forIntents = parameters.notifyForOperationalIntents ?? false
        let forConstraints = parameters.notifyForConstraints ?? false
        guard forIntents || forConstraints else {
            throw .badRequest("notify_for_operational_intents", "a subscription must ask for notifications of operational intents, constraints or both")
        }
        if forIntents, !request.has(Scope.strategicCoordination) {
            throw .badRequest("notify_for_operational_intents", "needs the scope \(Scope.strategicCoordination)")
        }
        if forConstraints, !Self.mayFollowConstraints(request) {
            throw .badRequest("notify_for_constraints", "needs the scope \(Scope.constraintProcessing) or \(Scope.strategicCoordination)")
        }
        var volume = try F3548.volume(parameters.extents, field: "extents", requiring: .area)
        let start = volume.time.start ?? now
        let end = volume.time.end ?? start.addingTimeInterval(Self.maximumSubscriptionDuration)
        guard end >= now else { throw .badRequest("extents.time_end", "the subscription ends in the past (\(RFC3339.format(end)))") }
        guard end >= start else { throw .badRequest("extents.time_end", "must not be before time_start") }
        guard end.timeIntervalSince(start) <= Self.maximumSubscriptionDuration else {
            throw .badRequest("extents.time_end", "a subscription lasts at most 24 hours")
        }
        volume = Volume4D(footprint: volume.footprint, altitude: volume.altitude, time: try! TimeWindow(start: start, end: end))
        let existing = subscriptions[request.id]
        if let version = request.version {
            guard let existing else { throw F3548.Failure(.notFound, "subscription \(request.id) not found") }
            guard existing.manager == request.manager else { throw F3548.Failure(.conflict, "subscription \(request.id) is managed by another USS") }
            guard existing.version == version else {
                throw F3548.Failure(.conflict, "version \(version) is not the current version of subscription \(request.id)")
            }
        } else if existing != nil {
            throw F3548.Failure(.conflict, "subscription \(request.id) already exists; update it with its version in the path")
        }
        // It may not shrink away from the intents that depend on it.
        for dependent in (existing?.dependents ?? []).sorted() {
            guard let intent = intents[dependent] else { continue }
            if !forIntents { throw .badRequest("notify_for_operational_intents", "operational intent \(dependent) depends on this subscription") }
            // As the reference DSS: the subscription may start up to 5 minutes after
            // the intent (a USS re-sending "from now" is a few milliseconds late).
            let tolerant = Volume4D(
                footprint: volume.footprint, altitude: volume.altitude,
                time: try! TimeWindow(start: start.addingTimeInterval(-Self.dependentStartTolerance), end: end))
            for extent in intent.extents where !tolerant.covers(extent) {
                throw .badRequest("extents", "operational intent \(dependent) depends on this subscription and would no longer be covered")
            }
        }
        // Written by the USS itself, a subscription is explicit: an implicit one updated
        // here becomes explicit and outlives its intents, as in the reference DSS.
        let subscription = Subscription(
            id: request.id, manager: request.manager, version: request.newVersion, notificationIndex: existing?.notificationIndex ?? 0,
            volumes: [volume], start: start, end: end, ussBaseURL: parameters.ussBaseUrl, notifyForIntents: forIntents,
            notifyForConstraints: forConstraints, implicit: false, dependents: existing?.dependents ?? [])
        subscriptions.set(subscription)
        var answer = F3548.SubscriptionAnswer(subscription: describe(subscription))
        // Only the kinds asked for: a list of a kind not asked for is left out, not empty.
        if forIntents {
            answer.operationalIntentReferences = relevantIntents([volume], at: now, byCells: request.byCells == true).map { describe($0, for: request.manager) }
        }
        if forConstraints {
            answer.constraintReferences = relevantConstraints([volume], at: now, byCells: request.byCells == true).map { describe($0, for: request.manager) }
                + Self.natives(in: engine, meeting: [volume], at: now).map { describe($0, base: request.base ?? "") }
        }
        return answer
    }

    private mutating func deleteSubscription(_ request: Request) throws(F3548.Failure) -> F3548.SubscriptionAnswer {
        guard let existing = subscriptions[request.id] else { throw F3548.Failure(.notFound, "subscription \(request.id) not found") }
        guard existing.manager == request.manager else { throw F3548.Failure(.conflict, "subscription \(request.id) is managed by another USS") }
        guard existing.version == request.version else {
            throw F3548.Failure(.conflict, "version \(request.version ?? "") is not the current version of subscription \(request.id)")
        }
        guard existing.dependents.isEmpty else {
            throw .badRequest("subscription", "operational intents depend on subscription \(request.id): \(existing.dependents.sorted().joined(separator: ", "))")
        }
        subscriptions.remove(request.id)
        return F3548.SubscriptionAnswer(subscription: describe(existing))
    }

    // MARK: Availability

    package static func canonicalAvailability(_ text: String) -> String? {
        ["Unknown", "Normal", "Down"].first { $0.caseInsensitiveCompare(text) == .orderedSame }
    }

    private mutating func setAvailability(_ request: Request) throws(F3548.Failure) -> F3548.AvailabilityAnswer {
        guard let parameters = request.availability else { throw .badRequest("body", "missing") }
        guard let state = Self.canonicalAvailability(parameters.availability) else {
            throw .badRequest("availability", "must be Unknown, Normal or Down; got \(parameters.availability)")
        }
        let current = availability[request.id]
        guard (parameters.oldVersion ?? "") == (current?.version ?? "") else {
            throw F3548.Failure(.conflict, "old_version \(parameters.oldVersion ?? "") is not the current version of USS \(request.id)'s availability")
        }
        availability[request.id] = Availability(state: state, version: request.newVersion)
        return describeAvailability(request.id)
    }

    package func describeAvailability(_ uss: String) -> F3548.AvailabilityAnswer {
        let current = availability[uss]
        return F3548.AvailabilityAnswer(status: .init(uss: uss, availability: current?.state ?? "Unknown"), version: current?.version ?? "")
    }

    // MARK: Searching and notifying

    /// Intents not yet over whose extents meet `volumes`, by id.
    package func relevantIntents(_ volumes: [Volume4D], at now: Date, byCells: Bool = true) -> [Intent] {
        intents.candidates(meeting: volumes, widened: byCells).filter { $0.end >= now && Self.meet($0.extents, volumes, byCells: byCells) }
    }

    package func relevantConstraints(_ volumes: [Volume4D], at now: Date, byCells: Bool = true) -> [Constraint] {
        constraints.candidates(meeting: volumes, widened: byCells).filter { $0.end >= now && Self.meet($0.extents, volumes, byCells: byCells) }
    }

    package func relevantSubscriptions(_ volumes: [Volume4D], at now: Date, manager: String) -> [Subscription] {
        subscriptions.candidates(meeting: volumes, widened: true).filter {
            $0.manager == manager && $0.end >= now && Self.meet($0.volumes, volumes, byCells: true)
        }
    }

    /// Whether volumes of `a` and `b` meet: in time, altitude and footprint, the
    /// footprints by exact geometry or, `byCells`, by their S2 coverings as the reference
    /// DSS does (``CellCovering``).
    package static func meet(_ a: [Volume4D], _ b: [Volume4D], byCells: Bool = false) -> Bool {
        for x in a {
            for y in b where timesMeet(x.time, y.time) && x.altitude.overlaps(y.altitude) {
                if byCells {
                    if CellCovering.meet(x.footprint, y.footprint) { return true }
                } else if x.footprint.boundingBox.intersects(y.footprint.boundingBox) && x.footprint.intersects(y.footprint) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether two time windows share an instant, their ends included: the DSS searches
    /// closed intervals, as the reference DSS does (`starts_at <= end AND ends_at >=
    /// start`), so a search for one instant (start == end) finds what is live then.
    /// (Deconflict's own alerts keep half-open windows: one flight may start as
    /// another ends.)
    package static func timesMeet(_ a: TimeWindow, _ b: TimeWindow) -> Bool {
        if let end = a.end, let start = b.start, end < start { return false }
        if let end = b.end, let start = a.start, end < start { return false }
        return true
    }

    /// A native zone (a constraint managed by `deconflict`) was declared, changed or
    /// removed: the subscriptions asking for constraint notifications that meet its old
    /// or new volume advance their notification index, so a USS learns of it without
    /// polling. Replayed from the ledger's zone commands like any other change.
    package mutating func nativeZoneChanged(_ zone: ZoneID?, _ volumes: [Volume4D], at now: Date) {
        guard let zone, !zone.rawValue.hasPrefix("constraint:") else { return }
        _ = notify(volumes, at: now, intents: false, byCells: false)
    }

    /// Advances the notification index of every subscription the change concerns and
    /// lists them by the USS to notify.
    private mutating func notify(_ volumes: [Volume4D], at now: Date, intents forIntents: Bool, byCells: Bool) -> [F3548.SubscriberToNotify] {
        var byURL: [String: [F3548.SubscriberToNotify.State]] = [:]
        for var subscription in subscriptions.candidates(meeting: volumes, widened: byCells)
        where (forIntents ? subscription.notifyForIntents : subscription.notifyForConstraints)
            && subscription.end >= now && Self.meet(subscription.volumes, volumes, byCells: byCells) {
            subscription.notificationIndex += 1
            subscriptions.set(subscription)
            byURL[subscription.ussBaseURL, default: []].append(
                .init(subscriptionId: subscription.id, notificationIndex: subscription.notificationIndex))
        }
        return byURL.keys.sorted().map { F3548.SubscriberToNotify(ussBaseUrl: $0, subscriptions: byURL[$0]!) }
    }

    // MARK: Describing

    /// What other USSs see instead of an OVN.
    package static let hiddenOVN = "Available from USS"

    package func usable(_ manager: String) -> String { availability[manager]?.state ?? "Unknown" }

    package func describe(_ intent: Intent, for caller: String) -> F3548.IntentReference {
        F3548.IntentReference(
            id: intent.id, manager: intent.manager, ussAvailability: usable(intent.manager), version: intent.version,
            state: intent.state, ovn: intent.manager == caller ? intent.ovn : Self.hiddenOVN,
            timeStart: F3548.Time(intent.start), timeEnd: F3548.Time(intent.end),
            ussBaseUrl: intent.ussBaseURL, subscriptionId: intent.subscription ?? Self.noSubscription)
    }

    package func describe(_ constraint: Constraint, for caller: String) -> F3548.ConstraintReference {
        F3548.ConstraintReference(
            id: constraint.id, manager: constraint.manager, ussAvailability: usable(constraint.manager),
            version: constraint.version, ovn: constraint.manager == caller ? constraint.ovn : Self.hiddenOVN,
            timeStart: F3548.Time(constraint.start), timeEnd: F3548.Time(constraint.end), ussBaseUrl: constraint.ussBaseURL)
    }

    package func describe(_ subscription: Subscription) -> F3548.SubscriptionReference {
        F3548.SubscriptionReference(
            id: subscription.id, version: subscription.version, notificationIndex: subscription.notificationIndex,
            timeStart: F3548.Time(subscription.start), timeEnd: F3548.Time(subscription.end),
            ussBaseUrl: subscription.ussBaseURL, notifyForOperationalIntents: subscription.notifyForIntents,
            notifyForConstraints: subscription.notifyForConstraints, implicitSubscription: subscription.implicit,
            dependentOperationalIntents: subscription.dependents.sorted())
    }
}

