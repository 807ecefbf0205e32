package import DeconflictGeometry
import DeconflictSpatialIndex
import Foundation

/// An entity of the airspace with an id and the volumes it occupies.
package protocol Located: Sendable {
    var id: String { get }
    var volumes: [Volume4D] { get }
}

/// Entities by id, with the index that finds those near a volume.
package struct LocatedTable<Entity: Located>: Sendable {
    private var byID: [String: Entity] = [:]
    private var index = SpaceTimeIndex()

    package subscript(id: String) -> Entity? { byID[id] }

    /// Every entity, by id.
    package var all: [Entity] { byID.values.sorted { $0.id < $1.id } }

    /// Adds or replaces; the index changes only when the volumes do.
    package mutating func set(_ entity: Entity) {
        if byID.updateValue(entity, forKey: entity.id)?.volumes != entity.volumes { index.insert(entity.id, entity.volumes) }
    }

    package mutating func remove(_ id: String) {
        byID[id] = nil
        index.remove(id)
    }

    /// The entities whose volumes may meet `volumes` (still to be tested exactly), by id.
    /// `widened`: also those up to ``CellCovering/reachMeters`` away, whose cell
    /// coverings may meet the volumes' although their outlines do not.
    package func candidates(meeting volumes: [Volume4D], widened: Bool = false) -> [Entity] {
        index.candidates(volumes, marginMeters: widened ? CellCovering.reachMeters : 0).sorted().compactMap { byID[$0] }
    }
}
