import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// The `octoo` command against the real executables: `octoo export attempts` (every page, CSV and
/// JSON lines, bad flags), `octoo clock`, and the README's first steps exactly as written.
@Suite("The octoo command: export, clock, first steps", .serialized)
struct CommandLineTests {
    /// The export's CSV header, as docs/operations.md gives it.
    static let header =
        "attemptId,requestId,customerId,providerId,wave,attemptNumber,status,plannedAt,sentAt,opportunityId,"
        + "disposition,dispositionLabel,dispositionBy,dispositionAt,late,reason,recycledAt"
    static let columns = header.split(separator: ",").map(String.init)

    /// Runs `octoo` with `arguments` (and `environment` over this process's), to its end.
    static func octoo(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String, errors: String
    ) {
        let process = Process()
        process.executableURL = ExecutableSystem.binaryDirectory.appendingPathComponent("octoo")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let (out, err) = (PipeReader(output), PipeReader(errors))
        await process.exited(within: .seconds(120))
        return (process.terminationStatus, await out.text, await err.text)
    }

    /// The variables that point `octoo` at `system`, as a user's shell would.
    static func environment(_ system: ExecutableSystem) -> [String: String] {
        var variables = [
            "OCTOO_EVENTS_PUBLISH_PORT": "\(system.endpoints.eventsPublishPort)",
            "OCTOO_EVENTS_SUBSCRIBE_PORT": "\(system.endpoints.eventsSubscribePort)",
        ]
        for service in BusEndpoints.services {
            guard let ports = system.endpoints.rpc[service] else { continue }
            variables["OCTOO_\(service.uppercased())_PORT"] = "\(ports.client)"
            variables["OCTOO_\(service.uppercased())_WORKER_PORT"] = "\(ports.worker)"
        }
        return variables
    }

    @Test func exportAttemptsWritesEveryPageAsCSVOrJSONLines() async throws {
        try await withExecutableSystem(BusEndpoints.services) { system in
            let fixture = try await PartnerFixture.build(try system.client("registry"), partnerId: "p-export")
            let broadcast = BroadcastClient(try system.client("broadcast"), actor: fixture.partner, options: .patient())
            let opportunities = OpportunitiesClient(try system.client("opportunities"), actor: fixture.partner)
            _ = try await broadcast.setPolicy(
                SetPolicyRequest(
                    bands: [PolicyBand(minLeadHours: 0, waveSize: 0, intervalMinutes: 60 * 24 * 30)], autoStart: false))
            // The School's request reaches Ada and Ben, the Clinic's Ada alone (it never takes Ben).
            let startsAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 5 * 86_400).rounded())
            var details: [String: BroadcastDetail] = [:]
            for name in ["School", "Clinic"] {
                let request = try await opportunities.createRequest(
                    CreateRequestRequest(
                        customerId: fixture.customers[name]!.id, providerType: "asl", startsAt: startsAt,
                        endsAt: startsAt.addingTimeInterval(7200), remote: true, zone: "IL")
                ).request
                _ = try await broadcast.start(StartRequest(requestId: request.id))
                try await eventually("\(name)'s contacts sent") {
                    let detail = try await broadcast.get(BroadcastRequestId(requestId: request.id))
                    details[name] = detail
                    return !detail.attempts.isEmpty && detail.attempts.allSatisfy { $0.status == .sent }
                }
            }
            let ben = fixture.providers["Ben"]!.id
            let benAttempt = try #require(details["School"]?.attempts.first { $0.providerId == ben })
            _ = try await OpportunitiesClient(
                try system.client("opportunities"), actor: Actor(role: .provider, partnerId: "p-export", id: ben)
            ).respond(RespondRequest(opportunityId: benAttempt.opportunityId!, interested: false))
            try await eventually("Ben's answer recorded") {
                try await broadcast.searchAttempts(SearchAttemptsRequest(dispositions: ["DECLINED"])).attempts.count
                    == 1
            }
            let all = try await broadcast.searchAttempts(SearchAttemptsRequest()).attempts
            #expect(all.count == 3)
            let flags = ["--timeout-ms", "30000"] + system.commonArguments

