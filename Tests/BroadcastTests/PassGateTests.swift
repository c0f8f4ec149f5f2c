import OctooTesting
import Testing

@testable import BroadcastService

/// The wave sender's one-pass-at-a-time lock: arrival order, and a waiter cancelled (its
/// caller's deadline passed) leaving the line at once instead of holding its call, and so its
/// worker credit, until the passes before it end.
@Suite("Pass gate")
struct PassGateTests {
    /// Waits until `count` tasks wait for the gate.
    func waitForWaiters(_ gate: PassGate, _ count: Int) async throws {
        try await eventually("\(count) waiting for the gate") { await gate.waiters == count }
    }

    @Test(.timeLimit(.minutes(2)))
    func aCancelledWaiterLeavesWithoutTheLockAndTheNextGetsIt() async throws {
        let gate = PassGate()
        #expect(await gate.lock())
        let cancelled = Task { await gate.lock() }
        try await waitForWaiters(gate, 1)
        let next = Task { await gate.lock() }
        try await waitForWaiters(gate, 2)
        cancelled.cancel()
        // Answered while the first holder still has the lock.
        #expect(await cancelled.value == false)
        #expect(await gate.waiters == 1)
        await gate.unlock()
        #expect(await next.value == true)
        #expect(await gate.waiters == 0)
        // Already cancelled: no wait at all, even for a free lock.
        await gate.unlock()
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await gate.lock()
        }
        #expect(await late.value == false)
        #expect(await gate.lock())
    }
}
