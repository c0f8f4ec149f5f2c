import ArgumentParser
import Foundation
import ServiceKit
import Transport
import ZeroMQ

/// The bus and every process of `ServiceCatalogue` as supervised child processes on this machine, each logging to
/// `DATA_DIR/logs/<name>.log`: what `octoo up` runs, and `octoo demo` when nothing runs yet.
struct LocalSystem {
    var endpoints: BusEndpoints
    var dataDirectory: String
    var manualClock: Bool
    var logLevel: String?
    /// Seconds to wait for every service to answer Health.
    var readyTimeout: Int
    /// Keys from `octoo keys`, when every connection is to use CURVE.
    var keysDirectory: String?
    /// Where octoo's own lines go: standard output, or standard error when stdout carries JSON.
    var report: @Sendable (String) -> Void

    /// Starts everything and, once every service is SERVING, runs `work` (the demo) if given; then
    /// stops when `stopAfterWork`, else keeps everything running until Ctrl-C or SIGTERM.
    /// A child that keeps dying, or `work` failing, stops everything and exits 1.
    func run(work: ((BusClients) async throws -> Void)? = nil, stopAfterWork: Bool = false) async throws {
        let logDirectory = (dataDirectory as NSString).appendingPathComponent("logs")
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let binaries = try Self.binaryDirectory()

        var childEnvironment = ["OCTOO_DATA_DIR": dataDirectory, "OCTOO_SUPERVISOR_PID": "\(getpid())"]
        if let logLevel { childEnvironment["OCTOO_LOG_LEVEL"] = logLevel }
        if manualClock { childEnvironment["OCTOO_MANUAL_CLOCK"] = "1" }
        let busArguments = Self.busArguments(endpoints)
        // Every key file is read before anything starts: a bad one stops `up` at once, naming it.
        let ownKeys = try keysDirectory.map { try Self.checkKeys(in: $0) }

        let supervisor = ProcessSupervisor(report: report)
        supervisor.trapSignals()
        report("octoo: data in \(dataDirectory), logs in \(logDirectory)")
        do {
            for name in ["octoo-bus"] + ServiceCatalogue.entries.map(\.name) {
                let executable = binaries.appendingPathComponent(name)
                guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                    throw SupervisorError("\(executable.path) is missing: build first (swift build)")
                }
                try supervisor.start(
                    ProcessSupervisor.ChildSpec(
                        name: name, executable: executable,
                        arguments: busArguments + Self.curveArguments(for: name, keysDirectory: keysDirectory),
                        environment: childEnvironment,
                        logPath: (logDirectory as NSString).appendingPathComponent("\(name).log")))
            }
        } catch {
            _ = supervisor.stopAll()
            throw error
        }

        let clients = try BusClients(endpoints: endpoints, curve: ownKeys)
        defer { clients.close() }
        switch await waitUntilServing(clients, supervisor: supervisor) {
        case .timedOut:
            report("octoo: not every service answered Health within \(readyTimeout)s; see \(logDirectory)")
            report(HealthCommand.table(await HealthCommand.check(clients, timeout: .seconds(1))))
            finish(supervisor.stopAll())
            throw ExitCode(1)
        case .stopRequested:
            // Ctrl-C or a child that keeps dying before everything was up: the loop below says which.
            break
        case .ready:
            report(HealthCommand.table(await HealthCommand.check(clients, timeout: .seconds(2))))
            report(
                "octoo: ready: bus and \(BusEndpoints.services.count) services SERVING on \(endpoints.client("registry")) … "
                    + "\(endpoints.client("opportunities"))\(manualClock ? ", manual clock" : "") (Ctrl-C stops)")
        }

        if let work, supervisor.stopRequest == nil {
            do {
                try await work(clients)
            } catch {
                report("octoo: demo failed: \(error)")
                finish(supervisor.stopAll())
                throw ExitCode(1)
            }
            if stopAfterWork {
                finish(supervisor.stopAll())
                return
            }
        }

        for await reason in supervisor.reasons {
            switch reason {
            case .signal(let number):
                report("octoo: signal \(number): stopping services, then the bus")
                finish(supervisor.stopAll())
                return
            case .gaveUp(let name, let exits, let lastExit, let logPath):
                report(
                    "octoo: \(name) keeps dying (\(exits) exits within \(supervisor.policy.window.secondsText); "
                        + "the last time it \(lastExit)); giving up: stopping services, then the bus. See \(logPath)")
                let unclean = supervisor.stopAll()
                report(
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

    /// Polls Health until every service is SERVING, `readyTimeout` passes, or a stop is requested.
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

    private func finish(_ unclean: [String]) {
        if unclean.isEmpty {
            report("octoo: stopped cleanly")
        } else {
            report("octoo: stopped; not cleanly: \(unclean.joined(separator: ", "))")
        }
    }

    /// The folder holding this executable and its siblings (`octoo-bus`, `registry`, …).
    static func binaryDirectory() throws -> URL {
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath().deletingLastPathComponent() }
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// The CURVE flags of child `name` with the keys in `keysDirectory` (none without).
    static func curveArguments(for name: String, keysDirectory: String?) -> [String] {
        guard let keysDirectory else { return [] }
        func path(_ file: String) -> String { (keysDirectory as NSString).appendingPathComponent(file) }
        if name == "octoo-bus" {
            return ["--curve-secret-key-file", path("bus.key"), "--curve-authorized-keys", path("authorized_keys")]
        }
        return ["--curve-server-key-file", path("bus.pub"), "--curve-secret-key-file", path("\(name).key")]
    }

    /// Reads every file the children will read, and returns octoo's own keys (`cli.key`).
    static func checkKeys(in keysDirectory: String) throws -> CurveClientKeys {
        func path(_ file: String) -> String { (keysDirectory as NSString).appendingPathComponent(file) }
        _ = try CurveKeyFile.readSecretKey(path("bus.key"))
        _ = try AuthorizedKeys.read(path("authorized_keys"))
        for entry in ServiceCatalogue.entries { _ = try CurveKeyFile.readSecretKey(path("\(entry.name).key")) }
        return CurveClientKeys(
            serverKey: try CurveKeyFile.readPublicKey(path("bus.pub")),
            keyPair: try CurveKeyFile.readSecretKey(path("cli.key")))
    }

    /// Passes the bus layout on to the children as flags, so they agree with this process.
    static func busArguments(_ endpoints: BusEndpoints) -> [String] {
        guard case .tcp(let host) = endpoints.kind else { return [] }
        var arguments = [
            "--bus-host", host, "--events-publish-port", "\(endpoints.eventsPublishPort)", "--events-subscribe-port",
            "\(endpoints.eventsSubscribePort)",
        ]
        for service in BusEndpoints.services {
            guard let ports = endpoints.rpc[service] else { continue }
            arguments += ["--\(service)-port", "\(ports.client)", "--\(service)-worker-port", "\(ports.worker)"]
        }
        return arguments
    }
}
