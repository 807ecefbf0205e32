import DeconflictEngine
import DeconflictLedger
import DeconflictGeometry
import DeconflictNode
import Foundation

/// Agreements between parties, and incidents.
extension API {
    func listAgreements(_ input: Operations.ListAgreements.Input) async throws -> Operations.ListAgreements.Output {
        let actor = caller
        let list = await node.read { engine in
            engine.agreements.values.sorted { $0.id < $1.id }
                .filter { agreement in actor == .operator || actor.party.map { agreement.signatories[$0] != nil } == true }
                .map(Components.Schemas.Agreement.init)
        }
        return .ok(.init(body: .json(.init(agreements: list))))
    }

    func getAgreement(_ input: Operations.GetAgreement.Input) async throws -> Operations.GetAgreement.Output {
        let agreementID = AgreementID(try pathID(input.path.id))
        guard let agreement = await node.read({ $0.agreements[agreementID] }) else {
            throw FieldError(field: "id", reason: "no agreement \(agreementID)", code: .notFound)
        }
        guard caller == .operator || caller.party.map({ agreement.signatories[$0] != nil }) == true else {
            throw FieldError(field: "id", reason: "not a signatory of \(agreementID)", code: .forbidden)
        }
        return .ok(.init(body: .json(.init(agreement))))
    }

    func putAgreement(_ input: Operations.PutAgreement.Input) async throws -> Operations.PutAgreement.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let pathID = try pathID(input.path.id)
        guard body.id == pathID else { throw FieldError(field: "id", reason: "differs from the path's \(pathID)") }
        guard body.signatories.additionalProperties[party.rawValue] != nil else {
            throw FieldError(field: "signatories", reason: "the proposing party \(party) must be a signatory", code: .forbidden)
        }
        var proposed = try body.agreement()
        let existing = await node.read { $0.agreements[proposed.id] }
        if let existing, existing.signatories[party] == nil {
            throw FieldError(field: "id", reason: "\(party) is not a signatory of \(proposed.id)", code: .forbidden)
        }
        // A party signs only for itself; others keep their status unless the terms changed.
        for other in proposed.signatories.keys where other != party {
            let kept = existing.flatMap { existing in
                existing.parameters == proposed.parameters && existing.title == proposed.title ? existing.signatories[other] : nil
            }
            proposed.signatories[other] = kept ?? .proposed
        }
        let sequence = try await write(.engine(.putAgreement(proposed)))
        return .ok(.init(body: .json(.init(value1: try await agreement(proposed.id), value2: .init(sequence: sequence)))))
    }

    func signAgreement(_ input: Operations.SignAgreement.Input) async throws -> Operations.SignAgreement.Output {
        let party = try callingParty()
        let agreementID = AgreementID(try pathID(input.path.id))
        let sequence = try await write(.engine(.sign(agreementID, by: party)))
        return .ok(.init(body: .json(.init(value1: try await agreement(agreementID), value2: .init(sequence: sequence)))))
    }

    func withdrawAgreement(_ input: Operations.WithdrawAgreement.Input) async throws -> Operations.WithdrawAgreement.Output {
        let party = try callingParty()
        let agreementID = AgreementID(try pathID(input.path.id))
        let sequence = try await write(.engine(.withdraw(agreementID, by: party)))
        return .ok(.init(body: .json(.init(value1: try await agreement(agreementID), value2: .init(sequence: sequence)))))
    }

    /// An agreement as it is now (agreements are never removed: one just written is there).
    private func agreement(_ id: AgreementID) async throws(FieldError) -> Components.Schemas.Agreement {
        guard let agreement = await node.read({ $0.agreements[id] }) else {
            throw FieldError(field: "id", reason: "no agreement \(id)", code: .notFound)
        }
        return .init(agreement)
    }

    // MARK: Incidents

    func listIncidents(_ input: Operations.ListIncidents.Input) async throws -> Operations.ListIncidents.Output {
        let list = await node.read { engine in
            engine.incidents.values.sorted { ($0.recordedAt, $0.id) < ($1.recordedAt, $1.id) }.map(Components.Schemas.Incident.init)
        }
        return .ok(.init(body: .json(.init(incidents: list))))
    }

    func recordIncident(_ input: Operations.RecordIncident.Input) async throws -> Operations.RecordIncident.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let draft = try body.draft(by: party)
        let sequence = try await write(.engine(.recordIncident(draft)))
        // Incidents are never removed: one just recorded is there.
        guard let incident = await node.read({ $0.incidents[draft.id] }) else {
            throw FieldError(field: "id", reason: "no incident \(draft.id)", code: .notFound)
        }
        return .created(.init(body: .json(.init(value1: .init(incident), value2: .init(sequence: sequence)))))
    }
}

