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
            UpCommand.self, HealthCommand.self, BusCommand.self, CallCommand.self, ClockCommand.self,
            ExportCommand.self, DemoCommand.self, KeysCommand.self, APIDocsCommand.self,
        ])
}

/// Who the CLI acts as, from flags.
struct ActorOptions: ParsableArguments {
    @Option(help: "Actor role: partner, customer, provider or service.")
    var role: String = "service"
    @Option(
        help: """
            The tenant (partnerId) to act in (env OCTOO_PARTNER): required by every method of a service's own, \
            whatever the role; only Health, Describe, ReadEvents and SetClock take a service without one.
            """)
    var partner: String?
    @Option(name: .customLong("actor-id"), help: "Actor's own id (user, customer or provider).")
    var actorId: String?

    /// The actor for `method`: a method that acts within one tenant (any but the common ones and
    /// the bus's) needs the tenant, and is refused here, naming the flag, without one.
    func actor(for method: String, _ environment: Environment = Environment()) throws -> Actor {
        guard let role = Actor.Role(rawValue: role) else {
            throw ValidationError(
                "--role \(role) must be one of \(Actor.Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let partnerId = partner ?? environment.string("OCTOO_PARTNER")
        if partnerId == nil, Self.actsWithinATenant(method) {
            throw ValidationError(
                "\(method) acts within one tenant: give --partner ID (or set OCTOO_PARTNER), whatever the role")
        }
        return Actor(role: role, partnerId: partnerId, id: actorId)
    }

    /// Every method but the common ones (PROTOCOL §5) and the bus's own is a tenant's.
    static func actsWithinATenant(_ method: String) -> Bool {
        let name = method.split(separator: ".", maxSplits: 1).last.map(String.init) ?? method
        return !method.hasPrefix("bus.") && !["Health", "Describe", "ReadEvents", "SetClock"].contains(name)
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
