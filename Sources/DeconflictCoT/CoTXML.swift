public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a CoT message was refused, and where.
public struct CoTError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public var description: String { "\(field): \(reason)" }
}

/// Reads CoT XML events with Foundation's XML parser (libxml2), hardened for input from
/// anybody: at most ``maximumBytes`` of valid UTF-8; no document type declaration at all (CoT has none,
/// and declarations are how entity-expansion and external-entity attacks come), external
/// entities never resolved; required attributes present and well formed.
public enum CoTXML {
    public static let maximumBytes = 64 * 1024

    public static func decode(_ data: Data) throws(CoTError) -> CoTEvent {
        guard data.count <= maximumBytes else {
            throw CoTError(field: "event", reason: "\(data.count) bytes, more than the limit of \(maximumBytes)")
        }
        // Only valid UTF-8 text reaches the parser (FoundationXML traps on invalid UTF-8
        // in names and values).
        guard !data.contains(0), String(validating: data, as: UTF8.self) != nil else {
            throw CoTError(field: "event", reason: "not valid UTF-8 text")
        }
        // Declarations are refused before the parser sees them.
        if data.range(of: Data("<!".utf8)) != nil {
            throw CoTError(field: "event", reason: "declarations (<!DOCTYPE, <!ENTITY, CDATA) are not accepted in CoT")
        }
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = collector
        guard parser.parse(), collector.failure == nil else {
            throw collector.failure ?? CoTError(field: "event", reason: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "parse failed")")
        }
        guard let event = collector.event else { throw CoTError(field: "event", reason: "no <event> element") }
        guard collector.closed else { throw CoTError(field: "event", reason: "not well-formed XML: <event> is not closed") }
        guard let point = collector.point else { throw CoTError(field: "event.point", reason: "missing") }
        func text(_ name: String) throws(CoTError) -> String {
            guard let value = event[name], !value.isEmpty else { throw CoTError(field: "event@\(name)", reason: "missing") }
            return value
        }
        func date(_ name: String) throws(CoTError) -> Date {
            let value = try text(name)
            guard let date = parseTime(value) else { throw CoTError(field: "event@\(name)", reason: "not an ISO 8601 time: \(value.prefix(40))") }
            return date
        }
        func number(_ name: String, required: Bool) throws(CoTError) -> Double? {
            guard let value = point[name] else {
                if required { throw CoTError(field: "point@\(name)", reason: "missing") }
                return nil
            }
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw CoTError(field: "point@\(name)", reason: "not a number: \(value.prefix(40))")
            }
            return number
        }
        let uid = try text("uid")
        guard uid.utf8.count <= 256 else { throw CoTError(field: "event@uid", reason: "longer than 256 bytes") }
        let typeText = try text("type")
        guard let type = CoTType(typeText) else { throw CoTError(field: "event@type", reason: "not a CoT type: \(typeText.prefix(40))") }
        let latitude = try number("lat", required: true)!
        let longitude = try number("lon", required: true)!
        guard (-90...90).contains(latitude) else { throw CoTError(field: "point@lat", reason: "outside -90...90: \(latitude)") }
        guard (-180...180).contains(longitude) else { throw CoTError(field: "point@lon", reason: "outside -180...180: \(longitude)") }
        func known(_ value: Double?) -> Double? { value.flatMap { $0 >= CoTEvent.unknown ? nil : $0 } }
        let time = try date("time")
        let start = (try? date("start")) ?? time
        let stale = try date("stale")
        return CoTEvent(
            uid: uid, type: type, how: event["how"], time: time, start: start, stale: stale, latitude: latitude, longitude: longitude,
            heightAboveEllipsoid: known(try number("hae", required: false)), circularError: known(try number("ce", required: false)),
            linearError: known(try number("le", required: false)), callsign: collector.callsign)
    }

    /// ISO 8601 as TAK writes it, with or without fractions of a second.
    static func parseTime(_ text: String) -> Date? {
        let text = text.uppercased()
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: .iso8601)
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var event: [String: String]?
        var point: [String: String]?
        var callsign: String?
        var failure: CoTError?
        /// The root element ended.
        var closed = false
        private var path: [String] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(name)
            guard path.count <= 16 else {
                failure = CoTError(field: "event", reason: "nested more than 16 elements deep")
                parser.abortParsing()
                return
            }
            switch (path.count, name) {
            case (1, "event"): event = attributes
            case (1, _):
                failure = CoTError(field: "event", reason: "the root element is <\(name.prefix(40))>, not <event>")
                parser.abortParsing()
            case (2, "point") where path[0] == "event": point = attributes
            case (3, "contact") where path[1] == "detail": callsign = attributes["callsign"]
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = path.popLast()
            if path.isEmpty { closed = true }
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            failure = CoTError(field: "event", reason: "entity declarations are not accepted")
            parser.abortParsing()
        }
    }
}
