import ArgumentParser
import BenchmarkSupport
import Foundation
import Logging
import ServiceKit
import Transport
import ZeroMQ

/// `octoo-bench`: round-trip latency and throughput of an Octoo RPC through the bus, against a bare
/// libzmq echo worker on the same path.
@main
struct OctooBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoo-bench",
        abstract:
            "RPC round-trip benchmark: an RPCServer service behind the Octoo broker, against a bare libzmq echo behind zmq_proxy.",
        subcommands: [
            RunCommand.self, CodecCommand.self, ProxyCommand.self, RawEchoCommand.self, ServiceEchoCommand.self,
            BrokerCommand.self, BrokerEchoCommand.self, WaitingCommand.self,
        ],
        defaultSubcommand: RunCommand.self)
}

/// The ways a call is made.
enum CallPath: String, Codable, Sendable, CaseIterable {
    /// Pre-encoded request frames from the lean DEALER client to the bare echo worker behind
    /// libzmq's `zmq_proxy`: the baseline every ratio is taken against.
    case rawEcho = "raw-echo"
    /// The same frames, same client, to a bare worker-protocol echo behind the Octoo broker.
    case brokerRawEcho = "broker-raw-echo"
    /// The same frames, same client, to the RPCServer service behind the broker.
    case serviceRawFrames = "service-raw-frames"
    /// `RPCClient.call` from concurrent tasks to the RPCServer service behind the broker.
    case serviceTyped = "service-typed"

    var label: String {
        switch self {
        case .rawEcho: "raw echo, zmq_proxy"
        case .brokerRawEcho: "raw echo, broker"
        case .serviceRawFrames: "service, raw frames, broker"
        case .serviceTyped: "service, RPCClient.call, broker"
        }
    }

    /// The child that carries the calls, and the one that answers them.
    var children: (bus: String, worker: String) {
        switch self {
        case .rawEcho: ("proxy-raw", "raw-echo")
        case .brokerRawEcho: ("broker", "broker-echo")
        case .serviceRawFrames, .serviceTyped: ("broker", "service-echo")
        }
    }

    /// Whether the reply is the request itself (a bare echo) rather than a service's reply.
    var echoesRequest: Bool { self == .rawEcho || self == .brokerRawEcho }
}

