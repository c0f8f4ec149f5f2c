import Contracts
import Foundation
import GRDB
import OctooTesting
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing
import Transport
import Wire

/// The process shape of a gateway or a notifier: configuration, bus clients, an event
/// subscription and its own SQLite file, but no worker socket.
@Suite("A client-only process", .serialized)
struct ClientApplicationTests {
    /// Calls the registry's `Echo` once, keeps the reply, then waits for the shutdown.
    struct EchoOnce: Service {
        let environment: ServiceEnvironment
        let replies: Replies

        func run() async throws {
            let reply = try await environment.client("registry").call(
                TestMethods.echo("registry"), EchoMessage(text: "hello", n: 1), actor: nil)
            replies.keep(reply)
            try await gracefulShutdown()
        }
    }

    final class Replies: Sendable {
        private let replies = Mutex<[EchoMessage]>([])
        func keep(_ reply: EchoMessage) { replies.withLock { $0.append(reply) } }
        var all: [EchoMessage] { replies.withLock { $0 } }
    }

    /// A client-only process that records the registry's events in its own table.
    static func definition(_ replies: Replies) -> ClientDefinition {
        ClientDefinition(
            name: "notifier-test", durability: .normal, migrations: TestServices.registerApplied(in:)
        ) { environment in
            ClientParts(
                events: EventHandling(sources: ["registry"]) { db, event in
                    try db.execute(
                        sql: "INSERT INTO applied (source, seq) VALUES (?, ?)", arguments: [event.source, event.seq])
                },
                services: [EchoOnce(environment: environment, replies: replies)])
        }
    }

    @Test func itConsumesEventsCallsAServiceAndShutsDownGracefully() async throws {
        let system = try InProcessSystem()
        try await tearingDown(teardown: system.shutdown) {
            try await system.start(TestServices.source())
            let replies = Replies()
            let application = try ClientApplication(
                definition: Self.definition(replies), configuration: system.configuration(for: "notifier-test"),
                context: system.context)
            let running = Task { try await application.run() }
            let registry = try system.client("registry")
            defer { registry.close() }
            _ = try await registry.call(
                TestMethods.emit("registry"), EmitRequest(count: 3, label: "x"),
                actor: Actor(role: .partner, partnerId: "p-1"))
            let database = application.environment.database
            try await eventually("the three events applied") { try TestServices.applied(database) == [1, 2, 3] }
            try await eventually("the echo's reply kept") { replies.all == [EchoMessage(text: "hello", n: 1)] }
            // It connected no worker socket: the registry's is the only worker on the bus.
            let status = try await registry.call(BusMethods.status, Empty(), actor: nil)
            #expect(status.services.flatMap(\.workers).count == 1)
            await application.shutdown()
            try await running.value
        }
    }
}
