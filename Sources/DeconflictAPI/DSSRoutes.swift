public import DeconflictAccess
import DeconflictEngine
import DeconflictF3548
import DeconflictGeometry
import DeconflictLedger
import DeconflictNode
import DeconflictStore
public import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import NIOCore
import NIOFoundationCompat

/// A USS as its access token names it: the subject (`sub`, the manager of what it
/// writes) and the scopes granted.
struct USSCaller: Hashable, Sendable {
    let subject: String
    let scopes: Set<String>
}

/// Verifies the access tokens of the DSS interface: RS256 JWTs signed by one of the
/// configured public keys, not expired, not before their `nbf`, for one of the
/// accepted audiences, with a subject. Scopes come from the `scope` claim
/// (space-separated, RFC 6749), or a `scp` list.
public struct DSSAuthority: Sendable {
    let keys: JWTKeyCollection
    let audiences: Set<String>
    let clock: @Sendable () -> Date
    /// Whether USS base URLs may be http:// (`--dss-allow-http-base-urls`); https only
    /// otherwise, as in the reference DSS.
    public var allowsHTTPBaseURLs = false
    /// When set, each access token is accepted once (`--dss-single-use`, ``TokenReplays``).
    public var replays: TokenReplays?

    /// The audiences accepted when none are configured: the names of this machine.
    public static let localAudiences = ["localhost", "127.0.0.1"]

    /// Loads RSA public keys from PEM files.
    ///
    /// - Throws: ``FieldError`` naming the file that cannot be read or holds no RSA key.
    public static func load(
        pemFiles: [String], audiences: [String], clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> DSSAuthority {
        let keys = JWTKeyCollection()
        for path in pemFiles {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw FieldError(field: "--dss-key", reason: "cannot read \(path)")
            }
            guard let key = try? Insecure.RSA.PublicKey(pem: pem) else {
                throw FieldError(field: "--dss-key", reason: "\(path) holds no RSA public key in PEM")
            }
            await keys.add(rsa: key, digestAlgorithm: .sha256)
        }
        return DSSAuthority(keys: keys, audiences: Set(audiences.isEmpty ? localAudiences : audiences), clock: clock)
    }

    struct Claims: JWTPayload {
        var sub: SubjectClaim?
        var aud: AudienceClaim?
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var scope: String?
        var scp: [String]?
        var jti: IDClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func verify(_ authorization: String?) async throws(F3548.Failure) -> USSCaller {
        func refuse(_ reason: String) -> F3548.Failure { F3548.Failure(.unauthenticated, reason) }
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            throw refuse("missing access token: send Authorization: Bearer <token>")
        }
        let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let algorithm = TokenChecks.algorithm(token) else { throw refuse("the access token is not a JWT") }
        guard algorithm == "RS256" else { throw refuse("access token algorithm \(algorithm) is not accepted (RS256)") }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw refuse("access token signature not verified by any configured key")
        }
        if let refusal = TokenChecks.timeRefusal(expiry: claims.exp?.value, notBefore: claims.nbf?.value, now: clock()) {
            throw refuse("access \(refusal)")
        }
        guard let audience = claims.aud?.value, !audiences.isDisjoint(with: audience) else {
            throw refuse("access token audience is not one of \(audiences.sorted().joined(separator: ", "))")
        }
        guard let subject = claims.sub?.value, !subject.isEmpty else { throw refuse("access token has no sub") }
        if let replays, let expiry = claims.exp?.value,
           let refusal = replays.admit(jti: claims.jti?.value, subject: subject, expiry: expiry, now: clock()) {
            throw refuse("access \(refusal)")
        }
        let scopes = Set((claims.scope ?? "").split(separator: " ").map(String.init) + (claims.scp ?? []))
        return USSCaller(subject: subject, scopes: scopes)
    }
}

