import Foundation
import Transport
import Wire

/// `matching.Status`'s body (empty).
public struct StatusRequest: Codable, Sendable, Equatable {
    public init() {}
}

/// Where the read model stands with one source.
public struct ReadModelSourceStatus: Codable, Sendable, Equatable {
    public var source: String
    public var appliedSeq: Int64
    public var epoch: String?
    /// `current`, `catchingUp`, `failing` or `dataLoss`.
    public var state: String
    /// The source's last `seq`, when it answered just now.
    public var lastSeq: Int64?
    /// `lastSeq - appliedSeq`, when both are known in the same epoch.
    public var lag: Int64?
    /// Times the read model forgot this source and applied it again from `seq` 1.
    public var rebuilds: Int
    public var lastRebuildAt: Date?
    public var lastError: String?

    public init(
        source: String, appliedSeq: Int64, epoch: String?, state: String, lastSeq: Int64?, lag: Int64?,
        rebuilds: Int, lastRebuildAt: Date?, lastError: String?
    ) {
        self.source = source
        self.appliedSeq = appliedSeq
        self.epoch = epoch
        self.state = state
        self.lastSeq = lastSeq
        self.lag = lag
        self.rebuilds = rebuilds
        self.lastRebuildAt = lastRebuildAt
        self.lastError = lastError
    }

    static let schema = JSONSchema.object(
        [
            "source": JSONSchema.string(description: "The source: registry or opportunities."),
            "appliedSeq": JSONSchema.integer(minimum: 0, description: "The last seq of it applied (0: none)."),
            "epoch": JSONSchema.string(description: "The source's outbox epoch those seqs belong to, once known."),
            "state": JSONSchema.string(
                values: ["current", "catchingUp", "failing", "dataLoss"],
                description: "Where the read model stands with the source, as Health's events report it."),
            "lastSeq": JSONSchema.integer(
                minimum: 0, description: "The source's last seq, when it answered just now."),
            "lag": JSONSchema.integer(description: "lastSeq - appliedSeq, when both are known in the same epoch."),
            "rebuilds": JSONSchema.integer(
                minimum: 0, description: "Times the read model forgot this source and applied it again from seq 1."),
            "lastRebuildAt": JSONSchema.timestamp(description: "When it last did."),
            "lastError": JSONSchema.string(
                description: "The last error applying the source's events or reading it just now, if any."),
        ], required: ["source", "appliedSeq", "state", "rebuilds"])
}

/// `matching.Status`'s reply.
public struct MatchingStatus: Codable, Sendable, Equatable {
    public var instance: String
    public var sources: [ReadModelSourceStatus]
    /// Providers in the read model, of every partner.
    public var providers: Int

    public init(instance: String, sources: [ReadModelSourceStatus], providers: Int) {
        self.instance = instance
        self.sources = sources
        self.providers = providers
    }

    static let schema = JSONSchema.object(
        [
            "instance": JSONSchema.string(description: "The matching replica that answered."),
            "sources": JSONSchema.array(
                of: ReadModelSourceStatus.schema, description: "Per source of the read model, where it stands."),
            "providers": JSONSchema.integer(minimum: 0, description: "Providers in the read model, of every partner."),
        ], required: ["instance", "sources", "providers"])
}
