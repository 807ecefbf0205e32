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

// The detectors: what a position report or the passing of time raises and resolves.

extension Engine {
    /// Takes a report: moves the unit, then incursion, approach, conformance and
    /// separation. A report on the unit's planned track skips the zone searches.
    mutating func ingest(_ report: PositionReport, events: inout [Event]) throws(EngineError) {
        guard let slotNumber = slotOf[report.unit] else {
            throw EngineError(.unknownUnit, field: "unit", reason: "no unit \(report.unit)")
        }
        let slot = Int(slotNumber)
        for (value, field) in [
            (report.altitudeMeters, "altitudeMeters"), (report.speedMetersPerSecond, "speedMetersPerSecond"),
            (report.courseDegrees, "courseDegrees"), (report.uncertaintyMeters, "uncertaintyMeters"),
        ] where !value.isFinite {
            throw EngineError(.invalidValue, field: field, reason: "\(field) must be a finite number, got \(value)")
        }
        guard report.speedMetersPerSecond >= 0 else {
            throw EngineError(
                .invalidValue, field: "speedMetersPerSecond",
                reason: "speed must not be negative, got \(report.speedMetersPerSecond)")
        }
        guard report.uncertaintyMeters >= 0 else {
            throw EngineError(
                .invalidValue, field: "uncertaintyMeters", reason: "uncertainty must not be negative, got \(report.uncertaintyMeters)")
        }
        if let last = table[slot].report, last.time > report.time {
            throw EngineError(.outOfOrder, field: "time", reason: "older than the unit's last report (\(last.time))")
        }
        let onPlan = confirmsPlan(slot, report)
        table[slot].report = report
        setMotion(slot, report)
        if let stale = table[slot].staleAlert {
            table[slot].staleAlert = nil
            resolve(stale, reason: "reports resumed", events: &events)
        }
        if onPlan {
            applyApproaches(slot, events: &events)
        } else {
            zoneMembership(slot, report, events: &events)
            plan(slot, report, events: &events)
            applyApproaches(slot, events: &events)
        }
        let unit = table[slot].unit
        if operatingUnits[unit.id] != nil { conformance(of: unit, report, events: &events) }
        let boxes = sweptBoxes(of: report)
        let air = unit.domain == .air
        listSweep(
            slot, under: SweepKey(party: table[slot].party, air: air, band: air ? Engine.band(report.altitudeMeters) : 0),
            box: boxes.swept)
        separation(slot, within: boxes.query, events: &events)
    }

    /// Whether `report` lies on the track the unit's plan was made from, and the plan
    /// still holds.
    func confirmsPlan(_ slot: Int, _ report: PositionReport) -> Bool {
        guard let plan = table[slot].plan, plan.generation == generation, report.time < plan.validUntil,
              let last = table[slot].report, report.speedMetersPerSecond == last.speedMetersPerSecond,
              report.altitudeMeters == last.altitudeMeters, report.uncertaintyMeters == last.uncertaintyMeters
        else { return false }
        var expected = plan.basisPosition
        if report.speedMetersPerSecond > 0 {
            let travel = report.speedMetersPerSecond * report.time.timeIntervalSince(plan.basisTime)
            let projected = Geodesic.direct(from: plan.basisPosition, azimuthDegrees: plan.basisCourse, distanceMeters: travel)
            expected = projected.position
            var turn = abs(projected.azimuthDegrees - report.courseDegrees).truncatingRemainder(dividingBy: 360)
            if turn > 180 { turn = 360 - turn }
            guard turn <= 0.01 else { return false }
        }
        // Sub-metre offsets: the local plane is exact enough.
        let north = (report.position.latitude - expected.latitude) * .pi / 180 * Geodesic.maximumCurvatureRadius
        var longitude = report.position.longitude - expected.longitude
        if longitude > 180 { longitude -= 360 } else if longitude < -180 { longitude += 360 }
        let east = longitude * .pi / 180 * Geodesic.maximumCurvatureRadius * cos(expected.latitude * .pi / 180)
        return (north * north + east * east).squareRoot() <= configuration.planToleranceMeters
    }

