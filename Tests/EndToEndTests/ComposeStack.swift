import Foundation
import Glibc
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
        try RPCClient(context: context, endpoint: endpoints.client(service), defaultOptions: .patient())
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

    /// Runs `command` and returns what it printed. Spawned and reaped here (posix_spawn, then
    /// `waitpid` on its pid), with its output in a file: `podman start` leaves conmon holding the
    /// command's descriptors (a pipe would never close), and Foundation's `Process` was seen
    /// never to notice podman's exit (a zombie, `isRunning` true for good). A command still
    /// running after `timeout` (an image build included) is killed and reported.
    static func run(_ command: String, _ arguments: [String], timeout: Duration = .seconds(900)) async throws -> String
    {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([command] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, command, &actions, nil, argv, environ)
        let line = ([command] + arguments).joined(separator: " ")
        guard spawned == 0 else { throw ComposeError(command: line, output: "could not start: errno \(spawned)") }
        var status: Int32 = 0
        do {
            try await eventually("\(line) exited", timeout: timeout, every: .milliseconds(50)) {
                let reaped = waitpid(pid, &status, WNOHANG)
                guard reaped == 0 || reaped == pid else {
                    throw ComposeError(command: line, output: "waitpid failed: errno \(errno)")
                }
                return reaped == pid
            }
        } catch is ConditionTimedOut {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw ComposeError(command: line, output: "still running after \(timeout), killed: \(text)")
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        // Exited normally with 0 (WIFEXITED and WEXITSTATUS, which Swift does not import).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ComposeError(command: line, output: "status \(status): \(text)")
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
