public import Foundation

/// Reads JSON Lines fixtures.
public enum FixtureLoader {
    /// Every line of a JSON Lines file, decoded as a dictionary.
    public static func jsonLines(at url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var records: [[String: Any]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            guard let record = object as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt, userInfo: [NSDebugDescriptionErrorKey: "line is not an object: \(line.prefix(80))"])
            }
            records.append(record)
        }
        return records
    }
}