/// Authenticates every DSS request but the version, brings the node up to date before
/// a write, and answers every refusal in the interface's form: `{"message": ...}`.
struct DSSMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let authority: DSSAuthority?
    let node: Node
    /// The rate limits, as for the native API: requests per USS (the token's subject),
    /// failed authentications per address.
    var limiter: RateLimiter?
    var metrics: ServerMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var context = context
            if request.uri.path != "/aux/v1/version" {
                guard let authority else {
                    throw F3548.Failure(.unauthenticated, "this server has no DSS token keys configured (deconflict serve --dss-key)")
                }
                let address = context.remoteAddress ?? "unknown"
                if let limiter, request.headers[.authorization] != nil, let wait = limiter.failures.empty(address) {
                    metrics?.rateLimited(interface: "dss", limit: "address")
                    return Self.tooManyRequests("too many failed authentications from this address", retryAfter: wait)
                }
                do {
                    context.uss = try await authority.verify(request.headers[.authorization])
                } catch {
                    _ = limiter?.failures.take(address)
                    throw error
                }
                if let limiter, let uss = context.uss, let wait = limiter.requests.take("uss:" + uss.subject) {
                    metrics?.rateLimited(interface: "dss", limit: "credential")
                    return Self.tooManyRequests("too many requests from USS \(uss.subject)", retryAfter: wait)
                }
            }
            // Every answer reflects every write acknowledged before the request, on any
            // node: a read catches up with the ledger's head; a write meets the other
            // nodes' entries when it commits.
            if request.method == .get || request.uri.path.hasSuffix("/query") {
                try await node.catchUp()
            } else {
                try await node.sync()
            }
            return try await next(request, context)
        } catch let failure as F3548.Failure {
            return DSSAPI.failure(DSSAPI.status(FieldError.Code(failure.code)), failure.message, detail: failure.conflict)
        } catch let error as FieldError {
            return DSSAPI.failure(
                DSSAPI.status(error.code), error.field.isEmpty ? error.reason : "\(error.field): \(error.reason)", detail: error.detail)
        } catch let error as DecodingError {
            let (field, reason) = Problem.describe(error)
            return DSSAPI.failure(400, "\(DSSAPI.snakeCase(field)): \(reason)")
        } catch is NIOTooManyBytesError {
            return DSSAPI.failure(413, "the request body is larger than \(DSSAPI.bodyLimit) bytes")
        } catch let error as HTTPError {
            return DSSAPI.failure(Int(error.status.code), error.body ?? error.status.reasonPhrase)
        } catch let error as StoreError {
            context.logger.error("store: \(error)")
            return DSSAPI.failure(503, "the store is unavailable: \(error.reason)")
        } catch {
            context.logger.error("DSS request failed: \(error)")
            return DSSAPI.failure(500, "internal error")
        }
    }
}

extension DSSMiddleware {
    /// A 429 in the interface's form, with `Retry-After` in whole seconds.
    static func tooManyRequests(_ message: String, retryAfter: Duration) -> Response {
        var response = DSSAPI.failure(429, message)
        response.headers[.retryAfter] = String(RateLimiter.seconds(retryAfter))
        return response
    }
}

/// The routes of the ASTM F3548-21 DSS interface (`/dss/v1`) and of the InterUSS
/// auxiliary interface's version and token check (`/aux/v1`).
struct DSSAPI: Sendable {
    let node: Node
    /// Whether USS base URLs may be http://. Checked here, as each request arrives, and
    /// not in ``Airspace/apply(_:at:engine:)``: the ledger replays the same on any server.
    var allowsHTTPBaseURLs = false
    typealias Scope = Airspace.Scope

    static let bodyLimit = 1 << 20
    static let version = "deconflict-1.0"

    /// The one place the interface's refusals become HTTP statuses: those of
    /// ``FieldError``, except that a value at fault is a 400 here (the interface has no 422).
    static func status(_ code: FieldError.Code) -> Int {
        code == .invalid ? 400 : FieldError(field: "", reason: "", code: code).status
    }

