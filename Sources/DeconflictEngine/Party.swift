/// A participant with credentials: a coalition, a state's forces, a humanitarian desk.
public struct Party: Hashable, Sendable, Codable {
    public let id: PartyID
    public var name: String

    public init(id: PartyID, name: String? = nil) {
        self.id = id
        self.name = name ?? id.rawValue
    }
}

/// "`sponsor` answers for `client`": alerts about the client's units go to the sponsor.
/// Unconfirmed when only claimed (by the sponsor, the client or a third party's
/// statement) and not acknowledged by the sponsor itself.
public struct Responsibility: Hashable, Sendable, Codable {
    public let sponsor: PartyID
    public let client: PartyID
    public var confirmed: Bool

    public init(sponsor: PartyID, client: PartyID, confirmed: Bool) {
        self.sponsor = sponsor
        self.client = client
        self.confirmed = confirmed
    }
}
