import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import DeconflictStore
import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// The REST API's operations answered through the protocol generated from the OpenAPI
/// document (`Generated/`, by `scripts/generate-openapi`): request bodies arrive decoded
/// into the document's types and answers are built from them, so a handler that drifts
/// from the document fails to compile. Who asks is read from ``RequestCaller``; errors
/// thrown here become problem+json in ``ProblemMiddleware``.
extension API: APIProtocol {
    /// How the generated code reads and writes JSON: keys sorted, compact, and times as
    /// RFC 3339 with every digit of a fraction of a second kept.
    static let openAPIConfiguration = Configuration(dateTranscoder: WireDates(), jsonEncodingOptions: [.sortedKeys])

    func registerGenerated(on router: Router<ServerContext>) {
        do {
            try registerHandlers(on: router, serverURL: URL(string: "/")!, configuration: Self.openAPIConfiguration)
        } catch {
            // Only a malformed server URL fails here: a fault of this file, found by every test.
            fatalError("the generated routes could not be registered: \(error)")
        }
    }

    /// The caller; only an authenticated request reaches a handler.
    var caller: DeconflictLedger.Actor { RequestCaller.actor ?? .operator }

    /// The calling party; the operator acts for none.
    func callingParty() throws(FieldError) -> PartyID {
        guard let party = caller.party else {
            throw FieldError(field: "Authorization", reason: "this is done by a party, not the operator", code: .forbidden)
        }
        return party
    }

    func requireOperator() throws(FieldError) {
        guard caller == .operator else { throw FieldError(field: "Authorization", reason: "only the operator may do this", code: .forbidden) }
    }

    /// A command of the caller's.
    func command(_ action: LedgerCommand.Action) -> LedgerCommand { LedgerCommand(action, by: caller) }

    /// Runs a command as the caller: the sequence of its last entry.
    func write(_ action: LedgerCommand.Action) async throws -> Int {
        Int(try await node.execute(command(action)).last?.sequence ?? 0)
    }

    /// An identifier of the path, checked.
    func pathID(_ raw: String, field: String = "id") throws(FieldError) -> String {
        try identifier(raw.removingPercentEncoding ?? raw, field: field)
    }
}

/// Dates in the generated code: read with ``RFC3339/parse(_:)`` (every digit of the
/// fraction kept), written with ``RFC3339/shortest(_:)``.
struct WireDates: DateTranscoder {
    func encode(_ date: Date) throws -> String { RFC3339.shortest(date) }

    func decode(_ text: String) throws -> Date {
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an RFC 3339 time: \(text)"))
        }
        return date
    }
}

/// Reads a request's body whole, up to ``Limits/bodyBytes`` (larger is refused with 413),
/// before a generated handler decodes it, and refuses a body sent to an operation that
/// takes none (422); the report-ingest path and the DSS interface
/// read their own bodies.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method != .get, path.hasPrefix("/v1/"), path != "/v1/reports" else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: Limits.bodyBytes)
        // An operation that takes no body refuses one with anything in it, rather than
        // act as if it had not been sent (`{}` and whitespace are nothing).
        if OpenAPIDocument.takesNoBody(request.method.rawValue, path) {
            let text = String(buffer: body).filter { !$0.isWhitespace }
            guard text.isEmpty || text == "{}" else {
                throw FieldError(field: "body", reason: "this operation takes no body; nothing was done")
            }
        }
        return try await next(request, context)
    }
}

extension Components.Schemas.Position {
    /// `[latitude, longitude]`, whichever form was sent (named, or the pair).
    var pair: [Double] {
        switch self {
        case .NamedPosition(let named): [named.lat, named.lng]
        case .PositionPair(let pair): pair
        }
    }

    /// A position as answers write it: the pair `[latitude, longitude]`.
    init(_ position: LatLng) {
        self = .PositionPair([position.latitude, position.longitude])
    }

    init(pair: [Double]) {
        self = .PositionPair(pair)
    }
}

extension [[Components.Schemas.Position]] {
    /// Rings of `[latitude, longitude]`, whichever form each position was sent in.
    var pairs: [[[Double]]] { map { ring in ring.map(\.pair) } }
}