    // MARK: Incursion (with hysteresis)

    private mutating func zoneMembership(_ slot: Int, _ report: PositionReport, events: inout [Event]) {
        let unit = table[slot].unit
        // Leaving takes being clearly outside: past the hysteresis and the uncertainty.
        // Staying, an open incursion's distance inside the edge follows (rules 2).
        var current: [ZoneVisit] = []
        for var visit in table[slot].inside {
            guard let zone = zones[visit.zone] else { continue }
            let distance = zone.volume.footprint.signedDistance(to: report.position)
            let outside = distance > configuration.hysteresisMeters + report.uncertaintyMeters
            if outside || !zone.volume.altitude.contains(report.altitudeMeters) || !zone.volume.time.contains(report.time) {
                for kind in [Alert.Kind.incursion, .dwell] {
                    if let alert = open[AlertKey(kind: kind, units: [unit.id], zone: visit.zone, agreement: nil, party: nil)] {
                        resolve(alert, reason: "left the zone", events: &events)
                    }
                }
                continue
            }
            if rules >= 2, let alert = visit.alert, Engine.noticeable(visit.toldDistance, distance, floor: 10) {
                update(alert, secondsAhead: nil, distance: distance, distanceCounts: true, events: &events)
                visit.toldDistance = distance
            }
            current.append(visit)
        }
        // Entering takes being inside.
        var entered: [ZoneID] = []
        zoneIndex.forEach(containing: PreparedPoint(report.position)) { id in entered.append(id) }
        for id in entered.sorted() where !current.contains(where: { $0.zone == id }) {
            guard let zone = zones[id], zone.excludes(unit.party),
                  zone.volume.altitude.contains(report.altitudeMeters), zone.volume.time.contains(report.time)
            else { continue }
            if let approach = table[slot].approaching.first(where: { $0.zone == id }) {
                resolve(approach.alert, reason: "entered the zone", events: &events)
            }
            let distance = zone.volume.footprint.signedDistance(to: report.position)
            let alert = raise(.incursion, units: [unit.id], zone: zone, distance: distance, events: &events)
                ?? open[AlertKey(kind: .incursion, units: [unit.id], zone: id, agreement: nil, party: nil)]
            current.append(ZoneVisit(zone: id, since: report.time, alert: alert, toldDistance: alert == nil ? nil : distance))
        }
        table[slot].inside = current
    }

    // MARK: Approach

    /// Finds the zones the unit's track enters over the horizon and the plan's span,
    /// and how long that finding holds.
    private mutating func plan(_ slot: Int, _ report: PositionReport, events: inout [Event]) {
        let unit = table[slot].unit
        let air = unit.domain == .air
        let horizon = air ? configuration.airApproachHorizonSeconds : configuration.approachHorizonSeconds
        let span = air ? configuration.airPlanSeconds : configuration.planSeconds
        let speed = report.speedMetersPerSecond
        var entries: [PlannedEntry] = []
        if speed > 0, let track = try? report.track() {
            // Zones near the path: boxes along it, a few kilometres each.
            let length = speed * (horizon + span)
            let pieces = max(1, Int((length / 10_000).rounded(.up)))
            var candidates: Set<ZoneID> = []
            var previous = report.position
            for piece in 1...pieces {
                let next = Geodesic.destination(
                    from: report.position, azimuthDegrees: report.courseDegrees, distanceMeters: length * Double(piece) / Double(pieces))
                let step = length / Double(pieces)
                let box = BoundingBox(previous).union(BoundingBox(next)).expanded(byMeters: 50 + step * step / Engine.screenRadius)
                zoneIndex.forEach(intersecting: box) { id, _ in candidates.insert(id) }
                previous = next
            }
            let inside = table[slot].inside
            for id in candidates.sorted() where !inside.contains(where: { $0.zone == id }) {
                guard let zone = zones[id], zone.excludes(unit.party),
                      let eta = try? zone.volume.entryTime(of: track, within: horizon + span)
                else { continue }
                entries.append(PlannedEntry(zone: id, at: report.time.addingTimeInterval(eta)))
            }
            entries.sort { ($0.at, $0.zone) < ($1.at, $1.zone) }
        }
        // The plan holds until the first entry, the first possible exit, or its span ends.
        var until = report.time.addingTimeInterval(span)
        if let first = entries.first { until = min(until, first.at) }
        for visit in table[slot].inside {
            guard let zone = zones[visit.zone] else { continue }
            if let end = zone.volume.time.end { until = min(until, end) }
            if speed > 0 {
                let depth = -zone.volume.footprint.signedDistance(to: report.position)
                let exit = (max(0, depth) + configuration.hysteresisMeters + report.uncertaintyMeters) / speed
                until = min(until, report.time.addingTimeInterval(exit))
            }
        }
        table[slot].plan = Plan(
            basisTime: report.time, basisPosition: report.position, basisCourse: report.courseDegrees,
            validUntil: until, generation: generation, entries: entries)
    }

