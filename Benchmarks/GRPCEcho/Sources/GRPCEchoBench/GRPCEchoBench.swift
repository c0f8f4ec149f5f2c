import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// `grpc-echo-bench`: a unary echo over gRPC Swift 2 (HTTP/2, plaintext, loopback), client and
/// server in separate processes, as the gRPC reference point for `octoo-bench`.
@main
struct GRPCEchoBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-echo-bench",
        abstract: "Unary echo over gRPC Swift 2 (HTTP/2 over 127.0.0.1): throughput, latency and CPU per call.",
        subcommands: [Run.self, Server.self],
        defaultSubcommand: Run.self
    )
}

/// The client side, and the default: starts the server child, measures, prints JSON lines.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Start the echo server as a child process, measure each in-flight level, print one JSON line per level and round."
    )

    @Option(name: .customLong("in-flight"), help: "In-flight levels, comma-separated or repeated (1 to 256).")
    var inFlight: [String] = ["1,16"]

    @Option(help: "Measured seconds per in-flight level and round.")
    var seconds: Double = 5

    @Option(name: .customLong("warmup-seconds"), help: "Unrecorded seconds before each measurement.")
    var warmupSeconds: Double = 1

    @Option(name: .customLong("payload-bytes"), help: "Request (and so response) message size in bytes.")
    var payloadBytes: Int = 200

    @Option(help: "Every in-flight level is measured once per round; each round is reported.")
    var rounds: Int = 1

    @Option(
        name: .customLong("server-port"),
        help:
            "Use an echo server already listening on 127.0.0.1:PORT instead of starting one (its CPU is read from --server-pid)."
    )
    var serverPort: Int?

    @Option(name: .customLong("server-pid"), help: "Process id of the server given by --server-port, for its CPU time.")
    var serverPID: Int32?

    func levels() throws -> [Int] {
        var result: [Int] = []
        for item in inFlight.flatMap({ $0.split(separator: ",") }) {
            guard let level = Int(item.trimmingCharacters(in: .whitespaces)), (1...256).contains(level) else {
                throw ValidationError("--in-flight takes whole numbers from 1 to 256, got \(item.debugDescription)")
            }
            result.append(level)
        }
        guard !result.isEmpty else { throw ValidationError("--in-flight needs at least one level") }
        return result
    }

    func validate() throws {
        _ = try levels()
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard warmupSeconds >= 0, warmupSeconds <= 600 else {
            throw ValidationError("--warmup-seconds must be in [0, 600]")
        }
        guard (0...4_000_000).contains(payloadBytes) else {
            throw ValidationError("--payload-bytes must be in [0, 4000000]")
        }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be in [1, 100]") }
        if let serverPort, !(1...65_535).contains(serverPort) {
            throw ValidationError("--server-port must be a port number")
        }
        if serverPID != nil && serverPort == nil { throw ValidationError("--server-pid needs --server-port") }
    }

    func run() async throws {
        let levels = try levels()
        // Everything stops by itself: the whole run is bounded by its own length plus a margin.
        let budget = Double(rounds * levels.count) * (warmupSeconds + seconds + 10) + 60

        let child: ServerChild?
        let port: Int
        let serverCPU: @Sendable () -> UInt64
        if let serverPort {
            child = nil
            port = serverPort
            let pid = serverPID
            serverCPU = { pid.map { processCPUNanos(pid: $0) } ?? 0 }
        } else {
            let started = try ServerChild.start(maxSeconds: budget + 30)
            child = started
            port = started.port
            serverCPU = { started.cpuNanos() }
        }
        let guardian = ExitGuard(child: child, budgetSeconds: budget)
        guardian.arm()
        defer { child?.stop() }

        note(
            "grpc-echo-bench: server on 127.0.0.1:\(port)\(child.map { " (pid \($0.pid))" } ?? ""), levels \(levels), \(seconds) s each after \(warmupSeconds) s warm-up, \(payloadBytes)-byte payload, \(rounds) round(s)"
        )

        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port),
            transportSecurity: .plaintext
        )
        let payload = (0..<payloadBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

        do {
            try await measureAll(
                transport: transport, child: child, serverCPU: serverCPU, levels: levels, payload: payload)
        } catch {
            // A signal stopped the server under the callers' feet: that is the signal's exit, not an error.
            if let number = guardian.caughtSignal {
                child?.stop()
                _exit(128 + number)
            }
            throw error
        }
        guardian.disarm()
    }

    private func measureAll(
        transport: HTTP2ClientTransport.Posix, child: ServerChild?, serverCPU: @Sendable () -> UInt64,
        levels: [Int], payload: [UInt8]
    ) async throws {
        let measure = Measurement(payload: payload)
        let (seconds, warmupSeconds, rounds) = (seconds, warmupSeconds, rounds)
        try await withGRPCClient(transport: transport) { client in
            for round in 1...rounds {
                for level in levels {
                    try child?.checkAlive()
                    if warmupSeconds > 0 {
                        _ = try await measure.phase(client: client, inFlight: level, seconds: warmupSeconds)
                    }
                    let clientBefore = ownCPUNanos()
                    let serverBefore = serverCPU()
                    let result = try await measure.phase(client: client, inFlight: level, seconds: seconds)
                    let clientCPU = ownCPUNanos() &- clientBefore
                    let serverCPUUsed = serverCPU() &- serverBefore
                    try child?.checkAlive()
                    let line = Report(
                        inFlight: level, round: round, payloadBytes: payload.count, calls: result.calls,
                        seconds: result.seconds, histogram: result.histogram,
                        clientCPUNanos: clientCPU,
                        serverCPUNanos: serverPID == nil && child == nil ? nil : serverCPUUsed
                    ).json()
                    emit(line)
                    note("grpc-echo-bench: round \(round), in-flight \(level): \(result.calls) calls")
                }
            }
        }
    }
}

