import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The message line through the running server: a message sent, delivered when the
/// recipient's stream carries it, acknowledged; the recipient who stays silent past the deadline
/// of the agreement is escalated, and every step arrives as an event on the streams of
/// the parties involved (and only theirs).
@Suite("Message line over the API", .timeLimit(.minutes(3)))
struct MessageLineTests {
    /// Events of one party's Server-Sent Events stream, as they arrive.
    final class EventLog: Sendable {
        struct Seen: Sendable {
            let type: String
            let message: String?
            let recipient: String?
            let time: Date?
        }

        let events = Mutex<[Seen]>([])

        func types(of message: String) -> [String] {
            events.withLock { list in list.filter { $0.message == message && $0.type.hasPrefix("message.") }.map(\.type) }
        }

        func first(_ type: String, of message: String) -> Seen? {
            events.withLock { list in list.first { $0.type == type && $0.message == message } }
        }
    }

    static func listen(_ server: ServerProcess, key: String, into log: EventLog) -> Task<Void, any Error> {
        Task {
            var request = HTTPClientRequest(url: server.base + "/v1/events")
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            var pending = ""
            for try await buffer in response.body {
                pending += String(buffer: buffer)
                for event in takeServerSentEvents(from: &pending) {
                    // `{"sequence", "time", "type", "data"}`: the event itself is under `data`.
                    let entry = (try? JSONSerialization.jsonObject(with: Data((event.data ?? "").utf8))) as? [String: Any]
                    let data = entry?["data"] as? [String: Any] ?? [:]
                    let seen = EventLog.Seen(
                        type: event.event ?? "", message: (data["message"] as? [String: Any])?["id"] as? String,
                        recipient: data["recipient"] as? String, time: (data["time"] as? String).flatMap(WireDate.parse))
                    log.events.withLock { $0.append(seen) }
                }
            }
        }
    }

    /// Waits until `condition` holds, at most `seconds`.
    static func eventually(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test func deadlinesAndEscalationsArriveAsStreamEvents() async throws {
        let folder = try temporaryFolder("message-line")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = ["--store", folder.appendingPathComponent("store.sqlite").path]
        let keys = try ["coalition", "russia", "bystander"].map { try runDeconflict(["party", "add", $0] + store) }
        let server = try await ServerProcess(store: store)
        defer { server.stop() }
        let coalition = Client(base: server.base, key: keys[0], http: .shared)
        let russia = Client(base: server.base, key: keys[1], http: .shared)

        // The agreement gives a recipient 10 s to acknowledge and escalates 1 s after that:
        // time enough to read and acknowledge one notice on a loaded machine (with 2 s, the
        // acknowledgement came too late in loaded CI runs), short enough for a test.
        var answer = try await coalition.send(.PUT, "/v1/agreements/line", json: [
            "id": "line", "title": "Message line", "signatories": ["coalition": "signed", "russia": "proposed"],
            "parameters": ["acknowledgementSeconds": 10, "escalationSeconds": 1],
        ])
        #expect(answer.status == 200, "\(answer.text)")
        answer = try await russia.send(.POST, "/v1/agreements/line/sign")
        #expect(answer.status == 200, "\(answer.text)")

        let senderLog = EventLog(), recipientLog = EventLog(), bystanderLog = EventLog()
        let listeners = [
            Self.listen(server, key: keys[0], into: senderLog), Self.listen(server, key: keys[1], into: recipientLog),
            Self.listen(server, key: keys[2], into: bystanderLog),
        ]
        defer { listeners.forEach { $0.cancel() } }

        // One notice the recipient answers in time, one it leaves unanswered.
        let sentAt = Date()
        for id in ["answered", "ignored"] {
            answer = try await coalition.send(.POST, "/v1/messages", json: [
                "id": id, "kind": "notice", "to": ["russia"], "text": "Convoy moving through the zone at 0600",
            ])
            #expect(answer.status == 201, "\(answer.text)")
            let deadline = try #require(answer.json["deadline"] as? String)
            let seconds = try #require(WireDate.parse(deadline)).timeIntervalSince(sentAt)
            #expect(seconds > 9 && seconds < 12, "deadline \(deadline) is not about 10 s after sending")
        }
        // The recipient reads one and acknowledges it.
        answer = try await russia.get("/v1/messages/answered")
        #expect(answer.status == 200, "\(answer.text)")
        answer = try await russia.send(.POST, "/v1/messages/answered/acknowledge")
        #expect(answer.status == 200, "\(answer.text)")

        let escalated = try await Self.eventually(30) { senderLog.first("message.escalated", of: "ignored") != nil }
        #expect(escalated, "no escalation reached the sender: \(senderLog.types(of: "ignored"))")
        let escalation = try #require(senderLog.first("message.escalated", of: "ignored"))
        #expect(escalation.recipient == "russia")
        if let time = escalation.time {
            // Not before the deadline plus the escalation delay, and not long after.
            #expect(time.timeIntervalSince(sentAt) >= 10.9 && time.timeIntervalSince(sentAt) < 20, "escalated at \(time)")
        }
        // The recipient's stream carries the same escalation.
        #expect(try await Self.eventually(5) { recipientLog.first("message.escalated", of: "ignored") != nil })

        // The answered notice was sent, delivered (the recipient's open stream took it) and
        // acknowledged, and never escalated; the ignored one was delivered the same way.
        #expect(senderLog.types(of: "answered") == ["message.sent", "message.delivered", "message.acknowledged"])
        #expect(recipientLog.types(of: "answered") == ["message.sent", "message.delivered", "message.acknowledged"])
        #expect(senderLog.types(of: "ignored") == ["message.sent", "message.delivered", "message.escalated"])
        // The state through the API agrees with the stream.
        answer = try await coalition.get("/v1/messages/ignored")
        let receipts = answer.json["receipts"] as? [String: [String: Any]]
        #expect(receipts?["russia"]?["escalatedAt"] != nil, "\(answer.text)")
        #expect(receipts?["russia"]?["acknowledgedAt"] == nil)

        // A party not on the line sees none of it.
        #expect(bystanderLog.events.withLock { $0.filter { $0.type.hasPrefix("message.") }.isEmpty })
        // Nor can it read or acknowledge the messages.
        let bystander = Client(base: server.base, key: keys[2], http: .shared)
        #expect(try await bystander.get("/v1/messages/ignored").status == 403)
        #expect(try await bystander.send(.POST, "/v1/messages/ignored/acknowledge").status == 403)

        // Stopping the server ends the open streams instead of waiting for their clients.
        let stopping = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - stopping < .seconds(5), "the server took \(ContinuousClock.now - stopping) to stop")
    }

