import AsyncHTTPClient
import DeconflictEngine
import DeconflictGeometry
@testable import DeconflictAPI
import DeconflictStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing
import DeconflictNode

/// The OpenAPI document served at `/openapi.json`: well formed, and in step with the
/// routes the server registers (a route added without documentation, or documented
/// without a route, fails here). What the routes answer is checked against it by
/// `scripts/schemathesis`.
@Suite("OpenAPI document")
struct OpenAPITests {
    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// One documented operation.
    struct Documented: CustomStringConvertible {
        let method: String
        let path: String
        let operation: [String: Any]
        var description: String { "\(method.uppercased()) \(path)" }
    }

    func document() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8))
        return try #require(object as? [String: Any], "the document is not a JSON object")
    }

    func operations(_ document: [String: Any]) throws -> [Documented] {
        let paths = try #require(document["paths"] as? [String: Any], "no paths")
        var found: [Documented] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            let item = try #require(item as? [String: Any], "\(path) is not an object")
            for method in Self.methods {
                guard let operation = item[method] else { continue }
                found.append(Documented(method: method, path: path, operation: try #require(operation as? [String: Any])))
            }
        }
        return found
    }

    /// "GET /v1/zones/{id}" for a Hummingbird path `/v1/zones/:id` (or `{id}`).
    static func key(method: String, path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }
        return "\(method.uppercased()) \(segments.joined(separator: "/"))"
    }

    /// The router of a node on an empty temporary SQLite store.
    func withRouter(_ body: (Router<ServerContext>) async throws -> Void) async throws {
        let folder = try temporaryFolder("openapi")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
        let node = try await Node(store: store)
        try await body(Server(node: node).router())
    }

    @Test func isOpenAPI31WithEveryOperationDescribed() throws {
        let document = try document()
        #expect(document["openapi"] as? String == "3.1.0")
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["title"] is String && info["version"] is String)
        let operations = try operations(document)
        #expect(operations.count > 40, "only \(operations.count) operations")
        var identifiers: [String: String] = [:]
        for operation in operations {
            let identifier = operation.operation["operationId"] as? String
            #expect(identifier?.isEmpty == false, "\(operation) has no operationId")
            if let identifier {
                #expect(identifiers[identifier] == nil, "operationId \(identifier) of \(operation) is also \(identifiers[identifier] ?? "")'s")
                identifiers[identifier] = operation.description
            }
            let responses = operation.operation["responses"] as? [String: Any] ?? [:]
            #expect(!responses.isEmpty, "\(operation) has no responses")
            #expect(responses.keys.contains { $0.hasPrefix("2") || $0 == "101" }, "\(operation) has no success response")
            for (status, response) in responses {
                #expect(Int(status).map { (100...599).contains($0) } == true, "\(operation): \(status) is not a status code")
                let response = response as? [String: Any] ?? [:]
                #expect(response["description"] is String || response["$ref"] is String, "\(operation) \(status) has no description")
            }
            // Every error is a problem.
            for (status, response) in responses where status.hasPrefix("4") || status.hasPrefix("5") {
                let content = try resolved(response, in: document)["content"] as? [String: Any] ?? [:]
                #expect(Array(content.keys) == ["application/problem+json"], "\(operation) \(status) is not application/problem+json")
            }
        }
    }

    /// Every `$ref` leads somewhere in the document.
    @Test func referencesResolve() throws {
        let document = try document()
        var references: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(document)
        #expect(references.count > 100)
        for reference in Set(references) {
            #expect((try? resolve(reference, in: document)) != nil, "\(reference) does not resolve")
        }
    }

    /// The DSS half of the ASTM F3548-21 interface (`/dss/v1`, described by the standard's
    /// own OpenAPI document) and the InterUSS auxiliary operations served: every one of
    /// the standard's DSS operations, and no other.
    static let standardOperations: Set<String> = [
        "POST /dss/v1/operational_intent_references/query", "GET /dss/v1/operational_intent_references/{entityid}",
        "PUT /dss/v1/operational_intent_references/{entityid}", "PUT /dss/v1/operational_intent_references/{entityid}/{ovn}",
        "DELETE /dss/v1/operational_intent_references/{entityid}/{ovn}",
        "POST /dss/v1/constraint_references/query", "GET /dss/v1/constraint_references/{entityid}",
        "PUT /dss/v1/constraint_references/{entityid}", "PUT /dss/v1/constraint_references/{entityid}/{ovn}",
        "DELETE /dss/v1/constraint_references/{entityid}/{ovn}",
        "POST /dss/v1/subscriptions/query", "GET /dss/v1/subscriptions/{subscriptionid}", "PUT /dss/v1/subscriptions/{subscriptionid}",
        "PUT /dss/v1/subscriptions/{subscriptionid}/{version}", "DELETE /dss/v1/subscriptions/{subscriptionid}/{version}",
        "POST /dss/v1/reports", "PUT /dss/v1/uss_availability/{uss_id}", "GET /dss/v1/uss_availability/{uss_id}",
        "GET /aux/v1/version", "GET /aux/v1/validate_oauth", "GET /uss/v1/constraints/{entityid}",
    ]

    /// The routes the router registers and the operations the document describes are the
    /// same set of (method, path); the standard's DSS operations are all routed.
    @Test func describesEveryRouteAndNoOther() async throws {
        let documented = Set(try operations(try document()).map { Self.key(method: $0.method, path: $0.path) })
        try await withRouter { router in
            let all = Set(router.routes.map { Self.key(method: $0.method.rawValue, path: $0.path.description) })
            let standard = all.filter { $0.contains(" /dss/") || $0.contains(" /aux/") || $0.contains(" /uss/") }
            #expect(standard == Self.standardOperations, "DSS routes differ from the standard's operations: \(standard.symmetricDifference(Self.standardOperations).sorted())")
            let routed = all.subtracting(standard)
            #expect(routed.count > 40, "the router lists only \(routed.count) routes")
            let undocumented = routed.subtracting(documented).sorted()
            let unrouted = documented.subtracting(routed).sorted()
            #expect(undocumented.isEmpty, "routes missing from the OpenAPI document: \(undocumented.joined(separator: ", "))")
            #expect(unrouted.isEmpty, "documented without a route: \(unrouted.joined(separator: ", "))")
        }
    }

    /// Every `{name}` in a path is a required path parameter, and every path parameter
    /// is in its path.
    @Test func pathParametersAreDeclared() throws {
        let document = try document()
        let paths = try #require(document["paths"] as? [String: Any])
        for operation in try operations(document) {
            let item = paths[operation.path] as? [String: Any] ?? [:]
            let declared = try ((item["parameters"] as? [Any] ?? []) + (operation.operation["parameters"] as? [Any] ?? []))
                .map { try resolved($0, in: document) }
                .filter { $0["in"] as? String == "path" }
            let names = Set(declared.compactMap { $0["name"] as? String })
            let inPath = Set(operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
            #expect(names == inPath, "\(operation): path parameters \(names.sorted()) for \(inPath.sorted())")
            for parameter in declared { #expect(parameter["required"] as? Bool == true, "\(operation): \(parameter["name"] ?? "") not required") }
        }
    }

    /// Credentials as the document says: an http bearer and an `X-API-Key` scheme, needed
    /// everywhere but on the open routes, which say `security: []`; every other operation
    /// documents its 401, every operation with a body its 413 and 422.
    @Test func securityAsDocumented() throws {
        let document = try document()
        let components = try #require(document["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: [String: Any]])
        let bearer = try #require(schemes.values.first { $0["type"] as? String == "http" })
        #expect((bearer["scheme"] as? String)?.lowercased() == "bearer")
        #expect(schemes.values.contains { $0["type"] as? String == "apiKey" && $0["in"] as? String == "header" && $0["name"] as? String == "X-API-Key" })
        let global = try #require(document["security"] as? [[String: Any]])
        #expect(Set(global.flatMap(\.keys)) == Set(schemes.keys))
        for operation in try operations(document) {
            let open = (operation.operation["security"] as? [Any])?.isEmpty == true
            #expect(open == AuthenticationMiddleware.open.contains(operation.path), "\(operation): security [] only on the open routes")
            let responses = operation.operation["responses"] as? [String: Any] ?? [:]
            if !open { #expect(responses["401"] != nil, "\(operation) does not document 401") }
            if operation.operation["requestBody"] != nil {
                #expect(responses["413"] != nil && responses["422"] != nil, "\(operation) has a body but does not document 413 and 422")
            }
        }
    }

    /// Without credentials, the open routes answer and every other one is a 401, as the
    /// document's `security` says; `/openapi.json` serves this document.
    @Test func openRoutesAnswerWithoutCredentials() async throws {
        let requests = try operations(try document()).map { operation in
            (method: HTTPRequest.Method(operation.method.uppercased())!, path: operation.path, name: operation.description,
             open: (operation.operation["security"] as? [Any])?.isEmpty == true)
        }
        try await withRouter { router in
            let application = Application(router: router)
            try await application.test(.router) { client in
                for request in requests {
                    let uri = request.path.replacingOccurrences(of: "{id}", with: "x")
                    let status = try await client.execute(uri: uri, method: request.method) { $0.status.code }
                    if request.open {
                        #expect(status == 200, "\(request.name) without credentials: \(status)")
                    } else {
                        #expect(status == 401, "\(request.name) without credentials: \(status), not 401")
                    }
                }
                let (type, body) = try await client.execute(uri: "/openapi.json", method: .get) { response in
                    (response.headers[.contentType], String(buffer: response.body))
                }
                #expect(type == "application/json")
                #expect(body == OpenAPIDocument.json)
            }
        }
    }

    /// An operation the document gives no body refuses one (422, naming `body`) and does
    /// nothing, rather than act as if it had not been sent; `{}` and no body are accepted.
    @Test func aBodySentToAnOperationThatTakesNoneIsRefused() async throws {
        let live = try await LiveServer.start("bodiless", key: ["party", "add", "relief"])
        defer { live.stop() }
        let relief = live.client
        var answer = try await relief.send(.PUT, "/v1/operations/convoy", json: [
            "id": "convoy", "volumes": [["circle": ["center": [33.5, 38.6], "radius": 2_000]]],
        ])
        #expect(answer.status == 200, "\(answer.text)")

        answer = try await relief.send(.POST, "/v1/operations/convoy/notify", json: ["leadSeconds": 3_600])
        #expect(answer.status == 422 && answer.json["field"] as? String == "body", "\(answer.status) \(answer.text)")
        answer = try await relief.send(.POST, "/v1/operations/convoy/notify", body: "not json")
        #expect(answer.status == 422, "\(answer.text)")
        answer = try await relief.get("/v1/operations/convoy")
        #expect(answer.json["noticeGivenAt"] == nil, "a refused notice was given: \(answer.text)")
        #expect(try await relief.get("/v1/ledger").text.split(separator: "\n").filter { $0.contains("notify") }.isEmpty)

        answer = try await relief.send(.POST, "/v1/operations/convoy/notify", body: " { } ")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["noticeGivenAt"] != nil)
    }

    /// A circle exported as GeoJSON is a polygon any tool can draw (its ring on the
    /// circle), with the exact centre and radius beside it; imported again it is the same
    /// circle, not a 64-gon.
    @Test func aCircleInGeoJSONIsDrawnAsAPolygonAndReadBackAsTheCircle() async throws {
        let live = try await LiveServer.start("geojson-circle", key: ["party", "add", "coalition"])
        defer { live.stop() }
        let coalition = live.client
        var answer = try await coalition.send(.PUT, "/v1/zones/tanf", json: [
            "id": "tanf", "kind": "deconfliction-zone", "circle": ["center": [33.5, 38.6], "radius": 55_000],
        ])
        #expect(answer.status == 200, "\(answer.text)")

        answer = try await coalition.get("/v1/zones?format=geojson")
        let collection = answer.json
        let feature = try #require((collection["features"] as? [[String: Any]])?.first)
        let geometry = try #require(feature["geometry"] as? [String: Any])
        #expect(geometry["type"] as? String == "Polygon")
        let ring = try #require((geometry["coordinates"] as? [[[Double]]])?.first)
        #expect(ring.count == 65 && ring.first == ring.last, "\(ring.count) positions")
        let centre = LatLng(uncheckedLatitude: 33.5, longitude: 38.6)
        for vertex in ring {
            let distance = Geodesic.distance(centre, LatLng(uncheckedLatitude: vertex[1], longitude: vertex[0]))
            #expect(abs(distance - 55_000) < 1, "a vertex \(distance) m from the centre")
        }
        let properties = try #require(feature["properties"] as? [String: Any])
        #expect(properties["center"] as? [Double] == [38.6, 33.5])
        #expect(properties["radius"] as? Double == 55_000)

        // Imported again, it is the circle.
        answer = try await coalition.send(.POST, "/v1/zones/import", body: String(decoding: try JSONSerialization.data(withJSONObject: collection), as: UTF8.self))
        #expect(answer.status == 200, "\(answer.text)")
        answer = try await coalition.get("/v1/zones/tanf")
        #expect(answer.json["polygon"] == nil, "\(answer.text)")
        let circle = answer.json["circle"] as? [String: Any]
        #expect(circle?["center"] as? [Double] == [33.5, 38.6] && circle?["radius"] as? Double == 55_000, "\(answer.text)")
    }

    /// Positions may be named, `{"lat", "lng"}`, wherever the API takes one (a circle's
    /// centre, a polygon's vertices, a report): a GeoJSON-minded client cannot swap them.
    /// The pair `[latitude, longitude]` is still read; a named position with a wrong
    /// key (`lon`) is refused, nothing written.
    @Test func positionsMayBeNamedAndThePairStillReads() async throws {
        let live = try await LiveServer.start("named-positions", key: ["party", "add", "coalition"])
        defer { live.stop() }
        let coalition = live.client
        var answer = try await coalition.send(.PUT, "/v1/zones/named", json: [
            "id": "named", "kind": "protected-site", "circle": ["center": ["lat": 33.5, "lng": 38.65], "radius": 5_000],
        ])
        #expect(answer.status == 200, "\(answer.text)")
        #expect((try await coalition.get("/v1/zones/named")).json[path: "circle.center"] as? [Double] == [33.5, 38.65])
        answer = try await coalition.send(.PUT, "/v1/zones/site", json: [
            "id": "site", "kind": "protected-site",
            "polygon": [[["lat": 33.0, "lng": 44.0], [33.0, 44.2], ["lat": 33.2, "lng": 44.2]]],
        ])
        #expect(answer.status == 200, "\(answer.text)")
        #expect((try await coalition.get("/v1/zones/site")).json[path: "polygon"] as? [[[Double]]] == [[[33.0, 44.0], [33.0, 44.2], [33.2, 44.2]]])
        answer = try await coalition.send(.PUT, "/v1/zones/swapped", json: [
            "id": "swapped", "kind": "protected-site", "circle": ["center": ["lat": 33.5, "lon": 38.65], "radius": 5_000],
        ])
        #expect(answer.status == 422, "\(answer.text)")
        #expect((try await coalition.get("/v1/zones/swapped")).status == 404)

        #expect((try await coalition.send(.POST, "/v1/units", json: ["id": "patrol", "domain": "ground"])).status == 201)
        answer = try await coalition.send(.POST, "/v1/reports", json: [[
            "unit": "patrol", "time": RFC3339.shortest(Date()), "position": ["lat": 33.41, "lng": 38.61],
        ]])
        #expect(answer.status == 200, "\(answer.text)")
        let unit = try await coalition.get("/v1/units/patrol")
        #expect((unit.json[path: "lastReport.position"] as? [Double]) == [33.41, 38.61], "\(unit.text)")
        answer = try await coalition.send(.POST, "/v1/reports", json: [[
            "unit": "patrol", "time": RFC3339.shortest(Date()), "position": ["latitude": 33.42, "longitude": 38.61],
        ]])
        #expect(answer.status == 422 && answer.text.contains("position"), "\(answer.text)")
    }

    /// A request the generated code cannot decode, with a query of empty pairs (`?=&=`)
    /// and a header that is not a number, is refused with a problem, and the server keeps
    /// serving (it once indexed the empty pair's name and stopped).
    @Test func anUndecodableRequestWithEmptyQueryPairsIsRefusedNotFatal() async throws {
        let live = try await LiveServer.start("empty-pairs", key: ["operator-key"])
        defer { live.stop() }
        let client = live.client
        for path in ["/v1/ledger?=&=", "/v1/ledger?x=1&=", "/v1/ledger?="] {
            let answer = try await client.send(.GET, path, headers: [("Last-Event-ID", "not-a-number")])
            #expect((400..<500).contains(answer.status), "\(path): \(answer.status) \(answer.text)")
        }
        #expect((try await client.get("/v1/ledger")).status == 200, "the server stopped serving")
    }

    func resolve(_ reference: String, in document: [String: Any]) throws -> Any {
        guard reference.hasPrefix("#/") else { throw ReferenceError(reference: reference) }
        var current: Any = document
        for part in reference.dropFirst(2).split(separator: "/") {
            let name = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (current as? [String: Any])?[name] else { throw ReferenceError(reference: reference) }
            current = next
        }
        return current
    }

    /// The object itself, or the one its `$ref` names.
    func resolved(_ value: Any, in document: [String: Any]) throws -> [String: Any] {
        var object = value as? [String: Any] ?? [:]
        while let reference = object["$ref"] as? String {
            object = try resolve(reference, in: document) as? [String: Any] ?? [:]
        }
        return object
    }

    struct ReferenceError: Error, CustomStringConvertible {
        let reference: String
        var description: String { "\(reference) does not resolve" }
    }
}

/// A server process on a store of its own, with a client holding the key `key` (the
/// arguments of the `deconflict` command that prints it) issued.
struct LiveServer {
    let folder: URL
    let server: ServerProcess
    let client: Client

    static func start(_ name: String, key: [String]) async throws -> LiveServer {
        let folder = try temporaryFolder(name)
        let store = ["--store", folder.appendingPathComponent("store.sqlite").path]
        let secret = try runDeconflict(key + store)
        let server = try await ServerProcess(store: store)
        return LiveServer(folder: folder, server: server, client: Client(base: server.base, key: secret, http: .shared))
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
