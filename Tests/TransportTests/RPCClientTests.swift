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
        defaultOptions: CallOptions = CallOptions(), willQueue: (@Sendable (RPCClient) -> Void)? = nil
    ) throws -> (client: RPCClient, peer: Socket) {
        let context = try ZeroMQ.Context()
        let endpoint = "inproc://silent-\(UUID().uuidString)"
        let peer = try Socket(context: context, type: .router)
        try peer.setReceiveHighWaterMark(100_000)
        try peer.bind(endpoint)
        let client = try RPCClient(
            context: context, endpoint: endpoint, maxMessageBytes: LengthPrefixedFrame.defaultMaxMessageBytes,
            logger: .init(label: "octoo.test.client"), defaultOptions: defaultOptions, willQueue: willQueue)
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
            // A hook cannot await: it spins, for a minute at most, until the I/O thread took it.
            let deadline = ContinuousClock.now + .seconds(60)
            while client.shared.withLock({ !$0.cancelled.isEmpty }) && ContinuousClock.now < deadline { sched_yield() }
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

    /// The `deadlineMs` of the next request `peer` receives, read on a thread of its own.
    static func nextDeadlineMs(_ peer: Socket) async throws -> Int64? {
        nonisolated(unsafe) let peer = peer
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    try peer.setReceiveTimeout(ms: 60_000)
                    guard let frames = try peer.receive(), let payload = frames.last else {
                        throw RPCError(.deadlineExceeded, "no request reached the peer")
                    }
                    let json = try LengthPrefixedFrame.decode(payload, maxMessageBytes: Int.max).get()
                    let head = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
                    continuation.resume(returning: (head?["deadlineMs"] as? NSNumber)?.int64Value)
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    @Test func aCallWithoutOptionsTakesTheClientsDefaultsAndOneWithOptionsItsOwn() async throws {
        let (client, peer) = try Self.silentPeer(defaultOptions: CallOptions(timeout: .milliseconds(200), retry: .none))
        defer {
            peer.close(lingerMs: 0)
            client.close()
        }
        let method = MethodDescriptor<JSONValue, JSONValue>(
            "registry.Echo", idempotent: true, roles: nil, summary: "Echoes.", request: JSONSchema.any,
            response: JSONSchema.any)
        // The peer never answers: the call without options ends at the default's deadline, the
        // budget it sent.
        let defaulted = Task { () -> StatusCode in
            do throws(RPCError) {
                _ = try await client.call(method, .object([:]), actor: nil)
                return .ok
            } catch {
                return error.code
            }
        }
        let sent = try #require(try await Self.nextDeadlineMs(peer))
        #expect(sent > 0 && sent <= 200)
        #expect(await defaulted.value == .deadlineExceeded)
        // A call with options of its own sends its own budget (and is cancelled here).
        let own = Task { await Self.echo(client, 1) }
        let ownSent = try #require(try await Self.nextDeadlineMs(peer))
        #expect(ownSent > 200 && ownSent <= 60_000)
        own.cancel()
        #expect(await own.value == .cancelled)
    }

    @Test func withoutJitterEachPauseIsItsBoundAndWithItNeverMore() {
        let fixed = RetryPolicy(initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100), jitter: false)
        let bounds = [20, 40, 80, 100, 100].map { Duration.milliseconds($0) }
        #expect((1...5).map(fixed.backoff(afterAttempt:)) == bounds)
        var jittered = fixed
        jittered.jitter = true
        for (attempt, bound) in zip(1..., bounds) {
            let pauses = (0..<200).map { _ in jittered.backoff(afterAttempt: attempt) }
            #expect(pauses.allSatisfy { $0 >= .zero && $0 <= bound }, "after attempt \(attempt)")
            #expect(Set(pauses).count > 1, "jittered pauses vary")
        }
        #expect(RetryPolicy.standard.jitter)
    }
}
