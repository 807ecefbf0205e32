#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DeconflictGeometry
import DeconflictSpatialIndex

// The detectors: what a position report or the passing of time raises and resolves.

extension Engine {
    /// Takes a report: moves the unit, then incursion, approach and separation.
    mutating func ingest(_ report: PositionReport, events: inout [Event]) throws(EngineError) {
        guard let unit = units[report.unit] else {
            throw EngineError(.unknownUnit, field: "unit", reason: "no unit \(report.unit)")
        }
        let track: Track
        do {
            track = try report.track()
        } catch {
            throw EngineError(.invalidValue, field: error.field ?? "report", reason: error.reason)
        }
        if let last = reports[unit.id], last.time > report.time {
            throw EngineError(.outOfOrder, field: "time", reason: "older than the unit's last report (\(last.time))")
        }
        reports[unit.id] = report
        unitIndex.update(unit.id, to: report.position)
        if let stale = open[AlertKey(kind: .staleTrack, units: [unit.id], zone: nil, agreement: nil, party: nil)] {
            resolve(stale, reason: "reports resumed", events: &events)
        }
        zoneMembership(of: unit, report, events: &events)
        conformance(of: unit, report, events: &events)
        approach(of: unit, track, events: &events)
        separation(of: unit, track, events: &events)
    }

    // MARK: Incursion (with hysteresis)

    private mutating func zoneMembership(of unit: Unit, _ report: PositionReport, events: inout [Event]) {
        var current = inside[unit.id] ?? [:]
        // Leaving takes being clearly outside: past the hysteresis and the uncertainty.
        for (id, _) in current {
            guard let zone = zones[id] else { current[id] = nil; continue }
            let outside = zone.volume.footprint.signedDistance(to: report.position)
                > configuration.hysteresisMeters + report.uncertaintyMeters
            if outside || !zone.volume.altitude.contains(report.altitudeMeters) || !zone.volume.time.contains(report.time) {
                current[id] = nil
                for kind in [Alert.Kind.incursion, .dwell] {
                    if let alert = open[AlertKey(kind: kind, units: [unit.id], zone: id, agreement: nil, party: nil)] {
                        resolve(alert, reason: "left the zone", events: &events)
                    }
                }
            }
        }
        // Entering takes being inside.
        zoneIndex.forEach(containing: PreparedPoint(report.position)) { id in
            guard current[id] == nil, let zone = zones[id],
                  zone.volume.altitude.contains(report.altitudeMeters), zone.volume.time.contains(report.time)
            else { return }
            current[id] = report.time
            guard zone.excludes(unit.party) else { return }
            if let approach = open[AlertKey(kind: .approach, units: [unit.id], zone: id, agreement: nil, party: nil)] {
                resolve(approach, reason: "entered the zone", events: &events)
            }
            raise(
                .incursion, units: [unit.id], zone: zone, distance: zone.volume.footprint.signedDistance(to: report.position),
                events: &events)
        }
        inside[unit.id] = current.isEmpty ? nil : current
    }

    // MARK: Approach

    private mutating func approach(of unit: Unit, _ track: Track, events: inout [Event]) {
        let horizon = unit.domain == .air ? configuration.airApproachHorizonSeconds : configuration.approachHorizonSeconds
        let reach = track.speedMetersPerSecond * horizon
        var heading: Set<ZoneID> = []
        if reach > 0 {
            // The box is enough: the entry-time search rules out what it cannot reach.
            zoneIndex.forEach(intersecting: BoundingBox.around(track.position, radiusMeters: reach)) { id, _ in
                guard inside[unit.id]?[id] == nil, let zone = zones[id], zone.excludes(unit.party),
                      let eta = try? zone.volume.entryTime(of: track, within: horizon)
                else { return }
                heading.insert(id)
                let key = AlertKey(kind: .approach, units: [unit.id], zone: id, agreement: nil, party: nil)
                let distance = zone.volume.footprint.signedDistance(to: track.position)
                if let existing = open[key] {
                    update(existing, secondsAhead: eta, distance: distance, events: &events)
                } else {
                    raise(.approach, units: [unit.id], zone: zone, secondsAhead: eta, distance: distance, events: &events)
                }
            }
        }
        // Approaches the unit has turned away from.
        for zone in (approaching[unit.id] ?? []).subtracting(heading).sorted() where inside[unit.id]?[zone] == nil {
            if let alert = open[AlertKey(kind: .approach, units: [unit.id], zone: zone, agreement: nil, party: nil)] {
                resolve(alert, reason: "no longer heading into the zone", events: &events)
            }
        }
        approaching[unit.id] = heading.isEmpty ? nil : heading
    }

