#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import DeconflictGeometry
import DeconflictSpatialIndex

/// A protected or controlled 4D volume declared by a party, usually under an agreement.
public struct Zone: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case deconflictionZone = "deconfliction-zone"
        case protectedSite = "protected-site"
        case noFlyArea = "no-fly-area"
        case corridor
    }

    public let id: ZoneID
    public var name: String
    public var kind: Kind
    /// The party that declared the zone; its units are never excluded.
    public var owner: PartyID
    public var agreement: AgreementID?
    public var volume: Volume4D
    /// Other parties whose units may be inside (a corridor's users, say).
    public var allowed: Set<PartyID>
    /// When the declaration must be revalidated; past it the zone is shown as stale.
    public var revalidateBy: Date?

    public init(
        id: ZoneID, name: String? = nil, kind: Kind, owner: PartyID, agreement: AgreementID? = nil,
        volume: Volume4D, allowed: Set<PartyID> = [], revalidateBy: Date? = nil
    ) {
        self.id = id
        self.name = name ?? id.rawValue
        self.kind = kind
        self.owner = owner
        self.agreement = agreement
        self.volume = volume
        self.allowed = allowed
        self.revalidateBy = revalidateBy
    }

    /// True when units of `party` may not be inside.
    public func excludes(_ party: PartyID) -> Bool { party != owner && !allowed.contains(party) }

    /// True when the declaration is past its revalidation time at `instant`.
    public func isStale(at instant: Date) -> Bool { revalidateBy.map { instant > $0 } ?? false }
}

extension Engine {
    /// Calls `body` with every zone whose outline's bounding box intersects `box`, from the
    /// zones' spatial index (a broad-phase answer: the caller measures what it needs).
    public func forEachZone(intersecting box: BoundingBox, _ body: (Zone) -> Void) {
        zoneIndex.forEach(intersecting: box) { id, _ in
            if let zone = zones[id] { body(zone) }
        }
    }
}
