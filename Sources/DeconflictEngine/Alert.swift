#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A warning the engine raised: what, about which units and zone, to whom, and where it
/// stands in its lifecycle.
public struct Alert: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A unit is inside a zone it is excluded from.
        case incursion
        /// A unit's projected track enters such a zone within the horizon.
        case approach
        /// A unit has stayed inside such a zone longer than the threshold.
        case dwell
        /// Several units of one party gather inside such a zone and stay: a "fire base".
        case buildUp = "build-up"
        /// Units of different parties closer than their agreement allows, now or soon.
        case separation
        /// A unit's reports stopped.
        case staleTrack = "stale-track"
        /// A unit of an active operation is outside all of its volumes.
        case conformance
        /// An operation's notice came later than the agreed lead time, or never.
        case lateNotice = "late-notice"
        /// A signatory withdrew from an agreement.
        case agreementWithdrawn = "agreement-withdrawn"
        /// A zone is past the time its owner had to revalidate it: it still applies, but
        /// its declaration may be out of date.
        case zoneRevalidation = "zone-revalidation"
    }

    public enum State: String, Hashable, Sendable, Codable {
        case raised
        /// Every addressee acknowledged. Acknowledging means "received", never "consented".
        case acknowledged
        case resolved
    }

    /// A party the alert goes to, and why.
    public struct Addressee: Hashable, Sendable {
        public let party: PartyID
        /// The party it answers for, when it is addressed as another's sponsor.
        public let answersFor: PartyID?
        /// False when it is addressed through a claimed, unconfirmed "answers for".
        public let confirmed: Bool
        /// Whether its silence is escalated: true for the parties whose units the alert is
        /// about and those who answer for them; the zone's owner is informed.
        public let mustAcknowledge: Bool
        public var acknowledgedAt: Date?
        public var escalatedAt: Date?
    }

    public let id: AlertID
    public let kind: Alert.Kind
    public let units: [UnitID]
    public let zone: ZoneID?
    public let agreement: AgreementID?
    /// The party a build-up is of.
    public let party: PartyID?
    /// The operation a conformance or late-notice alert is about.
    public let operation: OperationID?
    public internal(set) var state: State
    public let raisedAt: Date
    public internal(set) var resolvedAt: Date?
    public internal(set) var resolution: String?
    public internal(set) var addressees: [Addressee]
    /// True when some subject's responsibility is only claimed, or nobody answers for it.
    public let unconfirmedRouting: Bool
    /// Seconds until the unit enters (approach) or the units are closest (separation),
    /// from the last update.
    public internal(set) var secondsAhead: Double?
    /// The distance that matters, metres: an incursion's depth (negative inside the
    /// edge), what an approaching unit travels before it enters, how close separated
    /// units come.
    public internal(set) var distanceMeters: Double?
    public internal(set) var updatedAt: Date

    /// The deduplication key: one open alert per kind, subject and zone (a build-up's
    /// subject is its party, whichever units make it up).
    var key: AlertKey {
        AlertKey(
            kind: kind, units: kind == .buildUp ? [] : units, zone: zone, agreement: agreement, party: party,
            operation: operation)
    }
}

struct AlertKey: Hashable, Sendable {
    let kind: Alert.Kind
    let units: [UnitID]
    let zone: ZoneID?
    let agreement: AgreementID?
    let party: PartyID?
    var operation: OperationID? = nil
}
