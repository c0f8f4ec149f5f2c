import Foundation

/// The methods every service has (PROTOCOL §5): part of the protocol itself, so they live here.
public enum CommonMethods {
    /// `<svc>.Health`.
    public static func health(_ service: String) -> MethodDescriptor<Empty, HealthResponse> {
        MethodDescriptor(
            "\(service).Health", idempotent: true, roles: nil,
            summary: "Whether the service is serving, its instance, version, uptime and, per source it consumes, "
                + "how far it has applied events.",
            request: JSONSchema.empty, response: HealthResponse.schema)
    }

    /// `<svc>.Describe`.
    public static func describe(_ service: String) -> MethodDescriptor<Empty, DescribeResponse> {
        MethodDescriptor(
            "\(service).Describe", idempotent: true, roles: nil,
            summary: "Every method the service answers, with its roles and JSON Schemas.",
            request: JSONSchema.empty, response: DescribeResponse.schema)
    }

    /// `<svc>.ReadEvents`.
    public static func readEvents(_ service: String) -> MethodDescriptor<ReadEventsRequest, ReadEventsResponse> {
        MethodDescriptor(
            "\(service).ReadEvents", idempotent: true, roles: [.service, .partner],
            summary: "The service's own events after a seq, in seq order, a page at most a message long, for catch-up "
                + "(a partner sees only its own).",
            request: ReadEventsRequest.schema, response: ReadEventsResponse.schema)
    }

    /// What `Describe` lists of the common methods of `service`, itself included.
    public static func catalogue(_ service: String) -> [MethodInfo] {
        [
            MethodInfo(health(service)), MethodInfo(describe(service)), MethodInfo(readEvents(service)),
            MethodInfo(setClock(service)),
        ]
    }

    /// `<svc>.SetClock`.
    public static func setClock(_ service: String) -> MethodDescriptor<SetClockRequest, SetClockResponse> {
        MethodDescriptor(
            "\(service).SetClock", idempotent: true, roles: [.service, .partner],
            summary: "Moves the service's clock (only with --manual-clock) and fires every timer that falls due.",
            request: SetClockRequest.schema, response: SetClockResponse.schema)
    }
}

/// The reply of `Health`.
public struct HealthResponse: Codable, Sendable, Equatable {
    public enum ServingStatus: String, Codable, Sendable {
        case serving = "SERVING"
        case notServing = "NOT_SERVING"
    }

    public var status: ServingStatus
    public var service: String
    public var instance: String
    public var version: String
    public var uptimeSeconds: Int64
    /// Per source the service consumes, how far it has applied (absent when it consumes none).
    public var events: [EventSourceHealth]?

    public init(
        status: ServingStatus, service: String, instance: String, version: String, uptimeSeconds: Int64,
        events: [EventSourceHealth]? = nil
    ) {
        self.status = status
        self.service = service
        self.instance = instance
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.events = events
    }

    static let schema = JSONSchema.object(
        [
            "status": JSONSchema.string(values: ["SERVING", "NOT_SERVING"]),
            "service": JSONSchema.string(),
            "instance": JSONSchema.string(),
            "version": JSONSchema.string(),
            "uptimeSeconds": JSONSchema.integer(minimum: 0),
            "events": JSONSchema.array(of: EventSourceHealth.schema),
        ], required: ["status", "service", "instance", "version", "uptimeSeconds"])
}

/// Where a consumer stands with one source's events.
public enum EventSourceState: String, Codable, Sendable, CaseIterable {
    /// Everything the source reported so far is applied.
    case current
    /// Behind, and reading the source's `ReadEvents` (after a start, a gap or a failed attempt).
    case catchingUp
    /// An event fails to apply; it is retried with backoff and nothing after it is applied.
    case failing
    /// The source's events were replaced (a new epoch, or `seq`s rewound) and the consumer cannot
    /// rebuild from them: it applies nothing more from that source.
    case dataLoss
}

/// One source as `Health` reports it.
public struct EventSourceHealth: Codable, Sendable, Equatable {
    public var source: String
    /// The last `seq` applied.
    public var appliedSeq: Int64
    /// The source's outbox epoch those `seq`s belong to, once known.
    public var epoch: String?
    public var state: EventSourceState
    /// The `seq` that does not apply, while `failing`.
    public var failingSeq: Int64?
    /// Why the source is not `current`, when known.
    public var error: String?

    public init(
        source: String, appliedSeq: Int64, epoch: String?, state: EventSourceState, failingSeq: Int64? = nil,
        error: String? = nil
    ) {
        self.source = source
        self.appliedSeq = appliedSeq
        self.epoch = epoch
        self.state = state
        self.failingSeq = failingSeq
        self.error = error
    }

    static let schema = JSONSchema.object(
        [
            "source": JSONSchema.string(),
            "appliedSeq": JSONSchema.integer(minimum: 0),
            "epoch": JSONSchema.string(),
            "state": JSONSchema.string(values: EventSourceState.allCases.map(\.rawValue)),
            "failingSeq": JSONSchema.integer(minimum: 1),
            "error": JSONSchema.string(),
        ], required: ["source", "appliedSeq", "state"])
}

