import Foundation
import Synchronization
import Wire

/// The service's notion of "now": the system clock in production, a settable one in tests and
/// the demo (`--manual-clock`), so days of waves can run in seconds.
public protocol ServiceClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Suspends until `date` (or returns at once if it has passed); throws on cancellation.
    func sleep(until date: Date) async throws
}

/// The machine's clock.
public struct SystemClock: ServiceClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .seconds(seconds)) }
    }
}

/// A clock that moves only when told to. Moving it forward resumes every sleeper that falls due
/// and runs every registered timer hook before `set` returns, so a test that sets the clock sees
/// the timers' effects when the call completes.
public final class ManualClock: ServiceClock {
    public typealias TimerHook = @Sendable (Date) async -> Void

    private struct State {
        var now: Date
        var sleepers: [UInt64: (due: Date, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var nextSleeper: UInt64 = 0
        var hooks: [TimerHook] = []
    }

    private let state: Mutex<State>

    public init(start: Date = Date()) {
        state = Mutex(State(now: start))
    }

    public var now: Date { state.withLock { $0.now } }

    /// Registers work to run (in order) each time the clock is set: a durable-timer scheduler
    /// firing what is due.
    public func onAdvance(_ hook: @escaping TimerHook) {
        state.withLock { $0.hooks.append(hook) }
    }

    /// Moves the clock to `date`; `INVALID_ARGUMENT` if that is in its past.
    public func set(_ date: Date) async throws(RPCError) {
        let (due, hooks): ([CheckedContinuation<Void, any Error>], [TimerHook]) = try state.withLock {
            state throws(RPCError) in
            guard date >= state.now else {
                throw RPCError.invalidArgument(
                    field: "body.now", "must not be before the service's current time \(Timestamp.format(state.now))")
            }
            state.now = date
            let dueIds = state.sleepers.filter { $0.value.due <= date }.map(\.key)
            return (dueIds.compactMap { state.sleepers.removeValue(forKey: $0)?.continuation }, state.hooks)
        }
        for continuation in due { continuation.resume() }
        for hook in hooks { await hook(date) }
    }

    public func sleep(until date: Date) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if date <= state.now || Task.isCancelled { return true }
                    state.sleepers[id] = (date, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            try Task.checkCancellation()
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }
}
