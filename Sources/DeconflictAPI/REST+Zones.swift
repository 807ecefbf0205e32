import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import DeconflictGeoJSON
import Foundation
import OpenAPIRuntime

/// Zones: listed (as JSON or GeoJSON), declared, read and removed (the GeoJSON import
/// is routed in API.swift).
extension API {
    func listZones(_ input: Operations.ListZones.Input) async throws -> Operations.ListZones.Output {
        let (zones, now) = await node.read { engine in (engine.zones.values.sorted { $0.id < $1.id }, engine.now) }
        if input.query.format == .geojson {
            return .ok(.init(body: .applicationGeoJson(.init(_type: "FeatureCollection", features: zones.map { .init($0, now: now) }))))
        }
        return .ok(.init(body: .json(.init(zones: zones.map { .init($0, now: now) }))))
    }

    func getZone(_ input: Operations.GetZone.Input) async throws -> Operations.GetZone.Output {
        let zoneID = ZoneID(try pathID(input.path.id))
        let (zone, now) = await node.read { ($0.zones[zoneID], $0.now) }
        guard let zone else { throw FieldError(field: "id", reason: "no zone \(zoneID)", code: .notFound) }
        return .ok(.init(body: .json(.init(zone, now: now))))
    }

    func putZone(_ input: Operations.PutZone.Input) async throws -> Operations.PutZone.Output {
        let party = try callingParty()
        guard case .json(let zoneInput) = input.body else { throw FieldError(field: "body", reason: "a JSON object is expected") }
        let body = ZoneBody(zoneInput)
        let pathID = try pathID(input.path.id)
        guard body.id == pathID else { throw FieldError(field: "id", reason: "differs from the path's \(pathID)") }
        try await checkZone(body, caller: party)
        let zone = try body.zone(owner: party)
        let sequence = try await write(.engine(.putZone(zone)))
        // As the engine holds it; as written when a later request already removed it.
        let (held, now) = await node.read { ($0.zones[zone.id], $0.now) }
        return .ok(.init(body: .json(.init(value1: .init(held ?? zone, now: now), value2: .init(sequence: sequence)))))
    }

    func removeZone(_ input: Operations.RemoveZone.Input) async throws -> Operations.RemoveZone.Output {
        let party = try callingParty()
        let zoneID = ZoneID(try pathID(input.path.id))
        guard let zone = await node.read({ $0.zones[zoneID] }) else { throw FieldError(field: "id", reason: "no zone \(zoneID)", code: .notFound) }
        guard zone.owner == party else { throw FieldError(field: "id", reason: "\(zoneID) belongs to \(zone.owner)", code: .forbidden) }
        let sequence = try await write(.engine(.removeZone(zoneID)))
        return .ok(.init(body: .json(.init(removed: zoneID.rawValue, sequence: sequence))))
    }

    /// What a party may declare: its own zones, under agreements it is a party to.
    func checkZone(_ body: ZoneBody, caller: PartyID) async throws {
        if let owner = body.owner, owner != caller.rawValue {
            throw FieldError(field: "owner", reason: "a party declares zones for itself, not for \(owner)", code: .forbidden)
        }
        if let existing = await node.read({ $0.zones[ZoneID(body.id)] }), existing.owner != caller {
            throw FieldError(field: "id", reason: "\(body.id) belongs to \(existing.owner)", code: .forbidden)
        }
        if let agreementID = body.agreement {
            let agreement = await node.read { $0.agreements[AgreementID(agreementID)] }
            guard let agreement else { throw FieldError(field: "agreement", reason: "no agreement \(agreementID)", code: .notFound) }
            guard agreement.signatories[caller] != nil else {
                throw FieldError(field: "agreement", reason: "\(caller) is not a signatory of \(agreementID)", code: .forbidden)
            }
        }
        _ = try body.zone(owner: caller)
    }
}

extension ZoneBody {
    /// The zone asked for through the API, checked as every other way of declaring one
    /// (the GeoJSON import, `deconflict import`).
    init(_ input: Components.Schemas.ZoneInput) {
        self.init(
            id: input.id, name: input.name, kind: Zone.Kind(input.kind), owner: input.owner?.value1, agreement: input.agreement,
            circle: input.circle.map { .init(center: $0.center.pair, radius: $0.radius) }, polygon: input.polygon?.pairs,
            altitude: input.altitude?.value1, from: input.from, until: input.until, allowed: input.allowed,
            revalidateBy: input.revalidateBy?.value1)
    }
}

