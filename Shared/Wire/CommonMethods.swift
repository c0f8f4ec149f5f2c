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
            "\(service).SetClock", idempotent: true, roles: [.service],
            summary: "Moves the service's clock (only with --manual-clock), for every tenant at once, and fires every "
                + "timer that falls due; the service role only.",
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
    /// The service's time, on the clock it runs on (absent from services that predate it).
    public var now: Date?
    /// `manual` when started with `--manual-clock` (`SetClock` moves it), else `system`.
    public var clock: ClockKind?

    /// Which clock a service runs on.
    public enum ClockKind: String, Codable, Sendable, CaseIterable {
        case system, manual
    }

    public init(
        status: ServingStatus, service: String, instance: String, version: String, uptimeSeconds: Int64,
        events: [EventSourceHealth]? = nil, now: Date? = nil, clock: ClockKind? = nil
    ) {
        self.status = status
        self.service = service
        self.instance = instance
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.events = events
        self.now = now
        self.clock = clock
    }

    static let schema = JSONSchema.object(
        [
            "status": JSONSchema.string(
                values: ["SERVING", "NOT_SERVING"],
                description: "NOT_SERVING once shutdown begins, or while a source it consumes is failing or in "
                    + "dataLoss; SERVING otherwise."),
            "service": JSONSchema.string(description: "The service's name, e.g. registry."),
            "instance": JSONSchema.string(description: "The instance that answered, e.g. matching-1."),
            "version": JSONSchema.string(description: "The version of the build the instance runs."),
            "uptimeSeconds": JSONSchema.integer(minimum: 0, description: "Seconds since the instance started."),
            "events": JSONSchema.array(
                of: EventSourceHealth.schema,
                description: "Per source whose events the service consumes, how far it has applied them; absent "
                    + "when it consumes none."),
            "now": JSONSchema.timestamp(
                description: "The service's time on its clock: where SetClock last moved a manual clock."),
            "clock": JSONSchema.string(
                values: ClockKind.allCases.map(\.rawValue),
                description: "manual when the service was started with --manual-clock (SetClock moves it), else "
                    + "system."),
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
            "source": JSONSchema.string(description: "The service whose events these are, e.g. registry."),
            "appliedSeq": JSONSchema.integer(minimum: 0, description: "The last seq applied (0: none yet)."),
            "epoch": JSONSchema.string(description: "The source's outbox epoch those seqs belong to, once known."),
            "state": JSONSchema.string(
                values: EventSourceState.allCases.map(\.rawValue),
                description: "current: everything reported is applied; catchingUp: reading the source's ReadEvents "
                    + "(after a start, a gap or a failed attempt); failing: an event does not apply and is retried "
                    + "with backoff, nothing after it applied; dataLoss: the source's events were replaced and "
                    + "nothing more is applied from it."),
            "failingSeq": JSONSchema.integer(minimum: 1, description: "While failing: the seq that does not apply."),
            "error": JSONSchema.string(description: "Why the source is not current, when known."),
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
            "service": JSONSchema.string(description: "The service's name, e.g. registry."),
            "protocolVersion": JSONSchema.integer(
                minimum: 1,
                description: "The wire protocol version the service speaks (1); bumped only by an "
                    + "incompatible change."),
            "methods": JSONSchema.array(
                of: JSONSchema.object(
                    [
                        "name": JSONSchema.string(
                            description: "The service's name, a dot, the method's, e.g. registry.Health."),
                        "idempotent": JSONSchema.boolean(
                            description: "True when calling it twice has the same effect as once: a client may "
                                + "retry it."),
                        "roles": JSONSchema.array(
                            of: JSONSchema.string(values: Actor.Role.allCases.map(\.rawValue)),
                            description: "The actor roles that may call it; empty when no actor is needed."),
                        "summary": JSONSchema.string(description: "What the method does, in one line."),
                        "request": JSONSchema.any(description: "The JSON Schema of its request body."),
                        "response": JSONSchema.any(description: "The JSON Schema of its reply body."),
                    ], required: ["name", "idempotent", "roles", "summary", "request", "response"]),
                description: "Every method the service answers, Describe included, by name."),
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
        "afterSeq": JSONSchema.integer(
            minimum: 0, description: "Return the events with a seq greater than this (default 0: from the first)."),
        "limit": JSONSchema.integer(
            minimum: 1, maximum: Int64(maxLimit),
            description: "Most events in the page (default 500); a page also ends before the reply outgrows one "
                + "message."),
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
                        "source": JSONSchema.string(description: "The service that published it."),
                        "seq": JSONSchema.integer(
                            minimum: 1,
                            description: "Its place in the source's outbox: from 1, up by exactly 1 per "
                                + "event; comparable only within one epoch."),
                        "type": JSONSchema.string(
                            description:
                                "What happened, e.g. opportunity.changed (its topic: the source, a dot, the type)."),
                        "occurredAt": JSONSchema.timestamp(
                            description: "When the change was committed, on the source's clock."),
                        "partnerId": JSONSchema.string(
                            description: "The tenant the change belongs to (absent for system events)."),
                        "data": JSONSchema.any(description: "The event's own fields, as its type defines them."),
                        "epoch": JSONSchema.string(description: "The source's outbox epoch."),
                    ], required: ["source", "seq", "type", "occurredAt", "data"]),
                description: "The events after afterSeq, in seq order (a partner gets its own tenant's only)."),
            "lastSeq": JSONSchema.integer(
                minimum: 0,
                description: "The source's highest seq (for a partner, of its own events), so a reader "
                    + "knows whether more remain."),
            "epoch": JSONSchema.string(
                description: "The source's outbox epoch: a new one means a new outbox whose seqs start again (absent "
                    + "from sources that predate epochs)."),
        ], required: ["events", "lastSeq"])
}

/// The request of `SetClock`.
public struct SetClockRequest: Codable, Sendable, Equatable {
    public var now: Date
    public init(now: Date) { self.now = now }
    static let schema = JSONSchema.object(
        [
            "now": JSONSchema.timestamp(
                description: "The time to move the service's clock to; not before its current time.")
        ], required: ["now"])
}

/// The reply of `SetClock`.
public struct SetClockResponse: Codable, Sendable, Equatable {
    public var now: Date
    public init(now: Date) { self.now = now }
    static let schema = JSONSchema.object(
        ["now": JSONSchema.timestamp(description: "The service's time once moved and every due timer fired.")],
        required: ["now"])
}
