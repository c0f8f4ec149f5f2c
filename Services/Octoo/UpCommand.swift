import ArgumentParser
import Foundation
import ServiceKit
import Transport

/// `octoo up`: the whole system in the foreground, restarting a child that dies, until Ctrl-C.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the bus and the four services as child processes until Ctrl-C or SIGTERM.",
        discussion: """
            A child that exits on its own is restarted after 0.5 s, doubling to 10 s while it keeps \
            exiting within 30 s of starting. One that exits 5 times within 60 s stops everything (exit 1).
            """)

    @Option(help: "Folder for the SQLite files and logs (env OCTOO_DATA_DIR; default ./data).")
    var dataDir: String?
    @Flag(help: "Start every service on the settable clock (<service>.SetClock).")
    var manualClock = false
    @Flag(help: "Run the demo once everything is up.")
    var demo = false
    @Flag(help: "Stop everything after the demo instead of waiting for Ctrl-C (for scripts).")
    var stopAfterDemo = false
    @Option(help: "Log level for every process (env OCTOO_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(help: "Seconds to wait for every service to answer Health.")
    var readyTimeout: Int = 60
    @OptionGroup var bus: BusOptions

    func run() async throws {
        let environment = Environment()
        let endpoints = try bus.endpoints(environment)
        let dataDirectory = URL(fileURLWithPath: dataDir ?? environment.string("OCTOO_DATA_DIR") ?? "data")
            .standardizedFileURL.path
        let logDirectory = (dataDirectory as NSString).appendingPathComponent("logs")
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let binaries = try Self.binaryDirectory()

        var childEnvironment = ["OCTOO_DATA_DIR": dataDirectory, "OCTOO_SUPERVISOR_PID": "\(getpid())"]
        if let logLevel { childEnvironment["OCTOO_LOG_LEVEL"] = logLevel }
        if manualClock { childEnvironment["OCTOO_MANUAL_CLOCK"] = "1" }
        let busArguments = Self.busArguments(endpoints)

        let supervisor = ProcessSupervisor(report: { say($0) })
        supervisor.trapSignals()
        say("octoo: data in \(dataDirectory), logs in \(logDirectory)")
        do {
            for name in ["octoo-bus"] + BusEndpoints.services {
                let executable = binaries.appendingPathComponent(name)
                guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                    throw SupervisorError("\(executable.path) is missing: build first (swift build)")
                }
                try supervisor.start(
                    ProcessSupervisor.ChildSpec(
                        name: name, executable: executable, arguments: busArguments, environment: childEnvironment,
                        logPath: (logDirectory as NSString).appendingPathComponent("\(name).log")))
            }
        } catch {
            _ = supervisor.stopAll()
            throw error
        }

        let clients = try BusClients(endpoints: endpoints)
        defer { clients.close() }
        switch await waitUntilServing(clients, supervisor: supervisor) {
        case .timedOut:
            say("octoo: not every service answered Health within \(readyTimeout)s; see \(logDirectory)")
            say(HealthCommand.table(await HealthCommand.check(clients, timeout: .seconds(1))))
            Self.finish(supervisor.stopAll())
            throw ExitCode(1)
        case .stopRequested:
            // Ctrl-C or a child that keeps dying before everything was up: the loop below says which.
            break
        case .ready:
            say(HealthCommand.table(await HealthCommand.check(clients, timeout: .seconds(2))))
            say(
                "octoo: ready: bus and 4 services SERVING on \(endpoints.client("registry")) … "
                    + "\(endpoints.client("opportunities"))\(manualClock ? ", manual clock" : "") (Ctrl-C stops)")
        }

        if demo && supervisor.stopRequest == nil {
            do {
                try await Demo(clients: clients, manualClock: manualClock).run()
            } catch {
                say("octoo: demo failed: \(error)")
                Self.finish(supervisor.stopAll())
                throw ExitCode(1)
            }
            if stopAfterDemo {
                Self.finish(supervisor.stopAll())
                return
            }
        }

        for await reason in supervisor.reasons {
            switch reason {
            case .signal(let number):
                say("octoo: signal \(number): stopping services, then the bus")
                Self.finish(supervisor.stopAll())
                return
            case .gaveUp(let name, let exits, let lastExit, let logPath):
                say(
                    "octoo: \(name) keeps dying (\(exits) exits within \(supervisor.policy.window.secondsText); "
                        + "the last time it \(lastExit)); giving up: stopping services, then the bus. See \(logPath)")
                let unclean = supervisor.stopAll()
                say(
                    "octoo: stopped because \(name) keeps dying"
                        + (unclean.isEmpty ? "" : "; not cleanly: \(unclean.joined(separator: ", "))")
                        + "; see \(logPath)")
                throw ExitCode(1)
            }
        }
    }

    /// How waiting for every service to answer Health ended.
    private enum Readiness {
        case ready, timedOut, stopRequested
    }

    /// Polls Health until every service is SERVING, `--ready-timeout` passes, or a stop is requested.
    /// A child that dies meanwhile is restarted by the supervisor, so the wait goes on.
    private func waitUntilServing(_ clients: BusClients, supervisor: ProcessSupervisor) async -> Readiness {
        let deadline = ContinuousClock.now + .seconds(readyTimeout)
        while ContinuousClock.now < deadline {
            if supervisor.stopRequest != nil { return .stopRequested }
            let rows = await HealthCommand.check(clients, timeout: .milliseconds(500))
            if rows.allSatisfy({ $0.status == "SERVING" }) { return .ready }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return .timedOut
    }

    private static func finish(_ unclean: [String]) {
        if unclean.isEmpty {
            say("octoo: stopped cleanly")
        } else {
            say("octoo: stopped; not cleanly: \(unclean.joined(separator: ", "))")
        }
    }

    /// The folder holding this executable and its siblings (`octoo-bus`, `registry`, …).
    static func binaryDirectory() throws -> URL {
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath().deletingLastPathComponent() }
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// Passes the bus layout on to the children as flags, so they agree with this process.
    static func busArguments(_ endpoints: BusEndpoints) -> [String] {
        guard case .tcp(let host) = endpoints.kind else { return [] }
        var arguments = [
            "--bus-host", host, "--events-publish-port", "\(endpoints.eventsPublishPort)", "--events-subscribe-port",
            "\(endpoints.eventsSubscribePort)",
        ]
        for service in BusEndpoints.services {
            let ports = endpoints.rpc[service]!
            arguments += ["--\(service)-port", "\(ports.client)", "--\(service)-worker-port", "\(ports.worker)"]
        }
        return arguments
    }
}
