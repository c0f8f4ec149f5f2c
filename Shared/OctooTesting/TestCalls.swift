import Contracts
import Transport
import Wire

/// The status code of any error a call threw (`UNKNOWN` for one that is not an `RPCError`).
public func statusCode(_ error: any Error) -> StatusCode {
    (error as? RPCError)?.code ?? .unknown
}

/// Runs `call` `count` times at once and returns each outcome's status code (`OK` for success).
public func concurrentCalls(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async -> [StatusCode]
{
    await withTaskGroup(of: StatusCode.self) { group in
        for index in 0..<count {
            group.addTask {
                do {
                    try await call(index)
                    return .ok
                } catch {
                    return statusCode(error)
                }
            }
        }
        var codes: [StatusCode] = []
        for await code in group { codes.append(code) }
        return codes
    }
}

/// Polls `bus.Status` (through `client`'s port) until `condition` holds for `service`'s side.
public func waitForBus(
    _ client: RPCClient, _ service: String, timeout: Duration = Patience.condition,
    until condition: (BusServiceStatus) -> Bool
) async throws -> BusServiceStatus {
    var last: BusServiceStatus?
    var found: BusServiceStatus?
    try await eventually(
        "bus.Status to show what was awaited for \(service); last: \(String(describing: last))", timeout: timeout
    ) {
        guard let status = try? await client.busStatus(options: CallOptions(timeout: .seconds(5), retry: .none)),
            let entry = status.services.first(where: { $0.service == service })
        else { return false }
        last = entry
        found = condition(entry) ? entry : nil
        return found != nil
    }
    return found!
}

/// How long tests wait: long enough that a machine whose cores other work keeps busy never
/// fails a test that is not about time (a test about deadlines sets its own, short ones).
public enum Patience {
    /// A call's budget.
    public static let call: Duration = .seconds(60)
    /// How long `eventually` polls before it gives up.
    public static let condition: Duration = .seconds(60)
    /// How long a wait for thousands of events to be applied (a catch-up, a rebuild) gets: on a
    /// machine whose cores other work keeps busy that is minutes, not seconds.
    public static let bulk: Duration = .seconds(300)
}

extension CallOptions {
    /// A test call's options when the test is not about deadlines: `Patience.call` to answer
    /// (the 5 s default is the production client's, and starved test processes missed it).
    public static func patient(idempotencyKey: String? = nil, retry: RetryPolicy = .standard) -> CallOptions {
        CallOptions(timeout: Patience.call, idempotencyKey: idempotencyKey, retry: retry)
    }
}

/// A condition that did not hold before its deadline.
public struct ConditionTimedOut: Error, CustomStringConvertible {
    public var description: String
}

/// Polls `condition` until it holds; throws `ConditionTimedOut` naming `what` (worded as what
/// was awaited, read when it fails) once `timeout` has passed. Errors `condition` throws end the
/// wait at once. A caller that needs what it saw keeps it in a variable the condition sets.
public func eventually(
    _ what: @autoclosure () -> String, timeout: Duration = Patience.condition,
    every pause: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else {
            throw ConditionTimedOut(description: "not within \(timeout): \(what())")
        }
        try await Task.sleep(for: pause)
    }
}
