@testable import DeconflictCoT
@testable import DeconflictCoTService
import DeconflictEngine
@testable import DeconflictF3548
import DeconflictGeometry
import DeconflictLedger
@testable import DeconflictAccess
@testable import DeconflictAPI
import DeconflictGeoJSON
import DeconflictNode
import DeconflictStore
import Dispatch
import Foundation
import JWTKit
import NIOCore

/// Each target: the input decoded the way the server (or the command line) decodes it,
/// then checked and converted as the route does, down to the engine where the route
/// goes that far. Refusals are thrown and caught here; only a crash is a finding. Where
/// two readers must agree (a hand-written scanner and the general parser it stands in
/// for), a target returns the disagreement, which the fuzzer makes a crash and the
/// regression tests an issue.
///
/// This file is compiled into the fuzzer and, through a symbolic link, into the main
/// package's tests (Tests/DeconflictServerTests/FuzzTargets.swift), which run every
/// committed input through the same functions.
enum FuzzTargets {
    /// The targets by name: each returns nil, or what two readers disagree on.
    static let all: [String: @Sendable (Data) -> String?] = [
        "report-scanner": reportScanner,
        "reports": { reports($0); return nil },
        "api-json": { apiJSON($0); return nil },
        "dss-json": { dssJSON($0); return nil },
        "geojson": { geoJSON($0); return nil },
        "cot-xml": cotXML,
        "cot-protobuf": { cotProtobuf($0); return nil },
        "cot-stream": { cotStream($0); return nil },
        "scenario": { scenario($0); return nil },
        "jwt": { data in
            if prepared == nil { wait { prepared = await FuzzTargets.verifiers() } }
            let verifiers = prepared!
            wait { await jwt(data, verifiers) }
            return nil
        },
    ]

    /// The instant the checks run at: fixed, so a run is reproducible.
    static let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21

    // MARK: Position reports

