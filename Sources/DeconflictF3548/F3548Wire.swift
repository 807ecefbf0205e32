import DeconflictEngine
package import DeconflictGeometry
package import Foundation
import DeconflictStore

/// The ASTM F3548-21 DSS interface's JSON shapes (`/dss/v1`), decoded and encoded with
/// snake_case keys, and their conversion to Deconflict's geometry.
package enum F3548 {
    /// A refusal in the DSS's own form: `{"message": ...}` with an HTTP status.
    /// Reads the interface's snake_case keys into the Swift names (`uss_base_url` is
    /// `ussBaseUrl`). A key already in camelCase is not a key of the interface: it is
    /// read as an unknown key (ignored, so a required field is missing), where
    /// `.convertFromSnakeCase` let `ussBaseUrl` through. The ledger keeps these
    /// requests with the Swift names (the synthesized coding), so only the wire
    /// changes.
    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in WireKey(fromSnakeCase: path.last?.stringValue ?? "") }
        return decoder
    }()

    package struct WireKey: CodingKey {
        package var stringValue: String
        package var intValue: Int?

        package init(stringValue: String) { self.stringValue = stringValue }
        package init(intValue: Int) {
            stringValue = String(intValue)
            self.intValue = intValue
        }

        package init(fromSnakeCase key: String) {
            guard !key.contains(where: \.isUppercase) else {
                // No Swift name starts with a space: matches nothing.
                self.init(stringValue: " " + key)
                return
            }
            let words = key.split(separator: "_", omittingEmptySubsequences: false)
            guard words.count > 1, !words.contains(where: \.isEmpty) else {
                self.init(stringValue: key)
                return
            }
            self.init(stringValue: String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())
        }
    }

    // MARK: Geometry

    package struct Time: Codable, Hashable, Sendable {
        package var value: String
        package var format: String?
    }

    package struct LatLngPoint: Codable, Hashable, Sendable {
        package var lat: Double
        package var lng: Double
    }

    package struct Radius: Codable, Hashable, Sendable {
        package var value: Double
        package var units: String?
    }

    package struct Circle: Codable, Hashable, Sendable {
        package var center: LatLngPoint?
        package var radius: Radius?
    }

    package struct PolygonOutline: Codable, Hashable, Sendable {
        package var vertices: [LatLngPoint]
    }

    package struct Altitude: Codable, Hashable, Sendable {
        package var value: Double
        package var reference: String?
        package var units: String?
    }

    package struct Volume3D: Codable, Hashable, Sendable {
        package var outlineCircle: Circle?
        package var outlinePolygon: PolygonOutline?
        package var altitudeLower: Altitude?
        package var altitudeUpper: Altitude?
    }

    package struct Volume4D: Codable, Hashable, Sendable {
        package var volume: Volume3D
        package var timeStart: Time?
        package var timeEnd: Time?
    }

    /// What a volume must give: an entity's extents need both times and both altitudes;
    /// an area of interest may leave them out.
    package struct Requirements {
        package var times: Bool
        package var altitudes: Bool

        package static let entity = Requirements(times: true, altitudes: true)
        package static let area = Requirements(times: false, altitudes: false)
    }

    /// The highest and lowest altitudes the interface takes, metres W84.
    package static let altitudeRange = -8_000.0...100_000.0

    package static func time(_ time: Time?, field: String) throws(Failure) -> Date? {
        guard let time else { return nil }
        if let format = time.format, format != "RFC3339" {
            throw .badRequest("\(field).format", "must be RFC3339, got \(format)")
        }
        guard let date = RFC3339.parse(time.value) else {
            throw .badRequest("\(field).value", "not an RFC 3339 time: \(time.value)")
        }
        return date
    }

    package static func altitude(_ altitude: Altitude?, field: String) throws(Failure) -> Double? {
        guard let altitude else { return nil }
        if let reference = altitude.reference, reference != "W84" {
            throw .badRequest("\(field).reference", "only W84 is accepted, got \(reference)")
        }
        if let units = altitude.units, units != "M" {
            throw .badRequest("\(field).units", "only M is accepted, got \(units)")
        }
        guard altitude.value.isFinite, altitudeRange.contains(altitude.value) else {
            throw .badRequest("\(field).value", "must be within -8000...100000 m, got \(altitude.value)")
        }
        return altitude.value
    }

    /// Converts a volume; `field` names it in errors (`extents[2]`).
    package static func volume(_ wire: Volume4D, field: String, requiring needs: Requirements) throws(Failure) -> DeconflictGeometry.Volume4D {
        let footprint: Footprint
        switch (wire.volume.outlineCircle, wire.volume.outlinePolygon) {
        case (let circle?, nil):
            guard let center = circle.center else { throw .badRequest("\(field).volume.outline_circle.center", "missing") }
            guard let radius = circle.radius else { throw .badRequest("\(field).volume.outline_circle.radius", "missing") }
            if let units = radius.units, units != "M" {
                throw .badRequest("\(field).volume.outline_circle.radius.units", "only M is accepted, got \(units)")
            }
            do {
                footprint = try Footprint(circleCenter: [center.lat, center.lng], radiusMeters: radius.value, polygon: nil)
            } catch {
                throw .badRequest("\(field).volume.outline_\(error.field ?? "circle")", error.reason)
            }
        case (nil, let polygon?):
            var vertices = polygon.vertices.map { [$0.lat, $0.lng] }
            // The last vertex repeating the first is tolerated and dropped.
            if vertices.count > 3, vertices.first == vertices.last { vertices.removeLast() }
            guard vertices.count >= 3 else {
                throw .badRequest("\(field).volume.outline_polygon.vertices", "a polygon needs at least 3 vertices, got \(vertices.count)")
            }
            do {
                footprint = try Footprint(circleCenter: nil, radiusMeters: nil, polygon: [vertices])
            } catch {
                throw .badRequest("\(field).volume.outline_\(error.field ?? "polygon")", error.reason)
            }
        case (nil, nil):
            throw .badRequest("\(field).volume", "needs outline_circle or outline_polygon")
        case (_?, _?):
            throw .badRequest("\(field).volume", "has both outline_circle and outline_polygon; give one")
        }
        let lower = try altitude(wire.volume.altitudeLower, field: "\(field).volume.altitude_lower")
        let upper = try altitude(wire.volume.altitudeUpper, field: "\(field).volume.altitude_upper")
        if needs.altitudes {
            guard lower != nil else { throw .badRequest("\(field).volume.altitude_lower", "missing") }
            guard upper != nil else { throw .badRequest("\(field).volume.altitude_upper", "missing") }
        }
        let band: AltitudeBand
        do {
            band = try AltitudeBand(lowerMeters: lower ?? AltitudeBand.all.lowerMeters, upperMeters: upper ?? AltitudeBand.all.upperMeters)
        } catch {
            throw .badRequest("\(field).volume.altitude_upper", "must not be below altitude_lower")
        }
        let start = try time(wire.timeStart, field: "\(field).time_start")
        let end = try time(wire.timeEnd, field: "\(field).time_end")
        if needs.times {
            guard start != nil else { throw .badRequest("\(field).time_start", "missing") }
            guard end != nil else { throw .badRequest("\(field).time_end", "missing") }
        }
        let window: TimeWindow
        do {
            window = try TimeWindow(start: start, end: end)
        } catch {
            throw .badRequest("\(field).time_end", "must not be before time_start")
        }
        return DeconflictGeometry.Volume4D(footprint: footprint, altitude: band, time: window)
    }

    package static func volumes(_ wire: [Volume4D]?, field: String, requiring needs: Requirements) throws(Failure) -> [DeconflictGeometry.Volume4D] {
        guard let wire, !wire.isEmpty else { throw .badRequest(field, "at least one volume is needed") }
        var result: [DeconflictGeometry.Volume4D] = []
        for (index, volume) in wire.enumerated() {
            result.append(try self.volume(volume, field: "\(field)[\(index)]", requiring: needs))
        }
        return result
    }

    /// The largest area the interface takes, square metres: of an intent (its volumes
    /// together), a constraint's or a subscription's volume, and a search's area.
    package static let maximumArea = 2_500e6

    /// Refuses an area over ``maximumArea`` with the reference DSS's message (400).
    package static func checkArea(_ squareMeters: Double, field: String) throws(Failure) {
        guard squareMeters > maximumArea else { return }
        throw .badRequest(field, "Area is too large (\(String(format: "%f", squareMeters / 1e6))km² > \(String(format: "%f", maximumArea / 1e6))km²)")
    }

    /// A version 4 UUID in its canonical text (the interface's entity ids).
    package static func isUUIDv4(_ text: String) -> Bool {
        guard text.count == 36, let uuid = UUID(uuidString: text) else { return false }
        let bytes = uuid.uuid
        return bytes.6 >> 4 == 4 && [0x8, 0x9, 0xA, 0xB].contains(bytes.8 >> 4)
    }

    // MARK: Requests

    package struct ImplicitSubscriptionParameters: Codable, Hashable, Sendable {
        package var ussBaseUrl: String
        package var notifyForConstraints: Bool?
    }

    package struct PutOperationalIntentParameters: Codable, Hashable, Sendable {
        package var extents: [Volume4D]?
        package var key: [String]?
        package var state: String
        package var ussBaseUrl: String
        package var subscriptionId: String?
        package var newSubscription: ImplicitSubscriptionParameters?
        package var requestedOvnSuffix: String?
    }

    package struct PutConstraintParameters: Codable, Hashable, Sendable {
        package var extents: [Volume4D]?
        package var ussBaseUrl: String
    }

    package struct PutSubscriptionParameters: Codable, Hashable, Sendable {
        package var extents: Volume4D
        package var ussBaseUrl: String
        package var notifyForOperationalIntents: Bool?
        package var notifyForConstraints: Bool?
    }

    package struct QueryParameters: Codable, Hashable, Sendable {
        package var areaOfInterest: Volume4D?
    }

    package struct SetAvailabilityParameters: Codable, Hashable, Sendable {
        package var oldVersion: String?
        package var availability: String
    }

    /// A base URL: absolute http(s) (the server may refuse http, ``DSSAPI/checkScheme(_:field:)``).
    /// A trailing slash is accepted, as in the reference DSS.
    package static func checkBaseURL(_ text: String, field: String) throws(Failure) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil
        else { throw .badRequest(field, "must be an absolute http or https URL, got \"\(text.prefix(80))\"") }
        guard text.utf8.count <= 1_024 else { throw .badRequest(field, "longer than 1024 bytes") }
    }
}