extension Components.Schemas.AgreementInput {
    /// The agreement asked for: its parameters the defaults where not given, each given
    /// one finite and not negative.
    func agreement() throws(FieldError) -> Agreement {
        guard !signatories.additionalProperties.isEmpty else { throw FieldError(field: "signatories", reason: "an agreement needs signatories") }
        var result = Agreement(
            id: AgreementID(try identifier(id, field: "id")), title: title,
            signatories: Dictionary(uniqueKeysWithValues: signatories.additionalProperties.map { (PartyID($0.key), Agreement.Status($0.value)) }))
        let given = parameters ?? .init()
        let checks: [(String, Double?, WritableKeyPath<Agreement.Parameters, Double>)] = [
            ("groundSeparationMeters", given.groundSeparationMeters, \.groundSeparationMeters),
            ("airSeparationMeters", given.airSeparationMeters, \.airSeparationMeters),
            ("verticalSeparationMeters", given.verticalSeparationMeters, \.verticalSeparationMeters),
            ("noticeLeadSeconds", given.noticeLeadSeconds, \.noticeLeadSeconds),
            ("acknowledgementSeconds", given.acknowledgementSeconds, \.acknowledgementSeconds),
            ("escalationSeconds", given.escalationSeconds, \.escalationSeconds),
        ]
        for (name, value, path) in checks {
            guard let value else { continue }
            guard value.isFinite, value >= 0 else {
                throw FieldError(field: "parameters.\(name)", reason: "must be a finite number ≥ 0, got \(value)")
            }
            result.parameters[keyPath: path] = value
        }
        if let discloses = given.disclosesIntruders { result.parameters.disclosesIntruders = discloses }
        return result
    }
}

extension Components.Schemas.IncidentInput {
    /// The incident reported by `party`, its position checked.
    func draft(by party: PartyID) throws(FieldError) -> Incident.Draft {
        if let position { _ = try DeconflictAPI.position(position.pair, field: "position") }
        return Incident.Draft(
            id: IncidentID(try identifier(id, field: "id")), reportedBy: party, summary: summary,
            units: units.map { $0.map { UnitID($0) } }, zone: zone.map { ZoneID($0) }, position: position?.pair)
    }
}

extension Agreement.Status {
    init(_ status: Components.Schemas.AgreementStatus) {
        switch status {
        case .proposed: self = .proposed
        case .signed: self = .signed
        case .withdrawn: self = .withdrawn
        }
    }
}

extension Components.Schemas.AgreementStatus {
    init(_ status: Agreement.Status) {
        switch status {
        case .proposed: self = .proposed
        case .signed: self = .signed
        case .withdrawn: self = .withdrawn
        }
    }
}

extension Components.Schemas.Agreement {
    init(_ agreement: Agreement) {
        let parameters = agreement.parameters
        self.init(
            id: agreement.id.rawValue, title: agreement.title,
            signatories: .init(additionalProperties: Dictionary(uniqueKeysWithValues: agreement.signatories.map {
                ($0.key.rawValue, Components.Schemas.AgreementStatus($0.value))
            })),
            parameters: .init(
                disclosesIntruders: parameters.disclosesIntruders,
                groundSeparationMeters: parameters.groundSeparationMeters, airSeparationMeters: parameters.airSeparationMeters,
                verticalSeparationMeters: parameters.verticalSeparationMeters, noticeLeadSeconds: parameters.noticeLeadSeconds,
                acknowledgementSeconds: parameters.acknowledgementSeconds, escalationSeconds: parameters.escalationSeconds))
    }
}

extension Components.Schemas.Incident {
    init(_ incident: Incident) {
        self.init(
            id: incident.id.rawValue, reportedBy: incident.reportedBy.rawValue, summary: incident.summary,
            units: incident.units.map(\.rawValue), recordedAt: incident.recordedAt, zone: incident.zone?.rawValue,
            position: incident.position.map { Components.Schemas.Position($0) })
    }
}
