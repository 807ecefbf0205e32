public import DeconflictAccess
import DeconflictEngine
import DeconflictF3548
import DeconflictGeometry
public import DeconflictLedger
public import DeconflictNode
import DeconflictStore
import Foundation
public import Hummingbird
public import HummingbirdWebSocket
import HummingbirdCore
public import ServiceLifecycle
import Logging
import NIOCore
import Prometheus
import NIOFoundationCompat
import HTTPTypes
import HummingbirdTLS
import OpenAPIRuntime
import NIOSSL

/// What every request carries through the routes: who is asking, once authenticated.
public struct ServerContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<ServerContext>
    public var actor: Actor?
    /// The credential the request was authenticated with (a stream checks it again).
    var credential: String?
    /// The USS of a DSS request, once its token is verified.
    var uss: USSCaller?
    /// The peer's IP address (failed authentications are limited per address).
    let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        actor = nil
        credential = nil
        uss = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Report batches can be large.
    public var maxUploadSize: Int { Limits.bodyBytes }
}

/// The limits of a request, each refused with a clear error.
public enum Limits {
    public static let bodyBytes = 16 * 1024 * 1024
    public static let reportsPerBatch = 20_000
}

/// Builds the HTTP application of a node: the routes, authentication, errors as
/// `application/problem+json`, live streams.
public struct Server: Sendable {
    public let node: Node
    public let authenticator: Authenticator
    public let metrics: ServerMetrics
    /// Verifies the tokens of the ASTM F3548 DSS interface; without it that interface
    /// refuses every request with 401.
    public let dss: DSSAuthority?
    /// The folder the web console is served from (`/console/`): the files built into the
    /// server unless another folder is given.
    public let consoleFolder: String?
    /// The parties' webhooks: their delivery status (the ``WebhookService`` delivers them).
    public let webhooks: WebhookDispatcher
    /// The signed ledger heads and their proofs (`/v1/ledger/head`, …).
    public let heads: LedgerHeads
    /// How often an open stream is sent the signed head (when the ledger grew since).
    public let headInterval: Duration

    /// - Parameter heads: signs with the service's key; without it, with a key made for
    ///   this server alone (recorded nowhere).
    public init(
        node: Node, authenticator: Authenticator? = nil, metrics: ServerMetrics = ServerMetrics(), dss: DSSAuthority? = nil,
        consoleFolder: String? = nil, webhooks: WebhookDispatcher = WebhookDispatcher(), heads: LedgerHeads? = nil,
        headInterval: Duration = .seconds(60)
    ) {
        self.headInterval = headInterval
        self.node = node
        self.webhooks = webhooks
        self.heads = heads ?? LedgerHeads(store: node.store, key: SigningKey())
        self.authenticator = authenticator ?? Authenticator(node: node)
        self.metrics = metrics
        self.dss = dss
        self.consoleFolder = consoleFolder ?? Self.builtInConsole
    }

    /// The console's files as built into the server.
    public static var builtInConsole: String? { Bundle.module.url(forResource: "Console", withExtension: nil)?.path }

    /// The router with every route.
    public func router() -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware())
        if let consoleFolder {
            // The console's files need no credential: it signs in with a party's key.
            router.add(middleware: FileMiddleware(
                consoleFolder, urlBasePath: "/console", cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true))
        }
        router.add(middleware: ConsoleRedirect())
        router.add(middleware: AuthenticationMiddleware(authenticator: authenticator, metrics: metrics))
        router.add(middleware: BodyLimitMiddleware())
        let api = API(node: node, metrics: metrics, authenticator: authenticator, webhooks: webhooks, heads: heads, headInterval: headInterval)
        api.register(on: router)
        let middleware = DSSMiddleware(authority: dss, node: node, limiter: authenticator.limiter, metrics: metrics)
        DSSAPI(node: node, allowsHTTPBaseURLs: dss?.allowsHTTPBaseURLs ?? false).register(
            dss: router.group("dss/v1").add(middleware: middleware), aux: router.group("aux/v1").add(middleware: middleware),
            uss: router.group("uss/v1").add(middleware: middleware))
        return router
    }

    /// The application listening on `host`:`port`: plain HTTP, or HTTPS with `tls` (see
    /// ``TLSPolicy/server(certificate:key:)``).
    public func application(
        host: String = "127.0.0.1", port: Int = 8080, tls: ServerTLS? = nil, limits: HTTPConnectionLimits = HTTPConnectionLimits(),
        services: [any Service] = [], onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = router()
        let count = ConnectionCount(), metrics = metrics
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(http1: .init(idleTimeout: .init(limits.headerTimeout)))
        let webSocketResponder = router.buildResponder()
        // HTTP/1.1 with WebSocket upgrades, each connection guarded (ConnectionLimits.swift).
        let http = HTTPServerBuilder { responder in
            GuardedChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                limits: limits, count: count, metrics: metrics)
        }
        return Application(
            router: router,
            server: try tls.map { try .tls(http, tlsConfiguration: $0.configuration) } ?? http,
            configuration: .init(address: .hostname(host, port: port), serverName: "deconflict"),
            services: services,
            onServerRunning: onServerRunning,
            logger: Logger(label: "deconflict.http"))
    }
}

