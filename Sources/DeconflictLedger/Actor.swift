public import DeconflictEngine

/// Who asks: a party (through its key or token), or the operator who runs the
/// deployment (adds parties, issues keys, reads the whole ledger).
public enum Actor: Hashable, Sendable, CustomStringConvertible {
    case party(PartyID)
    case `operator`

    /// How the ledger names it: the party's id, or `@operator`.
    public var description: String {
        switch self {
        case .party(let id): id.rawValue
        case .operator: "@operator"
        }
    }

    /// The actor a ledger entry names.
    public init(_ text: String) {
        self = text == "@operator" ? .operator : .party(PartyID(text))
    }

    public var party: PartyID? {
        if case .party(let id) = self { return id }
        return nil
    }
}
