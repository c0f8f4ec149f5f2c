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
    _ client: RPCClient, _ service: String, timeout: Duration = .seconds(20),
    until condition: (BusServiceStatus) -> Bool
) async throws -> BusServiceStatus {
    let deadline = ContinuousClock.now + timeout
    var last: BusServiceStatus?
    while true {
        if let status = try? await client.busStatus(options: CallOptions(timeout: .milliseconds(500))),
            let entry = status.services.first(where: { $0.service == service })
        {
            if condition(entry) { return entry }
            last = entry
        }
        guard ContinuousClock.now < deadline else {
            throw RPCError(
                .deadlineExceeded,
                "bus.Status never showed what was awaited for \(service); last: \(String(describing: last))")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
