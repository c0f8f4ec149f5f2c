import Foundation
import Synchronization
import Transport
import Wire
import ZeroMQ

/// The real executables (`octoo-bus`, the services, test fixtures) as child processes on free
/// loopback ports: the `.live` counterpart of `InProcessSystem`.
public final class ExecutableSystem: Sendable {
    public let endpoints: BusEndpoints
    public let dataDirectory: String
    public let context: ZeroMQ.Context
    private let processes = Mutex<[String: Process]>([:])

    /// Where `swift build` put the executables: beside the running test bundle.
    public static var binaryDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("octoo-bus").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }

    /// - Parameter curve: the keys the test's own clients present (a bus run with CURVE needs them).
    public init(curve: CurveClientKeys? = nil) throws {
        endpoints = try FreePorts.endpoints()
        dataDirectory = TestDirectories.make("executables")
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        context = try ZeroMQ.Context(curveClient: curve)
    }

    /// The flags that point an executable at this system's bus and data folder.
    public var commonArguments: [String] {
        var arguments = [
            "--events-publish-port", "\(endpoints.eventsPublishPort)", "--events-subscribe-port",
            "\(endpoints.eventsSubscribePort)",
        ]
        for service in BusEndpoints.services {
            guard let ports = endpoints.rpc[service] else { continue }
            arguments += ["--\(service)-port", "\(ports.client)", "--\(service)-worker-port", "\(ports.worker)"]
        }
        return arguments
    }

    /// How a process was started, so `restart` starts it again the same way.
    struct Launch: Sendable {
        var executable: String
        var arguments: [String]
        var service: Bool
        var environment: [String: String]
        var dataDirectory: String
    }
    private let launches = Mutex<[String: Launch]>([:])

    /// Starts `executable` (a product name) under `name`, with extra arguments and environment
    /// variables; a service keeps its SQLite file in `dataDirectory` (default: the system's
    /// folder; a second matching replica needs one of its own).
    @discardableResult
    public func start(
        _ executable: String, as name: String? = nil, arguments: [String] = [], service: Bool = true,
        environment: [String: String] = [:], dataDirectory folder: String? = nil
    ) throws -> Process {
        let launch = Launch(
            executable: executable, arguments: arguments, service: service, environment: environment,
            dataDirectory: folder ?? dataDirectory)
        return try run(launch, as: name ?? executable)
    }

    /// Starts `name` again exactly as it was first started (its log is appended to).
    @discardableResult
    public func restart(_ name: String) throws -> Process {
        guard let launch = launches.withLock({ $0[name] }) else {
            throw RPCError(.notFound, "\(name) was never started")
        }
        return try run(launch, as: name)
    }

    private func run(_ launch: Launch, as name: String) throws -> Process {
        let process = Process()
        process.executableURL = Self.binaryDirectory.appendingPathComponent(launch.executable)
        process.arguments =
            commonArguments
            + (launch.service
                ? ["--data-dir", launch.dataDirectory, "--log-level", "warning"]
                : ["--log-level", "warning", "--bind", "127.0.0.1"]) + launch.arguments
        let logPath = (dataDirectory as NSString).appendingPathComponent("\(name).log")
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = FileHandle(forWritingAtPath: logPath)
        // A restarted process appends to what its predecessor wrote.
        _ = try? log?.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        // Children end with the test process, even when a test ends before its cleanup runs.
        process.environment = ProcessInfo.processInfo.environment.merging(
            launch.environment.merging(["OCTOO_SUPERVISOR_PID": "\(getpid())"]) { $1 }
        ) { $1 }
        try process.run()
        processes.withLock { $0[name] = process }
        launches.withLock { $0[name] = launch }
        return process
    }

    /// The running (or last) process started under `name`.
    public func process(_ name: String) -> Process? {
        processes.withLock { $0[name] }
    }

    /// Sends `signal` (SIGKILL by default, as `kill -9`) to `name` and waits for it to end.
    public func kill(_ name: String, signal: Int32 = SIGKILL) async {
        guard let process = process(name), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        await process.exited()
    }

    /// Starts the bus, with extra arguments (CURVE's key files).
    public func startBus(arguments: [String] = []) throws {
        try start("octoo-bus", arguments: arguments, service: false)
    }

    /// A client of `service`'s front port, whose calls have `Patience.call` unless they say otherwise.
    public func client(_ service: String) throws -> RPCClient {
        try RPCClient(context: context, endpoint: endpoints.client(service), defaultOptions: .patient())
    }

    /// Polls `Health` until `service` answers.
    public func waitUntilServing(_ service: String, timeout: Duration = Patience.condition) async throws {
        try await HealthPolling.waitUntilServing(service, client: try client(service), timeout: timeout)
    }

    /// Sends SIGTERM to `name` and waits (up to `timeout`) for it to exit; returns its status,
    /// or nil when it had to be killed.
    public func terminate(_ name: String, timeout: Duration = Patience.condition) async -> Int32? {
        guard let process = processes.withLock({ $0[name] }) else { return nil }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        return await process.exited(within: timeout) ? process.terminationStatus : nil
    }

    /// The log an executable wrote.
    public func log(_ name: String) -> String {
        (try? String(contentsOfFile: (dataDirectory as NSString).appendingPathComponent("\(name).log"), encoding: .utf8))
            ?? ""
    }

    /// Kills whatever still runs and removes the data folder.
    public func shutdown() async {
        let all = processes.withLock { $0 }
        for name in all.keys where name != "octoo-bus" { _ = await terminate(name) }
        _ = await terminate("octoo-bus")
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
