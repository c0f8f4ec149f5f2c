import Foundation
import OctooTesting
import Transport
import Wire
import ZeroMQ

/// The compose stack `.ci/compose-test` brought up (`docker-compose` driving podman), reached
/// through the bus's published ports with the CLI's CURVE keys, and driven as an operator would:
/// `docker-compose restart`, `podman stop`/`pause` on one container.
struct ComposeStack: TestSystem {
    let project: String
    let file: String
    let keys: String
    let endpoints: BusEndpoints
    let context: ZeroMQ.Context

    /// The stack named by the environment `.ci/compose-test` sets; nil outside that run.
    static func fromEnvironment() throws -> ComposeStack? {
        let environment = ProcessInfo.processInfo.environment
        guard let project = environment["OCTOO_COMPOSE_PROJECT"], let file = environment["OCTOO_COMPOSE_FILE"],
            let keys = environment["OCTOO_COMPOSE_KEYS"]
        else { return nil }
        return try ComposeStack(
            project: project, file: file, keys: keys, host: environment["OCTOO_COMPOSE_BUS_HOST"] ?? "127.0.0.1",
            keyName: "cli")
    }

    /// A stack client presenting the key pair `keyName` of `keys` (an unlisted one gets nothing).
    init(project: String, file: String, keys: String, host: String, keyName: String) throws {
        self.project = project
        self.file = file
        self.keys = keys
        endpoints = BusEndpoints.tcp(host: host)
        let serverKey = try CurveKeyFile.readPublicKey("\(keys)/bus.pub")
        let keyPair = try CurveKeyFile.readSecretKey("\(keys)/\(keyName).key")
        context = try ZeroMQ.Context(curveClient: CurveClientKeys(serverKey: serverKey, keyPair: keyPair))
    }

    func client(_ service: String) throws -> RPCClient {
        try RPCClient(context: context, endpoint: endpoints.client(service))
    }

    /// Runs `docker-compose -p project -f file arguments…`; its output, or an error with it.
    @discardableResult
    func compose(_ arguments: [String]) async throws -> String {
        try await Self.run("docker-compose", ["-p", project, "-f", file] + arguments)
    }

    /// Runs `podman arguments…` (the same containers docker-compose made through podman's API).
    @discardableResult
    func podman(_ arguments: [String]) async throws -> String {
        try await Self.run("podman", arguments)
    }

    /// The ids of `service`'s containers, in a stable order.
    func containers(_ service: String) async throws -> [String] {
        try await compose(["ps", "-q", service]).split(separator: "\n").map(String.init).sorted()
    }

    /// Runs `command` and returns what it printed. Output goes to a file, not a pipe: `podman
    /// start` leaves conmon running with the command's descriptors, so a pipe would never close.
    static func run(_ command: String, _ arguments: [String]) async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        await process.exited()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw ComposeError(command: ([command] + arguments).joined(separator: " "), output: text)
        }
        return text
    }
}

/// A compose or podman command that failed, with what it printed.
struct ComposeError: Error, CustomStringConvertible {
    var command: String
    var output: String
    var description: String { "\(command) failed: \(output)" }
}
