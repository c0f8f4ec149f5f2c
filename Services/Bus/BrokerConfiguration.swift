import Transport
import Wire

/// How the broker treats requests and workers.
public struct BrokerConfiguration: Sendable, Equatable {
    /// How often the bus sends each worker a heartbeat.
    public var heartbeatInterval: Duration
    /// Intervals of silence after which a worker is taken for gone.
    public var liveness: Int
    /// Requests that may wait per service for a worker; past it, `RESOURCE_EXHAUSTED`.
    public var queueLimit: Int
    /// Bytes of payload that may wait per service; past it, `RESOURCE_EXHAUSTED`.
    public var queueByteLimit: Int
    /// How long a request without `deadlineMs` may wait for a worker.
    public var maxQueueWait: Duration
    /// PROTOCOL §2's limit on `N`; larger requests are refused by the bus itself.
    public var maxMessageBytes: Int
    /// Messages libzmq queues per peer and direction.
    public var highWaterMark: Int32
    /// How long a stopping bus waits for replies to requests already dispatched.
    public var drainTimeout: Duration
    /// The most credit one worker is given, whatever it announces: a worker claiming a huge
    /// credit cannot draw every request to itself.
    public var maxWorkerCredit: Int

    public init(
        heartbeatInterval: Duration = WorkerProtocol.defaultHeartbeatInterval,
        liveness: Int = WorkerProtocol.defaultLiveness, queueLimit: Int = 1000, queueByteLimit: Int = 64 << 20,
        maxQueueWait: Duration = .seconds(60), maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes,
        highWaterMark: Int32 = 1000, drainTimeout: Duration = .seconds(2), maxWorkerCredit: Int = 256
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.queueLimit = queueLimit
        self.queueByteLimit = queueByteLimit
        self.maxQueueWait = maxQueueWait
        self.maxMessageBytes = maxMessageBytes
        self.highWaterMark = highWaterMark
        self.drainTimeout = drainTimeout
        self.maxWorkerCredit = maxWorkerCredit
    }

    /// How long a worker may stay silent.
    var workerTimeout: Duration { heartbeatInterval * liveness }

    /// The largest message libzmq accepts at all: room for an over-limit request that the bus
    /// still answers properly (`RESOURCE_EXHAUSTED`); a peer sending more is disconnected.
    var socketMessageLimit: Int64 { LengthPrefixedFrame.socketLimit(maxMessageBytes: maxMessageBytes) }
}
