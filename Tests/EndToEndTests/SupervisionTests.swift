import Foundation
import OctooTesting
import Synchronization
import Testing
import Transport
import Wire

@testable import OctooCLI

@Suite("octoo up restarts a child that dies", .serialized)
struct OctooUpRestartTests {
    @Test func upRestartsAKilledServiceThenStopsCleanlyOnSigterm() async throws {
        let system = try ExecutableSystem()  // only for its free ports and data folder
        try await tearingDown(teardown: system.shutdown) {
            let up = try RunningOctoo(["up", "--data-dir", system.dataDirectory] + system.commonArguments)
            defer { up.kill() }
            try #require(await up.waitFor("octoo: ready"), "\(up.output)")

            let client = try system.client("matching")
            defer { client.close() }
            let before = try await client.health("matching")
            let oldPid = try #require(Self.pid(before.instance), "instance \(before.instance)")
            #expect(kill(oldPid, SIGKILL) == 0)

            // The bus answers for the restarted service on the same port: poll until a new instance serves.
            var restarted: HealthResponse?
            try await eventually("matching serving again; output: \(up.output)") {
                // Short, so that a call lost with the killed instance is asked again soon.
                let health = try? await client.health(
                    "matching", options: CallOptions(timeout: .seconds(1), retry: .none))
                if let health, health.status == .serving, health.instance != before.instance { restarted = health }
                return restarted != nil
            }
            let after = try #require(restarted)
            let newPid = try #require(Self.pid(after.instance), "instance \(after.instance)")
            #expect(newPid != oldPid)
            // octoo up reaped the killed child: not even a zombie remains.
            #expect(kill(oldPid, 0) == -1 && errno == ESRCH)

            let logPath = "\(system.dataDirectory)/logs/matching.log"
            #expect(await up.waitFor("octoo: matching restarted (pid \(newPid))"), "\(up.output)")
            let output = up.output
            #expect(
                output.contains("octoo: matching was killed by signal 9 (SIGKILL); restarting it in 0.5s (1 exit in"),
                "\(output)")
            #expect(output.contains("log: \(logPath)"), "\(output)")
            // The same log file, appended: the first run's lines, then the marker, then the second run's.
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            #expect(log.contains("octoo: restarting matching (it was killed by signal 9 (SIGKILL))"), "\(log)")

            #expect(kill(up.process.processIdentifier, SIGTERM) == 0)
            let status = await up.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "\(up.output)")
            #expect(up.output.contains("octoo: stopped cleanly"), "\(up.output)")
            // The restarted child was stopped and reaped too: no orphan.
            #expect(kill(newPid, 0) == -1 && errno == ESRCH)
        }
    }

    /// The pid at the end of a default instance name, `<service>-<host>-<pid>`.
    static func pid(_ instance: String) -> Int32? {
        instance.split(separator: "-").last.flatMap { Int32($0) }
    }
}

/// `octoo up` in the background, its output collected as it comes.
final class RunningOctoo: Sendable {
    let process = Process()
    private let collected = Mutex(Data())

    /// Starts `octoo` with `arguments`.
    init(_ arguments: [String]) throws {
        process.executableURL = ExecutableSystem.binaryDirectory.appendingPathComponent("octoo")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let reader = pipe.fileHandleForReading
        Thread { [self] in
            // `availableData`, not `read(upToCount:)`, which waits for the whole count before returning.
            while case let data = reader.availableData, !data.isEmpty {
                collected.withLock { $0.append(data) }
            }
        }.start()
    }

