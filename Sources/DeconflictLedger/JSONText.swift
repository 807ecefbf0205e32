public import Foundation

/// Writes JSON from the plain values `JSONSerialization` takes (dictionaries with string
/// keys, arrays, strings, numbers, booleans, `NSNull`), directly into bytes: the same
/// documents, without bridging each value to Foundation's object types, which made
/// serialising an answer cost more than computing it.
///
/// Strings are escaped as RFC 8259 requires (`"`, `\`, control characters; `/` is not
/// escaped, other characters are written as UTF-8). Numbers are written in the shortest
/// form that reads back to the same value; non-finite numbers, which JSON cannot hold,
/// make the writer return nil, as do values of other types. Sorted keys are in the
/// order of Swift's string comparison (JSONSerialization's is locale-aware): the same
/// tree always gives the same bytes.
public enum JSONText {
    public static func data(_ value: Any, sortedKeys: Bool = true) -> Data? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        guard write(value, into: &bytes, sortedKeys: sortedKeys) else { return nil }
        return Data(bytes)
    }

    private static func write(_ value: Any, into bytes: inout [UInt8], sortedKeys: Bool) -> Bool {
        // Numbers parsed by JSONSerialization are NSNumber objects, which cast to Bool
        // and Int alike: their own type code tells which they are. Long decimals are
        // NSDecimalNumber, written with all their digits.
        if type(of: value) is NSDecimalNumber.Type, let decimal = value as? NSDecimalNumber {
            let digits = decimal.description
            guard Double(digits)?.isFinite == true else { return false }
            bytes.append(contentsOf: digits.utf8)
            return true
        }
        if type(of: value) is NSNumber.Type, let number = value as? NSNumber {
            switch String(cString: number.objCType) {
            case "c", "B": bytes.append(contentsOf: number.boolValue ? Array("true".utf8) : Array("false".utf8))
            case "d", "f":
                guard number.doubleValue.isFinite else { return false }
                writeDouble(number.doubleValue, into: &bytes)
            case "Q": bytes.append(contentsOf: String(number.uint64Value).utf8)
            default: bytes.append(contentsOf: String(number.int64Value).utf8)
            }
            return true
        }
        switch value {
        case let text as String:
            writeString(text, into: &bytes)
        case let flag as Bool:
            bytes.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case let number as Int:
            bytes.append(contentsOf: String(number).utf8)
        case let number as Int64:
            bytes.append(contentsOf: String(number).utf8)
        case let number as Int32:
            bytes.append(contentsOf: String(number).utf8)
        case let number as UInt64:
            bytes.append(contentsOf: String(number).utf8)
        case let number as Double:
            guard number.isFinite else { return false }
            writeDouble(number, into: &bytes)
        case let number as Float:
            guard number.isFinite else { return false }
            writeDouble(Double(number), into: &bytes)
        case let object as [String: Any]:
            bytes.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys {
                for key in object.keys.sorted() {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    guard write(object[key]!, into: &bytes, sortedKeys: sortedKeys) else { return false }
                }
            } else {
                for (key, element) in object {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    guard write(element, into: &bytes, sortedKeys: sortedKeys) else { return false }
                }
            }
            bytes.append(UInt8(ascii: "}"))
        case let list as [Any]:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in list.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard write(element, into: &bytes, sortedKeys: sortedKeys) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        case is NSNull:
            bytes.append(contentsOf: "null".utf8)
        default:
            return false
        }
        return true
    }

    /// Integral values within 2^53 as integers (`400`, not `400.0`), others in Swift's
    /// shortest round-trip form.
    private static func writeDouble(_ number: Double, into bytes: inout [UInt8]) {
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
            bytes.append(contentsOf: String(Int64(number)).utf8)
        } else {
            bytes.append(contentsOf: number.description.utf8)
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The object as JSON, by ``data(_:sortedKeys:)`` or, for values it does not write,
    /// by JSONSerialization; `null` when neither can.
    public static func anyData(_ object: Any, sortedKeys: Bool = true) -> Data {
        if let data = data(object, sortedKeys: sortedKeys) { return data }
        let options: JSONSerialization.WritingOptions = sortedKeys
            ? [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed] : [.withoutEscapingSlashes, .fragmentsAllowed]
        return (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("null".utf8)
    }
}
