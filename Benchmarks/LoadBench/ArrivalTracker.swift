import BenchmarkSupport
import Contracts
import Foundation
import Synchronization
import Transport
import Wire
import ZeroMQ

/// When each request's first offer and first contact were seen on the bus's event stream: a SUB
/// socket on its own thread, so a busy benchmark process never delays the timestamps it takes.
final class ArrivalTracker: Sendable {
    /// The first time (monotonic nanoseconds) each kind of event arrived, by request id.
    struct Arrivals: Sendable {
        var offered: [String: UInt64] = [:]
        var contacted: [String: UInt64] = [:]
        var eventsSeen = 0
    }

    private let arrivals = Mutex(Arrivals())
    private let stopping = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)
    private let context: ZeroMQ.Context
    private let endpoint: String

    init(context: ZeroMQ.Context, endpoint: String) {
        self.context = context
        self.endpoint = endpoint
    }

    /// Starts the receiving thread, subscribed to opportunities' opportunity changes and
    /// broadcast's contacts, and returns once it is subscribed. The socket lives and dies on
    /// that thread: ZeroMQ sockets are not to be shared.
    func start() async throws {
        let opened = Mutex<Result<Void, any Error>?>(nil)
        let thread = Thread { [self] in
            let socket: Socket
            do {
                socket = try Socket(context: context, type: .sub)
                try socket.setReceiveTimeout(ms: 100)
                try socket.setReceiveHighWaterMark(0)  // count every event: a dropped one would skew the tail
                try socket.subscribe(prefix: "\(Opportunities.service).\(Opportunities.EventType.opportunityChanged)")
                try socket.subscribe(prefix: "\(Broadcast.service).\(Broadcast.EventType.contactSent)")
                try socket.connect(endpoint)
                opened.withLock { $0 = .success(()) }
            } catch {
                opened.withLock { $0 = .failure(error) }
                finished.withLock { $0 = true }
                return
            }
            while !stopping.load(ordering: .relaxed) {
                guard let frames = try? socket.receive(), frames.count == 2 else { continue }
                let now = nowNanos()
                guard case .success(let json) = LengthPrefixedFrame.decode(frames[1], maxMessageBytes: Int.max),
                    let event = try? WireCoding.decode(Event.self, from: json),
                    let requestId = event.data["requestId"]?.stringValue
                else { continue }
                arrivals.withLock { seen in
                    seen.eventsSeen += 1
                    if event.type == Broadcast.EventType.contactSent {
                        if seen.contacted[requestId] == nil { seen.contacted[requestId] = now }
                    } else if event.data["to"]?.stringValue == OpportunityState.offered.rawValue,
                        seen.offered[requestId] == nil
                    {
                        seen.offered[requestId] = now
                    }
                }
            }
            socket.close(lingerMs: 0)
            finished.withLock { $0 = true }
        }
        thread.name = "load-bench-events"
        thread.start()
        while true {
            if let result = opened.withLock({ $0 }) { return try result.get() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// What has arrived so far.
    var snapshot: Arrivals { arrivals.withLock { $0 } }

    /// Stops the thread and waits for it to close its socket.
    func stop() async {
        stopping.store(true, ordering: .relaxed)
        while !finished.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