    // MARK: Separation

    private mutating func separation(of unit: Unit, _ track: Track, events: inout [Event]) {
        let horizon = configuration.separationHorizonSeconds
        // The farthest another unit could be and still close to a minimum in time: the
        // largest minimum checked plus both units' travel (others at the domain's top speed).
        let reach = 20_000 + (track.speedMetersPerSecond + (unit.domain == .air ? 350 : 40)) * horizon
        var candidates: [UnitID] = []
        unitIndex.forEach(within: reach, of: track.position) { other, _ in candidates.append(other) }
        for otherID in candidates.sorted() {
            guard otherID != unit.id, let other = units[otherID], other.party != unit.party, other.domain == unit.domain,
                  let otherTrack = try? reports[otherID]?.track(),
                  let parameters = separationParameters(unit.party, other.party)
            else { continue }
            let minimum = unit.domain == .air ? parameters.airSeparationMeters : parameters.groundSeparationMeters
            let pair = [unit.id, otherID].sorted()
            let key = AlertKey(kind: .separation, units: pair, zone: nil, agreement: nil, party: nil)
            // Cheap certainties first. Reports carry no climb rate, so altitudes hold:
            // aircraft far enough apart vertically stay so.
            if unit.domain == .air,
               abs(track.altitudeMeters - otherTrack.altitudeMeters) >= parameters.verticalSeparationMeters {
                if let existing = open[key] { resolve(existing, reason: "separation restored", events: &events) }
                continue
            }
            // The distance changes no faster than the sum of the speeds, so over the
            // horizon it stays above (d(0) + d(H) − (v₁ + v₂)·H) / 2.
            let end = now.addingTimeInterval(horizon)
            let lowest = (Geodesic.distance(track.position(at: now), otherTrack.position(at: now))
                + Geodesic.distance(track.position(at: end), otherTrack.position(at: end))
                - (track.speedMetersPerSecond + otherTrack.speedMetersPerSecond) * horizon) / 2
            if lowest > minimum + configuration.hysteresisMeters {
                if let existing = open[key] { resolve(existing, reason: "separation restored", events: &events) }
                continue
            }
            if lowest >= minimum, open[key] == nil { continue }
            guard let closest = try? ClosestApproach.between(track, otherTrack, from: now, horizon: horizon) else { continue }
            let verticalLoss = unit.domain == .ground || closest.verticalSeparationMeters < parameters.verticalSeparationMeters
            if closest.distanceMeters < minimum, verticalLoss {
                if let existing = open[key] {
                    update(existing, secondsAhead: closest.secondsFromReference, distance: closest.distanceMeters, events: &events)
                } else {
                    raise(
                        .separation, units: pair, zone: nil, secondsAhead: closest.secondsFromReference,
                        distance: closest.distanceMeters, events: &events)
                }
            } else if let existing = open[key], !verticalLoss || closest.distanceMeters > minimum + configuration.hysteresisMeters {
                resolve(existing, reason: "separation restored", events: &events)
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
        for (id, report) in reports.sorted(by: { $0.key < $1.key })
        where now.timeIntervalSince(report.time) >= configuration.staleAfterSeconds {
            if open[AlertKey(kind: .staleTrack, units: [id], zone: nil, agreement: nil, party: nil)] == nil {
                raise(.staleTrack, units: [id], zone: nil, events: &events)
            }
        }
        for (unitID, zonesInside) in inside.sorted(by: { $0.key < $1.key }) {
            guard let unit = units[unitID] else { continue }
            for (zoneID, since) in zonesInside.sorted(by: { $0.key < $1.key }) {
                guard let zone = zones[zoneID], zone.excludes(unit.party),
                      now.timeIntervalSince(since) >= configuration.dwellSeconds,
                      open[AlertKey(kind: .dwell, units: [unitID], zone: zoneID, agreement: nil, party: nil)] == nil
                else { continue }
                raise(.dwell, units: [unitID], zone: zone, secondsAhead: nil, distance: nil, events: &events)
            }
        }
        buildUps(events: &events)
        escalations(events: &events)
        messageEscalations(events: &events)
    }

    private mutating func buildUps(events: inout [Event]) {
        // Units inside each zone they are excluded from, by party.
        var gathered: [ZoneParty: [UnitID]] = [:]
        for (unitID, zonesInside) in inside {
            guard let unit = units[unitID] else { continue }
            for zoneID in zonesInside.keys where zones[zoneID]?.excludes(unit.party) == true {
                gathered[ZoneParty(zone: zoneID, party: unit.party), default: []].append(unitID)
            }
        }
        for key in Set(gathered.keys).union(buildUpSince.keys).sorted(by: { ($0.zone, $0.party) < ($1.zone, $1.party) }) {
            let cluster = largestCluster((gathered[key] ?? []).sorted())
            let alertKey = AlertKey(kind: .buildUp, units: [], zone: key.zone, agreement: nil, party: key.party)
            if cluster.count >= configuration.buildUpUnits {
                let since = buildUpSince[key] ?? now
                buildUpSince[key] = since
                if now.timeIntervalSince(since) >= configuration.buildUpSeconds, open[alertKey] == nil, let zone = zones[key.zone] {
                    raise(.buildUp, units: cluster, zone: zone, party: key.party, events: &events)
                }
            } else {
                buildUpSince[key] = nil
                if let alert = open[alertKey] { resolve(alert, reason: "units dispersed", events: &events) }
            }
        }
    }

    /// The most units within ``Configuration/buildUpRadiusMeters`` of one of them.
    private func largestCluster(_ members: [UnitID]) -> [UnitID] {
        guard members.count >= configuration.buildUpUnits else { return [] }
        var best: [UnitID] = []
        for center in members {
            guard let origin = reports[center]?.position else { continue }
            let near = members.filter {
                guard let position = reports[$0]?.position else { return false }
                return Geodesic.distance(origin, position) <= configuration.buildUpRadiusMeters
            }
            if near.count > best.count { best = near }
        }
        return best
    }

    private mutating func escalations(events: inout [Event]) {
        for id in open.values.sorted() {
            guard var alert = alerts[id] else { continue }
            let parameters = parameters(for: alert)
            let deadline = alert.raisedAt.addingTimeInterval(parameters.acknowledgementSeconds + parameters.escalationSeconds)
            guard now >= deadline else { continue }
            for index in alert.addressees.indices
            where alert.addressees[index].mustAcknowledge && alert.addressees[index].acknowledgedAt == nil
                && alert.addressees[index].escalatedAt == nil {
                alert.addressees[index].escalatedAt = now
                alerts[id] = alert
                events.append(Event(time: now, change: .alertEscalated(alert, addressee: alert.addressees[index].party)))
            }
        }
    }

    /// The parameters that govern an alert: its zone's agreement, its own, or the defaults.
    func parameters(for alert: Alert) -> Agreement.Parameters {
        let agreement = alert.agreement ?? alert.zone.flatMap { zones[$0]?.agreement }
        return agreement.flatMap { agreements[$0]?.parameters } ?? configuration.defaultParameters ?? Agreement.Parameters()
    }
}
