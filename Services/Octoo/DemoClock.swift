import Contracts
import Foundation
import Transport
import Wire

/// The four services' manual clocks, moved together: how the demo runs days of waves in seconds.
/// Each `SetClock` replies once the durable timers it made due have fired (waves closed and sent,
/// documents expired, jobs started).
struct DemoClock {
    let clients: BusClients
    /// Where every clock is.
    private(set) var now: Date

    /// Sets every clock to the next whole minute of this machine's time, the demo's start.
    static func start(_ clients: BusClients) async throws -> DemoClock {
        let minute = (Date().timeIntervalSinceReferenceDate / 60).rounded(.up) * 60
        var clock = DemoClock(clients: clients, now: Date(timeIntervalSinceReferenceDate: minute))
        try await clock.set(clock.now)
        return clock
    }

    /// Moves every clock `interval` forward.
    mutating func advance(by interval: TimeInterval) async throws {
        try await set(now.addingTimeInterval(interval))
    }

    /// Moves every clock to `date`, in `ServiceClocks.order`.
    mutating func set(_ date: Date) async throws {
        for service in ServiceClocks.order {
            do {
                _ = try await clients.client(service).setClock(
                    service, to: date, options: CallOptions(timeout: .seconds(30)))
            } catch let error as RPCError where error.code == .failedPrecondition {
                throw DemoError(
                    "\(service) runs without a settable clock: the demo needs the services started with "
                        + "--manual-clock (octoo up --manual-clock), or no system on these ports (octoo demo starts one)"
                )
            } catch let error as RPCError where error.code == .invalidArgument {
                throw DemoError(
                    "\(service)'s clock is ahead of this machine's (an earlier demo moved it): restart the system "
                        + "or run octoo demo on other ports (\(error.message))")
            }
        }
        now = date
    }
}

/// Why the demo could not go on, in words.
struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