    /// Raises or refreshes approach alerts for the planned entries inside the horizon,
    /// and resolves those the unit has turned away from.
    private mutating func applyApproaches(_ slot: Int, events: inout [Event]) {
        let air = table[slot].unit.domain == .air
        let horizon = air ? configuration.airApproachHorizonSeconds : configuration.approachHorizonSeconds
        var previous = table[slot].approaching
        var heading: [Approach] = []
        let speed = table[slot].report?.speedMetersPerSecond ?? 0
        for entry in table[slot].plan?.entries ?? [] {
            let eta = entry.at.timeIntervalSince(now)
            guard eta <= horizon else { break }
            guard eta >= 0, let zone = zones[entry.zone] else { continue }
            if let index = previous.firstIndex(where: { $0.zone == entry.zone }) {
                var approach = previous.remove(at: index)
                if Engine.noticeable(approach.secondsAhead, eta, floor: 10) {
                    update(approach.alert, secondsAhead: eta, distance: speed * eta, distanceCounts: false, events: &events)
                    approach.secondsAhead = eta
                }
                heading.append(approach)
                continue
            }
            let unit = table[slot].unit
            if let alert = raise(.approach, units: [unit.id], zone: zone, secondsAhead: eta, distance: speed * eta, events: &events) {
                heading.append(Approach(zone: entry.zone, alert: alert, secondsAhead: eta))
            } else if let alert = open[AlertKey(kind: .approach, units: [unit.id], zone: entry.zone, agreement: nil, party: nil)] {
                heading.append(Approach(zone: entry.zone, alert: alert, secondsAhead: alerts[alert]?.secondsAhead ?? eta))
            }
        }
        // Those left: turned away (an entry inside the zone resolved its own already).
        for approach in previous.sorted(by: { $0.zone < $1.zone }) {
            resolve(approach.alert, reason: "no longer heading into the zone", events: &events)
        }
        table[slot].approaching = heading
    }

    // MARK: Separation

