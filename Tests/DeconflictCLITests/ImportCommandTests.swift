import DeconflictTestSupport
import Foundation
import Testing

/// `deconflict party add`, `import` and `export` on a store file, as an operator runs them.
@Suite("Command line: parties and GeoJSON import")
struct ImportCommandTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deconflict-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// `count` square zones of about 1 km, the i-th a Polygon (even) or a Point with a radius (odd).
    static func collection(_ count: Int, badAt: Int? = nil) -> Data {
        let features: [[String: Any]] = (0..<count).map { index in
            let lat = 30 + Double(index / 100) / 10, lon = 40 + Double(index % 100) / 10
            var geometry: [String: Any]
            var properties: [String: Any] = ["id": "site-\(index)", "kind": "protected-site", "name": "Site \(index)"]
            if index % 2 == 0 {
                var ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
                if index == badAt { ring = [[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01], [lon, lat]] }
                geometry = ["type": "Polygon", "coordinates": [ring]]
            } else {
                geometry = ["type": "Point", "coordinates": [lon, lat]]
                properties["radius"] = 500.0
            }
            return ["type": "Feature", "geometry": geometry, "properties": properties]
        }
        return try! JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features])
    }

    @Test func importsAGeoJSONFileAndSummarises() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let file = folder.appendingPathComponent("sites.geojson").path
        try Self.collection(400).write(to: URL(fileURLWithPath: file))
        let key = try CommandLineTests.deconflict("party", "add", "icrc", "--store", store)
        #expect(key.status == 0)
        #expect(key.output.hasPrefix("dck_"))
        let run = try CommandLineTests.deconflict("import", file, "--owner", "icrc", "--store", store)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains("400 zones imported for icrc"), "\(run.error)")
        let export = try CommandLineTests.deconflict("export", "--store", store)
        let changes = export.output.split(separator: "\n").filter { $0.contains("\"type\":\"zone.changed\",\"previous\"") || $0.hasPrefix("{\"sequence\"") && $0.contains("zone.changed") }
        #expect(changes.count == 400)
        #expect(export.error.contains("entries written to standard output"))
        let verify = try CommandLineTests.deconflict("verify", store)
        #expect(verify.status == 0)
        #expect(verify.output.hasPrefix("intact"))
    }

    @Test func aBadFeatureRefusesTheFileAndNamesIt() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let file = folder.appendingPathComponent("sites.geojson").path
        try Self.collection(50, badAt: 36).write(to: URL(fileURLWithPath: file))
        _ = try CommandLineTests.deconflict("party", "add", "icrc", "--store", store)
        let run = try CommandLineTests.deconflict("import", file, "--owner", "icrc", "--store", store)
        #expect(run.status != 0)
        #expect(run.error.contains("features[36].geometry"), "\(run.error)")
        let export = try CommandLineTests.deconflict("export", "--store", store)
        #expect(!export.output.contains("zone.changed"), "nothing may be half-imported")
        let unknown = try CommandLineTests.deconflict("import", file, "--owner", "nobody", "--store", store)
        #expect(unknown.status != 0)
    }
}
