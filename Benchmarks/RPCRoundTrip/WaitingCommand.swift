import ArgumentParser
import BenchmarkSupport
import Contracts
import Foundation
import Logging
import ServiceKit
import Transport
import Wire
import ZeroMQ

/// `octoo-bench waiting`: what the broker does while requests wait, as ratios. These were once
/// thresholds in tests (a CPU share, a detection time); a test on a busy machine cannot hold
/// them, so they are measured here, on a quiet one, and recorded in RESULTS.md.
struct WaitingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waiting",
        abstract:
            "The broker while requests wait: its CPU share with no worker, and how soon it answers the calls a killed worker held."
    )

    @Option(help: "Requests waiting at once.")
    var requests = 100
    @Option(help: "Seconds each waiting request's deadline (and the idle baseline) lasts.")
    var seconds = 5
    @Option(help: "The broker's heartbeat interval in milliseconds (it drops a worker after 3 missed).")
    var heartbeatMs = 200
    @Option(help: "Rounds; each measures both phases.")
    var rounds = 3
    @Option(help: "First port to try; six free ports from here are used on 127.0.0.1.")
    var basePort = 17_660

    func validate() throws {
        guard requests > 0, seconds > 0, heartbeatMs > 0, rounds > 0 else {
            throw ValidationError("--requests, --seconds, --heartbeat-ms and --rounds must be positive")
        }
    }

    /// One round's figures.
    struct Round {
        var idleShare: Double
        var waitingShare: Double
        var detection: Double
        var workerTimeout: Double
    }

    func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let machine = MachineInfo.current()
        var results: [Round] = []
        for round in 1...rounds {
            let children = try ChildProcesses()
            children.trapSignals()
            do {
                results.append(try await measure(children))
                children.stopAll()
                try? FileManager.default.removeItem(atPath: children.logDirectory)
            } catch {
                children.stopAll()
                progress("failed: \(error)\n(child logs in \(children.logDirectory))")
                throw ExitCode.failure
            }
            progress("octoo-bench waiting: round \(round) of \(rounds) done")
        }
        print(report(results, machine: machine))
    }

    private func measure(_ children: ChildProcesses) async throws -> Round {
        let ports = try freePorts(from: basePort, count: 6)
        try children.start(
            name: "broker",
            arguments: [
                "broker", "--front", "\(ports[0])", "--back", "\(ports[1])", "--raw-front", "\(ports[2])",
                "--raw-back", "\(ports[3])", "--events", "\(ports[4]),\(ports[5])", "--heartbeat-ms", "\(heartbeatMs)",
            ])
        let context = try ZeroMQ.Context(ioThreads: 1)
        let waiting = try RPCClient(context: context, endpoint: "tcp://127.0.0.1:\(ports[0])")
        let held = try RPCClient(context: context, endpoint: "tcp://127.0.0.1:\(ports[2])")
        defer {
            waiting.close()
            held.close()
        }
        _ = try await status(waiting, BenchContract.service) { _ in true }

        // Phase 1: no worker. The broker's CPU share idle, then with `requests` waiting.
        let (window, requests) = (Duration.seconds(seconds), self.requests)
        let idle = try await share(children) { try await Task.sleep(for: window) }
        let method = MethodDescriptor<Empty, Empty>(
            "bench.Echo", idempotent: true, roles: nil, summary: "", request: JSONSchema.any, response: JSONSchema.any)
        let busy = try await share(children) {
            let codes = await concurrentCodes(requests) {
                _ = try await waiting.call(
                    method, Empty(), actor: nil, options: CallOptions(timeout: window, retry: .none))
            }
            guard codes.allSatisfy({ $0 == .deadlineExceeded }) else {
                throw BenchmarkError("with no worker every call should end DEADLINE_EXCEEDED: \(codes)")
            }
        }

        // Phase 2: a worker takes `requests` calls and is killed holding them.
        try children.start(
            name: "holder", arguments: ["broker-echo", "--back", "\(ports[3])", "--credit", "\(requests)", "--hold"])
        let holding = MethodDescriptor<Empty, Empty>(
            "benchraw.Hold", idempotent: true, roles: nil, summary: "", request: JSONSchema.any,
            response: JSONSchema.any)
        let calls = Task {
            await concurrentCodes(requests) {
                _ = try await held.call(
                    holding, Empty(), actor: nil, options: CallOptions(timeout: .seconds(600), retry: .none))
            }
        }
        _ = try await status(held, BenchContract.rawService) { $0.workers.first?.inFlight == requests }
        let killedAt = nowNanos()
        children.kill("holder")
        let codes = await calls.value
        let detection = Double(nowNanos() - killedAt) / 1e9
        guard codes.allSatisfy({ $0 == .unknown }) else {
            throw BenchmarkError("the calls a killed worker held should end UNKNOWN: \(codes)")
        }
        let workerTimeout = Double(heartbeatMs * 3) / 1000
        return Round(idleShare: idle, waitingShare: busy, detection: detection, workerTimeout: workerTimeout)
    }

    /// The broker's CPU time over the wall time `body` takes: its share of one core.
    private func share(_ children: ChildProcesses, _ body: () async throws -> Void) async throws -> Double {
        let (cpuBefore, started) = (children.cpuNanos("broker"), nowNanos())
        try await body()
        let (cpu, wall) = (children.cpuNanos("broker") - cpuBefore, nowNanos() - started)
        return Double(cpu) / Double(wall)
    }

    /// Polls `bus.Status` for `service` until `condition` holds (a minute at most).
    private func status(
        _ client: RPCClient, _ service: String, until condition: (BusServiceStatus) -> Bool
    ) async throws -> BusServiceStatus {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let options = CallOptions(timeout: .seconds(5), retry: .none)
            if let entry = try? await client.busStatus(options: options).services.first(where: { $0.service == service }
            ),
                condition(entry)
            {
                return entry
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchmarkError("bus.Status never showed what was awaited for \(service)")
    }

    private func report(_ rounds: [Round], machine: MachineInfo) -> String {
        func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
        var lines = [
            "| round | CPU share, idle | CPU share, \(requests) waiting | UNKNOWN after | ÷ worker timeout |",
            "|---|---|---|---|---|",
        ]
        for (index, round) in rounds.enumerated() {
            lines.append(
                "| \(index + 1) | \(percent(round.idleShare)) | \(percent(round.waitingShare)) | "
                    + String(format: "%.2f s | %.2f× |", round.detection, round.detection / round.workerTimeout))
        }
        let tick = 1.0 / Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        lines.append("")
        lines.append(
            "\(machine.architecture), \(machine.processors) CPUs, \(machine.cpuModel); libzmq \(machine.libzmq); "
                + "\(machine.date); load average at start \(machine.loadAverageAtStart); \(requests) requests, "
                + "\(seconds) s deadlines, heartbeat \(heartbeatMs) ms (worker timeout \(heartbeatMs * 3) ms); CPU "
                + "time is read in \(Int(tick * 1000)) ms ticks, so a share below \(percent(tick / Double(seconds))) "
                + "reads 0")
        return lines.joined(separator: "\n")
    }
}

/// Runs `call` `count` times at once; each outcome's status code (`OK` for success).
func concurrentCodes(_ count: Int, _ call: @escaping @Sendable () async throws -> Void) async -> [StatusCode] {
    await withTaskGroup(of: StatusCode.self) { group in
        for _ in 0..<count {
            group.addTask {
                do {
                    try await call()
                    return .ok
                } catch {
                    return (error as? RPCError)?.code ?? .unknown
                }
            }
        }
        var codes: [StatusCode] = []
        for await code in group { codes.append(code) }
        return codes
    }
}
