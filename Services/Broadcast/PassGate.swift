/// One pass of the wave sender at a time: an asynchronous lock, handed to waiters in arrival
/// order. A waiter whose task is cancelled leaves the line at once, without the lock: a call
/// waiting for its pass (`Start`, `SetClock`…) ends at its deadline and gives its worker credit
/// back, rather than holding it until every pass before it is done.
actor PassGate {
    private var busy = false
    private var waiting: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextId: UInt64 = 0

    /// Takes the lock, waiting for it if needed; false, without it, once the task is cancelled.
    func lock() async -> Bool {
        guard !Task.isCancelled else { return false }
        guard busy else {
            busy = true
            return true
        }
        nextId += 1
        let id = nextId
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiting.append((id, $0)) }
        } onCancel: {
            // Runs on the actor after the waiter is in line, since `lock` holds it until then.
            Task { await self.leave(id) }
        }
    }

    /// Hands the lock to the next in line, or frees it.
    func unlock() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().continuation.resume(returning: true) }
    }

    /// How many wait for the lock.
    var waiters: Int { waiting.count }

    private func leave(_ id: UInt64) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(returning: false)
    }
}
