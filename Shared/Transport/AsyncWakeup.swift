import Synchronization

/// Wakes one waiting task: a signal sent while nobody waits is kept until the next wait, so none
/// is lost. A wait also ends at its deadline and at once on cancellation, so a loop that waits
/// here never sleeps through a stop and never spins once cancelled (it checks for cancellation).
public final class AsyncWakeup: Sendable {
    private struct State {
        var signalled = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Bool, Never>)?
        var lastId: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether a task is waiting now (what a test of a loop's stop needs to know).
    public var hasWaiter: Bool {
        state.withLock { $0.waiter != nil }
    }

    /// Wakes the waiting task, or the next one to wait.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.signalled = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: true)
    }

    /// Waits for a signal (true), or until `deadline` passes or the task is cancelled (false).
    /// One task waits at a time.
    @discardableResult
    public func wait(until deadline: ContinuousClock.Instant? = nil) async -> Bool {
        let id = state.withLock { state in
            state.lastId += 1
            return state.lastId
        }
        let timer = deadline.map { deadline in
            Task { [self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                end(id)
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Decided under the lock the timer and `onCancel` take, so neither can be missed.
                let now: Bool? = state.withLock { state in
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    if Task.isCancelled || deadline.map({ $0 <= .now }) == true { return false }
                    precondition(state.waiter == nil, "AsyncWakeup takes one waiter at a time")
                    state.waiter = (id, continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            end(id)
        }
    }

    /// Ends wait `id` without a signal, if it is still waiting.
    private func end(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: false)
    }
}