extension Components.Schemas.VolumeInput {
    /// The 4D volume, checked as a zone's is.
    func volume(field: String) throws(FieldError) -> Volume4D {
        try VolumeBody(
            circle: circle.map { .init(center: $0.center.pair, radius: $0.radius) }, polygon: polygon?.pairs, altitude: altitude?.value1,
            from: from?.value1, until: until?.value1
        ).volume(field: field)
    }
}

extension Components.Schemas.Zone {
    /// A zone as declared, and whether it is past its revalidation at `now`.
    init(_ zone: Zone, now: Date) {
        let volume = Components.Schemas.Volume(zone.volume)
        self.init(
            id: zone.id.rawValue, name: zone.name, kind: .init(zone.kind), owner: zone.owner.rawValue, agreement: zone.agreement?.rawValue,
            circle: volume.circle, polygon: volume.polygon, altitude: volume.altitude, from: volume.from, until: volume.until,
            allowed: zone.allowed.map(\.rawValue).sorted(), revalidateBy: zone.revalidateBy, stale: zone.isStale(at: now))
    }
}

extension Components.Schemas.Volume {
    init(_ volume: Volume4D) {
        var circle: Components.Schemas.Circle?
        var polygon: Components.Schemas.Polygon?
        switch volume.footprint {
        case .circle(let shape):
            circle = .init(center: .init(shape.center), radius: shape.radiusMeters)
        case .polygon(let shape):
            polygon = ([shape.outer] + shape.holes).map { ring in ring.map { Components.Schemas.Position($0) } }
        }
        self.init(
            circle: circle, polygon: polygon, altitude: [volume.altitude.lowerMeters, volume.altitude.upperMeters],
            from: volume.time.start, until: volume.time.end)
    }
}

extension Components.Schemas.ZoneKind {
    init(_ kind: Zone.Kind) {
        switch kind {
        case .deconflictionZone: self = .deconflictionZone
        case .protectedSite: self = .protectedSite
        case .noFlyArea: self = .noFlyArea
        case .corridor: self = .corridor
        }
    }
}

extension Zone.Kind {
    init(_ kind: Components.Schemas.ZoneKind) {
        switch kind {
        case .deconflictionZone: self = .deconflictionZone
        case .protectedSite: self = .protectedSite
        case .noFlyArea: self = .noFlyArea
        case .corridor: self = .corridor
        }
    }
}

extension Components.Schemas.ZoneFeature {
    /// Points of the ring a circle is drawn with.
    static let circlePoints = 64

    /// A zone as a GeoJSON Feature (RFC 7946), positions `[longitude, latitude]`: a
    /// polygon zone is a `Polygon` (rings closed); a circle is a `Polygon` of
    /// ``circlePoints`` points on the circle (geodesic, so any GIS or TAK tool draws it),
    /// with its exact `center` and `radius` (metres) among the properties, which the
    /// import reads back as the circle.
    init(_ zone: Zone, now: Date) {
        let geometry: Components.Schemas.GeoJSONGeometry
        var radius: Double?
        var center: [Double]?
        switch zone.volume.footprint {
        case .circle(let circle):
            radius = circle.radiusMeters
            center = [circle.center.longitude, circle.center.latitude]
            let ring = (0..<Self.circlePoints).map { index in
                Geodesic.destination(from: circle.center, azimuthDegrees: 360 * Double(index) / Double(Self.circlePoints), distanceMeters: circle.radiusMeters)
            }
            geometry = .case2(.init(_type: "Polygon", coordinates: [(ring + [ring[0]]).map { [$0.longitude, $0.latitude] }]))
        case .polygon(let polygon):
            geometry = .case2(.init(_type: "Polygon", coordinates: ([polygon.outer] + polygon.holes).map { ring in
                (ring + [ring[0]]).map { [$0.longitude, $0.latitude] }
            }))
        }
        let volume = zone.volume
        self.init(
            _type: "Feature", id: zone.id.rawValue, geometry: geometry,
            properties: .init(
                id: zone.id.rawValue, name: zone.name, kind: .init(zone.kind), owner: zone.owner.rawValue, agreement: zone.agreement?.rawValue,
                radius: radius, center: center, altitude: [volume.altitude.lowerMeters, volume.altitude.upperMeters], from: volume.time.start,
                until: volume.time.end, allowed: zone.allowed.map(\.rawValue).sorted(), revalidateBy: zone.revalidateBy,
                stale: zone.isStale(at: now)))
    }
}
