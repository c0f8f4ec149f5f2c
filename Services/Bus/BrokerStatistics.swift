import Contracts
import Synchronization

/// What one broker last published about itself, read by `bus.Status` on any broker's thread.
final class BrokerStatistics: Sendable {
    /// The broker's counters and workers at the end of its last loop turn that changed them.
    struct Snapshot: Sendable {
        var workers:
            [(instance: String, credit: Int, inFlight: Int, lastHeard: ContinuousClock.Instant, dispatched: Int64)] = []
        var queueDepth = 0
        var dispatched: Int64 = 0
        var answered: Int64 = 0
        var expiredInQueue: Int64 = 0
        var lostWithWorker: Int64 = 0
        var rejectedQueueFull: Int64 = 0
    }

    let service: String
    private let snapshot = Mutex(Snapshot())

    init(service: String) { self.service = service }

    func publish(_ value: Snapshot) {
        snapshot.withLock { $0 = value }
    }

    /// The wire form, with "last heard" measured now.
    func status(now: ContinuousClock.Instant = .now) -> BusServiceStatus {
        let value = snapshot.withLock { $0 }
        let workers = value.workers.map { worker in
            BusWorkerStatus(
                instance: worker.instance, credit: worker.credit, inFlight: worker.inFlight,
                lastHeardMsAgo: max(0, Int64((now - worker.lastHeard) / .milliseconds(1))),
                dispatched: worker.dispatched)
        }.sorted { $0.instance < $1.instance }
        return BusServiceStatus(
            service: service, workers: workers, queueDepth: value.queueDepth, dispatched: value.dispatched,
            answered: value.answered, expiredInQueue: value.expiredInQueue, lostWithWorker: value.lostWithWorker,
            rejectedQueueFull: value.rejectedQueueFull)
    }
}
