import DeconflictEngine
import DeconflictGeometry
import DeconflictLedger
import DeconflictStore
import Foundation
import Testing

/// The ledger's command records: every version ever written reads back as the command it
/// meant, what is written now reads back as what was written, and what cannot be read is
/// refused with the field at fault.
@Suite("Ledger command records")
struct CommandRecordTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000.123456)

    static func zone(_ footprint: Footprint, owner: PartyID = "alpha") throws -> Zone {
        Zone(
            id: "z1", name: "Zone one", kind: .protectedSite, owner: owner, agreement: "a1",
            volume: Volume4D(
                footprint: footprint, altitude: try AltitudeBand(lowerMeters: 0, upperMeters: 3_000),
                time: try TimeWindow(start: now, end: now.addingTimeInterval(3_600.5))),
            allowed: ["bravo", "charlie"], revalidateBy: now.addingTimeInterval(86_400))
    }

    /// One command of every kind the engine takes (reports travel in batches).
    static func everyCommand() throws -> [LedgerCommand] {
        let circle = Footprint.circle(try Circle(center: try LatLng(latitude: 33.5, longitude: 38.65), radiusMeters: 55_000))
        let polygon = Footprint.polygon(try Polygon(outer: [
            try LatLng(latitude: 33.0, longitude: 38.0), try LatLng(latitude: 33.0, longitude: 38.2),
            try LatLng(latitude: 33.2, longitude: 38.2), try LatLng(latitude: 33.2, longitude: 38.0),
        ]))
        var agreement = Agreement(id: "a1", title: "Terms", signatories: ["alpha": .signed, "bravo": .proposed])
        agreement.parameters.groundSeparationMeters = 1_250.5
        let operation = DeconflictEngine.Operation(
            id: "op1", party: "alpha", name: "Resupply", extent: try Extent([Volume4D(footprint: polygon)]), units: ["u1", "u2"],
            state: .active, priority: 3)
        let engineCommands: [(Engine.Command, Actor)] = [
            (.addParty(Party(id: "alpha", name: "Alpha")), .operator),
            (.setResponsibility(Responsibility(sponsor: "alpha", client: "bravo", confirmed: true)), .party("alpha")),
            (.putAgreement(agreement), .party("alpha")),
            (.sign("a1", by: "bravo"), .party("bravo")),
            (.withdraw("a1", by: "bravo"), .party("bravo")),
            (.putZone(try zone(circle)), .party("alpha")),
            (.putZone(try zone(polygon)), .party("alpha")),
            (.removeZone("z1"), .party("alpha")),
            (.addUnit(DeconflictEngine.Unit(id: "u1", party: "alpha", domain: .air, name: "Hawk")), .party("alpha")),
            (.putOperation(operation), .party("alpha")),
            (.notify("op1"), .party("alpha")),
            (.giveNotice("op1"), .party("alpha")),
            (.setOperationState("op1", .completed), .party("alpha")),
            (.send(Message(id: "m1", kind: .request, from: "alpha", to: ["bravo", "charlie"], text: "Hold \"north\"\nof the line",
                           references: [.zone("z1"), .alert("A1"), .operation("op1"), .message("m0")], requiresAcknowledgement: true)),
             .party("alpha")),
            (.deliver("m1", to: "bravo"), .party("bravo")),
            (.acknowledgeMessage("m1", by: "bravo"), .party("bravo")),
            (.recordIncident(Incident.Draft(id: "i1", reportedBy: "alpha", summary: "Seen", units: ["u9"], zone: "z1", position: [33.1, 38.1])),
             .party("alpha")),
            (.acknowledge("A1", by: "alpha"), .party("alpha")),
            (.resolve("A1", by: "alpha", reason: "Deconflicted"), .party("alpha")),
            (.tick, .operator),
        ]
        return engineCommands.map { LedgerCommand($0.0, by: $0.1) } + [
            .issueCredential(CredentialRecord(id: "k1", actor: "alpha", digest: String(repeating: "ab", count: 32))),
            LedgerCommand(.revokeCredential(id: "k1"), by: .operator),
            LedgerCommand(.recordRead("units u7,u8"), by: .party("bravo")),
            LedgerCommand(.registerWebhook(WebhookRecord(id: "wh-1", party: "alpha", url: "https://a.example/hook", secret: "s", deliveredThrough: 42)),
                          by: .party("alpha")),
            LedgerCommand(.registerWebhook(WebhookRecord(id: "wh-2", party: "alpha", url: "https://a.example/hook", sealedSecret: "c2VhbGVk", deliveredThrough: 43)),
                          by: .party("alpha")),
            LedgerCommand(.ledgerKey(LedgerKeyRecord(id: "0123456789abcdef", publicKey: Data(repeating: 7, count: 32).base64EncodedString())), by: .operator),
            LedgerCommand(.removeWebhook(id: "wh-1"), by: .party("alpha")),
            LedgerCommand(.webhookProgress(id: "wh-1", through: 9_000_000_000), by: .operator),
            LedgerCommand(.dss(.object(["kind": .string("putIntent"), "version": .integer(3), "lat": .number(33.25), "ok": .bool(true), "none": .null,
                                        "list": .array([.integer(1), .string("x")])])), by: .party("uss:uss1")),
        ]
    }

    @Test func everyCommandReadsBackAsWritten() throws {
        for command in try Self.everyCommand() {
            let record = command.record(at: Self.now)
            #expect(record.type == LedgerCommand.ledgerType)
            #expect(record.payload.contains("\"v\":\(CommandRecord.currentVersion)"), "\(record.payload)")
            let read = try LedgerCommand.decode(record.payload)
            #expect(read.actor == command.actor)
            #expect(read.name == command.name)
            // Written again, the same text: nothing is lost or changed on the way.
            #expect(read.record(at: Self.now) == record, "\(command.name): \(record.payload)")
            if case .engine(let written) = command.action, case .engine(let again) = read.action {
                #expect(again == written, "\(command.name)")
            }
        }
    }

    /// Version 1, as the release of 2026-12-06 wrote it: arguments a request left out are
    /// the asker's own.
    @Test func versionOneMeansWhatItMeantWhenWritten() throws {
        let zone = try LedgerCommand.decode(#"{"by":"alpha","command":"putZone","zone":{"circle":{"center":[33.5,38.65],"radius":55000},"id":"z1","kind":"protected-site"}}"#)
        guard case .engine(.putZone(let declared)) = zone.action else { Issue.record("not a zone: \(zone)"); return }
        #expect(declared.owner == "alpha" && declared.name == "z1" && declared.allowed.isEmpty && declared.volume.altitude == .all)
        let unit = try LedgerCommand.decode(#"{"by":"bravo","command":"addUnit","unit":{"domain":"ground","id":"u1"}}"#)
        #expect(unit.name == "addUnit")
        guard case .engine(.addUnit(let added)) = unit.action else { Issue.record("not a unit"); return }
        #expect(added.party == "bravo" && added.domain == .ground)
        let message = try LedgerCommand.decode(#"{"by":"bravo","command":"send","message":{"id":"m1","kind":"reply","text":"Yes","to":["alpha"]}}"#)
        guard case .engine(.send(let sent)) = message.action else { Issue.record("not a message"); return }
        #expect(sent.from == "bravo" && !sent.requiresAcknowledgement)
        let progress = try LedgerCommand.decode(#"{"by":"@operator","command":"webhookProgress","reason":"4912","target":"wh-1"}"#)
        guard case .webhookProgress(let id, let through) = progress.action else { Issue.record("not progress"); return }
        #expect(id == "wh-1" && through == 4_912 && progress.actor == .operator)
    }

    @Test func whatCannotBeReadIsRefusedWithTheField() {
        let cases: [(String, String)] = [
            (#"{"by":"a","command":"putZone","v":\#(CommandRecord.currentVersion + 1)}"#, "v"),
            (#"{"by":"@operator","command":"ledgerKey"}"#, "key"),
            (#"{"by":"a","command":"putZone"}"#, "zone"),
            (#"{"by":"a","command":"fly"}"#, "command"),
            (#"{"by":"a","command":"addUnit","unit":{"domain":"sea","id":"u"}}"#, "unit.domain"),
            (#"{"by":"a","command":"putZone","zone":{"id":"z","kind":"corridor","circle":{"center":[95,0],"radius":10}}}"#, "zone"),
            (#"{"by":"a","command":"webhookProgress","reason":"soon","target":"w"}"#, "reason"),
            (#"{"command":"tick"}"#, "payload"),
        ]
        for (payload, field) in cases {
            #expect(throws: LedgerDecodingError.self, "\(payload)") { try LedgerCommand.decode(payload) }
            do {
                _ = try LedgerCommand.decode(payload)
            } catch {
                #expect(error.field.hasPrefix(field), "\(payload): \(error)")
            }
        }
    }
}
