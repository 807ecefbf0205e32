@testable import DeconflictCoT
import DeconflictEngine
@testable import DeconflictAPI
import Foundation
import Testing

/// The fuzzer's inputs, kept: every file of the committed corpus (`Fuzz/corpus/<target>/`)
/// and every input that once crashed a decoder (`Fuzz/regressions/<target>/`) goes
/// through the fuzz target's own function (FuzzTargets.swift is the fuzzer's file) and
/// must come out decoded or refused, with the scanners agreeing with the parsers they
/// stand in for. Then what each crash found should give instead.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The committed inputs of a target, by file name.
    static func inputs(_ target: String) -> [(name: String, data: Data)] {
        ["corpus", "regressions"].flatMap { folder -> [(name: String, data: Data)] in
            let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.sorted().compactMap { name in
                guard !name.hasPrefix("."), let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                else { return nil }
                return ("\(folder)/\(target)/\(name)", data)
            }
        }
    }

    @Test(arguments: FuzzTargets.all.keys.sorted())
    func everyKeptInputIsDecodedOrRefused(target: String) async throws {
        let inputs = Self.inputs(target)
        #expect(!inputs.isEmpty, "no inputs for \(target) in \(Self.fuzz.path)")
        if target == "jwt" {
            let verifiers = await FuzzTargets.verifiers()
            for (_, data) in inputs { await FuzzTargets.jwt(data, verifiers) }
            return
        }
        let run = try #require(FuzzTargets.all[target])
        for (name, data) in inputs {
            let disagreement = run(data)
            #expect(disagreement == nil, "\(name): \(disagreement ?? "")")
        }
    }

    /// The seeds are what they claim: the valid ones are accepted.
    @Test func validSeedsAreAccepted() async throws {
        let verifiers = await FuzzTargets.verifiers()
        var accepted = 0
        for (name, data) in Self.inputs("jwt") {
            let (party, uss) = await FuzzTargets.jwt(data, verifiers)
            // An ES256 and an RS256 key, neither with a key id: both valid tokens are
            // accepted (a single key collection kept only the last key without an id).
            if name.contains("/valid-") { accepted += party == nil ? 0 : 1 } else { #expect(party == nil, "\(name)") }
            #expect((uss != nil) == name.hasSuffix("/dss-rs256"), "\(name)")
        }
        #expect(accepted == 2)
        for name in ["convoy.xml", "air-track.xml", "takp.xml"] {
            let data = try #require(FileManager.default.contents(atPath: Self.fuzz.appendingPathComponent("corpus/cot-xml/\(name)").path))
            _ = try CoTXML.decode(data)
        }
        let scenario = try #require(FileManager.default.contents(atPath: Self.fuzz.appendingPathComponent("corpus/scenario/small.json").path))
        #expect(try ScenarioScript.decode(scenario).commands().count > 20)
    }

    /// Found by the `scenario` target: `"tickEvery": 0` (or a negative one) made the run
    /// build ticks until memory ran out, and so did a leg reporting every nanosecond for
    /// years, or a step too small to move its time on. They are refused, naming the field.
    @Test func scenarioStepsAreBounded() throws {
        let seed = try #require(FileManager.default.contents(atPath: Self.fuzz.appendingPathComponent("corpus/scenario/small.json").path))
        let object = try #require(try JSONSerialization.jsonObject(with: seed) as? [String: Any])
        func commands(_ change: (inout [String: Any]) -> Void) throws -> [ScenarioScript.Step] {
            var changed = object
            change(&changed)
            return try ScenarioScript.decode(try JSONSerialization.data(withJSONObject: changed)).commands()
        }
        func refusal(_ change: (inout [String: Any]) -> Void) -> String {
            do {
                _ = try commands(change)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal { $0["tickEvery"] = 0 }.hasPrefix("tickEvery: must be a positive number"))
        #expect(refusal { $0["tickEvery"] = -30 }.hasPrefix("tickEvery: must be a positive number"))
        #expect(refusal { $0["duration"] = 1e12 }.hasPrefix("duration: more than 1000000"))
        #expect(refusal { scenario in
            var legs = scenario["legs"] as! [[String: Any]]
            legs[0]["every"] = 1e-9
            scenario["legs"] = legs
        }.hasPrefix("legs[0]: more than 1000000"))
        // A second added to 1e17 seconds changes nothing: summed, the leg never ended.
        let far = try commands { scenario in
            var legs = scenario["legs"] as! [[String: Any]]
            legs[0]["from"] = 1e17
            legs[0]["to"] = 1e17 + 1_000
            legs[0]["every"] = 1
            scenario["legs"] = legs
        }
        // About a thousand: at 1e17 a second is below the precision, the span rounds.
        #expect((900...1_006).contains(far.filter { if case .report = $0.command { true } else { false } }.count))
        // The run as before: ticks at 0, 60, … 600 and reports at every step of each leg.
        let steps = try commands { _ in }
        let ticks = steps.filter { if case .tick = $0.command { true } else { false } }
        #expect(ticks.count == 11)
        let reports = steps.filter { if case .report = $0.command { true } else { false } }
        #expect(reports.count == 21 + 5)
    }

    /// Found by the `cot-xml` target: a processing instruction without data (`<?x?>`)
    /// anywhere past the start made FoundationXML read a null pointer and crash the
    /// server, from one CoT message. Processing instructions are refused before the
    /// parser, by both readers; the XML declaration at the start is still taken.
    @Test func processingInstructionsAreRefused() throws {
        for text in ["<event uid='a'><?x?></event>", "<?x?><event uid='a'/>", " <?xml?><event uid='a'/>", "<auth><?x?><cot/></auth>"] {
            for scanner in [true, false] {
                #expect(throws: CoTError.self, "\(text)") { try CoTXML.decode(Data(text.utf8), scanner: scanner) }
            }
            #expect(throws: CoTError.self, "\(text)") { try CoTXML.decodeAuth(Data(text.utf8)) }
        }
        let kept = try #require(FileManager.default.contents(
            atPath: Self.fuzz.appendingPathComponent("regressions/cot-xml/processing-instruction-without-data.xml").path))
        #expect(throws: CoTError.self) { try CoTXML.decode(kept) }
        let declared = "<?xml version='1.0' encoding='UTF-8'?>\n<event version='2.0' uid='a' type='a-f-G' time='2017-06-06T06:00:00Z' stale='2017-06-06T06:05:00Z'><point lat='1' lon='2'/></event>"
        #expect(try CoTXML.decode(Data(declared.utf8)).uid == "a")
    }
}
