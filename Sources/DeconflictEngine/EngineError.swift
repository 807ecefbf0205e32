/// Why the engine refused a command. Nothing of a refused command is applied.
public struct EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let unknownParty = Code("unknown-party")
        public static let unknownAgreement = Code("unknown-agreement")
        public static let unknownZone = Code("unknown-zone")
        public static let unknownUnit = Code("unknown-unit")
        public static let unknownAlert = Code("unknown-alert")
        public static let unknownOperation = Code("unknown-operation")
        public static let unknownMessage = Code("unknown-message")
        public static let duplicate = Code("duplicate")
        public static let notAddressee = Code("not-addressee")
        public static let notSignatory = Code("not-signatory")
        public static let outOfOrder = Code("out-of-order")
        public static let invalidValue = Code("invalid-value")
    }

    public let code: Code
    /// The field or argument at fault.
    public let field: String
    public let reason: String

    public init(_ code: Code, field: String, reason: String) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
