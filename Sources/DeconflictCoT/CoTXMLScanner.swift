import Foundation

/// Reads CoT events in the plain shape TAK clients write (an optional `<?xml …?>`
/// header, elements with quoted attributes, text without entities) straight from their
/// bytes, several times faster than the XML parser. Anything else (comments, processing
/// instructions, character data with `&`, attribute values with line breaks or tabs,
/// names outside ASCII, control characters, mismatched tags, content after the root) it
/// does not decide: it returns nil and the XML parser reads the message, so the result,
/// or the error, is the parser's. The tests hold the two to the same result on valid,
/// damaged and random messages.
enum CoTXMLScanner {
    static func scan(_ data: Data, root: String) -> CoTXML.Collected? {
        data.withUnsafeBytes { raw in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self), root: root)
            return scanner.run()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let root: String
        var index = 0
        var path: [String] = []
        var collected = CoTXML.Collected()

        init(bytes: UnsafeBufferPointer<UInt8>, root: String) {
            self.bytes = bytes
            self.root = root
        }

        mutating func run() -> CoTXML.Collected? {
            // Control characters XML does not allow (and that change nothing in CoT).
            for byte in bytes where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return nil }
            if starts(with: "<?xml") {
                guard declaration() else { return nil }
            }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { return nil }
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<") {
                    guard index + 1 < bytes.count else { return nil }
                    switch bytes[index + 1] {
                    case UInt8(ascii: "/"):
                        guard closeTag() else { return nil }
                        if path.isEmpty {
                            collected.closed = true
                            skipSpace()
                            // Nothing may follow the root.
                            return index == bytes.count ? collected : nil
                        }
                    case UInt8(ascii: "?"), UInt8(ascii: "!"): return nil
                    default:
                        guard openTag() else { return nil }
                        if path.isEmpty {
                            // An empty root, `<event …/>`.
                            collected.closed = true
                            skipSpace()
                            return index == bytes.count ? collected : nil
                        }
                    }
                } else {
                    // Character data: skipped, but never with a reference or `]]>`.
                    guard !path.isEmpty else { return nil }
                    while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
                        if bytes[index] == UInt8(ascii: "&") || bytes[index] == UInt8(ascii: ">") { return nil }
                        index += 1
                    }
                }
            }
            return nil
        }

        /// `<?xml version="1.x" encoding="UTF-8" standalone="yes"?>`, the last two
        /// optional, at the very start; nil for any other declaration.
        mutating func declaration() -> Bool {
            index += 5
            var seen: [String] = []
            while true {
                let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
                skipSpace()
                if starts(with: "?>") {
                    index += 2
                    return seen.first == "version"
                }
                guard hadSpace, let (key, value) = attribute(), ["version", "encoding", "standalone"].contains(key), !seen.contains(key)
                else { return false }
                switch key {
                case "version": guard seen.isEmpty, value == "1.0" else { return false }
                case "encoding": guard seen == ["version"], value.uppercased() == "UTF-8" else { return false }
                default: guard value == "yes" || value == "no" else { return false }
                }
                seen.append(key)
            }
        }

        func next(is character: Unicode.Scalar) -> Bool {
            index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: character)
        }

        func starts(with text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
            return true
        }

        mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

        static func isNameStart(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_")
        }

        static func isName(_ byte: UInt8) -> Bool {
            isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
        }

        /// An ASCII name (no namespace prefix).
        mutating func name() -> String? {
            let start = index
            guard index < bytes.count, Self.isNameStart(bytes[index]) else { return nil }
            index += 1
            while index < bytes.count, Self.isName(bytes[index]) { index += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        /// `<name attr="value" …>` or `<name …/>`, at `<`.
        mutating func openTag() -> Bool {
            index += 1
            guard let element = name() else { return false }
            var attributes: [String: String] = Dictionary(minimumCapacity: 8)
            while true {
                let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
                skipSpace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ">") || (bytes[index] == UInt8(ascii: "/") && next(is: ">")) { break }
                guard hadSpace, let (key, value) = attribute(), attributes[key] == nil else { return false }
                attributes[key] = value
            }
            path.append(element)
            guard path.count <= 16 else { return false }
            if path.count == 1, element != root { return false }
            collected.take(path, attributes)
            if bytes[index] == UInt8(ascii: "/") {
                index += 2
                path.removeLast()
            } else {
                index += 1
            }
            return true
        }

        /// `name = "value"` (or single quotes), at the name.
        mutating func attribute() -> (String, String)? {
            guard let key = name() else { return nil }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return nil }
            let quote = bytes[index]
            index += 1
            guard let value = attributeValue(until: quote) else { return nil }
            return (key, value)
        }

        /// An attribute value up to its closing quote, with the five predefined entities
        /// and character references decoded; nil for anything XML would normalise or
        /// refuse (tabs, line breaks, `<`, other entities).
        mutating func attributeValue(until quote: UInt8) -> String? {
            let start = index
            var plain = true
            while index < bytes.count, bytes[index] != quote {
                switch bytes[index] {
                case UInt8(ascii: "<"), 0x09, 0x0A, 0x0D: return nil
                case UInt8(ascii: "&"): plain = false
                default: break
                }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            if plain { return String(decoding: raw, as: UTF8.self) }
            return Self.unescape(raw)
        }

        static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var position = 0
            while position < raw.count {
                guard raw[position] == UInt8(ascii: "&") else {
                    out.append(raw[position])
                    position += 1
                    continue
                }
                guard let end = raw[position...].firstIndex(of: UInt8(ascii: ";")), end - position <= 10 else { return nil }
                let entity = String(decoding: UnsafeBufferPointer(rebasing: raw[(position + 1)..<end]), as: UTF8.self)
                let scalar: Unicode.Scalar?
                switch entity {
                case "amp": scalar = "&"
                case "lt": scalar = "<"
                case "gt": scalar = ">"
                case "quot": scalar = "\""
                case "apos": scalar = "'"
                default:
                    // Character references to ordinary printable characters only.
                    var digits = Substring(entity)
                    guard digits.first == "#" else { return nil }
                    digits = digits.dropFirst()
                    let radix = digits.first == "x" ? 16 : 10
                    if radix == 16 { digits = digits.dropFirst() }
                    guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit), let value = UInt32(digits, radix: radix),
                          value >= 0x20, value != 0x7F, value < 0xD800 || (value > 0xDFFF && value < 0xFFFE)
                    else { return nil }
                    scalar = Unicode.Scalar(value)
                }
                guard let scalar else { return nil }
                out.append(contentsOf: String(scalar).utf8)
                position = end + 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// `</name>` matching the innermost open element, at `<`.
        mutating func closeTag() -> Bool {
            index += 2
            guard let element = name(), element == path.last else { return false }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { return false }
            index += 1
            path.removeLast()
            return true
        }
    }
}
