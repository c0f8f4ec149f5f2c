import Foundation
import OctooTesting
import Transport
import Wire

/// A client's way through faults: a call whose answer says "not now" or "not known" is made
/// again until it gets a real answer or `deadline` passes. `UNAVAILABLE` promises nothing was
/// done; `UNKNOWN` (the worker died holding it) and `DEADLINE_EXCEEDED` (the bus or the worker
/// was away) leave the outcome open, so a mutation must carry an idempotency key, repeated
/// unchanged, for the repeat to be safe (PROTOCOL §4). Any other error is the answer, thrown.
func persistently<Result: Sendable>(
    until deadline: ContinuousClock.Instant, _ call: () async throws -> Result
) async throws -> Result {
    var pause = Duration.milliseconds(50)
    while true {
        do {
            return try await call()
        } catch let error as RPCError where isTransient(error.code) && ContinuousClock.now < deadline {
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(500))
        }
    }
}

/// Codes that say nothing about the request itself: the system was (partly) away.
func isTransient(_ code: StatusCode) -> Bool {
    [.unavailable, .unknown, .deadlineExceeded, .resourceExhausted].contains(code)
}

/// The options of one attempt of a persistent call: a short budget, so a call lost with a
/// killed process is given up on and repeated soon, and the same key every time.
func attemptOptions(_ idempotencyKey: String? = nil, timeout: Duration = .seconds(5)) -> CallOptions {
    CallOptions(timeout: timeout, idempotencyKey: idempotencyKey, retry: .none)
}
