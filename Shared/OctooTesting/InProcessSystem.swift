import Foundation
import Logging
import OctooBus
import ServiceKit
import Synchronization
import Transport
import Wire
import ZeroMQ

/// A bus and services in the test's own process over `inproc://` (or loopback TCP): the fast
/// counterpart of `ExecutableSystem`, like Hummingbird's `.router` testing versus `.live`.
public final class InProcessSystem: Sendable {
    public let context: ZeroMQ.Context
    public let endpoints: BusEndpoints
    public let bus: Bus
    public let dataDirectory: String
    private let running = Mutex<[(application: ServiceApplication, task: Task<Void, any Error>)]>([])

    /// Starts a bus on fresh `inproc://` names (or free loopback ports with `tcp: true`).
    public init(tcp: Bool = false, broker: BrokerConfiguration = BrokerConfiguration()) throws {
        context = try ZeroMQ.Context()
        if tcp {
            endpoints = try FreePorts.endpoints()
        } else {
            endpoints = .inproc("octoo-test-\(UUID().uuidString)")
        }
        dataDirectory = TestDirectories.make("in-process")
        var logger = Logger(label: "octoo.test.bus")
        logger.logLevel = .warning
        bus = Bus(context: context, endpoints: endpoints, bindHost: "127.0.0.1", configuration: broker, logger: logger)
        try bus.start()
    }

    /// The configuration a service gets here: this bus, this data folder, quiet logs.
    public func configuration(for service: String, maxInFlight: Int = 64, drainTimeout: Duration = .seconds(10))
        -> ServiceConfiguration
    {
        ServiceConfiguration(
            service: service, endpoints: endpoints, dataDirectory: dataDirectory, logLevel: .warning,
            maxInFlight: maxInFlight, instance: "\(service)-test", drainTimeout: drainTimeout,
            eventCatchUpInterval: .milliseconds(300))
    }

    /// Starts a service from its definition and returns it once its worker is connected.
    @discardableResult
    public func start(
        _ definition: ServiceDefinition, maxInFlight: Int = 64, clock: (any ServiceClock)? = nil,
        drainTimeout: Duration = .seconds(10), shouldPublish: @escaping @Sendable (Event) -> Bool = { _ in true },
        waitUntilServing wait: Bool = true
    ) async throws -> ServiceApplication {
        let application = try ServiceApplication(
            definition: definition,
            configuration: configuration(for: definition.name, maxInFlight: maxInFlight, drainTimeout: drainTimeout),
            context: context, clock: clock, shouldPublish: shouldPublish)
        let task = Task { try await application.run() }
        running.withLock { $0.append((application, task)) }
        if wait { try await waitUntilServing(definition.name) }
        return application
    }

    /// Stops one service gracefully and waits for it.
    public func stop(_ application: ServiceApplication) async throws {
        let entry = running.withLock { running -> (ServiceApplication, Task<Void, any Error>)? in
            guard let index = running.firstIndex(where: { $0.application === application }) else { return nil }
            return running.remove(at: index)
        }
        guard let (application, task) = entry else { return }
        await application.shutdown()
        try await task.value
    }

    /// A client of `service` through this bus, whose calls have `Patience.call` unless they say
    /// otherwise.
    public func client(_ service: String) throws -> RPCClient {
        try RPCClient(context: context, endpoint: endpoints.client(service), defaultOptions: .patient())
    }

    /// Polls `Health` until the service answers.
    public func waitUntilServing(_ service: String, timeout: Duration = Patience.condition) async throws {
        try await HealthPolling.waitUntilServing(service, client: try client(service), timeout: timeout)
    }

    /// Stops every service, then the bus, and removes the data folder.
    public func shutdown() async {
        let all = running.withLock { running in
            defer { running.removeAll() }
            return running
        }
        for (application, task) in all.reversed() {
            await application.shutdown()
            _ = try? await task.value
        }
        bus.stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

/// Free loopback TCP ports for systems under test. They are drawn below Linux's ephemeral range
/// (32768 and up), where the tests' own outgoing connections take their ports, so a port found
/// free here is not taken by a client before the bus binds it; each is checked by binding it.
public enum FreePorts {
    /// Ports already handed out in this process: systems started side by side by parallel tests
    /// bind theirs only later, so a bind check alone could hand the same port out twice.
    private static let handedOut = Mutex<Set<Int>>([])

    /// Loopback endpoints on free ports: the two event ports, and two per bus worker of the catalogue.
    public static func endpoints() throws -> BusEndpoints {
        var endpoints = BusEndpoints.tcp()
        let workers = ServiceCatalogue.busWorkers
        let ports = try take(2 + 2 * workers.count)
        (endpoints.eventsPublishPort, endpoints.eventsSubscribePort) = (ports[0], ports[1])
        for (index, entry) in workers.enumerated() {
            endpoints.rpc[entry.name] = .init(client: ports[2 + 2 * index], worker: ports[3 + 2 * index])
        }
        return endpoints
    }

    /// `count` free ports, none handed out before in this process.
    public static func take(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var attempts = 0
        while ports.count < count {
            attempts += 1
            guard attempts < 10_000 else { throw RPCError(.internal, "no free loopback ports") }
            let port = Int.random(in: 20_000...32_000)
            guard isFree(port) else { continue }
            if handedOut.withLock({ $0.insert(port).inserted }) { ports.append(port) }
        }
        return ports
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}

/// Waiting for a service to come up, for both kinds of system under test.
enum HealthPolling {
    /// Polls `Health` until `service` answers, then closes `client`.
    static func waitUntilServing(_ service: String, client: RPCClient, timeout: Duration) async throws {
        defer { client.close() }
        var last: (any Error)?
        try await eventually("\(service) serving; last: \(String(describing: last))", timeout: timeout) {
            do {
                // Short, so that a call lost to a bus not yet bound is asked again soon.
                _ = try await client.call(
                    CommonMethods.health(service), Empty(), actor: nil,
                    options: CallOptions(timeout: .seconds(1), retry: .none))
                return true
            } catch {
                last = error
                return false
            }
        }
    }
}