/// One method as `Describe` lists it.
public struct MethodInfo: Codable, Sendable, Equatable {
    public var name: String
    public var idempotent: Bool
    /// Roles allowed; empty when no actor is needed.
    public var roles: [String]
    public var summary: String
    public var request: JSONValue
    public var response: JSONValue

    public init<Request, Response>(_ descriptor: MethodDescriptor<Request, Response>) {
        name = descriptor.name
        idempotent = descriptor.idempotent
        roles = (descriptor.roles ?? []).map(\.rawValue).sorted()
        summary = descriptor.summary
        request = descriptor.requestSchema
        response = descriptor.responseSchema
    }
}

/// The reply of `Describe`.
public struct DescribeResponse: Codable, Sendable, Equatable {
    public var service: String
    public var protocolVersion: Int
    public var methods: [MethodInfo]

    public init(service: String, protocolVersion: Int, methods: [MethodInfo]) {
        self.service = service
        self.protocolVersion = protocolVersion
        self.methods = methods
    }

    /// The protocol version this build speaks (PROTOCOL.md: bump on any incompatible change).
    public static let currentProtocolVersion = 1

    static let schema = JSONSchema.object(
        [
            "service": JSONSchema.string(),
            "protocolVersion": JSONSchema.integer(minimum: 1),
            "methods": JSONSchema.array(
                of: JSONSchema.object(
                    [
                        "name": JSONSchema.string(), "idempotent": JSONSchema.boolean,
                        "roles": JSONSchema.array(of: JSONSchema.string(values: Actor.Role.allCases.map(\.rawValue))),
                        "summary": JSONSchema.string(), "request": JSONSchema.any, "response": JSONSchema.any,
                    ], required: ["name", "idempotent", "roles", "summary", "request", "response"])),
        ], required: ["service", "protocolVersion", "methods"])
}

/// The request of `ReadEvents`.
public struct ReadEventsRequest: Codable, Sendable, Equatable {
    /// Most events one page may hold.
    public static let maxLimit = 1000

    public var afterSeq: Int64
    public var limit: Int

    public init(afterSeq: Int64 = 0, limit: Int = 500) {
        self.afterSeq = afterSeq
        self.limit = limit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        afterSeq = try container.decodeIfPresent(Int64.self, forKey: .afterSeq) ?? 0
        limit = try container.decodeIfPresent(Int.self, forKey: .limit) ?? 500
    }

    /// Field violations, if any.
    public func validate() throws(RPCError) {
        if afterSeq < 0 { throw .invalidArgument(field: "body.afterSeq", "must be 0 or more") }
        if limit < 1 || limit > Self.maxLimit {
            throw .invalidArgument(field: "body.limit", "must be from 1 to \(Self.maxLimit)")
        }
    }

    static let schema = JSONSchema.object([
        "afterSeq": JSONSchema.integer(minimum: 0, description: "return events with seq greater than this (default 0)"),
        "limit": JSONSchema.integer(minimum: 1, maximum: Int64(maxLimit), description: "default 500"),
    ])
}

/// The reply of `ReadEvents`.
public struct ReadEventsResponse: Codable, Sendable, Equatable {
    public var events: [Event]
    /// The source's highest seq (for a partner, of its own events), so a reader knows whether
    /// more remain.
    public var lastSeq: Int64
    /// The source's outbox epoch (absent from sources that predate epochs).
    public var epoch: String?

    public init(events: [Event], lastSeq: Int64, epoch: String? = nil) {
        self.events = events
        self.lastSeq = lastSeq
        self.epoch = epoch
    }

    /// Bytes a reply keeps free for its envelope (`id`, `status`) and its own fields, below the
    /// service's largest message, when it pages events by size.
    public static func eventBytes(maxMessageBytes: Int) -> Int {
        maxMessageBytes - min(4096, maxMessageBytes / 4)
    }

    static let schema = JSONSchema.object(
        [
            "events": JSONSchema.array(
                of: JSONSchema.object(
                    [
                        "source": JSONSchema.string(), "seq": JSONSchema.integer(minimum: 1),
                        "type": JSONSchema.string(),
                        "occurredAt": JSONSchema.timestamp, "partnerId": JSONSchema.string(), "data": JSONSchema.any,
                        "epoch": JSONSchema.string(description: "the source's outbox epoch"),
                    ], required: ["source", "seq", "type", "occurredAt", "data"])),
            "lastSeq": JSONSchema.integer(minimum: 0, description: "the last seq (for a partner, of its own events)"),
            "epoch": JSONSchema.string(description: "the source's outbox epoch: a new one means seqs started again"),
        ], required: ["events", "lastSeq"])
}

/// The request of `SetClock`.
public struct SetClockRequest: Codable, Sendable, Equatable {
    public var now: Date
    public init(now: Date) { self.now = now }
    static let schema = JSONSchema.object(["now": JSONSchema.timestamp], required: ["now"])
}

/// The reply of `SetClock`.
public struct SetClockResponse: Codable, Sendable, Equatable {
    public var now: Date
    public init(now: Date) { self.now = now }
    static let schema = JSONSchema.object(["now": JSONSchema.timestamp], required: ["now"])
}