/// `GET /` goes to the web console.
struct ConsoleRedirect: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == "/", request.method == .get else { return try await next(request, context) }
        return Response(status: .seeOther, headers: [.location: "/console/"])
    }
}

/// Counts and times every request.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let began = ContinuousClock.now
        let response = try await next(request, context)
        metrics.request(method: request.method.rawValue, status: response.status.code)
        if !request.uri.path.hasPrefix("/v1/events") { metrics.requestDuration.record(ContinuousClock.now - began) }
        return response
    }
}

/// Who asks, for the handlers generated from the OpenAPI document (``API`` as
/// `APIProtocol`), which see the request but not the router's context.
enum RequestCaller {
    @TaskLocal static var actor: Actor?
}

/// Errors as RFC 9457 problem details, naming the field at fault.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.problem(error, context: context)
        }
    }

    static func problem(_ error: any Error, context: Context) -> Response {
        switch error {
        case let error as ServerError:
            // A handler generated from the OpenAPI document: the error is what it threw,
            // or what it found wrong with the request before calling it.
            if let parameter = queryParameterAtFault(error) { return parameter }
            if error.underlyingError is FieldError || error.underlyingError is DecodingError || error.underlyingError is StoreError
                || error.underlyingError is NIOTooManyBytesError || error.underlyingError is any HTTPResponseError {
                return problem(error.underlyingError, context: context)
            }
            return Problem.response(status: 400, field: "body", reason: "\(error.underlyingError)")
        case let error as FieldError:
            return Problem.response(status: error.status, field: error.field, reason: error.reason)
        case let error as DecodingError:
            let (field, reason) = Problem.describe(error)
            return Problem.response(status: 422, field: field, reason: reason)
        case let error as HTTPError:
            return Problem.response(status: Int(error.status.code), field: nil, reason: error.body ?? error.status.reasonPhrase)
        case is NIOTooManyBytesError:
            return Problem.response(status: 413, field: "body", reason: "larger than \(Limits.bodyBytes) bytes")
        case let error as any HTTPResponseError:
            return Problem.response(status: Int(error.status.code), field: nil, reason: "\(error)")
        case let error as StoreError:
            context.logger.error("store: \(error)")
            return Problem.response(status: 503, field: nil, reason: "the store is unavailable: \(error.reason)")
        default:
            context.logger.error("request failed: \(error)")
            return Problem.response(status: 500, field: nil, reason: "internal error")
        }
    }
}

