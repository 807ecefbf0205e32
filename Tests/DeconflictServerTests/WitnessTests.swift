import AsyncHTTPClient
import DeconflictStore
import DeconflictTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Signed heads and witnesses, with the real binary: the operator rebuilds the ledger
/// from scratch with one alert removed (the chain sealed again, intact in itself), and
/// each party's witness, run on its own with nothing but the heads it kept, finds it out.
@Suite("Ledger: signed heads and witnesses")
struct WitnessTests {
    static func witness(_ server: ServerProcess, key: String, folder: URL, party: String) throws -> Executables.Run {
        try Executables.run("deconflict", [
            "witness", "--server", server.base, "--api-key", key,
            "--key", folder.appendingPathComponent("\(party).witness.pem").path,
            "--heads", folder.appendingPathComponent("\(party).heads.jsonl").path,
        ])
    }

    @Test func eachPartysWitnessFindsALedgerRebuiltWithAnAlertRemoved() async throws {
        let folder = try temporaryFolder("witness")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let coalition = try runDeconflict(["party", "add", "coalition", "--store", store])
        let militia = try runDeconflict(["party", "add", "allied-militia", "--store", store])
        var server = try await ServerProcess(store: ["--store", store])
        defer { server.stop() }
        let owner = Client(base: server.base, key: coalition, http: .shared)
        let intruder = Client(base: server.base, key: militia, http: .shared)

        // The service signs its head with a key kept beside the store, recorded in the ledger.
        let keyFile = store + ".ledger-key.pem"
        #expect(FileManager.default.fileExists(atPath: keyFile))
        let serviceKey = try SigningKey(pem: String(contentsOfFile: keyFile, encoding: .utf8))
        var answer = try await owner.get("/v1/ledger/head")
        #expect(answer.status == 200, "\(answer.text)")
        let first = try JSONDecoder().decode(SignedHead.self, from: answer.body)
        #expect(first.isValid() && first.key == serviceKey.id && first.size >= 1)
        let ledger = try await owner.get("/v1/ledger").text
        #expect(ledger.contains("\"command\":\"ledgerKey\""), "a party sees the key the service signs with")
        answer = try await owner.get("/v1/ledger/consistency?from=5&to=2")
        #expect(answer.status == 422 && (answer.json["field"] as? String == "to" || answer.text.contains("\"to\"")), "\(answer.text)")
        answer = try await owner.get("/v1/ledger/consistency?from=1&to=\(first.size + 1000)")
        #expect(answer.status == 422, "\(answer.text)")
        answer = try await Client(base: server.base, key: nil, http: .shared).get("/v1/ledger/head")
        #expect(answer.status == 401)

        // Both parties witness the head; then the militia's unit enters the coalition's zone.
        for (party, key) in [("coalition", coalition), ("militia", militia)] {
            let run = try Self.witness(server, key: key, folder: folder, party: party)
            #expect(run.status == 0 && run.output.hasPrefix("witnessed: "), "\(run.output)\(run.error)")
        }
        answer = try await owner.send(.PUT, "/v1/zones/fire-base", json: [
            "id": "fire-base", "kind": "protected-site", "circle": ["center": [33.5, 38.65], "radius": 5_000],
        ])
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try await intruder.send(.POST, "/v1/units", json: ["id": "gun-1", "domain": "ground"]).status == 201)
        answer = try await intruder.send(.POST, "/v1/reports", json: [["unit": "gun-1", "time": timestamp(Date()), "position": [33.5, 38.65]]])
        #expect(answer.json["alertsRaised"] as? Int == 1, "\(answer.text)")
        let alerts = try await owner.get("/v1/alerts").json["alerts"] as? [[String: Any]] ?? []
        #expect(alerts.contains { $0["kind"] as? String == "incursion" })

