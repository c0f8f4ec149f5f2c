import Contracts
import Foundation
import Transport
import Wire

/// Every process of a deployment, as the integration suite runs it: the bus and each bus worker
/// of `ServiceCatalogue`, two replicas of a replicable one (each with its own read model, as
/// docs/operations.md deploys matching), each a real executable with its own SQLite file.
public enum WholeSystem {
    /// The bus's process name.
    public static let bus = "octoo-bus"
    /// The process (and instance) names of each replicable service's two replicas.
    public static let replicas: [String: [String]] = Dictionary(
        uniqueKeysWithValues: ServiceCatalogue.busWorkers.filter(\.replicable).map {
            ($0.name, ["\($0.name)-1", "\($0.name)-2"])
        })
    /// The two matching replicas' process (and instance) names.
    public static let matchingReplicas = replicas[Matching.service] ?? []
    /// The processes that are services, in the order they start.
    public static let services = ServiceCatalogue.busWorkers.flatMap { replicas[$0.name] ?? [$0.name] }
    /// Every process, the bus first.
    public static let processes = [bus] + services

    /// The service a process serves (the replicated service for a replica).
    public static func service(of name: String) -> String {
        replicas.first { $0.value.contains(name) }?.key ?? name
    }
}

extension ExecutableSystem {
    /// Starts the bus and every service of `WholeSystem` on this system's ports, `manualClock`
    /// naming the processes started with `--manual-clock`, and waits until each takes calls.
    public func startWholeSystem(manualClock: Set<String> = [], environment: [String: String] = [:]) async throws {
        try start(WholeSystem.bus, service: false, environment: environment)
        for name in WholeSystem.services {
            var arguments = manualClock.contains(name) ? ["--manual-clock"] : []
            var folder: String?
            if WholeSystem.service(of: name) != name {
                arguments += ["--instance", name]
                folder = (dataDirectory as NSString).appendingPathComponent(name)
            }
            try start(
                WholeSystem.service(of: name), as: name, arguments: arguments, environment: environment,
                dataDirectory: folder)
        }
        for name in WholeSystem.services { try await waitUntilReady(name) }
    }

    /// The SQLite file of a service process (nil for the bus, which keeps none).
    public func databasePath(_ name: String) -> String? {
        guard WholeSystem.services.contains(name) else { return nil }
        let folder =
            WholeSystem.service(of: name) != name
            ? (dataDirectory as NSString).appendingPathComponent(name) : dataDirectory
        return (folder as NSString).appendingPathComponent("\(WholeSystem.service(of: name)).sqlite")
    }

    /// Waits until `name` takes calls again: the bus answers `bus.Status` with every service's
    /// workers back; a replica (of matching) answers `Health` itself (the bus hands it calls only
    /// once it has caught up, and a killed one answers nothing, even while the bus still lists it);
    /// any other service answers `Health`.
    public func waitUntilReady(_ name: String, timeout: Duration = Patience.condition) async throws {
        switch name {
        case WholeSystem.bus:
            let client = try client(Registry.service)
            defer { client.close() }
            for service in Set(WholeSystem.services.map(WholeSystem.service(of:))) {
                let expected = WholeSystem.replicas[service]?.count ?? 1
                _ = try await waitForBus(client, service, timeout: timeout) { status in
                    status.workers.filter { $0.credit > 0 }.count >= expected
                }
            }
        case _ where WholeSystem.service(of: name) != name:
            let service = WholeSystem.service(of: name)
            let client = try client(service)
            defer { client.close() }
            try await eventually("\(name) answering Health", timeout: timeout) {
                // Short, so that the bus hands the next try to the other replica soon.
                let options = CallOptions(timeout: .seconds(1), retry: .none)
                let health = try? await client.health(service, options: options)
                return health?.instance == name
            }
        default:
            try await waitUntilServing(name, timeout: timeout)
        }
    }
}

/// Runs `body` against the whole system (`WholeSystem`: the bus, registry, two matching
/// replicas, broadcast, opportunities, every one a real executable), and stops everything and
/// removes its data before returning or rethrowing.
public func withWholeSystem<Result: Sendable>(
    manualClock: Set<String> = [], _ body: (ExecutableSystem) async throws -> Result
) async throws -> Result {
    let system = try ExecutableSystem()
    return try await tearingDown(teardown: system.shutdown) {
        try await system.startWholeSystem(manualClock: manualClock)
        return try await body(system)
    }
}
