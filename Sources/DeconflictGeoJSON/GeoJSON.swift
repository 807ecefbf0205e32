public import DeconflictEngine
import DeconflictGeometry
public import DeconflictNode
import DeconflictStore
public import Foundation

/// Zones from GeoJSON (RFC 7946), positions `[longitude, latitude]`: a `Polygon` (rings
/// closed or not); a circle as a `Point` with `radius` in metres among its properties,
/// or as exported, a `Polygon` drawing it with the exact `center` and `radius`. The other
/// properties are the zone's fields: `id`, `name`, `kind`, `agreement`, `altitude`,
/// `from`, `until`, `allowed`, `revalidateBy`.
public enum GeoJSON {
    /// The zones of a FeatureCollection (or a single Feature), checked; the first fault
    /// is named by its feature index.
    public static func zones(from data: Data, owner: PartyID) throws(FieldError) -> [ZoneBody] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FieldError(field: "body", reason: "not a GeoJSON object")
        }
        let features: [[String: Any]]
        switch object["type"] as? String {
        case "FeatureCollection":
            guard let list = object["features"] as? [[String: Any]] else { throw FieldError(field: "features", reason: "missing") }
            features = list
        case "Feature":
            features = [object]
        default:
            throw FieldError(field: "type", reason: "a FeatureCollection or a Feature is expected")
        }
        var zones: [ZoneBody] = []
        for (index, feature) in features.enumerated() {
            let field = "features[\(index)]"
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let id = (properties["id"] as? String) ?? (feature["id"] as? String) else {
                throw FieldError(field: "\(field).properties.id", reason: "missing")
            }
            guard let kindText = properties["kind"] as? String ?? Optional("deconfliction-zone"), let kind = Zone.Kind(rawValue: kindText) else {
                throw FieldError(field: "\(field).properties.kind", reason: "one of deconfliction-zone, protected-site, no-fly-area, corridor")
            }
            guard let geometry = feature["geometry"] as? [String: Any], let type = geometry["type"] as? String else {
                throw FieldError(field: "\(field).geometry", reason: "missing")
            }
            var body = ZoneBody(id: id, name: properties["name"] as? String, kind: kind, owner: nil)
            switch type {
            case "Point":
                guard let point = geometry["coordinates"] as? [Double], point.count >= 2 else {
                    throw FieldError(field: "\(field).geometry.coordinates", reason: "a Point is [longitude, latitude]")
                }
                guard let radius = properties["radius"] as? Double else {
                    throw FieldError(field: "\(field).properties.radius", reason: "a Point zone needs a radius in metres")
                }
                body.circle = .init(center: [point[1], point[0]], radius: radius)
            case "Polygon" where properties["center"] != nil || properties["radius"] != nil:
                // A circle as exported: the polygon is its drawing, `center` and `radius` the circle.
                guard let center = properties["center"] as? [Double], center.count == 2 else {
                    throw FieldError(field: "\(field).properties.center", reason: "a circle's centre is [longitude, latitude], with radius")
                }
                guard let radius = properties["radius"] as? Double else {
                    throw FieldError(field: "\(field).properties.radius", reason: "a circle's radius in metres, with center")
                }
                body.circle = .init(center: [center[1], center[0]], radius: radius)
            case "Polygon":
                guard let rings = geometry["coordinates"] as? [[[Double]]] else {
                    throw FieldError(field: "\(field).geometry.coordinates", reason: "a Polygon is rings of [longitude, latitude]")
                }
                body.polygon = try rings.enumerated().map { ring, points throws(FieldError) in
                    var converted = points.map { $0.count >= 2 ? [$0[1], $0[0]] : $0 }
                    if converted.count > 1, converted.first == converted.last { converted.removeLast() }
                    guard converted.allSatisfy({ $0.count == 2 }) else {
                        throw FieldError(field: "\(field).geometry.coordinates[\(ring)]", reason: "positions are [longitude, latitude]")
                    }
                    return converted
                }
            default:
                throw FieldError(field: "\(field).geometry.type", reason: "\(type) is not supported; use Polygon, or Point with a radius")
            }
            body.agreement = properties["agreement"] as? String
            body.altitude = properties["altitude"] as? [Double]
            body.allowed = properties["allowed"] as? [String]
            for (key, path) in [("from", \ZoneBody.from), ("until", \ZoneBody.until), ("revalidateBy", \ZoneBody.revalidateBy)] {
                guard let text = properties[key] as? String else { continue }
                guard let date = RFC3339.parse(text) else { throw FieldError(field: "\(field).properties.\(key)", reason: "not an RFC 3339 time") }
                body[keyPath: path] = date
            }
            do {
                _ = try body.zone(owner: owner)
            } catch {
                throw FieldError(field: "\(field).\(error.field.replacingOccurrences(of: "zone.", with: "geometry."))", reason: error.reason, code: error.code)
            }
            zones.append(body)
        }
        return zones
    }
}