    /// `{"message"}`, or `detail` when the refusal says more in one of the interface's shapes.
    static func failure(_ status: Int, _ message: String, detail: (any Encodable & Sendable)? = nil) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: F3548.encode(detail ?? Message(message: message)))))
    }

    /// `ErrorResponse`.
    struct Message: Encodable, Sendable {
        var message: String
    }

    /// `{}`.
    struct Empty: Encodable, Sendable {}

    /// The auxiliary interface's `{"version"}`.
    struct Version: Encodable, Sendable {
        var version: String
    }

    static func answer(_ answer: any Encodable & Sendable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: F3548.encode(answer))))
    }

    /// `ussBaseUrl.value` as the interface spells it: `uss_base_url.value`.
    static func snakeCase(_ path: String) -> String {
        var result = ""
        for character in path {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The caller, if its token carries at least one of `scopes`; 403 otherwise.
    func caller(_ context: ServerContext, anyOf scopes: [String]) throws(F3548.Failure) -> USSCaller {
        guard let caller = context.uss else { throw F3548.Failure(.unauthenticated, "missing access token") }
        guard !caller.scopes.isDisjoint(with: scopes) else {
            throw F3548.Failure(.forbidden, "the access token has none of the scopes this needs: \(scopes.joined(separator: ", "))")
        }
        return caller
    }

    func entityID(_ context: ServerContext, _ name: String = "entityid") throws(F3548.Failure) -> String {
        let raw = context.parameters.get(name) ?? ""
        let text = raw.removingPercentEncoding ?? raw
        guard F3548.isUUIDv4(text) else { throw .badRequest(name, "not a version 4 UUID: \(text.prefix(64))") }
        return text.lowercased()
    }

    func pathVersion(_ context: ServerContext, _ name: String) throws(F3548.Failure) -> String {
        let raw = context.parameters.get(name) ?? ""
        let text = raw.removingPercentEncoding ?? raw
        guard !text.isEmpty, text.utf8.count <= 128 else { throw .badRequest(name, "must be 1 to 128 characters") }
        return text
    }

    func body<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: Self.bodyLimit)
        guard buffer.readableBytes > 0 else { throw F3548.Failure.badRequest("body", "empty; a JSON object is expected") }
        return try F3548.decoder.decode(T.self, from: Data(buffer: buffer))
    }

    /// Refuses an http:// base URL unless this server allows them (400).
    func checkScheme(_ url: String?, field: String) throws(F3548.Failure) {
        guard !allowsHTTPBaseURLs, let url, url.lowercased().hasPrefix("http://") else { return }
        throw .badRequest(field, "must use TLS (https); this server refuses http:// base URLs (deconflict serve --dss-allow-http-base-urls)")
    }

    /// Refuses a volume over the largest area (400). Checked here, as requests arrive:
    /// constraints and subscriptions accepted before the limit still replay.
    func checkAreas(_ volumes: [F3548.Volume4D], list: Bool) throws(F3548.Failure) {
        for (index, wire) in volumes.enumerated() {
            let name = list ? "extents[\(index)]" : "extents"
            guard let volume = try? F3548.volume(wire, field: name, requiring: .area) else { continue }
            try F3548.checkArea(volume.footprint.areaSquareMeters, field: name)
        }
    }

    /// Applies a write and answers with what it gave.
    func run(_ request: Airspace.Request, status: HTTPResponse.Status = .ok) async throws -> Response {
        let recorded = try RFC3339.decoder().decode(JSONValue.self, from: RFC3339.encoder().encode(request))
        let (_, answer) = try await node.executeWithAnswer(LedgerCommand(.dss(recorded), by: .party(Airspace.party(of: request.manager))))
        return Self.answer(answer ?? Empty(), status: status)
    }

    func newRequest(_ kind: Airspace.Request.Kind, _ caller: USSCaller, id: String, version: String? = nil, base: String? = nil) -> Airspace.Request {
        var request = Airspace.Request(
            kind: kind, manager: caller.subject, scopes: caller.scopes.sorted(), id: id, version: version,
            newVersion: UUID().uuidString.lowercased())
        request.base = base
        request.byCells = true
        return request
    }

    /// This server's base URL as the request reached it.
    static func base(_ request: Request) -> String { "http://\(request.head.authority ?? "127.0.0.1")" }

    /// The OVN an intent gets: `{id}_{suffix}` when the USS asked for a suffix (a
    /// version 7 UUID of about now), a random one otherwise.
    func ovn(for id: String, suffix: String?) throws(F3548.Failure) -> String {
        guard let suffix else { return UUID().uuidString.lowercased() }
        let pattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/
        guard suffix.wholeMatch(of: pattern) != nil, let milliseconds = UInt64(suffix.replacingOccurrences(of: "-", with: "").prefix(12), radix: 16)
        else { throw .badRequest("requested_ovn_suffix", "not a version 7 UUID: \(suffix.prefix(64))") }
        let stamped = Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
        guard abs(stamped.timeIntervalSince(node.configuration.clock())) <= 300 else {
            throw .badRequest("requested_ovn_suffix", "its time \(RFC3339.format(stamped)) is more than 5 minutes from now")
        }
        return "\(id)_\(suffix.lowercased())"
    }

    func area(_ query: F3548.QueryParameters) throws(F3548.Failure) -> Volume4D {
        guard let area = query.areaOfInterest else { throw .badRequest("area_of_interest", "missing") }
        let volume = try F3548.volume(area, field: "area_of_interest", requiring: .area)
        try F3548.checkArea(volume.footprint.areaSquareMeters, field: "area_of_interest")
        return volume
    }

    func register(dss: RouterGroup<ServerContext>, aux: RouterGroup<ServerContext>, uss: RouterGroup<ServerContext>) {
        // The details of the constraints Deconflict manages: its native zones.
        uss.get("constraints/:entityid") { request, context in
            _ = try caller(context, anyOf: [Scope.constraintProcessing])
            let id = try entityID(context)
            let now = node.configuration.clock()
            let base = Self.base(request)
            guard let found = await node.readAirspace({ airspace, engine in
                Airspace.native(id: id, in: engine, at: now).map { airspace.details($0, base: base) }
            }) else { throw F3548.Failure(.notFound, "constraint \(id) is not managed by this server") }
            return Self.answer(found)
        }
        registerIntents(dss)
        registerConstraints(dss)
        registerSubscriptions(dss)
        dss.post("reports") { request, context in
            let caller = try caller(context, anyOf: [
                Scope.constraintManagement, Scope.constraintProcessing, Scope.strategicCoordination, Scope.conformanceMonitoring,
                Scope.availabilityArbitration,
            ])
            let buffer = try await request.body.collect(upTo: Self.bodyLimit)
            guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer)) else {
                throw F3548.Failure.badRequest("body", "not a JSON object")
            }
            guard case .object? = fields["exchange"] else { throw F3548.Failure.badRequest("exchange", "missing or not an object") }
            var report = newRequest(.report, caller, id: "report")
            report.report = String(decoding: try RFC3339.encoder().encode(fields), as: UTF8.self)
            return try await run(report, status: .created)
        }
        dss.put("uss_availability/:uss_id") { request, context in
            let caller = try caller(context, anyOf: [Scope.availabilityArbitration])
            let uss = try pathVersion(context, "uss_id")
            var change = newRequest(.setAvailability, caller, id: uss)
            change.availability = try await body(F3548.SetAvailabilityParameters.self, request, context)
            return try await run(change)
        }
        dss.get("uss_availability/:uss_id") { _, context in
            _ = try caller(context, anyOf: [Scope.availabilityArbitration, Scope.strategicCoordination, Scope.conformanceMonitoring])
            let uss = try pathVersion(context, "uss_id")
            return Self.answer(await node.readAirspace { airspace, _ in airspace.describeAvailability(uss) })
        }
        aux.get("version") { _, _ in
            Self.answer(Version(version: Self.version))
        }
        aux.get("validate_oauth") { request, context in
            let caller = try caller(context, anyOf: ["dss.read.identification_service_areas", "dss.write.identification_service_areas"])
            if let owner = request.uri.queryParameters.get("owner"), String(owner) != caller.subject {
                throw F3548.Failure(.forbidden, "owner mismatch: required \(owner), but the access token has \(caller.subject)")
            }
            return Self.answer(Empty())
        }
    }

    func registerIntents(_ dss: RouterGroup<ServerContext>) {
        let readers = [Scope.strategicCoordination, Scope.conformanceMonitoring]
        dss.post("operational_intent_references/query") { request, context in
            let caller = try caller(context, anyOf: readers)
            let volume = try area(try await body(F3548.QueryParameters.self, request, context))
            let now = node.configuration.clock()
            return Self.answer(await node.readAirspace { airspace, _ in
                F3548.IntentsAnswer(operationalIntentReferences: airspace.relevantIntents([volume], at: now).map { airspace.describe($0, for: caller.subject) })
            })
        }
        dss.get("operational_intent_references/:entityid") { _, context in
            let caller = try caller(context, anyOf: readers)
            let id = try entityID(context)
            guard let found = await node.readAirspace({ airspace, _ in
                airspace.intents[id].map { F3548.IntentAnswer(operationalIntentReference: airspace.describe($0, for: caller.subject)) }
            }) else { throw F3548.Failure(.notFound, "operational intent \(id) not found") }
            return Self.answer(found)
        }
        let put: @Sendable (Request, ServerContext) async throws -> Response = { request, context in
            let caller = try caller(context, anyOf: readers)
            let id = try entityID(context)
            let version = try context.parameters.get("ovn").map { _ throws(F3548.Failure) in try pathVersion(context, "ovn") }
            let parameters = try await body(F3548.PutOperationalIntentParameters.self, request, context)
            try checkScheme(parameters.ussBaseUrl, field: "uss_base_url")
            try checkScheme(parameters.newSubscription?.ussBaseUrl, field: "new_subscription.uss_base_url")
            var change = newRequest(.putIntent, caller, id: id, version: version, base: Self.base(request))
            change.newVersion = try ovn(for: id, suffix: parameters.requestedOvnSuffix)
            change.newSubscription = UUID().uuidString.lowercased()
            change.intent = parameters
            return try await run(change, status: version == nil ? .created : .ok)
        }
        dss.put("operational_intent_references/:entityid", use: put)
        dss.put("operational_intent_references/:entityid/:ovn", use: put)
        dss.delete("operational_intent_references/:entityid/:ovn") { _, context in
            let caller = try caller(context, anyOf: readers)
            return try await run(newRequest(.deleteIntent, caller, id: try entityID(context), version: try pathVersion(context, "ovn")))
        }
    }

    func registerConstraints(_ dss: RouterGroup<ServerContext>) {
        let readers = [Scope.constraintManagement, Scope.constraintProcessing]
        dss.post("constraint_references/query") { request, context in
            let caller = try caller(context, anyOf: readers)
            let volume = try area(try await body(F3548.QueryParameters.self, request, context))
            let now = node.configuration.clock()
            let base = Self.base(request)
            return Self.answer(await node.readAirspace { airspace, engine in
                let references = airspace.relevantConstraints([volume], at: now).map { airspace.describe($0, for: caller.subject) }
                    + Airspace.natives(in: engine, meeting: [volume], at: now).map { airspace.describe($0, base: base) }
                return F3548.ConstraintsAnswer(constraintReferences: references)
            })
        }
        dss.get("constraint_references/:entityid") { request, context in
            let caller = try caller(context, anyOf: readers)
            let id = try entityID(context)
            let now = node.configuration.clock()
            let base = Self.base(request)
            guard let found = await node.readAirspace({ airspace, engine -> F3548.ConstraintAnswer? in
                if let constraint = airspace.constraints[id] {
                    return F3548.ConstraintAnswer(constraintReference: airspace.describe(constraint, for: caller.subject))
                }
                return Airspace.native(id: id, in: engine, at: now).map { F3548.ConstraintAnswer(constraintReference: airspace.describe($0, base: base)) }
            }) else { throw F3548.Failure(.notFound, "constraint \(id) not found") }
            return Self.answer(found)
        }
        let put: @Sendable (Request, ServerContext) async throws -> Response = { request, context in
            let caller = try caller(context, anyOf: [Scope.constraintManagement])
            let id = try entityID(context)
            let version = try context.parameters.get("ovn").map { _ throws(F3548.Failure) in try pathVersion(context, "ovn") }
            var change = newRequest(.putConstraint, caller, id: id, version: version)
            change.constraint = try await body(F3548.PutConstraintParameters.self, request, context)
            try checkScheme(change.constraint?.ussBaseUrl, field: "uss_base_url")
            try checkAreas(change.constraint?.extents ?? [], list: true)
            return try await run(change, status: version == nil ? .created : .ok)
        }
        dss.put("constraint_references/:entityid", use: put)
        dss.put("constraint_references/:entityid/:ovn", use: put)
        dss.delete("constraint_references/:entityid/:ovn") { _, context in
            let caller = try caller(context, anyOf: [Scope.constraintManagement])
            return try await run(newRequest(.deleteConstraint, caller, id: try entityID(context), version: try pathVersion(context, "ovn")))
        }
    }

    func registerSubscriptions(_ dss: RouterGroup<ServerContext>) {
        let users = [Scope.constraintProcessing, Scope.strategicCoordination]
        dss.post("subscriptions/query") { request, context in
            let caller = try caller(context, anyOf: users)
            let volume = try area(try await body(F3548.QueryParameters.self, request, context))
            let now = node.configuration.clock()
            return Self.answer(await node.readAirspace { airspace, _ in
                F3548.SubscriptionsAnswer(subscriptions: airspace.relevantSubscriptions([volume], at: now, manager: caller.subject).map { airspace.describe($0) })
            })
        }
        dss.get("subscriptions/:subscriptionid") { _, context in
            let caller = try caller(context, anyOf: users)
            let id = try entityID(context, "subscriptionid")
            guard let found = await node.readAirspace({ airspace, _ in airspace.subscriptions[id] }) else {
                throw F3548.Failure(.notFound, "subscription \(id) not found")
            }
            guard found.manager == caller.subject else { throw F3548.Failure(.forbidden, "subscription \(id) is managed by another USS") }
            return Self.answer(await node.readAirspace { airspace, _ in F3548.SubscriptionAnswer(subscription: airspace.describe(found)) })
        }
        let put: @Sendable (Request, ServerContext) async throws -> Response = { request, context in
            let caller = try caller(context, anyOf: users)
            let id = try entityID(context, "subscriptionid")
            let version = try context.parameters.get("version").map { _ throws(F3548.Failure) in try pathVersion(context, "version") }
            var change = newRequest(.putSubscription, caller, id: id, version: version, base: Self.base(request))
            change.subscription = try await body(F3548.PutSubscriptionParameters.self, request, context)
            try checkScheme(change.subscription?.ussBaseUrl, field: "uss_base_url")
            try checkAreas(change.subscription.map { [$0.extents] } ?? [], list: false)
            return try await run(change)
        }
        dss.put("subscriptions/:subscriptionid", use: put)
        dss.put("subscriptions/:subscriptionid/:version", use: put)
        dss.delete("subscriptions/:subscriptionid/:version") { _, context in
            let caller = try caller(context, anyOf: users)
            return try await run(newRequest(
                .deleteSubscription, caller, id: try entityID(context, "subscriptionid"), version: try pathVersion(context, "version")))
        }
    }
}