        // Each witness again: the head extends the one it kept (a consistency proof).
        for (party, key) in [("coalition", coalition), ("militia", militia)] {
            let run = try Self.witness(server, key: key, folder: folder, party: party)
            #expect(run.status == 0 && run.output.contains("extends the head of \(first.size) entries"), "\(run.output)\(run.error)")
        }
        let witnessedSize = try JSONDecoder().decode(SignedHead.self, from: try await owner.get("/v1/ledger/head").body).size
        // An entry's inclusion under the signed head, checked with the proof alone.
        let entries = try await SQLiteStore(path: store).allEntries()
        let raised = try #require(entries.first { $0.type == "alert.raised" })
        let inclusion = try await owner.get("/v1/ledger/inclusion?sequence=\(raised.sequence)&size=\(witnessedSize)").json
        let path = (inclusion["proof"] as? [String] ?? []).compactMap { MerkleTree.bytes(hex: $0) }
        #expect(MerkleTree.verifyInclusion(
            of: MerkleTree.bytes(hex: raised.hash)!, index: Int(raised.sequence - 1), size: Int(witnessedSize),
            root: MerkleTree.bytes(hex: inclusion["root"] as? String ?? "") ?? [], proof: path))
        server.stop()

        // The operator rebuilds the ledger from scratch without the alert (and the report
        // that raised it), seals the chain again, and serves it with the same key.
        let rebuilt = folder.appendingPathComponent("rebuilt.sqlite").path
        let batch = entries.last { $0.type == "reports.accepted" && $0.sequence < raised.sequence }!
        let kept = entries.filter { $0.sequence != raised.sequence && $0.sequence != batch.sequence }
        _ = try await SQLiteStore(path: rebuilt).append(kept.map(LedgerRecord.init))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
        try FileManager.default.copyItem(atPath: rebuilt, toPath: store)
        let alone = try Executables.run("deconflict", ["verify", store])
        #expect(alone.status == 0 && alone.output.hasPrefix("intact: "), "the chain alone cannot tell: \(alone.output)")
        server = try await ServerProcess(store: ["--store", store])
        let after = try await Client(base: server.base, key: coalition, http: .shared).get("/v1/alerts").json["alerts"] as? [[String: Any]] ?? []
        #expect(after.isEmpty, "the rebuilt ledger holds no alert")

        // Each party's witness refuses the new head: it does not extend what it witnessed.
        for (party, key) in [("coalition", coalition), ("militia", militia)] {
            let run = try Self.witness(server, key: key, folder: folder, party: party)
            #expect(run.status == 1 && run.output.hasPrefix("rewritten: "), "\(party): \(run.output)\(run.error)")
            // And offline, from the store itself: the rewrite is bracketed by the heads kept.
            let offline = try Executables.run("deconflict", [
                "verify", rebuilt, "--witnessed", folder.appendingPathComponent("\(party).heads.jsonl").path,
            ])
            #expect(offline.status == 1, "\(offline.output)")
            #expect(offline.output.contains("rewritten: after entry \(first.size), at or before entry \(witnessedSize)"), "\(offline.output)")
        }
        server.stop()
    }

    /// An export carries the head the service's key signs over it: `verify` holds the
    /// export to it, so an export rebuilt with an entry altered (the chain sealed again)
    /// no longer fits, and only a key the ledger records may sign.
    @Test func anExportCarriesItsSignedHead() async throws {
        let folder = try temporaryFolder("export-head")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        let server = try await ServerProcess(store: ["--store", store])
        defer { server.stop() }
        let client = Client(base: server.base, key: key, http: .shared)
        #expect(try await client.send(.POST, "/v1/units", json: ["id": "u1", "domain": "ground"]).status == 201)
        let served = try await client.get("/v1/ledger/head").body
        server.stop()

        let export = folder.appendingPathComponent("ledger.jsonl").path
        let run = try Executables.run("deconflict", ["export", "--store", store, "--output", export])
        #expect(run.status == 0 && run.error.contains("signed head of"), "\(run.error)")
        let head = try JSONDecoder().decode(SignedHead.self, from: Data(contentsOf: URL(fileURLWithPath: export + ".head.json")))
        let entries = try await SQLiteStore(path: store).allEntries()
        #expect(head.isValid() && head.size == Int64(entries.count) && head.head == entries.last?.hash)
        var verify = try Executables.run("deconflict", ["verify", export])
        #expect(verify.status == 0 && verify.output.contains("signed: the head of \(entries.count) entries"), "\(verify.output)")
        // The head the server answered holds for the store too.
        let servedFile = folder.appendingPathComponent("served.json").path
        try served.write(to: URL(fileURLWithPath: servedFile))
        verify = try Executables.run("deconflict", ["verify", store, "--signed-head", servedFile])
        #expect(verify.status == 0 && verify.output.contains("signed: "), "\(verify.output)")

        // The export rebuilt with the unit's entry altered and the chain sealed again.
        let altered = entries.map { entry in
            LedgerRecord(LedgerEntry(
                sequence: entry.sequence, time: entry.time, type: entry.type,
                payload: entry.payload.replacingOccurrences(of: "\"u1\"", with: "\"u2\""), previous: entry.previous, hash: entry.hash))
        }
        #expect(altered.map(\.payload) != entries.map(\.payload))
        let forged = folder.appendingPathComponent("forged.jsonl").path
        try Ledger.seal(altered, after: nil).map { LedgerExport.line($0) + "\n" }.joined()
            .write(toFile: forged, atomically: true, encoding: .utf8)
        verify = try Executables.run("deconflict", ["verify", forged])
        #expect(verify.status == 0 && !verify.output.contains("signed"), "intact in itself: \(verify.output)")
        verify = try Executables.run("deconflict", ["verify", forged, "--signed-head", export + ".head.json"])
        #expect(verify.status == 1 && verify.output.contains("does not hold"), "\(verify.output)")

        // A head whose text was changed after signing, and a key the ledger never recorded.
        var changed = head
        changed.time = "2020-01-01T00:00:00Z"
        let changedFile = folder.appendingPathComponent("changed.json").path
        try JSONEncoder().encode(changed).write(to: URL(fileURLWithPath: changedFile))
        verify = try Executables.run("deconflict", ["verify", export, "--signed-head", changedFile])
        #expect(verify.status == 1 && verify.output.contains("signature"), "\(verify.output)")
        let stranger = folder.appendingPathComponent("stranger.pem").path
        _ = try SigningKey.load(path: stranger, create: true)
        let refused = try Executables.run("deconflict", [
            "export", "--store", store, "--output", folder.appendingPathComponent("other.jsonl").path, "--ledger-key", stranger,
        ])
        #expect(refused.status != 0 && refused.error.contains("not one this ledger records"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("other.jsonl.head.json").path))
    }

    /// An open stream is sent the signed head when the ledger grew, as an event without a
    /// sequence (resuming ignores it), signed like the one `GET /v1/ledger/head` answers.
    @Test func signedHeadsArriveOnTheStreams() async throws {
        let folder = try temporaryFolder("heads-on-streams")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let key = try runDeconflict(["party", "add", "coalition", "--store", store])
        let server = try await ServerProcess(store: ["--store", store], extra: ["--ledger-sign-interval", "1"])
        defer { server.stop() }
        var request = HTTPClientRequest(url: server.base + "/v1/events")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let writing = Task {
            try await Task.sleep(for: .milliseconds(300))
            _ = try await Client(base: server.base, key: key, http: .shared).send(.POST, "/v1/units", json: ["id": "u1", "domain": "ground"])
        }
        defer { writing.cancel() }
        var pending = ""
        var heads: [ServerSentEvent] = []
        let reading = Task { () -> [ServerSentEvent] in
            var found: [ServerSentEvent] = []
            for try await buffer in response.body {
                pending += String(buffer: buffer)
                found += takeServerSentEvents(from: &pending).filter { $0.event == "ledger.head" }
                if !found.isEmpty { break }
            }
            return found
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            reading.cancel()
        }
        defer { timeout.cancel() }
        heads = (try? await reading.value) ?? []
        let event = try #require(heads.first, "no ledger.head on the stream within 20 s")
        #expect(event.id == nil)
        struct Wrapped: Decodable { var type: String; var data: SignedHead }
        let wrapped = try JSONDecoder().decode(Wrapped.self, from: Data((event.data ?? "").utf8))
        #expect(wrapped.type == "ledger.head" && wrapped.data.isValid() && wrapped.data.size >= 2)
        let now = try JSONDecoder().decode(SignedHead.self, from: try await Client(base: server.base, key: key, http: .shared).get("/v1/ledger/head").body)
        #expect(now.key == wrapped.data.key && now.size >= wrapped.data.size)
    }
}
