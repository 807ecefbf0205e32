import DeconflictEngine
import DeconflictGeometry
import Foundation
import Testing

@Suite("Engine: the message line")
struct MessageLineTests {
    func at(_ seconds: Double) -> Date { Scenario.start.addingTimeInterval(seconds) }

    @Test func receiptsDeadlinesAndEscalationOnSilence() throws {
        var scenario = try Scenario()
        try scenario.unit("convoy", of: "syrian-government")
        let alert = try #require(try scenario.report("convoy", at: 0, meters: 54_000).raised(.incursion).first)
        let warning = Message(
            id: "M1", kind: .warning, from: "coalition", to: ["russia", "syrian-government"],
            text: "Convoy inside the At Tanf zone: stay away.", references: [.zone("at-tanf-55km"), .alert(alert.id)])
        let sent = try scenario.engine.handle(.send(warning), at: at(10))
        #expect(sent.map(\.type) == ["message.sent"])
        // The agreement's 600 s deadline applies: russia signed it, and answers for the government.
        #expect(scenario.engine.messages["M1"]?.deadline == at(610))
        try scenario.engine.handle(.deliver("M1", to: "russia"), at: at(11))
        try scenario.engine.handle(.deliver("M1", to: "syrian-government"), at: at(11))
        let read = try scenario.engine.handle(.acknowledgeMessage("M1", by: "russia"), at: at(60))
        #expect(read.map(\.type) == ["message.acknowledged"])
        let message = try #require(scenario.engine.messages["M1"])
        #expect(message.receipts["russia"]?.acknowledgedAt == at(60))
        #expect(message.receipts["syrian-government"]?.deliveredAt == at(11))
        #expect(message.receipts["syrian-government"]?.acknowledgedAt == nil)
        // Deadline 610 s plus 300 s of escalation delay: the silent recipient is escalated, once.
        #expect(try scenario.tick(at: 909).filter { $0.type == "message.escalated" }.isEmpty)
        let escalated = try scenario.tick(at: 910).filter { $0.type == "message.escalated" }
        #expect(escalated.count == 1)
        if case .messageEscalated(_, let recipient) = escalated.first?.change { #expect(recipient == "syrian-government") }
        #expect(try scenario.tick(at: 2_000).filter { $0.type == "message.escalated" }.isEmpty)
        // A reply refers to the warning; the receipts never changed the alert: it stays open.
        let reply = Message(
            id: "M2", kind: .reply, from: "russia", to: ["coalition"], text: "Received. The convoy will halt.",
            references: [.message("M1")], requiresAcknowledgement: false)
        try scenario.engine.handle(.send(reply), at: at(2_100))
        #expect(scenario.engine.messages["M2"]?.deadline == nil)
        #expect(scenario.engine.alerts[alert.id]?.state == .raised)
    }

    @Test func badMessagesAreRefusedWithTheField() throws {
        var scenario = try Scenario()
        func refused(_ message: Message) -> EngineError? {
            #expect(throws: EngineError.self) { try scenario.engine.handle(.send(message), at: at(1)) }
        }
        #expect(refused(Message(id: "a", kind: .notice, from: "nobody", to: ["russia"], text: ""))?.field == "message.from")
        #expect(refused(Message(id: "b", kind: .notice, from: "coalition", to: [], text: ""))?.field == "message.to")
        #expect(refused(Message(id: "c", kind: .notice, from: "coalition", to: ["coalition"], text: ""))?.field == "message.to")
        #expect(refused(Message(id: "d", kind: .notice, from: "coalition", to: ["russia"], text: "", references: [.alert("A99")]))?.field == "message.references")
        #expect(scenario.engine.messages.isEmpty)
        try scenario.engine.handle(.send(Message(id: "e", kind: .request, from: "coalition", to: ["russia"], text: "?")), at: at(2))
        let stranger = #expect(throws: EngineError.self) {
            try scenario.engine.handle(.acknowledgeMessage("e", by: "allied-militia"), at: at(3))
        }
        #expect(stranger?.code == .notAddressee)
    }
}
