import ZeroMQ

/// A peer's routing id on a ROUTER, held without a heap allocation when it is short (libzmq's
/// own ids are 5 bytes), so looking a worker up costs no more than hashing two integers.
struct RoutingId: Hashable {
    private var head: UInt64 = 0
    private var tail: UInt64 = 0
    private var count: Int = 0
    /// Ids longer than 16 bytes (chosen by the peer) are kept whole.
    private var long: [UInt8]?

    init(_ bytes: UnsafeRawBufferPointer) {
        count = bytes.count
        if bytes.count > 16 {
            long = Array(bytes)
            return
        }
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                head |= UInt64(byte) << (8 * UInt64(index))
            } else {
                tail |= UInt64(byte) << (8 * UInt64(index - 8))
            }
        }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { RoutingId($0) }
    }

    /// The id as a frame, to address the peer.
    var frame: Message {
        if let long { return Message(long) }
        var words = (head, tail)
        return withUnsafeBytes(of: &words) { Message($0.prefix(count)) }
    }
}

extension RoutingId: ExpressibleByArrayLiteral {
    init(arrayLiteral elements: UInt8...) { self.init(elements) }
}

/// The workers of one service as the broker sees them: their credit, what they hold, when they
/// were last heard from. Pure bookkeeping, so the choice of worker is tested without sockets.
struct WorkerPool {
    /// One connected, announced worker.
    struct Worker: Equatable {
        /// Its routing id on the back ROUTER.
        let routingId: RoutingId
        var instance: String
        /// How many requests it takes at once (0: draining).
        var credit: Int
        /// Requests dispatched to it and not yet answered.
        var inFlight = 0
        var lastHeard: ContinuousClock.Instant
        /// When it was last given a request (a counter, for least-recently-used ties).
        var lastDispatch: UInt64 = 0
        /// Requests handed to it since it announced itself (`bus.Status` shows how work is shared).
        var dispatched: Int64 = 0
        /// Its queue on our side was full at the last send: skipped until it is heard from again.
        var blocked = false

        /// Credit not taken by requests in flight.
        var freeCredit: Int { max(0, credit - inFlight) }
    }

    private(set) var workers: [RoutingId: Worker] = [:]
    private var dispatchCounter: UInt64 = 0

    /// Whether any worker could take a request now.
    var hasFreeCredit: Bool { workers.values.contains { $0.freeCredit > 0 && !$0.blocked } }

    subscript(routingId: RoutingId) -> Worker? { workers[routingId] }

    /// Registers (or re-registers) a worker that sent `READY`.
    mutating func ready(routingId: RoutingId, instance: String, credit: Int, now: ContinuousClock.Instant) {
        workers[routingId] = Worker(routingId: routingId, instance: instance, credit: credit, lastHeard: now)
    }

    /// Notes that the worker was heard from (any message counts as a heartbeat).
    mutating func heard(_ routingId: RoutingId, now: ContinuousClock.Instant) {
        workers[routingId]?.lastHeard = now
        workers[routingId]?.blocked = false
    }

    /// Sets a worker's credit (`CREDIT`).
    mutating func setCredit(_ routingId: RoutingId, _ credit: Int) {
        workers[routingId]?.credit = credit
    }

    /// The worker to give the next request: the most free credit, least recently used on ties;
    /// nil when nobody has free credit.
    func choose() -> RoutingId? {
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
    mutating func dispatched(to routingId: RoutingId) {
        dispatchCounter += 1
        workers[routingId]?.inFlight += 1
        workers[routingId]?.lastDispatch = dispatchCounter
        workers[routingId]?.dispatched += 1
    }

    /// Records a reply from `routingId`.
    mutating func completed(by routingId: RoutingId) {
        if let inFlight = workers[routingId]?.inFlight, inFlight > 0 { workers[routingId]?.inFlight = inFlight - 1 }
    }

    /// Marks a worker whose queue was full, so it is skipped until heard from again.
    mutating func block(_ routingId: RoutingId) {
        workers[routingId]?.blocked = true
    }

    /// Forgets a worker; returns it if it was known.
    @discardableResult
    mutating func remove(_ routingId: RoutingId) -> Worker? {
        workers.removeValue(forKey: routingId)
    }

    /// Workers not heard from since `cutoff`.
    func silent(since cutoff: ContinuousClock.Instant) -> [RoutingId] {
        workers.values.filter { $0.lastHeard < cutoff }.map(\.routingId)
    }
}
