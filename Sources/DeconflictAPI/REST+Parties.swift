import DeconflictAccess
import DeconflictEngine
import DeconflictLedger
import DeconflictNode
import DeconflictStore
import Foundation
import Hummingbird
import OpenAPIRuntime

/// Health, parties, their keys and responsibilities, and webhooks.
extension API {
    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        .ok(.init(body: .json(.init(status: try OpenAPIValueContainer(unvalidatedValue: "ok")))))
    }

    /// Ready when the store answers now and no write to it failed lately (a full disk
    /// still reads): a load balancer sends writes elsewhere until it recovers.
    func readiness(_ input: Operations.Readiness.Input) async throws -> Operations.Readiness.Output {
        // A known fault answers at once (a probe must not wait for the store).
        let fault = await node.storeFault
        if fault.isCurrent(at: Date()) {
            throw HTTPError(.serviceUnavailable, message: "the store is failing: \(fault.reason)")
        }
        let head: Int64
        do {
            head = try await node.store.head()?.sequence ?? 0
        } catch {
            await node.storeFailed(writing: false, error)
            throw HTTPError(.serviceUnavailable, message: "the store is unavailable: \((error as? StoreError)?.reason ?? "\(error)")")
        }
        let applied = await node.head
        return .ok(.init(body: .json(.init(
            status: try OpenAPIValueContainer(unvalidatedValue: "ready"), ledgerHead: .init(value1: Int(head)), applied: .init(value1: Int(applied))))))
    }

    // MARK: Parties

    func listParties(_ input: Operations.ListParties.Input) async throws -> Operations.ListParties.Output {
        let list = await node.read { engine in
            Components.Schemas.PartyList(
                parties: engine.parties.values.sorted { $0.id < $1.id }.map { .init(id: $0.id.rawValue, name: $0.name) },
                responsibilities: engine.responsibilities.map(Components.Schemas.Responsibility.init))
        }
        return .ok(.init(body: .json(list)))
    }

    func addParty(_ input: Operations.AddParty.Input) async throws -> Operations.AddParty.Output {
        try requireOperator()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let party = Party(id: PartyID(try identifier(body.id, field: "id")), name: body.name)
        _ = try await write(.engine(.addParty(party)))
        // The new party's first key, shown once.
        let (key, record) = Credentials.issue(for: .party(party.id))
        let sequence = try await write(.issueCredential(record))
        return .created(.init(body: .json(.init(party: .init(id: party.id.rawValue, name: party.name), key: key, sequence: sequence))))
    }

    func issueKey(_ input: Operations.IssueKey.Input) async throws -> Operations.IssueKey.Output {
        try requireOperator()
        let party = try pathID(input.path.id)
        let (key, record) = Credentials.issue(for: .party(PartyID(party)))
        let sequence = try await write(.issueCredential(record))
        return .created(.init(body: .json(.init(party: party, key: key, keyId: record.id, sequence: sequence))))
    }

    func revokeKey(_ input: Operations.RevokeKey.Input) async throws -> Operations.RevokeKey.Output {
        try requireOperator()
        let keyID = try pathID(input.path.id)
        let sequence = try await write(.revokeCredential(id: keyID))
        return .ok(.init(body: .json(.init(revoked: keyID, sequence: sequence))))
    }

    func setResponsibility(_ input: Operations.SetResponsibility.Input) async throws -> Operations.SetResponsibility.Output {
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        // Only the sponsor itself can confirm that it answers for another.
        if caller != .operator {
            guard caller.party?.rawValue == body.sponsor else {
                throw FieldError(field: "sponsor", reason: "a party records only what it answers for itself", code: .forbidden)
            }
        } else if body.confirmed == true {
            throw FieldError(field: "confirmed", reason: "only the sponsor can confirm that it answers for a party", code: .forbidden)
        }
        let responsibility = Responsibility(sponsor: PartyID(body.sponsor), client: PartyID(body.client), confirmed: body.confirmed ?? false)
        let sequence = try await write(.engine(.setResponsibility(responsibility)))
        return .ok(.init(body: .json(.init(responsibility: .init(responsibility), sequence: sequence))))
    }

    // MARK: Webhooks

    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let party = try callingParty()
        let hooks = await node.webhooks().values.filter { $0.party == party.rawValue }.sorted { $0.id < $1.id }
        return .ok(.init(body: .json(.init(webhooks: hooks.map(webhook)))))
    }

    func registerWebhook(_ input: Operations.RegisterWebhook.Input) async throws -> Operations.RegisterWebhook.Output {
        let party = try callingParty()
        guard case .json(let body) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        guard let url = URL(string: body.url), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw FieldError(field: "url", reason: "an http or https URL is expected, got \(body.url.prefix(80))")
        }
        // Deliveries check the address again at each connection; refusing here tells the
        // party at once.
        if let host = url.host, let refusal = await webhooks.addresses.refusal(ofHost: host) {
            throw FieldError(field: "url", reason: "deliveries cannot go there: \(refusal)")
        }
        if let secret = body.secret, secret.utf8.count < 16 {
            throw FieldError(field: "secret", reason: "at least 16 bytes")
        }
        let secret = body.secret ?? Credentials.issue(for: .operator).key
        let id = "wh-" + UUID().uuidString.lowercased().prefix(12)
        // The ledger keeps the secret sealed under the service's secrets key, never in clear.
        let hook = WebhookRecord(
            id: id, party: party.rawValue, url: body.url, sealedSecret: try webhooks.secrets.seal(secret, for: id),
            deliveredThrough: await node.head)
        let sequence = try await write(.registerWebhook(hook))
        return .created(.init(body: .json(.init(value1: webhook(hook), value2: .init(sequence: sequence), value3: .init(secret: secret)))))
    }

    func removeWebhook(_ input: Operations.RemoveWebhook.Input) async throws -> Operations.RemoveWebhook.Output {
        let party = try callingParty()
        let hookID = try pathID(input.path.id)
        guard let hook = await node.webhooks()[hookID], hook.party == party.rawValue else {
            throw FieldError(field: "id", reason: "no webhook \(hookID) of \(party)", code: .notFound)
        }
        let sequence = try await write(.removeWebhook(id: hook.id))
        return .ok(.init(body: .json(.init(removed: hookID, sequence: sequence))))
    }

    /// A webhook with its delivery status: the last entry delivered, failures since the
    /// last success and in all, the last error.
    func webhook(_ hook: WebhookRecord) -> Components.Schemas.Webhook {
        let status = webhooks.status(hook.id)
        return .init(
            id: hook.id, url: hook.url, deliveredThrough: .init(value1: Int(status?.deliveredThrough ?? hook.deliveredThrough)),
            failures: status?.failures ?? 0, totalFailures: status?.totalFailures ?? 0, lastError: status?.lastError,
            lastAttempt: status?.lastAttempt)
    }
}

extension Components.Schemas.Responsibility {
    init(_ responsibility: Responsibility) {
        self.init(sponsor: responsibility.sponsor.rawValue, client: responsibility.client.rawValue, confirmed: responsibility.confirmed)
    }
}