    /// A message sent while the recipient had no stream open is delivered when the
    /// recipient's list carries it, once: listing again, or the sender listing, records
    /// nothing more.
    @Test func aMessageReadInTheListIsDeliveredOnce() async throws {
        let folder = try temporaryFolder("message-list")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = ["--store", folder.appendingPathComponent("store.sqlite").path]
        let keys = try ["coalition", "russia"].map { try runDeconflict(["party", "add", $0] + store) }
        let server = try await ServerProcess(store: store)
        defer { server.stop() }
        let coalition = Client(base: server.base, key: keys[0], http: .shared)
        let russia = Client(base: server.base, key: keys[1], http: .shared)

        var answer = try await coalition.send(.POST, "/v1/messages", json: [
            "id": "unread", "kind": "request", "to": ["russia"], "text": "Confirm the convoy's route",
        ])
        #expect(answer.status == 201, "\(answer.text)")
        // The sender reading its own list delivers nothing.
        answer = try await coalition.get("/v1/messages")
        #expect(answer.text.contains("unread"))
        answer = try await coalition.get("/v1/messages/unread")
        #expect((answer.json["receipts"] as? [String: [String: Any]])?["russia"]?["deliveredAt"] == nil, "\(answer.text)")

        // The recipient's list carries the whole message: that is its delivery.
        answer = try await russia.get("/v1/messages")
        let listed = (answer.json["messages"] as? [[String: Any]])?.first { $0["id"] as? String == "unread" }
        #expect(listed?["text"] as? String == "Confirm the convoy's route")
        let receipt = (listed?["receipts"] as? [String: [String: Any]])?["russia"]
        #expect(receipt?["deliveredAt"] != nil, "\(answer.text)")
        answer = try await coalition.get("/v1/messages/unread")
        #expect((answer.json["receipts"] as? [String: [String: Any]])?["russia"]?["deliveredAt"] as? String == receipt?["deliveredAt"] as? String)

        // Listing again, and reading it alone, record no second delivery.
        _ = try await russia.get("/v1/messages")
        _ = try await russia.get("/v1/messages/unread")
        let ledger = try await coalition.get("/v1/ledger")
        let deliveries = ledger.text.split(separator: "\n").filter { $0.contains("\"message.delivered\"") }
        #expect(deliveries.count == 1, "\(deliveries)")
    }