/// The server side: `grpc-echo-bench server` (started by `run`, or by a harness).
struct Server: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the echo method on 127.0.0.1 and print `LISTENING <port>` once bound."
    )

    @Option(help: "Port on 127.0.0.1 (0: any free port, reported on stdout).")
    var port: Int = 0

    @Option(name: .customLong("parent-pid"), help: "Exit when this process is no longer our parent.")
    var parentPID: Int32?

    @Option(name: .customLong("max-seconds"), help: "Exit after this many seconds whatever happens.")
    var maxSeconds: Double = 600

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be in [0, 65535]") }
        guard maxSeconds > 0 else { throw ValidationError("--max-seconds must be positive") }
    }

    func run() async throws {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: port),
            transportSecurity: .plaintext
        )
        let (parentPID, maxSeconds) = (parentPID, maxSeconds)
        try await withGRPCServer(transport: transport, services: [EchoService()]) { _ in
            guard let bound = try await transport.listeningAddress.ipv4 else {
                throw BenchError("the server transport is not bound to an IPv4 address")
            }
            emit("LISTENING \(bound.port)")
            let clock = ContinuousClock()
            let deadline = clock.now + .milliseconds(Int64(maxSeconds * 1000))
            while clock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                if let parentPID, getppid() != parentPID {
                    FileHandle.standardError.write(
                        Data("grpc-echo-bench server: parent \(parentPID) is gone; exiting\n".utf8))
                    _exit(0)
                }
            }
            FileHandle.standardError.write(
                Data("grpc-echo-bench server: --max-seconds \(maxSeconds) reached; exiting\n".utf8))
            _exit(0)
        }
    }
}

/// Stops the server child on SIGINT/SIGTERM and, as a last resort, when the run overruns its
/// time budget (a hung call, a stuck connection): the benchmark always ends by itself.
final class ExitGuard: @unchecked Sendable {
    private let child: ServerChild?
    private let budgetSeconds: Double
    private var sources: [any DispatchSourceProtocol] = []
    private let lock = NSLock()
    private var signalNumber: Int32?

    /// The SIGINT/SIGTERM that has been caught, if any.
    var caughtSignal: Int32? { lock.withLock { signalNumber } }

    init(child: ServerChild?, budgetSeconds: Double) {
        self.child = child
        self.budgetSeconds = budgetSeconds
    }

    func arm() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                lock.withLock { signalNumber = number }
                note("grpc-echo-bench: signal \(number); stopping the server child")
                child?.stop()
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + budgetSeconds)
        timer.setEventHandler { [child, budgetSeconds] in
            note("grpc-echo-bench: still running after \(Int(budgetSeconds)) s; giving up")
            child?.stop()
            _exit(3)
        }
        timer.resume()
        sources.append(timer)
    }

    func disarm() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}

/// One line on standard output, written at once (unbuffered: a reader sees it immediately).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// One line of progress or diagnostics on standard error.
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
