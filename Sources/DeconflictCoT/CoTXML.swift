public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a CoT message was refused, and where.
public struct CoTError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public var description: String { "\(field): \(reason)" }

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Reads CoT XML events with Foundation's XML parser (libxml2), hardened for input from
/// anybody: at most ``maximumBytes`` of valid UTF-8; no document type declaration at all (CoT has none,
/// and declarations are how entity-expansion and external-entity attacks come), external
/// entities never resolved; required attributes present and well formed.
public enum CoTXML {
    public static let maximumBytes = 64 * 1024

    public static func decode(_ data: Data) throws(CoTError) -> CoTEvent {
        let collector = try parse(data, root: "event")
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
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
                throw CoTError(field: "point@\(name)", reason: "not a number: \(value.prefix(40))")
            }
            return number
        }
        func detail(_ value: String?, _ field: String) throws(CoTError) -> Double? {
            guard let value else { return nil }
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
                throw CoTError(field: field, reason: "not a number: \(value.prefix(40))")
            }
            return number
        }
        let time = try date("time")
        return try CoTEvent.validated(
            uid: try text("uid"), type: try text("type"), how: event["how"], time: time,
            start: event["start"] == nil ? nil : try date("start"), stale: try date("stale"),
            latitude: try number("lat", required: true)!, longitude: try number("lon", required: true)!,
            heightAboveEllipsoid: try number("hae", required: false), circularError: try number("ce", required: false),
            linearError: try number("le", required: false), unknownAtOrAbove: CoTEvent.unknown, callsign: collector.callsign,
            speed: try detail(collector.track?["speed"], "track@speed"), course: try detail(collector.track?["course"], "track@course"),
            takProtocolRequest: collector.takRequest.flatMap { Int($0) })
    }

    /// The credentials of a TAK `<auth><cot username="…" password="…"/></auth>` message,
    /// the first message of a stream that must authenticate.
    public static func decodeAuth(_ data: Data) throws(CoTError) -> (username: String, password: String) {
        let collector = try parse(data, root: "auth")
        guard collector.closed else { throw CoTError(field: "auth", reason: "not well-formed XML: <auth> is not closed") }
        guard let cot = collector.auth else { throw CoTError(field: "auth.cot", reason: "missing") }
        guard let username = cot["username"], !username.isEmpty else { throw CoTError(field: "auth.cot@username", reason: "missing") }
        guard let password = cot["password"], !password.isEmpty else { throw CoTError(field: "auth.cot@password", reason: "missing") }
        return (username, password)
    }

    private static func parse(_ data: Data, root: String) throws(CoTError) -> Collector {
        guard data.count <= maximumBytes else {
            throw CoTError(field: root, reason: "\(data.count) bytes, more than the limit of \(maximumBytes)")
        }
        // Only valid UTF-8 text reaches the parser (FoundationXML traps on invalid UTF-8
        // in names and values).
        guard !data.contains(0), String(validating: data, as: UTF8.self) != nil else {
            throw CoTError(field: root, reason: "not valid UTF-8 text")
        }
        // Declarations are refused before the parser sees them.
        if data.range(of: Data("<!".utf8)) != nil {
            throw CoTError(field: root, reason: "declarations (<!DOCTYPE, <!ENTITY, CDATA) are not accepted in CoT")
        }
        let collector = Collector(root: root)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = collector
        guard parser.parse(), collector.failure == nil else {
            throw collector.failure ?? CoTError(field: root, reason: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "parse failed")")
        }
        return collector
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
        var track: [String: String]?
        var takRequest: String?
        var auth: [String: String]?
        var failure: CoTError?
        let root: String

        init(root: String) { self.root = root }
        /// The root element ended.
        var closed = false
        private var path: [String] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(name)
            guard path.count <= 16 else {
                failure = CoTError(field: root, reason: "nested more than 16 elements deep")
                parser.abortParsing()
                return
            }
            switch (path.count, name) {
            case (1, root): event = attributes
            case (1, _):
                failure = CoTError(field: root, reason: "the root element is <\(name.prefix(40))>, not <\(root)>")
                parser.abortParsing()
            case (2, "point") where path[0] == "event": point = attributes
            case (2, "cot") where path[0] == "auth": auth = attributes
            case (3, "contact") where path[1] == "detail": callsign = attributes["callsign"]
            case (3, "track") where path[1] == "detail": track = attributes
            case (4, "TakRequest") where path[2] == "TakControl": takRequest = attributes["version"]
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