    /// An operation's notice is a message on the line: the parties owed it (the other
    /// signatories of the agreement binding the operator) get it on their streams, with a
    /// deadline, and acknowledge it like any other; a party outside the agreement gets
    /// nothing. Each notice is a message of its own.
    @Test func anOperationsNoticeIsAMessageOnTheLine() async throws {
        let folder = try temporaryFolder("notice-line")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = ["--store", folder.appendingPathComponent("store.sqlite").path]
        let keys = try ["relief", "coalition", "bystander"].map { try runDeconflict(["party", "add", $0] + store) }
        let server = try await ServerProcess(store: store)
        defer { server.stop() }
        let relief = Client(base: server.base, key: keys[0], http: .shared)
        let coalition = Client(base: server.base, key: keys[1], http: .shared)
        var answer = try await relief.send(.PUT, "/v1/agreements/corridor", json: [
            "id": "corridor", "title": "Relief corridor", "signatories": ["relief": "signed", "coalition": "proposed"],
            "parameters": ["acknowledgementSeconds": 600, "noticeLeadSeconds": 3_600],
        ])
        #expect(answer.status == 200, "\(answer.text)")
        answer = try await coalition.send(.POST, "/v1/agreements/corridor/sign")
        #expect(answer.status == 200, "\(answer.text)")
        let coalitionLog = EventLog(), bystanderLog = EventLog()
        let listeners = [Self.listen(server, key: keys[1], into: coalitionLog), Self.listen(server, key: keys[2], into: bystanderLog)]
        defer { listeners.forEach { $0.cancel() } }
        try await Task.sleep(for: .milliseconds(300))

        // Before filing, the check says what notice the agreement asks: an hour ahead, owed
        // to the coalition, in time for a start two hours away, late for one in half an hour.
        func check(startingIn seconds: TimeInterval) async throws -> [String: Any] {
            let start = Date().addingTimeInterval(seconds)
            let answer = try await relief.send(.POST, "/v1/operations/check", json: [
                "id": "convoy", "name": "Convoy to Rukban", "volumes": [[
                    "circle": ["center": [33.5, 38.6], "radius": 2_000],
                    "from": ISO8601DateFormatter().string(from: start), "until": ISO8601DateFormatter().string(from: start.addingTimeInterval(3_600)),
                ]],
            ])
            #expect(answer.status == 200, "\(answer.text)")
            return answer.json["notice"] as? [String: Any] ?? [:]
        }
        let inTime = try await check(startingIn: 7_200)
        #expect(inTime["leadSeconds"] as? Double == 3_600 && inTime["agreement"] as? String == "corridor", "\(inTime)")
        #expect(inTime["owed"] as? [String] == ["coalition"] && inTime["late"] as? Bool == false, "\(inTime)")
        let due = try #require(WireDate.parse(inTime["dueBy"] as? String ?? ""))
        #expect(abs(due.timeIntervalSinceNow - 3_600) < 60, "due by \(due)")
        #expect(try await check(startingIn: 1_800)["late"] as? Bool == true)
        #expect(try await relief.get("/v1/operations/convoy").status == 404, "a check filed the operation")

        let start = Date().addingTimeInterval(7_200)
        answer = try await relief.send(.PUT, "/v1/operations/convoy", json: [
            "id": "convoy", "name": "Convoy to Rukban", "volumes": [[
                "circle": ["center": [33.5, 38.6], "radius": 2_000],
                "from": ISO8601DateFormatter().string(from: start), "until": ISO8601DateFormatter().string(from: start.addingTimeInterval(3_600)),
            ]],
        ])
        #expect(answer.status == 200, "\(answer.text)")
        answer = try await relief.send(.POST, "/v1/operations/convoy/notify")
        #expect(answer.status == 200 && answer.json["noticeGivenAt"] != nil, "\(answer.text)")

        #expect(try await Self.eventually(10) { coalitionLog.first("message.sent", of: "notice:convoy:1") != nil },
                "the notice never reached the coalition's stream: \(coalitionLog.events.withLock { $0.map(\.type) })")
        answer = try await coalition.get("/v1/messages/notice:convoy:1")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["kind"] as? String == "notice" && answer.json["from"] as? String == "relief")
        #expect(answer.json["to"] as? [String] == ["coalition"])
        #expect((answer.json["text"] as? String)?.contains("Convoy to Rukban") == true, "\(answer.text)")
        #expect(answer.json["deadline"] != nil)
        #expect((answer.json["references"] as? [[String: String]]) == [["operation": "convoy"]])
        answer = try await coalition.send(.POST, "/v1/messages/notice:convoy:1/acknowledge")
        #expect(answer.status == 200, "\(answer.text)")
        let receipt = (try await relief.get("/v1/messages/notice:convoy:1").json["receipts"] as? [String: [String: Any]])?["coalition"]
        #expect(receipt?["deliveredAt"] != nil && receipt?["acknowledgedAt"] != nil, "\(String(describing: receipt))")

        // A second notice is a second message; the bystander heard of neither.
        answer = try await relief.send(.POST, "/v1/operations/convoy/notify")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(try await Self.eventually(10) { coalitionLog.first("message.sent", of: "notice:convoy:2") != nil })
        #expect(bystanderLog.events.withLock { $0.filter { $0.type.hasPrefix("message.") }.isEmpty })
        #expect(try await Client(base: server.base, key: keys[2], http: .shared).get("/v1/messages/notice:convoy:1").status == 403)
    }
}

/// RFC 3339 with or without fractions of a second.
enum WireDate {
    static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
    }
}