    /// Separation of the unit in `slot` from other parties' units whose swept boxes
    /// come near `query`, the box it sweeps over the horizon.
    private mutating func separation(_ slot: Int, within query: BoundingBox, events: inout [Event]) {
        guard let report = table[slot].report else { return }
        let air = table[slot].unit.domain == .air
        let myParty = table[slot].party
        let myID = table[slot].unit.id
        let horizon = configuration.separationHorizonSeconds
        let hysteresis = configuration.hysteresisMeters
        var candidates = table[slot].partners.map(\.slot)
        for other in 0..<Int32(partyOrder.count) where other != myParty {
            guard let parameters = pairParameters(myParty, other) else { continue }
            let minimum = air ? parameters.airSeparationMeters : parameters.groundSeparationMeters
            // Both units stay inside their swept boxes over the horizon, so a pair that
            // comes within the minimum has boxes that close.
            let reach = (minimum + hysteresis) * 1.01 + 100
            let near = query.expanded(byMeters: reach)
            let bands = air
                ? Engine.band(report.altitudeMeters - parameters.verticalSeparationMeters)...Engine.band(report.altitudeMeters + parameters.verticalSeparationMeters)
                : 0...0
            for band in bands {
                sweeps[SweepKey(party: other, air: air, band: band)]?.forEachCandidate(intersecting: near) {
                    candidates.append(Int32($0))
                }
            }
        }
        candidates.sort()
        var previousCandidate: Int32 = -1
        for candidate in candidates where candidate != previousCandidate {
            previousCandidate = candidate
            let other = Int(candidate)
            let motion = motions[other]
            guard other != slot, let otherTime = motion.time else { continue }
            let partner = table[slot].partners.first { $0.slot == candidate }
            let partnered = partner != nil
            func restore(_ reason: String) {
                if let partner { resolve(partner.alert, reason: reason, events: &events) }
            }
            let lag = now.timeIntervalSince(otherTime)
            guard lag <= configuration.staleAfterSeconds else {
                restore("no recent reports")
                continue
            }
            guard let parameters = pairParameters(myParty, motion.party) else {
                restore("no agreement binds both parties")
                continue
            }
            let minimum = air ? parameters.airSeparationMeters : parameters.groundSeparationMeters
            // Cheap certainties first. Reports carry no climb rate, so altitudes hold:
            // aircraft far enough apart vertically stay so.
            if air, abs(report.altitudeMeters - motion.altitude) >= parameters.verticalSeparationMeters {
                restore("separation restored")
                continue
            }
            let (screened, allowance, seconds) = screen(slot, other, lag: lag, horizon: horizon)
            // Clear beyond the minimum (and the hysteresis, for an open alert), with the
            // ellipsoid's 1 % and the screen's allowance.
            if screened > (minimum + (partnered ? hysteresis : 0)) * 1.01 + allowance {
                restore("separation restored")
                continue
            }
            // An open alert the screen confirms beyond doubt, whose time ahead has not
            // clearly moved enough to publish: nothing to do. (An update may so come one
            // report later than an exact check of every report would give it.)
            if let published = partner?.secondsAhead, screened * 1.01 + allowance < minimum,
               abs(seconds - published) <= max(10, 0.1 * published) + 2 {
                continue
            }
            guard let otherReport = table[other].report, let track = try? report.track(), let otherTrack = try? otherReport.track()
            else { continue }
            let pair = [myID, table[other].unit.id].sorted()
            // The distance changes no faster than the sum of the speeds, so over the
            // horizon it stays above (d(0) + d(H) − (v₁ + v₂)·H) / 2.
            let end = now.addingTimeInterval(horizon)
            let lowest = (Geodesic.distance(track.position(at: now), otherTrack.position(at: now))
                + Geodesic.distance(track.position(at: end), otherTrack.position(at: end))
                - (track.speedMetersPerSecond + otherTrack.speedMetersPerSecond) * horizon) / 2
            if lowest > minimum + hysteresis {
                restore("separation restored")
                continue
            }
            if lowest >= minimum, !partnered { continue }
            guard let closest = try? ClosestApproach.between(track, otherTrack, from: now, horizon: horizon) else { continue }
            let verticalLoss = !air || closest.verticalSeparationMeters < parameters.verticalSeparationMeters
            if closest.distanceMeters < minimum, verticalLoss {
                if let partner {
                    update(
                        partner.alert, secondsAhead: closest.secondsFromReference, distance: closest.distanceMeters,
                        distanceCounts: true, events: &events)
                    let published = alerts[partner.alert]?.secondsAhead
                    if let index = table[slot].partners.firstIndex(where: { $0.slot == candidate }) {
                        table[slot].partners[index].secondsAhead = published
                    }
                    if let index = table[other].partners.firstIndex(where: { $0.slot == Int32(slot) }) {
                        table[other].partners[index].secondsAhead = published
                    }
                } else if let alert = raise(
                    .separation, units: pair, zone: nil, secondsAhead: closest.secondsFromReference,
                    distance: closest.distanceMeters, events: &events) {
                    table[slot].partners.append(Partner(slot: candidate, alert: alert, secondsAhead: closest.secondsFromReference))
                    table[other].partners.append(Partner(slot: Int32(slot), alert: alert, secondsAhead: closest.secondsFromReference))
                }
            } else if !verticalLoss || closest.distanceMeters > minimum + hysteresis {
                restore("separation restored")
            }
        }
    }

