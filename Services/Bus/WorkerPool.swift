/// The workers of one service as the broker sees them: their credit, what they hold, when they
/// were last heard from. Pure bookkeeping, so the choice of worker is tested without sockets.
struct WorkerPool {
    /// One connected, announced worker.
    struct Worker: Equatable {
        /// Its routing id on the back ROUTER.
        let routingId: [UInt8]
        var instance: String
        /// How many requests it takes at once (0: draining).
        var credit: Int
        /// Requests dispatched to it and not yet answered.
        var inFlight = 0
        var lastHeard: ContinuousClock.Instant
        /// When it was last given a request (a counter, for least-recently-used ties).
        var lastDispatch: UInt64 = 0
        /// Its queue on our side was full at the last send: skipped until it is heard from again.
        var blocked = false

        /// Credit not taken by requests in flight.
        var freeCredit: Int { max(0, credit - inFlight) }
    }

    private(set) var workers: [[UInt8]: Worker] = [:]
    private var dispatchCounter: UInt64 = 0

    /// Whether any worker could take a request now.
    var hasFreeCredit: Bool { workers.values.contains { $0.freeCredit > 0 && !$0.blocked } }

    subscript(routingId: [UInt8]) -> Worker? { workers[routingId] }

    /// Registers (or re-registers) a worker that sent `READY`.
    mutating func ready(routingId: [UInt8], instance: String, credit: Int, now: ContinuousClock.Instant) {
        workers[routingId] = Worker(routingId: routingId, instance: instance, credit: credit, lastHeard: now)
    }

    /// Notes that the worker was heard from (any message counts as a heartbeat).
    mutating func heard(_ routingId: [UInt8], now: ContinuousClock.Instant) {
        workers[routingId]?.lastHeard = now
        workers[routingId]?.blocked = false
    }

    /// Sets a worker's credit (`CREDIT`).
    mutating func setCredit(_ routingId: [UInt8], _ credit: Int) {
        workers[routingId]?.credit = credit
    }

    /// The worker to give the next request: the most free credit, least recently used on ties;
    /// nil when nobody has free credit.
    func choose() -> [UInt8]? {
        var best: Worker?
        for worker in workers.values where worker.freeCredit > 0 && !worker.blocked {
            guard let current = best else {
                best = worker
                continue
            }
            if worker.freeCredit > current.freeCredit
                || (worker.freeCredit == current.freeCredit && worker.lastDispatch < current.lastDispatch)
            {
                best = worker
            }
        }
        return best?.routingId
    }

    /// Records a request handed to `routingId`.
    mutating func dispatched(to routingId: [UInt8]) {
        dispatchCounter += 1
        workers[routingId]?.inFlight += 1
        workers[routingId]?.lastDispatch = dispatchCounter
    }

    /// Records a reply from `routingId`.
    mutating func completed(by routingId: [UInt8]) {
        if let inFlight = workers[routingId]?.inFlight, inFlight > 0 { workers[routingId]?.inFlight = inFlight - 1 }
    }

    /// Marks a worker whose queue was full, so it is skipped until heard from again.
    mutating func block(_ routingId: [UInt8]) {
        workers[routingId]?.blocked = true
    }

    /// Forgets a worker; returns it if it was known.
    @discardableResult
    mutating func remove(_ routingId: [UInt8]) -> Worker? {
        workers.removeValue(forKey: routingId)
    }

    /// Workers not heard from since `cutoff`.
    func silent(since cutoff: ContinuousClock.Instant) -> [[UInt8]] {
        workers.values.filter { $0.lastHeard < cutoff }.map(\.routingId)
    }
}