    /// The hand-written report scanner against JSONDecoder: where the scanner reads a
    /// batch, JSONDecoder must read the same reports from it.
    static func reportScanner(_ data: Data) -> String? {
        let decoder = RFC3339.decoder()
        if let scanned = ReportScanner.scan(data, lines: false) {
            struct Wrapped: Decodable { var reports: [ReportBody] }
            let decoded: [ReportBody]
            do {
                if data.first(where: { ![32, 9, 10, 13].contains($0) }) == UInt8(ascii: "{") {
                    decoded = try decoder.decode(Wrapped.self, from: data).reports
                } else {
                    decoded = try decoder.decode([ReportBody].self, from: data)
                }
            } catch {
                return "the scanner read \(scanned.count) reports that JSONDecoder refuses: \(error)"
            }
            if scanned != decoded { return "the scanner and JSONDecoder read different reports:\n\(scanned)\n\(decoded)" }
        }
        if let scanned = ReportScanner.scan(data, lines: true) {
            var decoded: [ReportBody] = []
            for slice in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if slice.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
                do {
                    decoded.append(try decoder.decode(ReportBody.self, from: Data(slice)))
                } catch {
                    return "the scanner read a line that JSONDecoder refuses: \(error)"
                }
            }
            if scanned != decoded { return "the scanner and JSONDecoder read different lines:\n\(scanned)\n\(decoded)" }
        }
        return nil
    }

    /// `POST /v1/reports`: the batch as JSON and as NDJSON, down to the engine.
    static func reports(_ data: Data) {
        for contentType in ["application/json", "application/x-ndjson"] {
            guard let reports = try? API.reports(from: ByteBuffer(bytes: data), contentType: contentType) else { continue }
            var engine = engine
            for report in reports.prefix(64) {
                _ = try? engine.handle(.addUnit(Unit(id: report.unit, party: caller, domain: .air)), at: report.time)
                _ = try? engine.handle(.report(report), at: report.time)
            }
        }
    }

    // MARK: The HTTP API's request bodies

    static let caller = PartyID("fuzz")

    /// An engine with something to meet: two parties under an agreement, a zone of each,
    /// a unit of each.
    nonisolated(unsafe) static let engine: Engine = {
        var engine = Engine(start: now)
        let other = PartyID("other")
        let setup: [Engine.Command] = [
            .addParty(Party(id: caller)), .addParty(Party(id: other)),
            .putAgreement(Agreement(id: AgreementID("a1"), title: "A", signatories: [caller: .signed, other: .signed])),
            .putZone(Zone(
                id: ZoneID("z-other"), name: nil, kind: .deconflictionZone, owner: other, agreement: AgreementID("a1"),
                volume: Volume4D(footprint: .circle(try! Circle(center: try! LatLng(latitude: 48.1, longitude: 11.5), radiusMeters: 2_000))),
                allowed: [], revalidateBy: nil)),
            .addUnit(Unit(id: UnitID("u-other"), party: other, domain: .air)),
            .addUnit(Unit(id: UnitID("u1"), party: caller, domain: .air)),
        ]
        for command in setup { _ = try! engine.handle(command, at: now) }
        return engine
    }()

    /// The first byte picks the body (and route), the rest is the JSON.
    static func apiJSON(_ data: Data) {
        guard let selector = data.first else { return }
        let json = Data(data.dropFirst())
        let decoder = RFC3339.decoder()
        let command: LedgerCommand
        do {
            switch selector % 12 {
            case 0:
                let body = try decoder.decode(Components.Schemas.PartyInput.self, from: json)
                command = LedgerCommand(.addParty(Party(id: PartyID(try identifier(body.id, field: "id")), name: body.name)), by: .operator)
            case 1:
                let body = try decoder.decode(Components.Schemas.ResponsibilityInput.self, from: json)
                command = LedgerCommand(
                    .setResponsibility(Responsibility(sponsor: PartyID(body.sponsor), client: PartyID(body.client), confirmed: body.confirmed ?? false)),
                    by: .party(caller))
            case 2:
                let body = try decoder.decode(Components.Schemas.AgreementInput.self, from: json)
                command = LedgerCommand(.putAgreement(try body.agreement()), by: .party(caller))
            case 3:
                let body = try decoder.decode(ZoneBody.self, from: json)
                command = LedgerCommand(.putZone(try body.zone(owner: caller)), by: .party(caller))
            case 4:
                let body = try decoder.decode(Components.Schemas.UnitInput.self, from: json)
                command = LedgerCommand(.addUnit(try body.unit(party: caller)), by: .party(caller))
            case 5, 6:
                // PUT /v1/operations/{id} and POST /v1/operations/check.
                let body = try decoder.decode(Components.Schemas.OperationInput.self, from: json)
                let operation = try body.operation(party: caller)
                _ = engine.check(operation)
                command = LedgerCommand(.putOperation(operation), by: .party(caller))
            case 7:
                let body = try decoder.decode(Components.Schemas.MessageInput.self, from: json)
                command = LedgerCommand(.send(try body.message(from: caller)), by: .party(caller))
            case 8:
                let body = try decoder.decode(Components.Schemas.IncidentInput.self, from: json)
                command = LedgerCommand(.recordIncident(try body.draft(by: caller)), by: .party(caller))
            case 9:
                let state = DeconflictEngine.Operation.State(try decoder.decode(Components.Schemas.StateInput.self, from: json).state)
                command = LedgerCommand(.setOperationState(OperationID("o1"), state), by: .party(caller))
            case 10:
                let reason = try decoder.decode(Components.Schemas.ResolveInput.self, from: json).reason
                command = LedgerCommand(.resolve(AlertID("alert-1"), by: caller, reason: reason), by: .party(caller))
            default:
                struct WebhookBody: Decodable {
                    var url: String
                    var secret: String?
                }
                let body = try decoder.decode(WebhookBody.self, from: json)
                _ = URL(string: body.url).map { ($0.scheme, $0.host) }
                return
            }
            // As the node applies it: the command read back from its ledger record.
            let replayed = try LedgerCommand.decode(command.record(at: now).payload)
            guard case .engine(let engineCommand) = replayed.action else { return }
            var engine = engine
            _ = try engine.handle(engineCommand, at: now)
        } catch {
            return
        }
    }

    // MARK: The DSS interface (ASTM F3548)

    static let scopes = [
        Airspace.Scope.strategicCoordination, Airspace.Scope.constraintManagement, Airspace.Scope.constraintProcessing,
        Airspace.Scope.conformanceMonitoring, Airspace.Scope.availabilityArbitration,
    ]

    /// The first byte picks the request, the rest is its JSON body; the request is applied
    /// to an empty airspace as the node applies it.
    static func dssJSON(_ data: Data) {
        guard let selector = data.first else { return }
        let json = Data(data.dropFirst())
        let decoder = F3548.decoder
        var request = Airspace.Request(
            kind: .report, manager: "uss1", scopes: scopes, id: "00000000-0000-4000-8000-000000000001", version: nil,
            newVersion: "00000000-0000-4000-8000-000000000002", newSubscription: "00000000-0000-4000-8000-000000000003",
            base: "http://127.0.0.1")
        do {
            switch selector % 6 {
            case 0:
                request.kind = .putIntent
                request.intent = try decoder.decode(F3548.PutOperationalIntentParameters.self, from: json)
            case 1:
                request.kind = .putConstraint
                request.constraint = try decoder.decode(F3548.PutConstraintParameters.self, from: json)
            case 2:
                request.kind = .putSubscription
                request.subscription = try decoder.decode(F3548.PutSubscriptionParameters.self, from: json)
            case 3:
                request.kind = .setAvailability
                request.availability = try decoder.decode(F3548.SetAvailabilityParameters.self, from: json)
            case 4:
                // The three queries: an area of interest.
                let query = try decoder.decode(F3548.QueryParameters.self, from: json)
                guard let area = query.areaOfInterest else { return }
                let volume = try F3548.volume(area, field: "area_of_interest", requiring: .area)
                let airspace = Airspace()
                _ = airspace.relevantIntents([volume], at: now)
                _ = airspace.relevantConstraints([volume], at: now)
                _ = airspace.relevantSubscriptions([volume], at: now, manager: "uss1")
                _ = Airspace.natives(in: engine, meeting: [volume], at: now)
                return
            default:
                guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any], object["exchange"] is [String: Any]
                else { return }
                request.report = String(decoding: JSON.data(object), as: UTF8.self)
            }
            var airspace = Airspace()
            var engine = Engine(start: now)
            _ = try airspace.apply(request, at: now, engine: &engine)
        } catch {
            return
        }
    }

    // MARK: GeoJSON

    /// `POST /v1/zones/import` and `deconflict import`: every feature checked.
    static func geoJSON(_ data: Data) {
        guard let bodies = try? GeoJSON.zones(from: data, owner: caller) else { return }
        var engine = engine
        for body in bodies.prefix(16) {
            guard let zone = try? body.zone(owner: caller),
                  let replayed = try? LedgerCommand.decode(LedgerCommand(.putZone(zone), by: .party(caller)).record(at: now).payload),
                  case .engine(let command) = replayed.action
            else { continue }
            _ = try? engine.handle(command, at: now)
        }
    }

    // MARK: Cursor-on-Target

    /// An XML event through the scanner and through the XML parser: the same event or the
    /// same refusal. Then the mapping the CoT service applies, and the `<auth>` reader.
    static func cotXML(_ data: Data) -> String? {
        let scanned = Result { () throws(CoTError) in try CoTXML.decode(data, scanner: true) }
        let parsed = Result { () throws(CoTError) in try CoTXML.decode(data, scanner: false) }
        if case .success(let event) = scanned { _ = CoTMapping.inbound(event, party: caller, now: now) }
        _ = try? CoTXML.decodeAuth(data)
        return scanned == parsed ? nil : "the scanner and the XML parser disagree:\n\(scanned)\n\(parsed)"
    }

    /// A TAK protocol payload (`TakMessage`).
    static func cotProtobuf(_ data: Data) {
        guard let event = try? CoTProtobuf.decode(data) else { return }
        _ = CoTMapping.inbound(event, party: caller, now: now)
    }

    /// A TCP stream cut into messages, arriving in pieces whose sizes the first byte
    /// picks; each message decoded as the connection decodes it. Then the same bytes as a
    /// UDP datagram.
    static func cotStream(_ data: Data) {
        guard let first = data.first else { return }
        let stream = data.dropFirst()
        let piece = Int(first % 64) + 1
        var framer = CoTStreamFramer()
        var offset = stream.startIndex
        reading: while offset < stream.endIndex {
            let end = min(offset + piece, stream.endIndex)
            framer.append(stream[offset..<end])
            offset = end
            while true {
                do {
                    guard let frame = try framer.next() else { break }
                    _ = try? CoTConnection.decode(frame)
                } catch {
                    break reading
                }
            }
        }
        if let frame = try? TakProtocol.frame(datagram: Data(stream)) { _ = try? CoTConnection.decode(frame) }
    }

    // MARK: Scenario files

    /// `deconflict demo --scenario`: decoded, turned into timed commands and run.
    static func scenario(_ data: Data) {
        guard let script = try? ScenarioScript.decode(data), let steps = try? script.commands() else { return }
        var engine = Engine(start: script.start)
        for step in steps.prefix(256) { _ = try? engine.handle(step.command, at: step.time) }
    }

    // MARK: Bearer tokens

    typealias Verifiers = (api: JWTVerifier, dss: DSSAuthority)

    /// The API's verifier and the DSS's, trusting the fixed keys of `FuzzKeys`, at a
    /// fixed time.
    static func verifiers() async -> Verifiers {
        // As `--jwt-key` loads two PEM files: a collection each.
        let ecdsa = JWTKeyCollection()
        await ecdsa.add(ecdsa: try! ES256PublicKey(pem: FuzzKeys.es256Public))
        let rsa = JWTKeyCollection()
        await rsa.add(rsa: try! Insecure.RSA.PublicKey(pem: FuzzKeys.rsaPublic), digestAlgorithm: .sha256)
        let dssKeys = JWTKeyCollection()
        await dssKeys.add(rsa: try! Insecure.RSA.PublicKey(pem: FuzzKeys.rsaPublic), digestAlgorithm: .sha256)
        return (
            JWTVerifier(keySets: [ecdsa, rsa], audience: "deconflict", clock: { now }),
            DSSAuthority(keys: dssKeys, audiences: ["localhost"], clock: { now }))
    }

    /// The fuzzer's verifiers, made once.
    nonisolated(unsafe) static var prepared: Verifiers?

    /// The token through the API's verifier and the DSS's: the party and the USS, nil
    /// where refused.
    @discardableResult
    static func jwt(_ data: Data, _ verifiers: Verifiers) async -> (api: PartyID?, dss: String?) {
        let token = String(decoding: data, as: UTF8.self)
        _ = TokenChecks.algorithm(token)
        let party = try? await verifiers.api.verify(token)
        let caller = try? await verifiers.dss.verify("Bearer " + token)
        return (party, caller?.subject)
    }

    /// Runs async work to its end from the synchronous callback.
    static func wait(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await work()
            done.signal()
        }
        done.wait()
    }
}