    /// Everything `octoo up` printed so far.
    var output: String {
        collected.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Waits until the output contains `text`; false if it did not within `timeout` (or `octoo`
    /// exited without it).
    func waitFor(_ text: String, timeout: Duration = .seconds(120)) async -> Bool {
        _ = try? await eventually("\(text) in the output", timeout: timeout) {
            output.contains(text) || !process.isRunning
        }
        return output.contains(text)
    }

    /// Waits for `octoo up` to exit; its status, or nil if it still runs after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        _ = try? await eventually("octoo up exited", timeout: timeout) { !process.isRunning }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGKILLs `octoo up` if it still runs (a failed test); its children then stop by themselves.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

@Suite("When octoo up restarts a child, and when it gives up")
struct RestartPolicyTests {
    let policy = RestartPolicy()
    let start = ContinuousClock.now

    /// Runs that each last `uptime`, with `gap` between an exit and the next start, oldest first.
    func runs(_ count: Int, uptime: Duration, gap: Duration) -> [RestartPolicy.Run] {
        (0..<count).map { index in
            let started = start + (uptime + gap) * index
            return RestartPolicy.Run(started: started, exited: started + uptime)
        }
    }

    @Test func theDelayDoublesWhileRunsAreShortUpToTheMaximum() {
        // Runs of 20 s, 20 s apart: short, yet never 5 exits within 60 s.
        let delays = (1...8).map { policy.decide(runs($0, uptime: .seconds(20), gap: .seconds(20))) }
        let expected: [Duration] = [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8),
            .seconds(10), .seconds(10), .seconds(10),
        ]
        #expect(delays == expected.map { .restart(after: $0) })
    }

    @Test func aRunOfThirtySecondsResetsTheDelay() {
        var history = runs(4, uptime: .seconds(20), gap: .seconds(20))
        #expect(policy.decide(history) == .restart(after: .seconds(4)))
        let started = history.last!.exited + .seconds(4)
        history.append(RestartPolicy.Run(started: started, exited: started + .seconds(30)))
        #expect(policy.decide(history) == .restart(after: .milliseconds(500)))
        history.append(RestartPolicy.Run(started: started + .seconds(31), exited: started + .seconds(32)))
        #expect(policy.decide(history) == .restart(after: .milliseconds(500)))
    }

    @Test func fiveExitsWithinSixtySecondsGiveUp() {
        let quick = runs(5, uptime: .seconds(1), gap: .seconds(1))
        #expect(policy.decide(Array(quick.prefix(4))) == .restart(after: .seconds(4)))
        #expect(policy.recentExits(Array(quick.prefix(4))) == 4)
        #expect(policy.decide(quick) == .giveUp)
        #expect(policy.recentExits(quick) == 5)
        // Five exits spread over more than 60 s are not a crash loop.
        let spread = runs(5, uptime: .seconds(1), gap: .seconds(15))
        #expect(policy.recentExits(spread) == 4)
        #expect(policy.decide(spread) == .restart(after: .seconds(8)))
    }

    @Test func trimmingKeepsEveryDecisionTheSame() {
        for count in 1...40 {
            for (uptime, gap) in [(1, 1), (20, 20), (1, 15), (31, 1)] {
                let history = runs(count, uptime: .seconds(uptime), gap: .seconds(gap))
                #expect(policy.decide(policy.trimmed(history)) == policy.decide(history))
                #expect(policy.trimmed(history).count <= 16)
            }
        }
    }
}

@Suite("The process supervisor behind octoo up", .serialized)
struct ProcessSupervisorTests {
    /// A policy fast enough that a crash loop is given up on at once.
    let fast = RestartPolicy(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(40))

    @Test func aChildThatKeepsDyingIsRestartedAsItWasThenGivenUpOn() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reports = Mutex<[String]>([])
        let supervisor = ProcessSupervisor(policy: fast) { line in reports.withLock { $0.append(line) } }
        let logPath = "\(folder)/flaky.log"
        try supervisor.start(Self.shell(#"echo "run $OCTOO_TEST_VALUE $1"; exit 3"#, "argument", logPath: logPath))

        let reason = await Self.firstReason(supervisor)
        #expect(reason == .gaveUp(name: "flaky", exits: 5, lastExit: "exited with status 3", logPath: logPath))
        let lines = reports.withLock { $0 }
        #expect(
            lines.filter { $0.hasPrefix("octoo: flaky exited with status 3; restarting it in") }.count == 4,
            "\(lines)")
        #expect(lines.contains { $0.contains("(4 exits in the last 60s); log: \(logPath)") }, "\(lines)")
        // Every run had the same arguments and environment, and appended to the same log.
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.components(separatedBy: "run value argument\n").count - 1 == 5, "\(log)")
        #expect(log.components(separatedBy: "octoo: restarting flaky (it exited with status 3)").count - 1 == 4)
        #expect(supervisor.stopAll().isEmpty)
    }

    @Test func noChildIsRestartedOnceAStopHasBegun() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reports = Mutex<[String]>([])
        let slow = RestartPolicy(initialDelay: .milliseconds(300))
        let supervisor = ProcessSupervisor(policy: slow) { line in reports.withLock { $0.append(line) } }
        let logPath = "\(folder)/flaky.log"
        try supervisor.start(Self.shell(#"echo "run $1"; exit 1"#, "once", logPath: logPath))
        try await eventually("the exit reported") { !reports.withLock { $0.isEmpty } }
        #expect(reports.withLock { $0 }.first?.contains("restarting it in 0.3s") == true)
        // The restart is pending; the stop cancels it.
        #expect(supervisor.stopAll().isEmpty)
        // Nothing to wait for: a window well past the 0.3 s after which a restart would have run.
        try await Task.sleep(for: .seconds(1))
        #expect(supervisor.pid(of: "flaky") == nil)
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.components(separatedBy: "run once\n").count - 1 == 1, "\(log)")
        #expect(supervisor.stopRequest == nil)
    }

    /// A child running `/bin/sh -c script flaky argument` with `OCTOO_TEST_VALUE=value`.
    static func shell(_ script: String, _ argument: String, logPath: String) -> ProcessSupervisor.ChildSpec {
        ProcessSupervisor.ChildSpec(
            name: "flaky", executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script, "flaky", argument],
            environment: ["OCTOO_TEST_VALUE": "value"], logPath: logPath)
    }

    /// The first stop reason the supervisor delivers, or nil if none comes within a minute.
    static func firstReason(_ supervisor: ProcessSupervisor) async -> ProcessSupervisor.StopReason? {
        await withTaskGroup(of: ProcessSupervisor.StopReason?.self) { group in
            group.addTask { await supervisor.reasons.first { _ in true } }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// A new scratch folder.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("octoo-supervisor-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
