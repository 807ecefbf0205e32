#if canImport(FoundationEssentials)
import FoundationEssentials
#else
public import Foundation
#endif

/// A deconfliction arrangement: its signatories, each with their own status, and the
/// machine-checkable parameters that bind those who signed.
public struct Agreement: Hashable, Sendable, Codable {
    /// Where a signatory stands.
    public enum Status: String, Hashable, Sendable, Codable {
        case proposed
        case signed
        case withdrawn
    }

    /// The figures the engine checks against.
    public struct Parameters: Hashable, Sendable, Codable {
        /// Least horizontal distance between ground units of different parties, metres.
        public var groundSeparationMeters: Double
        /// Least horizontal distance between aircraft of different parties, metres.
        public var airSeparationMeters: Double
        /// Least vertical distance between aircraft closer than the horizontal minimum, metres.
        public var verticalSeparationMeters: Double
        /// How long before an operation starts the other parties must be told, seconds.
        public var noticeLeadSeconds: Double
        /// How long an addressee has to acknowledge an alert or a message, seconds.
        public var acknowledgementSeconds: Double
        /// How long after a missed acknowledgement the silence is escalated, seconds.
        public var escalationSeconds: Double
        /// Whether a unit inside, or approaching, a signatory's zone of this agreement is
        /// disclosed to the zone's owner while the alert about it is open: its position,
        /// and its track since the alert was raised (each read recorded in the ledger).
        /// On unless the signatories agree otherwise.
        public var disclosesIntruders: Bool

        public init(
            groundSeparationMeters: Double = 1_000, airSeparationMeters: Double = 9_260,
            verticalSeparationMeters: Double = 300, noticeLeadSeconds: Double = 3_600,
            acknowledgementSeconds: Double = 600, escalationSeconds: Double = 300, disclosesIntruders: Bool = true
        ) {
            self.groundSeparationMeters = groundSeparationMeters
            self.airSeparationMeters = airSeparationMeters
            self.verticalSeparationMeters = verticalSeparationMeters
            self.noticeLeadSeconds = noticeLeadSeconds
            self.acknowledgementSeconds = acknowledgementSeconds
            self.escalationSeconds = escalationSeconds
            self.disclosesIntruders = disclosesIntruders
        }

        /// Decodes the parameters given; the others keep their defaults.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Parameters()
            func value(_ key: CodingKeys, _ fallback: Double) throws -> Double {
                try container.decodeIfPresent(Double.self, forKey: key) ?? fallback
            }
            self.init(
                groundSeparationMeters: try value(.groundSeparationMeters, defaults.groundSeparationMeters),
                airSeparationMeters: try value(.airSeparationMeters, defaults.airSeparationMeters),
                verticalSeparationMeters: try value(.verticalSeparationMeters, defaults.verticalSeparationMeters),
                noticeLeadSeconds: try value(.noticeLeadSeconds, defaults.noticeLeadSeconds),
                acknowledgementSeconds: try value(.acknowledgementSeconds, defaults.acknowledgementSeconds),
                escalationSeconds: try value(.escalationSeconds, defaults.escalationSeconds),
                disclosesIntruders: try container.decodeIfPresent(Bool.self, forKey: .disclosesIntruders) ?? defaults.disclosesIntruders)
        }
    }

    public let id: AgreementID
    public var title: String
    public var signatories: [PartyID: Status]
    public var parameters: Parameters

    public init(id: AgreementID, title: String, signatories: [PartyID: Status], parameters: Parameters = Parameters()) {
        self.id = id
        self.title = title
        self.signatories = signatories
        self.parameters = parameters
    }

    /// True when `party` has signed and not withdrawn.
    public func binds(_ party: PartyID) -> Bool { signatories[party] == .signed }
}
