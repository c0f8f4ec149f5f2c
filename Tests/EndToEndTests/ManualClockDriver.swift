import Foundation
import Synchronization
import Transport
import Wire

/// Moves the manual clock of a service (started with `--manual-clock`) forward in steps, so waves
/// whose providers stay silent close (`NO_RESPONSE`) and recycled providers come back within
/// seconds. A restarted process starts its manual clock at the machine's time again; the next step
/// sets it to the test's time (the clock never moves back from there).
final class ManualClockDriver: Sendable {
    let rpc: RPCClient
    let service: String
    let step: TimeInterval
    /// The test never moves the clock beyond this (the jobs start later).
    let limit: Date
    private let target: Mutex<Date>

    init(rpc: RPCClient, service: String, start: Date, step: TimeInterval, limit: Date) {
        self.rpc = rpc
        self.service = service
        self.step = step
        self.limit = limit
        target = Mutex(start)
    }

    /// Where the test has the clock now.
    var now: Date { target.withLock { $0 } }

    /// One step forward (unless at the limit), then the service's clock set to it. A service that
    /// is away misses the step; the next one catches up. `SetClock` sets the clock as it starts
    /// and replies once the timers and waves it made due are done, which under load takes longer
    /// than a step: the short budget only stops waiting for that reply (the call, cancelled,
    /// leaves the rest to the service's own timer loop and wave sender).
    func advance() async {
        let next = target.withLock { target in
            target = min(target.addingTimeInterval(step), limit)
            return target
        }
        _ = try? await rpc.setClock(service, to: next, options: attemptOptions(timeout: .seconds(3)))
    }
}
