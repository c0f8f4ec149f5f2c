import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo demo`: the walkthrough, against a running system.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Walk through the running system: health, contracts, events.")

    @OptionGroup var bus: BusOptions
    @Flag(help: "The services run with --manual-clock: the demo moves their clocks too.")
    var manualClock = false

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints())
        defer { clients.close() }
        try await Demo(clients: clients, manualClock: manualClock).run()
    }
}

/// The demo's steps. Each domain issue adds its own scenes after these.
struct Demo {
    let clients: BusClients
    let manualClock: Bool

    func run() async throws {
        say("\n== demo: every service answers the common methods of PROTOCOL §5")
        for service in BusEndpoints.services {
            let client = try clients.client(service)
            let health = try await client.health(service)
            let described = try await client.describe(service)
            let events = try await client.readEvents(service, afterSeq: 0, limit: 1)
            say("\(service): \(health.status.rawValue), protocol v\(described.protocolVersion), \(described.methods.count) methods (\(described.methods.map(\.name).joined(separator: ", "))), events so far: \(events.lastSeq)")
        }
        say("\n== demo: bad input gets a clear error and changes nothing")
        do {
            _ = try await clients.client("registry").callJSON(method: "registry.ReadEvents", body: .object(["limit": .string("many")]), actor: .system)
        } catch let error as RPCError {
            say("registry.ReadEvents {\"limit\": \"many\"} -> \(error)")
        }
        if manualClock {
            say("\n== demo: the clocks are settable (--manual-clock)")
            let target = Date().addingTimeInterval(86_400)
            for service in BusEndpoints.services {
                let reply = try await clients.client(service).setClock(service, to: target)
                say("\(service).SetClock -> \(Timestamp.format(reply.now))")
            }
        }
        say("\n== demo: done")
    }
}
