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
