import Foundation
import Transport
import Wire

/// The bus's own methods, answered by `octoo-bus` itself on every service's client port.
public enum BusMethods {
    /// `bus.Status`: per service, its workers, queue and counters.
    public static let status = MethodDescriptor<Empty, BusStatusResponse>(
        "bus.Status", idempotent: true, roles: nil,
        summary: "Per service: connected workers (instance, credit, in flight, last heard), queue depth and counters.",
        request: JSONSchema.empty, response: BusStatusResponse.schema)
}

/// The reply of `bus.Status`.
public struct BusStatusResponse: Codable, Sendable, Equatable {
    /// The bus process's instance name.
    public var instance: String
    public var uptimeSeconds: Int64
    /// One entry per service, in port order.
    public var services: [BusServiceStatus]

    public init(instance: String, uptimeSeconds: Int64, services: [BusServiceStatus]) {
        self.instance = instance
        self.uptimeSeconds = uptimeSeconds
        self.services = services
    }

    static let schema = JSONSchema.object(
        [
            "instance": JSONSchema.string(description: "The bus process's instance name."),
            "uptimeSeconds": JSONSchema.integer(minimum: 0, description: "Seconds since the bus started."),
            "services": JSONSchema.array(
                of: BusServiceStatus.schema, description: "One entry per service, in port order."),
        ], required: ["instance", "uptimeSeconds", "services"])
}

/// One service's side of the broker.
public struct BusServiceStatus: Codable, Sendable, Equatable {
    public var service: String
    public var workers: [BusWorkerStatus]
    /// Requests waiting at the bus for a worker with free credit.
    public var queueDepth: Int
    /// Requests handed to a worker.
    public var dispatched: Int64
    /// Replies passed back to clients.
    public var answered: Int64
    /// Requests answered `DEADLINE_EXCEEDED` by the bus, never dispatched.
    public var expiredInQueue: Int64
    /// Requests answered `UNKNOWN` because their worker was lost.
    public var lostWithWorker: Int64
    /// Requests refused with `RESOURCE_EXHAUSTED` because the queue was full.
    public var rejectedQueueFull: Int64

    public init(
        service: String, workers: [BusWorkerStatus] = [], queueDepth: Int = 0, dispatched: Int64 = 0,
        answered: Int64 = 0, expiredInQueue: Int64 = 0, lostWithWorker: Int64 = 0, rejectedQueueFull: Int64 = 0
    ) {
        self.service = service
        self.workers = workers
        self.queueDepth = queueDepth
        self.dispatched = dispatched
        self.answered = answered
        self.expiredInQueue = expiredInQueue
        self.lostWithWorker = lostWithWorker
        self.rejectedQueueFull = rejectedQueueFull
    }

    static let schema = JSONSchema.object(
        [
            "service": JSONSchema.string(description: "The service's name, e.g. matching."),
            "workers": JSONSchema.array(
                of: BusWorkerStatus.schema, description: "The service's workers connected to the bus now."),
            "queueDepth": JSONSchema.integer(
                minimum: 0, description: "Requests waiting at the bus for a worker with free credit."),
            "dispatched": JSONSchema.integer(minimum: 0, description: "Requests handed to a worker."),
            "answered": JSONSchema.integer(minimum: 0, description: "Replies passed back to clients."),
            "expiredInQueue": JSONSchema.integer(
                minimum: 0, description: "Requests answered DEADLINE_EXCEEDED by the bus, never dispatched."),
            "lostWithWorker": JSONSchema.integer(
                minimum: 0, description: "Requests answered UNKNOWN because their worker was lost."),
            "rejectedQueueFull": JSONSchema.integer(
                minimum: 0, description: "Requests refused with RESOURCE_EXHAUSTED because the queue was full."),
        ],
        required: [
            "service", "workers", "queueDepth", "dispatched", "answered", "expiredInQueue", "lostWithWorker",
            "rejectedQueueFull",
        ])
}

/// One worker as the bus sees it.
public struct BusWorkerStatus: Codable, Sendable, Equatable {
    public var instance: String
    public var credit: Int
    public var inFlight: Int
    /// Milliseconds since the bus last heard from it (any message counts as a heartbeat).
    public var lastHeardMsAgo: Int64
    /// Requests handed to it since it last announced itself (absent from a bus that predates it).
    public var dispatched: Int64?

    public init(instance: String, credit: Int, inFlight: Int, lastHeardMsAgo: Int64, dispatched: Int64? = nil) {
        self.instance = instance
        self.credit = credit
        self.inFlight = inFlight
        self.lastHeardMsAgo = lastHeardMsAgo
        self.dispatched = dispatched
    }

    static let schema = JSONSchema.object(
        [
            "instance": JSONSchema.string(description: "The worker's instance name, as it announced itself."),
            "credit": JSONSchema.integer(
                minimum: 0, description: "Requests the worker said it can take at once (0: it takes none now)."),
            "inFlight": JSONSchema.integer(minimum: 0, description: "Requests handed to it and not answered yet."),
            "lastHeardMsAgo": JSONSchema.integer(
                minimum: 0,
                description: "Milliseconds since the bus last heard from it (any message counts as a heartbeat)."),
            "dispatched": JSONSchema.integer(
                minimum: 0,
                description: "Requests handed to it since it last announced itself (absent from a bus "
                    + "that predates it)."),
        ], required: ["instance", "credit", "inFlight", "lastHeardMsAgo"])
}

extension RPCClient {
    /// `bus.Status`, answered by the bus itself on this client's port.
    public func busStatus(options: CallOptions? = nil) async throws(RPCError) -> BusStatusResponse {
        try await call(BusMethods.status, Empty(), actor: nil, options: options)
    }
}
