import Foundation

/// The OpenAPI 3.1 document of the native API: the file `openapi.json` beside this one,
/// built into the server and served as it is at `/openapi.json`.
///
/// Keep it in step with the routes (`OpenAPITests` compares the two) and with what they
/// answer (`scripts/schemathesis` checks the running server against it).
enum OpenAPIDocument {
    /// The document's text, read once from the server's resources.
    static let json: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url)
        else {
            // A binary copied without its resources still serves, and says what is missing.
            return #"{"openapi":"3.1.0","info":{"title":"Deconflict","version":"1","description":"openapi.json is missing from this build's resources (deconflict_DeconflictAPI.resources beside the binary)"},"paths":{}}"#
        }
        return String(decoding: data, as: UTF8.self)
    }()
}

extension OpenAPIDocument {
    /// The operations the document gives no request body, as method and path segments
    /// (`nil` where the path names a parameter): a body sent to one is refused rather
    /// than ignored.
    static let bodiless: [(method: String, segments: [String?])] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let paths = document["paths"] as? [String: [String: Any]]
        else { return [] }
        var found: [(method: String, segments: [String?])] = []
        for (path, operations) in paths {
            let segments: [String?] = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            for (method, operation) in operations where ["post", "put", "patch", "delete"].contains(method) {
                if (operation as? [String: Any])?["requestBody"] == nil { found.append((method.uppercased(), segments)) }
            }
        }
        return found
    }()

    /// Whether the document gives `method` on `path` no request body.
    static func takesNoBody(_ method: String, _ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return bodiless.contains { operation in
            operation.method == method && operation.segments.count == parts.count
                && zip(operation.segments, parts).allSatisfy { $0.0 == nil || $0.0! == $0.1 }
        }
    }
}
