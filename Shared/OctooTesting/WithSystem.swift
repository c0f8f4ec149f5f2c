import Foundation
import ServiceKit
import Transport
import Wire

/// Which system a scoped test runs against (Hummingbird's `.router` versus `.live`).
public enum SystemUnderTest: Sendable {
    /// The bus and these services inside the test process, over `inproc://`.
    case inProcess([ServiceDefinition])
    /// The real executables (`octoo-bus` and these products) on free loopback ports.
    case executables([String])
}

/// What a scoped test gets: clients of the services, whichever kind of system runs them.
public protocol TestSystem: Sendable {
    /// Where the bus is.
    var endpoints: BusEndpoints { get }
    /// A new client of `service` (closed by the test or left to the teardown).
    func client(_ service: String) throws -> RPCClient
}

extension InProcessSystem: TestSystem {}
extension ExecutableSystem: TestSystem {}

/// Runs `body` against a fresh in-process system with `definitions` started and serving, and
/// tears it down (services, then the bus, then the data folder) before returning or rethrowing.
public func withInProcessSystem<Result: Sendable>(
    _ definitions: [ServiceDefinition], clock: (any ServiceClock)? = nil,
    _ body: (InProcessSystem) async throws -> Result
) async throws -> Result {
    let system = try InProcessSystem()
    return try await tearingDown(teardown: system.shutdown) {
        for definition in definitions { try await system.start(definition, clock: clock) }
        return try await body(system)
    }
}

/// Runs `body` against the real executables (the bus and `products`, serving), and stops them
/// and removes their data before returning or rethrowing.
public func withExecutableSystem<Result: Sendable>(
    _ products: [String], _ body: (ExecutableSystem) async throws -> Result
) async throws -> Result {
    let system = try ExecutableSystem()
    return try await tearingDown(teardown: system.shutdown) {
        try system.startBus()
        for product in products { try system.start(product) }
        for product in products where BusEndpoints.services.contains(product) {
            try await system.waitUntilServing(product)
        }
        return try await body(system)
    }
}

/// Runs `body`, then `teardown`, whether `body` returned or threw: an awaited `defer`.
public func tearingDown<Result>(
    teardown: @Sendable () async -> Void, _ body: () async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await teardown()
        throw error
    }
    await teardown()
    return result
}

/// Runs `body` against either kind of system, with awaited teardown.
public func withSystem<Result: Sendable>(
    _ kind: SystemUnderTest, _ body: (any TestSystem) async throws -> Result
) async throws -> Result {
    switch kind {
    case .inProcess(let definitions): try await withInProcessSystem(definitions) { try await body($0) }
    case .executables(let products): try await withExecutableSystem(products) { try await body($0) }
    }
}
