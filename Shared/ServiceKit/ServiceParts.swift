import ServiceLifecycle
import Transport

/// A bus worker once put together from its environment: everything in it is made once and
/// shared by its routes, its event handling and its background work.
public struct ServiceParts: Sendable {
    /// Registers the domain methods.
    public var routes: @Sendable (inout RPCRouter) -> Void
    /// The events it consumes and how it applies them (nil: it consumes none).
    public var events: EventHandling?
    /// Long-running work beside the RPC server (durable timers, schedulers): plain `Service`s,
    /// started after the server and stopped before it, each ending on graceful shutdown and on
    /// cancellation.
    public var background: [any Service]

    public init(
        routes: @escaping @Sendable (inout RPCRouter) -> Void, events: EventHandling? = nil,
        background: [any Service] = []
    ) {
        self.routes = routes
        self.events = events
        self.background = background
    }
}

/// The other services whose events a process consumes, and how it applies one.
public struct EventHandling: Sendable {
    /// The services it consumes events of.
    public var sources: [String]
    /// Applies one event in the subscriber's transaction, with the checkpoint.
    public var apply: EventSubscriber.Apply
    /// Forgets what was applied from a source (named by the second argument) so its events can be
    /// applied again from `seq` 1, in the transaction that resets the checkpoint: used when the
    /// source's `seq`s were reused (a new outbox epoch, or a rewound source). Without it such a
    /// source is reported `dataLoss` and no longer applied.
    public var reset: EventSubscriber.Reset?

    public init(sources: [String], reset: EventSubscriber.Reset? = nil, apply: @escaping EventSubscriber.Apply) {
        self.sources = sources
        self.apply = apply
        self.reset = reset
    }
}
