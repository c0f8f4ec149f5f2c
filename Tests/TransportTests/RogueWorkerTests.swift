import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire
import ZeroMQ

@testable import OctooBus

/// Peers on a service's worker port that are not the worker holding a request: their replies
/// are dropped, and a worker announcing a huge credit gets no more than the cap.
@Suite("Rogue peers on the worker port")
struct RogueWorkerTests {
    static let probe = MethodDescriptor<Empty, JSONValue>(
        "registry.Probe", idempotent: true, roles: nil, summary: "A raw worker's method.", request: JSONSchema.empty,
        response: JSONSchema.any)

    /// These hand-made workers send no heartbeats: the bus must not drop them for that while a
    /// loaded machine runs the test slowly.
    static let patientBroker = BrokerConfiguration(liveness: 1_000_000)

    /// A worker speaking the worker protocol by hand.
    struct RawWorker {
        let socket: Socket

        init(_ system: InProcessSystem, instance: String, credit: Int, ready: Bool = true) throws {
            socket = try Socket(context: system.context, type: .dealer)
            try socket.connect(system.endpoints.worker("registry"))
            if ready {
                let body = #"{"service":"registry","instance":"\#(instance)","credit":\#(credit)}"#
                _ = try socket.send([Array("OCTOO-W1".utf8), Array("READY".utf8), Array(body.utf8)])
            }
        }

        /// The next `REQUEST`: its token and the request's id.
        func nextRequest(within timeout: Duration) async throws -> (token: [UInt8], id: String)? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                guard let frames = try socket.receive(dontWait: true) else {
                    // Never blocks a cooperative thread: the client's call needs one to be sent.
                    try await Task.sleep(for: .milliseconds(5))
                    continue
                }
                guard frames.count == 5, frames[1] == Array("REQUEST".utf8) else { continue }
                let json = try JSONDecoder().decode(JSONValue.self, from: Data(frames[4].dropFirst(4)))
                return (frames[2], json["id"]?.stringValue ?? "")
            }
            return nil
        }

        func reply(token: [UInt8], id: String, who: String) throws {
            let json = Array(#"{"id":"\#(id)","status":{"code":"OK"},"body":{"who":"\#(who)"}}"#.utf8)
            _ = try socket.send([
                Array("OCTOO-W1".utf8), Array("REPLY".utf8), token, LengthPrefixedFrame.encode(json),
            ])
        }
    }

    @Test func onlyTheWorkerHoldingARequestCanAnswerIt() async throws {
        let system = try InProcessSystem(broker: Self.patientBroker)
        try await tearingDown(teardown: system.shutdown) {
            let holder = try RawWorker(system, instance: "holder", credit: 1)
            defer { holder.socket.close() }
            let client = try system.client("registry")
            defer { client.close() }
            try await eventuallyBusShows(client, workers: ["holder"])
            let call = Task {
                try await client.call(Self.probe, Empty(), actor: nil, options: CallOptions(timeout: .seconds(60)))
            }
            let request = try #require(try await holder.nextRequest(within: .seconds(30)))
            // A peer that never announced itself, and another worker, both answer with its token.
            let stranger = try RawWorker(system, instance: "stranger", credit: 0, ready: false)
            defer { stranger.socket.close() }
            try stranger.reply(token: request.token, id: request.id, who: "stranger")
            let rival = try RawWorker(system, instance: "rival", credit: 1)
            defer { rival.socket.close() }
            try await eventuallyBusShows(client, workers: ["holder", "rival"])
            try rival.reply(token: request.token, id: request.id, who: "rival")
            // Both were dropped: the request is still the holder's, and its answer is the one delivered.
            let status = try await client.busStatus()
            let registry = try #require(status.services.first { $0.service == "registry" })
            #expect(registry.workers.first { $0.instance == "holder" }?.inFlight == 1)
            try holder.reply(token: request.token, id: request.id, who: "holder")
            let answer = try await call.value
            #expect(answer["who"]?.stringValue == "holder")
        }
    }

    @Test func tokensAreNotCountedUpSoSprayingThemReachesNothing() async throws {
        let system = try InProcessSystem(broker: Self.patientBroker)
        try await tearingDown(teardown: system.shutdown) {
            let holder = try RawWorker(system, instance: "holder", credit: 4)
            defer { holder.socket.close() }
            let client = try system.client("registry")
            defer { client.close() }
            try await eventuallyBusShows(client, workers: ["holder"])
            var tokens: [[UInt8]] = []
            for _ in 0..<3 {
                let call = Task {
                    try await client.call(Self.probe, Empty(), actor: nil, options: CallOptions(timeout: .seconds(60)))
                }
                let request = try #require(try await holder.nextRequest(within: .seconds(30)))
                tokens.append(request.token)
                try holder.reply(token: request.token, id: request.id, who: "holder")
                _ = try await call.value
            }
            let numbers = tokens.map { $0.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            #expect(Set(numbers).count == 3)
            #expect(!(numbers[1] == numbers[0] + 1 && numbers[2] == numbers[1] + 1), "tokens count up: \(numbers)")
        }
    }

    @Test func aWorkerAnnouncingAHugeCreditIsGivenTheCap() async throws {
        let system = try InProcessSystem(broker: Self.patientBroker)
        try await tearingDown(teardown: system.shutdown) {
            let greedy = try RawWorker(system, instance: "greedy", credit: 100_000)
            defer { greedy.socket.close() }
            let client = try system.client("registry")
            defer { client.close() }
            try await eventuallyBusShows(client, workers: ["greedy"])
            let status = try await client.busStatus()
            let registry = try #require(status.services.first { $0.service == "registry" })
            #expect(registry.workers.first?.credit == BrokerConfiguration().maxWorkerCredit)
        }
    }

    /// Waits until `bus.Status` lists exactly `workers` on the registry's port.
    func eventuallyBusShows(_ client: RPCClient, workers: Set<String>) async throws {
        try await eventually("the bus listing workers \(workers)") {
            let status = try await client.busStatus()
            return Set(status.services.first { $0.service == "registry" }?.workers.map(\.instance) ?? []) == workers
        }
    }
}