    /// The separation parameters between two parties: those of an agreement that binds
    /// both (or the parties that answer for them), else the configured default.
    func separationParameters(_ a: PartyID, _ b: PartyID) -> Agreement.Parameters? {
        bindingAgreement([a, b])?.parameters ?? configuration.defaultParameters
    }

    /// The first agreement (by id) that binds every one of `parties`, each itself or
    /// through a party that answers for it.
    func bindingAgreement(_ parties: [PartyID]) -> Agreement? {
        let sides = parties.map { party in [party] + responsibilities.filter { $0.client == party }.map(\.sponsor) }
        return agreements.values.sorted { $0.id < $1.id }.first { agreement in
            sides.allSatisfy { $0.contains(where: agreement.binds) }
        }
    }

    // MARK: Time passing: stale tracks, dwell, build-up, escalation

    mutating func tick(events: inout [Event]) {
        for slot in table.indices {
            guard let report = table[slot].report, now.timeIntervalSince(report.time) >= configuration.staleAfterSeconds
            else { continue }
            let id = table[slot].unit.id
            if open[AlertKey(kind: .staleTrack, units: [id], zone: nil, agreement: nil, party: nil)] == nil {
                table[slot].staleAlert = raise(.staleTrack, units: [id], zone: nil, events: &events)
            }
        }
        for slot in table.indices {
            let unit = table[slot].unit
            for visit in table[slot].inside.sorted(by: { $0.zone < $1.zone }) {
                guard let zone = zones[visit.zone], now.timeIntervalSince(visit.since) >= configuration.dwellSeconds,
                      open[AlertKey(kind: .dwell, units: [unit.id], zone: visit.zone, agreement: nil, party: nil)] == nil
                else { continue }
                raise(.dwell, units: [unit.id], zone: zone, secondsAhead: nil, distance: nil, events: &events)
            }
        }
        buildUps(events: &events)
        revalidations(events: &events)
        escalations(events: &events)
        messageEscalations(events: &events)
    }

    /// Zones past their revalidation time: the owner must revalidate (put the zone again
    /// with a later time) and is escalated if silent; the other parties bound by the
    /// zone's agreement are told.
    private mutating func revalidations(events: inout [Event]) {
        guard let due = revalidationQueue.nextDue, due < now else { return }
        for id in revalidationQueue.popAllDue(at: now.addingTimeInterval(-1e-9)) {
            guard let zone = zones[id], zone.isStale(at: now),
                  open[AlertKey(kind: .zoneRevalidation, units: [], zone: id, agreement: nil, party: nil)] == nil
            else { continue }
            var addressees = [
                Alert.Addressee(party: zone.owner, answersFor: nil, confirmed: true, mustAcknowledge: true, acknowledgedAt: nil, escalatedAt: nil)
            ]
            let others = zone.agreement.flatMap { agreements[$0] }?.signatories.filter { $0.value == .signed }.keys.sorted() ?? []
            for party in others where party != zone.owner {
                addressees.append(Alert.Addressee(
                    party: party, answersFor: nil, confirmed: true, mustAcknowledge: false, acknowledgedAt: nil, escalatedAt: nil))
            }
            raise(
                .zoneRevalidation, units: [], zone: id, agreement: nil, addressees: addressees,
                unconfirmed: false, events: &events)
        }
    }

