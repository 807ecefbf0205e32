import DeconflictEngine
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
        try decode(data, scanner: true)
    }

    /// `scanner`: messages in the plain shape TAK clients send are read by
    /// ``CoTXMLScanner`` (the same result, several times faster); false always uses the
    /// XML parser (the tests compare the two).
    static func decode(_ data: Data, scanner: Bool) throws(CoTError) -> CoTEvent {
        let collector = try parse(data, root: "event", scanner: scanner)
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
        /// An optional number attribute; refused with its field when it is not one.
        func number(_ value: String?, _ field: String) throws(CoTError) -> Double? {
            guard let value else { return nil }
            guard let number = Self.number(value) else { throw CoTError(field: field, reason: "not a number: \(value.prefix(40))") }
            return number
        }
        func coordinate(_ name: String) throws(CoTError) -> Double? { try number(point[name], "point@\(name)") }
        func required(_ name: String) throws(CoTError) -> Double {
            guard let value = try coordinate(name) else { throw CoTError(field: "point@\(name)", reason: "missing") }
            return value
        }
        let time = try date("time")
        return try CoTEvent.validated(
            uid: try text("uid"), type: try text("type"), how: event["how"], time: time,
            start: event["start"] == nil ? nil : try date("start"), stale: try date("stale"),
            latitude: try required("lat"), longitude: try required("lon"),
            heightAboveEllipsoid: try coordinate("hae"), circularError: try coordinate("ce"),
            linearError: try coordinate("le"), unknownAtOrAbove: CoTEvent.unknown, callsign: collector.callsign,
            speed: try number(collector.track?["speed"], "track@speed"), course: try number(collector.track?["course"], "track@course"),
            takProtocolRequest: collector.takRequest.flatMap { Int($0) })
    }

    /// The credentials of a TAK `<auth><cot username="…" password="…"/></auth>` message,
    /// the first message of a stream that must authenticate.
    public static func decodeAuth(_ data: Data) throws(CoTError) -> (username: String, password: String) {
        let collector = try parse(data, root: "auth", scanner: false)
        guard collector.closed else { throw CoTError(field: "auth", reason: "not well-formed XML: <auth> is not closed") }
        guard let cot = collector.auth else { throw CoTError(field: "auth.cot", reason: "missing") }
        guard let username = cot["username"], !username.isEmpty else { throw CoTError(field: "auth.cot@username", reason: "missing") }
        guard let password = cot["password"], !password.isEmpty else { throw CoTError(field: "auth.cot@password", reason: "missing") }
        return (username, password)
    }

    private static func parse(_ data: Data, root: String, scanner: Bool) throws(CoTError) -> Collected {
        guard data.count <= maximumBytes else {
            throw CoTError(field: root, reason: "\(data.count) bytes, more than the limit of \(maximumBytes)")
        }
        // Only valid UTF-8 text without NUL reaches the parser (FoundationXML traps on
        // invalid UTF-8 in names and values), no declaration and no processing
        // instruction but the XML declaration at the start (FoundationXML crashes on one
        // without data, `<?x?>`): they are refused before.
        let (text, declaration, instruction) = data.withUnsafeBytes { raw -> (Bool, Bool, Bool) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var declaration = false, instruction = false
            for index in bytes.indices {
                if bytes[index] == 0 { return (false, false, false) }
                guard bytes[index] == UInt8(ascii: "<"), index + 1 < bytes.count else { continue }
                if bytes[index + 1] == UInt8(ascii: "!") { declaration = true }
                if bytes[index + 1] == UInt8(ascii: "?"), index != 0 || !xmlDeclaration(bytes) { instruction = true }
            }
            return (String(validating: bytes, as: UTF8.self) != nil, declaration, instruction)
        }
        guard text else { throw CoTError(field: root, reason: "not valid UTF-8 text") }
        if declaration {
            throw CoTError(field: root, reason: "declarations (<!DOCTYPE, <!ENTITY, CDATA) are not accepted in CoT")
        }
        if instruction {
            throw CoTError(field: root, reason: "processing instructions are not accepted in CoT (only <?xml …?> at the start)")
        }
        if scanner, let collected = CoTXMLScanner.scan(data, root: root) { return collected }
        let collector = Collector(root: root)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = collector
        guard parser.parse(), collector.failure == nil else {
            throw collector.failure ?? CoTError(field: root, reason: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "parse failed")")
        }
        return collector.collected
    }

    /// Whether `bytes` starts with an XML declaration's `<?xml` and a space.
    private static func xmlDeclaration(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count > 5 && bytes[0..<5].elementsEqual("<?xml".utf8) && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[5])
    }

    /// A decimal number between optional spaces.
    static func number(_ text: String) -> Double? {
        var view = Substring(text)
        while let first = view.utf8.first, first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D { view = view.dropFirst() }
        while let last = view.utf8.last, last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D { view = view.dropLast() }
        return Double(view)
    }

    /// ISO 8601 as TAK writes it, with or without fractions of a second (RFC 3339).
    static func parseTime(_ text: String) -> Date? { RFC3339.parse(text) }

    /// What the readers take from a message: the root's and the point's attributes, and
    /// the few details Deconflict uses.
    struct Collected {
        var event: [String: String]?
        var point: [String: String]?
        var callsign: String?
        var track: [String: String]?
        var takRequest: String?
        var auth: [String: String]?
        /// The root element ended.
        var closed = false

        /// Takes an element that starts at `path` (the root first) with `attributes`.
        mutating func take(_ path: [String], _ attributes: [String: String]) {
            switch (path.count, path.last ?? "") {
            case (1, _): event = attributes
            case (2, "point") where path[0] == "event": point = attributes
            case (2, "cot") where path[0] == "auth": auth = attributes
            case (3, "contact") where path[1] == "detail": callsign = attributes["callsign"]
            case (3, "track") where path[1] == "detail": track = attributes
            case (4, "TakRequest") where path[2] == "TakControl": takRequest = attributes["version"]
            default: break
            }
        }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var collected = Collected()
        var failure: CoTError?
        let root: String
        private var path: [String] = []

        init(root: String) { self.root = root }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(name)
            guard path.count <= 16 else {
                failure = CoTError(field: root, reason: "nested more than 16 elements deep")
                parser.abortParsing()
                return
            }
            if path.count == 1, name != root {
                failure = CoTError(field: root, reason: "the root element is <\(name.prefix(40))>, not <\(root)>")
                parser.abortParsing()
                return
            }
            collected.take(path, attributes)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = path.popLast()
            if path.isEmpty { collected.closed = true }
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            failure = CoTError(field: "event", reason: "entity declarations are not accepted")
            parser.abortParsing()
        }
    }
}
