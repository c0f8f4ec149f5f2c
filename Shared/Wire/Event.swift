import Foundation

/// An event as published on the bus and returned by `ReadEvents`: PROTOCOL §6.
public struct Event: Sendable, Equatable, Codable {
    /// The service that wrote it.
    public var source: String
    /// Per source, from 1, increasing by exactly 1.
    public var seq: Int64
    /// What happened, e.g. `opportunity.changed`.
    public var type: String
    /// When the change was committed, on the source's clock.
    public var occurredAt: Date
    /// The tenant the change belongs to (absent for system events).
    public var partnerId: String?
    /// The event's own fields.
    public var data: JSONValue
    /// The source's outbox epoch: a new one means a new outbox, whose `seq`s start again (absent
    /// from sources that predate epochs).
    public var epoch: String?

    public init(
        source: String, seq: Int64, type: String, occurredAt: Date, partnerId: String?, data: JSONValue,
        epoch: String? = nil
    ) {
        self.source = source
        self.seq = seq
        self.type = type
        self.occurredAt = occurredAt
        self.partnerId = partnerId
        self.data = data
        self.epoch = epoch
    }

    /// The PUB/SUB topic: `<source>.<type>`.
    public var topic: String { "\(source).\(type)" }
}
