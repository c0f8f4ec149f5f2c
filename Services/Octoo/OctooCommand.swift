import ArgumentParser
import Foundation
import ServiceKit
import Synchronization
import Transport
import Wire
import ZeroMQ

/// `octoo`: run the whole system locally, check it, and call any method.
@main
struct OctooCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoo",
        abstract: "Octoo: scheduling and dispatch for interpreting and captioning agencies.",
        subcommands: [
            UpCommand.self, HealthCommand.self, BusCommand.self, CallCommand.self, DemoCommand.self, KeysCommand.self,
            APIDocsCommand.self,
        ])
}

/// Who the CLI acts as, from flags.
struct ActorOptions: ParsableArguments {
    @Option(help: "Actor role: partner, customer, provider or service.")
    var role: String = "service"
    @Option(help: "Actor's tenant (partnerId); required for every role but service.")
    var partner: String?
    @Option(name: .customLong("actor-id"), help: "Actor's own id (user, customer or provider).")
    var actorId: String?

    func actor() throws -> Actor {
        guard let role = Actor.Role(rawValue: role) else {
            throw ValidationError(
                "--role \(role) must be one of \(Actor.Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Actor(role: role, partnerId: partner, id: actorId)
    }
}

/// One shared ZeroMQ context and a client per service, for the CLI's short-lived calls.
final class BusClients: Sendable {
    let context: ZeroMQ.Context
    let endpoints: BusEndpoints
    private let clients = Mutex<[String: RPCClient]>([:])

    /// With `curve`, every client is a CURVE client of the bus.
    init(endpoints: BusEndpoints, curve: CurveClientKeys? = nil) throws {
        context = try ZeroMQ.Context(curveClient: curve)
        self.endpoints = endpoints
    }

    func client(_ service: String) throws -> RPCClient {
        try clients.withLock { clients in
            if let client = clients[service] { return client }
            let client = try RPCClient(context: context, endpoint: endpoints.client(service))
            clients[service] = client
            return client
        }
    }

    func close() {
        clients.withLock { clients in
            for client in clients.values { client.close() }
            clients.removeAll()
        }
    }
}

/// Writes JSON the way the CLI prints it: sorted keys, indented.
func prettyJSON<T: Encodable>(_ value: T) -> String {
    guard let data = try? WireCoding.makeEncoder(sortedKeys: true, pretty: true).encode(value) else {
        return "\(value)"
    }
    return String(decoding: data, as: UTF8.self)
}

/// Prints a line straight to standard output, unbuffered even into a pipe, so whoever runs
/// `octoo up` (a script, a test) sees the ready line the moment it is written.
func say(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Prints a line straight to standard error: octoo's own lines while standard output carries JSON.
func sayError(_ text: String = "") {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Where octoo's own lines go: standard output, or standard error while standard output carries JSON.
func reporter(json: Bool) -> @Sendable (String) -> Void {
    if json { return { sayError($0) } }
    return { say($0) }
}