/// `octoo-bench run`: starts the proxies and workers as child processes, measures, prints a table.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start proxies and workers, measure every path at every in-flight level, print the results.")

    @Option(help: "Measured calls per path and in-flight level (per round).")
    var calls = 20_000
    @Option(help: "Warm-up calls before each measurement (not recorded).")
    var warmup = 2_000
    @Option(help: "In-flight levels, comma-separated.")
    var inFlight = "1,16"
    @Option(help: "Paths to measure, comma-separated: \(CallPath.allCases.map(\.rawValue).joined(separator: ", ")).")
    var paths = CallPath.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Rounds; each round measures every path and level once (interleaved), results are merged.")
    var rounds = 1
    @Option(
        help: "The grpc-swift-2 echo benchmark (Benchmarks/GRPCEcho), run in the same run as a peer; 'none' to skip.")
    var grpcBench = "Benchmarks/GRPCEcho/.build/release/grpc-echo-bench"
    @Option(help: "Seconds each grpc-swift-2 measurement runs.")
    var grpcSeconds = 5
    @Option(help: "First port to try; eight free ports from here are used on 127.0.0.1.")
    var basePort = 17_610
    @Option(help: "libzmq I/O threads of each proxy (octoo-bus uses 2).")
    var proxyIoThreads: Int32 = 2
    @Option(help: "Output: table, markdown or json.")
    var format: OutputFormat = .table
    @Option(help: "Also write the markdown report to this file.")
    var markdownFile: String?

    @Flag(
        help: ArgumentHelp(
            "Leave deadlineMs out of the pre-encoded frames (diagnostic; RPCClient.call always sends it).",
            visibility: .hidden))
    var framesWithoutDeadline = false
    @Option(
        help: ArgumentHelp(
            "Run the service-echo child under this command, e.g. '/usr/bin/valgrind --tool=callgrind' (profiling).",
            visibility: .hidden))
    var serviceLauncher: String?

    enum OutputFormat: String, ExpressibleByArgument, Sendable { case table, markdown, json }

    func validate() throws {
        guard calls > 0, warmup >= 0, rounds > 0 else {
            throw ValidationError("--calls and --rounds must be positive, --warmup not negative")
        }
        guard !(try levels()).isEmpty else { throw ValidationError("--in-flight needs at least one level") }
        guard !(try selectedPaths()).isEmpty else { throw ValidationError("--paths needs at least one path") }
    }

    func selectedPaths() throws -> [CallPath] {
        let chosen = try paths.split(separator: ",").map {
            guard let path = CallPath(rawValue: $0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError(
                    "unknown path \($0); choose from \(CallPath.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return path
        }
        return CallPath.allCases.filter(chosen.contains)
    }

    func levels() throws -> [Int] {
        try inFlight.split(separator: ",").map {
            guard let level = Int($0.trimmingCharacters(in: .whitespaces)), level > 0, level <= 64 else {
                throw ValidationError(
                    "--in-flight levels must be integers from 1 to 64 (the service's maxInFlight), got \($0)")
            }
            return level
        }
    }

    func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let machine = MachineInfo.current()
        let levels = try levels()
        let children = try ChildProcesses()
        children.trapSignals()
        do {
            let report = try await measure(machine: machine, levels: levels, children: children)
            children.stopAll()
            try? FileManager.default.removeItem(atPath: children.logDirectory)
            try output(report)
        } catch {
            children.stopAll()
            progress("failed: \(error)\n(child logs in \(children.logDirectory))")
            throw ExitCode.failure
        }
    }

    private func measure(machine: MachineInfo, levels: [Int], children: ChildProcesses) async throws -> Report {
        let ports = try freePorts(from: basePort, count: 8)
        let (rawFront, rawBack, serviceFront, serviceBack) = (ports[0], ports[1], ports[2], ports[3])
        let (brokerRawFront, brokerRawBack) = (ports[4], ports[5])
        let proxyThreads = String(proxyIoThreads)
        try children.start(
            name: "proxy-raw",
            arguments: ["proxy", "--front", "\(rawFront)", "--back", "\(rawBack)", "--io-threads", proxyThreads])
        try children.start(
            name: "broker",
            arguments: [
                "broker", "--front", "\(serviceFront)", "--back", "\(serviceBack)", "--raw-front", "\(brokerRawFront)",
                "--raw-back", "\(brokerRawBack)", "--events", "\(ports[6]),\(ports[7])", "--io-threads", proxyThreads,
            ])
        try children.start(name: "raw-echo", arguments: ["raw-echo", "--back", "\(rawBack)"])
        try children.start(name: "broker-echo", arguments: ["broker-echo", "--back", "\(brokerRawBack)"])
        try children.start(
            name: "service-echo", arguments: ["service-echo", "--back", "\(serviceBack)"],
            launcher: serviceLauncher.map { $0.split(separator: " ").map(String.init) } ?? [])

        let context = try ZeroMQ.Context(ioThreads: 1)
        let warmup = self.warmup
        let calls = self.calls
        let frames = try BenchContract.requestFrames(
            count: warmup + calls, deadlineMs: framesWithoutDeadline ? nil : BenchContract.timeoutMs)
        let liveness: @Sendable () throws -> Void = { try children.checkAlive() }
        let endpoints: [CallPath: String] = [
            .rawEcho: "tcp://127.0.0.1:\(rawFront)",
            .brokerRawEcho: "tcp://127.0.0.1:\(brokerRawFront)",
            .serviceRawFrames: "tcp://127.0.0.1:\(serviceFront)",
            .serviceTyped: "tcp://127.0.0.1:\(serviceFront)",
        ]
        progress(
            "octoo-bench: zmq_proxy on \(rawFront)/\(rawBack); broker on \(serviceFront)/\(serviceBack) (service) and \(brokerRawFront)/\(brokerRawBack) (bare worker); request frame \(frames[0].count) bytes"
        )
        let selected = try selectedPaths()
        for path in [CallPath.rawEcho, .brokerRawEcho, .serviceRawFrames]
        where selected.contains(path) || (path == .serviceRawFrames && selected.contains(.serviceTyped)) {
            let endpoint = endpoints[path]!
            let check: ReplyCheck = path.echoesRequest ? .identicalToRequest : .statusOK
            try await onDedicatedThread(name: "bench-ready") {
                try RawDealerClient(
                    context: context, endpoint: endpoint, frames: frames, check: check, liveness: liveness
                ).waitReady()
            }
        }

        var results: [ResultKey: Measurement] = [:]
        let started = nowNanos()
        for round in 1...rounds {
            for level in levels {
                for path in selected {
                    let endpoint = endpoints[path]!
                    let (proxyName, workerName) = path.children
                    let cpu: @Sendable () -> CPUUse = {
                        CPUUse(
                            clientNanos: ownCPUNanos(), proxyNanos: children.cpuNanos(proxyName),
                            workerNanos: children.cpuNanos(workerName))
                    }
                    let measurement: Measurement
                    switch path {
                    case .rawEcho, .brokerRawEcho, .serviceRawFrames:
                        let check: ReplyCheck = path.echoesRequest ? .identicalToRequest : .statusOK
                        measurement = try await onDedicatedThread(name: "bench-raw-client") {
                            let client = try RawDealerClient(
                                context: context, endpoint: endpoint, frames: frames, check: check, liveness: liveness)
                            if warmup > 0 { _ = try client.measure(range: 0..<warmup, inFlight: level) }
                            return try client.measure(range: warmup..<(warmup + calls), inFlight: level, cpu: cpu)
                        }
                    case .serviceTyped:
                        let client = try RPCClient(
                            context: context, endpoint: endpoint, logger: Logger(label: "octoo.bench.client"))
                        if warmup > 0 {
                            _ = await TypedClientRun.measure(client: client, calls: warmup, inFlight: level)
                        }
                        measurement = await TypedClientRun.measure(
                            client: client, calls: calls, inFlight: level, cpu: cpu)
                        client.close()
                    }
                    try children.checkAlive()
                    let p50 = measurement.histogram.valueAtPercentile(50)
                    let p99 = measurement.histogram.valueAtPercentile(99)
                    progress(
                        "round \(round)  in-flight \(pad(level, 2))  \(path.label.padding(toLength: 30, withPad: " ", startingAt: 0))"
                            + "  p50 \(pad(p50, 5)) µs  p99 \(pad(p99, 6)) µs  \(pad(Int(measurement.callsPerSecond.rounded()), 7)) calls/s"
                            + "  CPU µs/call client \(perCall(measurement.cpu.clientNanos, measurement.calls))"
                            + " proxy \(perCall(measurement.cpu.proxyNanos, measurement.calls))"
                            + " worker \(perCall(measurement.cpu.workerNanos, measurement.calls))"
                            + (measurement.errors > 0 ? "  \(measurement.errors) ERRORS" : ""))
                    results[ResultKey(path: path, inFlight: level), default: Measurement()].add(measurement)
                }
            }
        }
        var peers: [PeerRow] = []
        if grpcBench != "none" {
            peers = try await GRPCPeer(executable: grpcBench, seconds: grpcSeconds).measure(
                levels: levels, rounds: rounds)
        }
        let seconds = Double(nowNanos() - started) / 1e9
        let command = (["octoo-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        return Report(
            machine: machine, command: command, calls: calls, warmup: warmup, rounds: rounds,
            requestFrameBytes: frames[0].count, proxyIoThreads: Int(proxyIoThreads), measuringSeconds: seconds,
            levels: levels, results: results, peers: peers)
    }

    private func output(_ report: Report) throws {
        switch format {
        case .table: print(report.table())
        case .markdown: print(report.markdown())
        case .json: print(try report.json())
        }
        if let markdownFile {
            try report.markdown().write(toFile: markdownFile, atomically: true, encoding: .utf8)
        }
    }
}

/// Microseconds per call, one decimal.
func perCall(_ nanos: UInt64, _ calls: Int) -> String {
    String(format: "%.1f", Double(nanos) / 1000 / Double(max(1, calls)))
}

func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