    private mutating func buildUps(events: inout [Event]) {
        // Units inside each zone they are excluded from, by party.
        var gathered: [ZoneParty: [UnitID]] = [:]
        for tracked in table {
            for visit in tracked.inside where zones[visit.zone] != nil {
                gathered[ZoneParty(zone: visit.zone, party: tracked.unit.party), default: []].append(tracked.unit.id)
            }
        }
        for key in Set(gathered.keys).union(buildUpSince.keys).sorted(by: { ($0.zone, $0.party) < ($1.zone, $1.party) }) {
            let cluster = largestCluster((gathered[key] ?? []).sorted())
            let alertKey = AlertKey(kind: .buildUp, units: [], zone: key.zone, agreement: nil, party: key.party)
            if cluster.count >= configuration.buildUpUnits {
                if buildUpSince[key] == nil {
                    buildUpSince[key] = now
                    timeMarks &+= 1
                }
                let since = buildUpSince[key]!
                if now.timeIntervalSince(since) >= configuration.buildUpSeconds, open[alertKey] == nil, let zone = zones[key.zone] {
                    raise(.buildUp, units: cluster, zone: zone, party: key.party, events: &events)
                }
            } else {
                if buildUpSince.removeValue(forKey: key) != nil { timeMarks &+= 1 }
                if let alert = open[alertKey] { resolve(alert, reason: "units dispersed", events: &events) }
            }
        }
    }

    /// The most units within ``Configuration/buildUpRadiusMeters`` of one of them.
    private func largestCluster(_ members: [UnitID]) -> [UnitID] {
        guard members.count >= configuration.buildUpUnits else { return [] }
        var best: [UnitID] = []
        for center in members {
            guard let origin = lastReport(center)?.position else { continue }
            let near = members.filter {
                guard let position = lastReport($0)?.position else { return false }
                return Geodesic.distance(origin, position) <= configuration.buildUpRadiusMeters
            }
            if near.count > best.count { best = near }
        }
        return best
    }

    /// Escalates the silence of every addressee that let an open alert's deadline and
    /// escalation delay pass; deadlines wait in a queue, rebuilt when agreements change.
    private mutating func escalations(events: inout [Event]) {
        if escalationGeneration != generation {
            escalationQueue.removeAll()
            for id in open.values.sorted() {
                if let alert = alerts[id] { escalationQueue.insert(id, due: escalationDeadline(of: alert)) }
            }
            escalationGeneration = generation
        }
        for id in escalationQueue.popAllDue(at: now) {
            guard var alert = alerts[id], alert.state != Alert.State.resolved else { continue }
            for index in alert.addressees.indices
            where alert.addressees[index].mustAcknowledge && alert.addressees[index].acknowledgedAt == nil
                && alert.addressees[index].escalatedAt == nil {
                alert.addressees[index].escalatedAt = now
                alerts[id] = alert
                events.append(Event(time: now, change: .alertEscalated(alert, addressee: alert.addressees[index].party)))
            }
        }
        // Resolved alerts stay in memory for a while (the store keeps them for good).
        while let (id, _) = resolvedQueue.popDue(at: now.addingTimeInterval(-configuration.resolvedAlertRetentionSeconds)) {
            if alerts[id]?.state == .resolved { alerts[id] = nil }
        }
    }

    /// When the silence of an alert's addressees is escalated.
    func escalationDeadline(of alert: Alert) -> Date {
        let parameters = parameters(for: alert)
        return alert.raisedAt.addingTimeInterval(parameters.acknowledgementSeconds + parameters.escalationSeconds)
    }

    /// The parameters that govern an alert: its zone's agreement, its own, or the defaults.
    func parameters(for alert: Alert) -> Agreement.Parameters {
        let agreement = alert.agreement ?? alert.zone.flatMap { zones[$0]?.agreement }
        return agreement.flatMap { agreements[$0]?.parameters } ?? configuration.defaultParameters ?? Agreement.Parameters()
    }
}