            // CSV, one attempt per call: a header, then every page's rows, in plan order.
            let csv = try await Self.octoo(["export", "attempts", "--partner", "p-export", "--page-size", "1"] + flags)
            #expect(csv.status == 0, "\(csv.errors)")
            let rows = csv.output.split(separator: "\n").map(String.init)
            #expect(rows.first == Self.header)
            #expect(rows.dropFirst().map { $0.split(separator: ",").first.map(String.init) } == all.map(\.id))
            #expect(csv.errors.contains("exported 3 attempts"))
            let declined = try await Self.octoo(
                [
                    "export", "attempts", "--partner", "p-export", "--disposition", "DECLINED", "--disposition",
                    "SKIPPED",
                ]
                    + flags)
            #expect(declined.status == 0, "\(declined.errors)")
            let lines = declined.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines[1].hasPrefix(benAttempt.id + ","))
            let fields = lines.last?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) ?? []
            let columns = Dictionary(uniqueKeysWithValues: zip(Self.columns, fields))
            #expect(columns["providerId"] == ben && columns["customerId"] == fixture.customers["School"]!.id)
            #expect(columns["disposition"] == "DECLINED" && columns["dispositionLabel"] == "Declined")
            #expect(columns["dispositionBy"] == "provider" && columns["dispositionAt"]?.isEmpty == false)

            // JSON lines into a file, for one customer.
            let file = (system.dataDirectory as NSString).appendingPathComponent("clinic.jsonl")
            let clinic = fixture.customers["Clinic"]!.id
            let jsonl = try await Self.octoo(
                [
                    "export", "attempts", "--partner", "p-export", "--customer", clinic, "--format", "jsonl", "--out",
                    file,
                ]
                    + flags)
            #expect(jsonl.status == 0 && jsonl.output.isEmpty, "\(jsonl.errors)")
            let written = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            let decoded = try written.map { try WireCoding.decode(AttemptSummary.self, from: Data($0.utf8)) }
            #expect(decoded == all.filter { $0.customerId == clinic })
            // A period with nothing in it: the header alone.
            let later = Timestamp.format(startsAt)
            let empty = try await Self.octoo(["export", "attempts", "--partner", "p-export", "--from", later] + flags)
            #expect(empty.status == 0 && empty.output == Self.header + "\n", "\(empty.errors)")

            // Bad flags are refused naming the flag; a refused export writes nothing.
            for (arguments, says) in [
                (["--format", "xml"], "--format"), (["--from", "yesterday"], "--from"),
                (["--from", later, "--to", later], "--to must be after --from"), (["--page-size", "0"], "--page-size"),
            ] {
                let refused = try await Self.octoo(["export", "attempts", "--partner", "p-export"] + arguments + flags)
                #expect(refused.status != 0 && refused.errors.contains(says), "\(arguments): \(refused.errors)")
                #expect(refused.output.isEmpty)
            }
            let noPartner = try await Self.octoo(["export", "attempts"] + flags)
            #expect(noPartner.status != 0 && noPartner.errors.contains("--partner"), "\(noPartner.errors)")
            let missing = (system.dataDirectory as NSString).appendingPathComponent("never.csv")
            let unknown = try await Self.octoo(
                ["export", "attempts", "--partner", "p-export", "--disposition", "NO_SUCH_CODE", "--out", missing]
                    + flags)
            #expect(unknown.status == 1 && unknown.errors.contains("NOT_FOUND"), "\(unknown.errors)")
            #expect(!FileManager.default.fileExists(atPath: missing))

            // These services run on the system clock: octoo clock says so, and moves nothing.
            let clock = try await Self.octoo(["clock", "advance", "1h"] + system.commonArguments)
            #expect(clock.status == 1 && clock.errors.contains("system clock"), "\(clock.errors)")
        }
    }

    @Test func clockSetAndAdvanceMoveEveryServiceAtOnce() async throws {
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus()
            for service in BusEndpoints.services { try system.start(service, arguments: ["--manual-clock"]) }
            for service in BusEndpoints.services { try await system.waitUntilServing(service) }
            let environment = Self.environment(system)
            func clocks() async throws -> [Date?] {
                var times: [Date?] = []
                for service in BusEndpoints.services {
                    times.append(try await system.client(service).health(service).now)
                }
                return times
            }
            let nine = try #require(Timestamp.parse("2031-01-01T09:00:00Z"))
            let set = try await Self.octoo(["clock", "set", "2031-01-01T09:00:00Z"], environment: environment)
            #expect(set.status == 0, "\(set.errors)")
            #expect(try await clocks() == Array(repeating: nine, count: 4))
            let advance = try await Self.octoo(["clock", "advance", "1d2h30m"], environment: environment)
            #expect(advance.status == 0, "\(advance.errors)")
            let later = nine.addingTimeInterval(26.5 * 3600)
            #expect(try await clocks() == Array(repeating: later, count: 4))
            #expect(advance.output.contains(Timestamp.format(later)))

            // Back in time, or a duration that is none: refused, and no clock moves.
            let back = try await Self.octoo(["clock", "set", "2031-01-01T00:00:00Z"], environment: environment)
            #expect(back.status == 1 && back.errors.contains("only moves forward"), "\(back.errors)")
            for duration in ["0h", "soon", "2x", "h"] {
                let bad = try await Self.octoo(["clock", "advance", duration], environment: environment)
                #expect(bad.status != 0 && bad.errors.contains("DURATION"), "\(duration): \(bad.errors)")
            }
            let badTime = try await Self.octoo(["clock", "set", "tomorrow"], environment: environment)
            #expect(badTime.status != 0 && badTime.errors.contains("RFC 3339"), "\(badTime.errors)")
            #expect(try await clocks() == Array(repeating: later, count: 4))
            // Whatever a partner may call, it may not move the clock every tenant shares.
            let partner = try await Self.octoo(
                [
                    "call", "broadcast.SetClock", #"{"now":"2032-01-01T00:00:00Z"}"#, "--role", "partner", "--partner",
                    "p",
                ],
                environment: environment)
            #expect(partner.status == 1 && partner.errors.contains("PERMISSION_DENIED"), "\(partner.errors)")
        }
    }

    /// The `sh` block under README's "First steps", one command per line.
    static func firstSteps() throws -> [[String]] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let section = text.range(of: "## First steps"),
            let open = text.range(of: "```sh\n", range: section.upperBound..<text.endIndex),
            let close = text.range(of: "```", range: open.upperBound..<text.endIndex)
        else { throw RPCError(.notFound, "README.md has no sh block under ## First steps") }
        return text[open.upperBound..<close.lowerBound].split(separator: "\n").map { ShellWords.split(String($0)) }
            .filter { !$0.isEmpty }
    }

    @Test func theREADMEsFirstStepsWorkAsWritten() async throws {
        let steps = try Self.firstSteps()
        let octoo = ".build/debug/octoo"
        #expect(steps.contains { $0.starts(with: [octoo, "up"]) }, "the first steps start the system: \(steps)")
        #expect(steps.contains { $0.starts(with: [octoo, "call"]) }, "the first steps call a method: \(steps)")
        let system = try ExecutableSystem()  // for its free ports and data folder
        try await tearingDown(teardown: system.shutdown) {
            var environment = Self.environment(system)
            environment["OCTOO_DATA_DIR"] = system.dataDirectory
            var up: Process?
            defer { if let up, up.isRunning { kill(up.processIdentifier, SIGKILL) } }
            for step in steps where step.first == octoo {
                var arguments = Array(step.dropFirst())
                if arguments.first == "up" {
                    // Started in the background, as `&` does; it says when every service serves.
                    arguments.removeAll { $0 == "&" }
                    let log = (system.dataDirectory as NSString).appendingPathComponent("up.out")
                    _ = FileManager.default.createFile(atPath: log, contents: nil)
                    let process = Process()
                    process.executableURL = ExecutableSystem.binaryDirectory.appendingPathComponent("octoo")
                    process.arguments = arguments
                    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                    process.standardOutput = FileHandle(forWritingAtPath: log)
                    process.standardError = FileHandle(forWritingAtPath: log)
                    try process.run()
                    up = process
                    try await eventually("octoo up ready", timeout: .seconds(120)) {
                        (try? String(contentsOfFile: log, encoding: .utf8))?.contains("octoo: ready") == true
                    }
                    continue
                }
                let result = try await Self.octoo(arguments, environment: environment)
                #expect(result.status == 0, "\(step.joined(separator: " ")): \(result.errors)")
                if arguments.starts(with: ["call", "registry.ListProviders"]) {
                    #expect(result.output.contains("\"providers\""), "\(result.output)")
                }
            }
            // Every role names its tenant for a tenant's method (PROTOCOL §3): the CLI says so
            // before calling, takes OCTOO_PARTNER, and the service answers the same.
            let untenanted = try await Self.octoo(["call", "registry.ListProviders"], environment: environment)
            #expect(untenanted.status != 0 && untenanted.errors.contains("--partner"), "\(untenanted.errors)")
            environment["OCTOO_PARTNER"] = "acme"
            let tenanted = try await Self.octoo(["call", "registry.ListProviders"], environment: environment)
            #expect(tenanted.status == 0 && tenanted.output.contains("\"providers\""), "\(tenanted.errors)")
            let client = try RPCClient(context: system.context, endpoint: system.endpoints.client("registry"))
            defer { client.close() }
            do {
                _ = try await client.callJSON(
                    method: "registry.ListProviders", body: .emptyObject, actor: Actor(role: .service),
                    options: .patient())
                Issue.record("a service without a tenant listed providers")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.details.map(\.field) == ["actor.partnerId"])
            }
            // What is the service's own takes the service role without one.
            #expect(try await client.readEvents("registry", afterSeq: 0, options: .patient()).lastSeq > 0)
            if let up {
                kill(up.processIdentifier, SIGTERM)
                #expect(await up.exited(within: .seconds(60)) && up.terminationStatus == 0)
            }
        }
    }
}

/// Splits a command line as `sh` would for the README's simple commands: words, '…' and "…"
/// quoting, and a `#` starting a word begins a comment.
enum ShellWords {
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(word) }
                (word, inWord) = ("", false)
            } else if character == "#", !inWord {
                break
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
