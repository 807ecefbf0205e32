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

extension OpenAPIDocument {
    /// What the document lets a query parameter hold: its schema's type (`integer`,
    /// `number`, `boolean`, `string`) and the values it lists, if any.
    struct QueryParameter: Sendable {
        let type: String
        let values: [String]?

        /// Whether `text` is such a value.
        func admits(_ text: String) -> Bool {
            if let values, !values.contains(text) { return false }
            switch type {
            case "integer": return Int64(text) != nil
            case "number": return Double(text)?.isFinite == true
            case "boolean": return text == "true" || text == "false"
            default: return true
            }
        }
    }

    /// The query parameters of every GET, by path segments (`nil` where the path names a
    /// parameter) and name.
    static let queryParameters: [(segments: [String?], parameters: [String: QueryParameter])] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let paths = document["paths"] as? [String: [String: Any]]
        else { return [] }
        let shared = ((document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]]) ?? [:]
        var found: [(segments: [String?], parameters: [String: QueryParameter])] = []
        for (path, operations) in paths {
            guard let get = operations["get"] as? [String: Any] else { continue }
            var parameters: [String: QueryParameter] = [:]
            for case var parameter as [String: Any] in get["parameters"] as? [Any] ?? [] {
                if let reference = parameter["$ref"] as? String, let name = reference.split(separator: "/").last {
                    parameter = shared[String(name)] ?? [:]
                }
                guard parameter["in"] as? String == "query", let name = parameter["name"] as? String,
                      let schema = parameter["schema"] as? [String: Any]
                else { continue }
                parameters[name] = QueryParameter(
                    type: schema["type"] as? String ?? "string", values: (schema["enum"] as? [Any])?.map { "\($0)" })
            }
            found.append((path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }, parameters))
        }
        return found
    }()

    /// The first query parameter of a GET of `path` whose value the document does not
    /// admit, with that value.
    static func queryParameterAtFault(path: String, query: String) -> (name: String, value: String)? {
        let parts = path.split(separator: "/")
        guard let parameters = queryParameters.first(where: { operation in
            operation.segments.count == parts.count && zip(operation.segments, parts).allSatisfy { $0.0 == nil || $0.0! == $0.1 }
        })?.parameters else { return nil }
        for pair in query.split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { String($0) }
            guard let name = halves[0].removingPercentEncoding, let parameter = parameters[name] else { continue }
            let value = (halves.count > 1 ? halves[1] : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            if !parameter.admits(value) { return (name, value) }
        }
        return nil
    }
}
