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
            "source": JSONSchema.string(), "appliedSeq": JSONSchema.integer(minimum: 0), "epoch": JSONSchema.string(),
            "state": JSONSchema.string(values: ["current", "catchingUp", "failing", "dataLoss"]),
            "lastSeq": JSONSchema.integer(minimum: 0), "lag": JSONSchema.integer(),
            "rebuilds": JSONSchema.integer(minimum: 0),
            "lastRebuildAt": JSONSchema.timestamp, "lastError": JSONSchema.string(),
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
            "instance": JSONSchema.string(), "sources": JSONSchema.array(of: ReadModelSourceStatus.schema),
            "providers": JSONSchema.integer(minimum: 0),
        ], required: ["instance", "sources", "providers"])
}
