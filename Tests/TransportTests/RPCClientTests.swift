import Foundation
import Testing
import Wire
import ZeroMQ

@testable import Transport

@Suite("RPC client: cancellation")
struct RPCClientTests {
    /// A client of a peer that takes requests and never answers: only cancellation can end its
    /// calls before their 60 s deadline.
    static func silentPeer(
        willQueue: (@Sendable (RPCClient) -> Void)? = nil
    ) throws -> (client: RPCClient, peer: Socket) {
        let context = try ZeroMQ.Context()
        let endpoint = "inproc://silent-\(UUID().uuidString)"
        let peer = try Socket(context: context, type: .router)
        try peer.setReceiveHighWaterMark(100_000)
        try peer.bind(endpoint)
        let client = try RPCClient(
            context: context, endpoint: endpoint, maxMessageBytes: LengthPrefixedFrame.defaultMaxMessageBytes,
            logger: .init(label: "octoo.test.client"), willQueue: willQueue)
        return (client, peer)
    }

    static let options = CallOptions(timeout: .seconds(60), retry: .none)

    static func echo(_ client: RPCClient, _ index: Int) async -> StatusCode {
        let method = MethodDescriptor<JSONValue, JSONValue>(
            "registry.Echo", idempotent: true, roles: nil, summary: "Echoes.", request: JSONSchema.any,
            response: JSONSchema.any)
        let body = JSONValue.object(["n": .integer(Int64(index))])
        do throws(RPCError) {
            _ = try await client.call(method, body, actor: nil, options: options)
            return .ok
        } catch {
            return error.code
        }
    }

    @Test func aCancellationThatReachesTheIOThreadBeforeItsCallStillEndsTheCall() async throws {
        // The task is cancelled just as its call is about to be queued, and the I/O thread takes
        // the cancellation (in a batch of its own) before the call can reach it.
        let (client, peer) = try Self.silentPeer(willQueue: { client in
            withUnsafeCurrentTask { $0?.cancel() }
            while client.shared.withLock({ !$0.cancelled.isEmpty }) { sched_yield() }
        })
        defer {
            peer.close(lingerMs: 0)
            client.close()
        }
        #expect(await Self.echo(client, 1) == .cancelled)
    }

    @Test func everyCancelledCallEndsCancelledWhateverTheInterleaving() async throws {
        let (client, peer) = try Self.silentPeer()
        defer {
            peer.close(lingerMs: 0)
            client.close()
        }
        let calls = (0..<2000).map { index in
            Task {
                // Some tasks are cancelled already when they make the call.
                if index.isMultiple(of: 7) { withUnsafeCurrentTask { $0?.cancel() } }
                return await Self.echo(client, index)
            }
        }
        // The others are cancelled from another thread while they start or wait.
        Thread { for call in calls { call.cancel() } }.start()
        var codes: [StatusCode] = []
        for call in calls { codes.append(await call.value) }
        #expect(codes.count == 2000)
        #expect(codes.allSatisfy { $0 == .cancelled })
    }
}
