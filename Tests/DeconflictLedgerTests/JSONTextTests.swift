import DeconflictLedger
import DeconflictTestSupport
import Foundation
import Testing

/// The JSON writer writes the documents JSONSerialization writes, for random trees of
/// every value type the server builds or parses (strings with escapes and non-ASCII
/// text, booleans, integers, doubles, nulls, nested arrays and objects, and the
/// NSNumber and NSDecimalNumber values of a parsed document): read back, both give the
/// same tree, sorted or not.
@Suite("JSON writer")
struct JSONTextTests {

    static let alphabet: [Character] = Array("abcXYZ 019_-./:\"\\\n\t\r\u{01}\u{1F}é€😀\u{2028}<>&'")

    static func text(_ random: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }

    static func value(_ random: inout SeededGenerator, depth: Int) -> Any {
        switch Int.random(in: 0...(depth > 3 ? 5 : 7), using: &random) {
        case 0: return text(&random)
        case 1: return Bool.random(using: &random)
        case 2: return Int.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random)
        case 3: return Double.random(in: -1e6...1e6, using: &random)
        case 4: return [0.1, 400.0, -2.5, 1e-7, 123456.789, 0.30000000000000004][Int.random(in: 0...5, using: &random)]
        case 5: return NSNull()
        case 6: return (0..<Int.random(in: 0...4, using: &random)).map { _ in value(&random, depth: depth + 1) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &random) { object[text(&random)] = value(&random, depth: depth + 1) }
            return object
        }
    }

    @Test func writesWhatJSONSerializationWrites() throws {
        var random = SeededGenerator(seed: 11)
        /// The document read back and written again by JSONSerialization with sorted keys.
        func canonical(_ data: Data) throws -> String {
            let object = try JSONSerialization.jsonObject(with: data)
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        }
        for _ in 0..<2_000 {
            let tree: [String: Any] = ["root": Self.value(&random, depth: 0)]
            let expected = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys, .withoutEscapingSlashes])
            let written = try #require(JSONText.data(tree))
            #expect(try canonical(written) == canonical(expected))
            // The same for the tree as parsed (NSNumber values): booleans stay booleans,
            // long decimals keep their digits.
            let parsed = try JSONSerialization.jsonObject(with: expected)
            let again = try #require(JSONText.data(parsed))
            #expect(try canonical(again) == canonical(expected))
            // Without sorting, the same document.
            #expect(try canonical(try #require(JSONText.data(tree, sortedKeys: false))) == canonical(expected))
        }
    }

    @Test func refusesWhatJSONCannotHold() {
        #expect(JSONText.data(["x": Double.nan]) == nil)
        #expect(JSONText.data(["x": Double.infinity]) == nil)
        #expect(JSONText.data(["x": Date()]) == nil)
    }
}
