import Foundation
import OctooTesting
import Testing
import Wire

/// `octoo demo` as a user runs it: it starts its own system on free ports in its own folder, plays
/// every scene with no pauses, and its JSON log (read from standard output) shows each thing the
/// demo promises, as the services recorded it.
@Suite("octoo demo end to end")
struct DemoEndToEndTests {
    /// One line of the JSON log.
    struct Entry: Decodable {
        var kind: String
        var scene: Int
        var text: String
        var data: JSONValue?

        func string(_ key: String) -> String? { data?[key]?.stringValue }
    }

    /// What the child process wrote and how it ended.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `octoo arguments…`, killed after `timeout`; standard output and error apart.
    static func octoo(_ arguments: [String], timeout: Duration) async throws -> Outcome {
        let process = Process()
        process.executableURL = ExecutableSystem.binaryDirectory.appendingPathComponent("octoo")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = PipeReader(out)
        let stderr = PipeReader(err)
        if (try? await eventually("the demo finished", timeout: timeout, every: .milliseconds(100)) {
            !process.isRunning
        })
            == nil
        {
            // The demo's own children end with it (they watch their supervisor's pid). SIGINT
            // first, so it stops them itself; SIGKILL only if it does not exit within a while.
            process.interrupt()
            await process.exited(within: .seconds(30))
        }
        await process.exited()
        return Outcome(status: process.terminationStatus, stdout: await stdout.text, stderr: await stderr.text)
    }

    @Test func theDemoShowsTheWholeProduct() async throws {
        let system = try ExecutableSystem()  // only for its free ports and data folder
        try await tearingDown(teardown: system.shutdown) {
            let outcome = try await Self.octoo(
                ["demo", "--json", "--speed", "0", "--data-dir", system.dataDirectory] + system.commonArguments,
                timeout: .seconds(150))
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n")
            var entries: [Entry] = []
            for line in lines {
                do {
                    entries.append(try WireCoding.decode(Entry.self, from: Array(line.utf8)))
                } catch {
                    Issue.record("standard output holds a line that is not a JSON entry: \(line)")
                }
            }
            try Self.expectEveryScene(entries)
        }
    }

    /// Each promise of the demo, found in the log; a missing scene fails here.
    static func expectEveryScene(_ entries: [Entry]) throws {
        func of(_ kind: String) -> [Entry] { entries.filter { $0.kind == kind } }
        #expect(of("scene").map(\.scene) == Array(1...10))
        // The ranked list, with reasons for the top and for filtered providers.
        #expect(of("ranked").count == 3)
        #expect(of("ranked").allSatisfy { $0.data?["criteria"]?.arrayValue?.isEmpty == false })
        let filtered = of("filtered")
        #expect(filtered.count >= 4)
        #expect(filtered.allSatisfy { $0.data?["reasons"]?.arrayValue?.isEmpty == false })
        let criteria = Set(
            filtered.flatMap { $0.data?["reasons"]?.arrayValue ?? [] }.compactMap { $0["criterion"]?.stringValue })
        #expect(criteria.isSuperset(of: ["requiredQualification", "doNotConsider"]), "\(criteria)")
        // Waves, as broadcast sent them: a second wave after the first closed, and everyone at once.
        let waves = of("wave").compactMap { $0.data?["wave"] }
        #expect(waves.count >= 5)
        #expect(waves.contains { $0["number"]?.integerValue == 2 })
        #expect(waves.contains { $0["waveSize"]?.integerValue == 0 && ($0["providerIds"]?.arrayValue?.count ?? 0) > 3 })
        // Every kind of answer, recorded by broadcast.
        let dispositions = Set(of("disposition").compactMap { $0.data?["attempt"]?["disposition"]?.stringValue })
        #expect(dispositions.isSuperset(of: ["DECLINED", "NO_RESPONSE", "INTERESTED", "WITHDRAWN"]), "\(dispositions)")
        // State changes, as opportunities recorded them.
        let changes = of("opportunity")
        func changed(_ from: String, _ to: String) -> [Entry] {
            changes.filter { $0.string("from") == from && $0.string("to") == to }
        }
        #expect(!changed("OFFERED", "PENDING").isEmpty)
        #expect(!changed("CONTINGENT", "ASSIGNED").isEmpty, "no CONTINGENT team turned ASSIGNED")
        #expect(
            changed("PENDING", "ASSIGNED").contains { $0.string("actorRole") == "service" },
            "no automatic assignment")
        #expect(
            changed("PENDING", "ASSIGNED").contains { $0.string("actorRole") == "customer" }, "no customer decision")
        // A replacement sought: the customer still sees ASSIGNED, the partner sees the search; then replaced.
        let masking = try #require(of("masking").first { $0.string("partnerSees") == "REPLACEMENT_SOUGHT" })
        #expect(masking.string("customerSees") == "ASSIGNED")
        #expect(masking.string("providerSees") == "REPLACEMENT_SOUGHT")
        #expect(!changed("ASSIGNED", "REPLACEMENT_SOUGHT").isEmpty)
        #expect(!changed("REPLACEMENT_SOUGHT", "CANCELLED").isEmpty, "the replaced provider was not released")
        // A billable cancellation.
        let billable = changed("ASSIGNED", "CANCELLED_BILLABLE")
        #expect(billable.contains { ($0.data?["billablePercent"]?.integerValue ?? 0) > 0 }, "no billable cancellation")
        // The far-future job waits for its window, then goes out.
        #expect(of("broadcast").contains { $0.string("waitingFor") == "startWindow" })
        // The expired certificate's qualification lapsed, as the registry recorded it.
        let lapse = try #require(of("lapse").first)
        #expect(lapse.data?["lapsedQualificationIds"]?.arrayValue?.isEmpty == false)
        // Final statistics.
        let stats = of("stats")
        #expect(stats.contains { ($0.data?["attempts"]?.integerValue ?? 0) > 0 && $0.data?["requestId"] == nil })
        #expect(of("done").count == 1)
    }

    @Test(arguments: [["--speed=-1"], ["--speed", "nan"], ["--speed", "fast"]])
    func aBadSpeedIsRefusedNamingTheFlag(_ arguments: [String]) async throws {
        let outcome = try await Self.octoo(["demo"] + arguments, timeout: .seconds(20))
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--speed"))
        #expect(outcome.stdout.isEmpty)
    }
}