extension ProblemMiddleware {
    /// A query parameter of a GET that did not decode (a number that is not one, a value
    /// not among those listed, a time that is not RFC 3339): the runtime's error does not
    /// name it, so it is the parameter whose value the document does not admit, or else
    /// the request's only query parameter.
    static func queryParameterAtFault(_ error: ServerError) -> Response? {
        guard error.operationInput == nil, error.request.method == .get, let decoding = error.underlyingError as? DecodingError,
              let target = error.request.path
        else { return nil }
        let halves = target.split(separator: "?", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        let (path, query) = (String(halves[0]), String(halves[1]))
        if let (name, value) = OpenAPIDocument.queryParameterAtFault(path: path, query: query) {
            return Problem.response(status: 422, field: name, reason: "\"\(value.prefix(40))\" is not a value the API document admits here")
        }
        var (field, reason) = Problem.describe(decoding)
        // The runtime's words for a value outside an enumeration name a generated type.
        if let value = reason.range(of: "invalid String value ").map({ reason[$0.upperBound...] }) {
            reason = "\"\(value)\" is not one of the values the API document lists"
        }
        let names = query.split(separator: "&").map { String($0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
        guard field == "body", names.count == 1, let name = names.first?.removingPercentEncoding else { return nil }
        return Problem.response(status: 422, field: name, reason: reason)
    }
}

enum Problem {
    static func response(status: Int, field: String?, reason: String) -> Response {
        var object: [String: Any] = [
            "type": "about:blank", "status": status,
            "title": title(status), "detail": field.map { "\($0): \(reason)" } ?? reason,
        ]
        if let field { object["field"] = field }
        object["reason"] = reason
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"deconflict\"" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSON.data(object))))
    }

    static func title(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: status >= 500 ? "Internal Server Error" : "Error"
        }
    }

    /// The JSON path and reason of a decoding error.
    static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "missing")
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "expected \(type)")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "expected \(type), got null")
        case .dataCorrupted(let context):
            let reason = context.debugDescription.contains("not valid JSON") ? "not valid JSON" : context.debugDescription
            return (path(context.codingPath), reason)
        @unknown default:
            return ("body", "\(error)")
        }
    }
}

enum JSON {
    static func data(_ object: Any, sorted: Bool = true) -> Data { JSONText.anyData(object, sortedKeys: sorted) }

    static func response(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        if fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data(object))))
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: ServerContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: Limits.bodyBytes)
        guard buffer.readableBytes > 0 else { throw FieldError(field: "body", reason: "empty; a JSON object is expected") }
        return try RFC3339.decoder().decode(T.self, from: Data(buffer: buffer))
    }
}

struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let authenticator: Authenticator
    let metrics: ServerMetrics
    static let open: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Self.open.contains(path) || path.hasPrefix("/console/") { return try await next(request, context) }
        // The DSS interface has its own tokens and errors (DSSMiddleware).
        if path.hasPrefix("/dss/") || path.hasPrefix("/aux/") || path.hasPrefix("/uss/") { return try await next(request, context) }
        var credential: String?
        if let header = request.headers[.authorization] {
            credential = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : header
        } else if let key = request.headers[HTTPField.Name("X-API-Key")!] {
            credential = key
        } else if let token = request.uri.queryParameters.get("access_token") {
            // Browsers cannot set headers on a WebSocket or EventSource.
            credential = token
        }
        var context = context
        // An address that keeps failing is refused before its credential is looked at
        // (no key lookup, no signature check); every failure spends one of its tokens.
        let limiter = authenticator.limiter
        let address = context.remoteAddress ?? "unknown"
        if credential?.isEmpty == false, let wait = limiter.failures.empty(address) {
            metrics.rateLimited(interface: "http", limit: "address")
            return RateLimiter.refusal(
                "address", reason: "too many failed authentications from this address (\(Self.rate(limiter.limits.failuresPerSecond, limiter.limits.failureBurst)))",
                retryAfter: wait)
        }
        let actor: Actor
        do {
            actor = try await authenticator.authenticate(credential)
        } catch {
            _ = limiter.failures.take(address)
            throw error
        }
        if let credential, let wait = limiter.requests.take(RateLimiter.bucket(of: credential, actor: actor)) {
            metrics.rateLimited(interface: "http", limit: "credential")
            return RateLimiter.refusal(
                "credential", reason: "too many requests with this credential (\(Self.rate(limiter.limits.requestsPerSecond, limiter.limits.requestBurst)))",
                retryAfter: wait)
        }
        context.actor = actor
        context.credential = credential
        // A write sees what any node acknowledged before it (reports excepted: their
        // commit meets other writers' entries anyway).
        if request.method != .get, path != "/v1/reports" { try await authenticator.node.sync() }
        // The handlers generated from the OpenAPI document see the request, not the
        // context: they read the caller from the task.
        return try await RequestCaller.$actor.withValue(actor) { try await next(request, context) }
    }

    static func rate(_ perSecond: Double, _ burst: Double) -> String {
        "at most \(String(format: "%g", perSecond)) a second, \(String(format: "%g", burst)) at once"
    }
}
