import Foundation
import Transport
import Wire

// Matching's handler protocols and typed client: what its service implements and what other
// services (broadcast, opportunities) call. Every method of `Matching` is in exactly one
// protocol below, and `Matching.methods` binds them all, so a described method cannot go
// unimplemented.

/// Ranking: the considered list for a job, and the same judgement for one provider.
public protocol MatchingRankingHandling: Sendable {
    /// `matching.Rank`.
    func rank(_ request: RankRequest, _ context: CallerContext) async throws -> RankResponse
    /// `matching.Check`.
    func check(_ request: CheckRequest, _ context: CallerContext) async throws -> CheckResponse
}

/// A partner's ranking settings.
public protocol MatchingSettingsHandling: Sendable {
    /// `matching.GetSettings`.
    func getSettings(_ request: GetSettingsRequest, _ context: CallerContext) async throws -> SettingsReply
    /// `matching.SetSettings`.
    func setSettings(_ request: SetSettingsRequest, _ context: CallerContext) async throws -> SettingsReply
}

/// The read model's state.
public protocol MatchingStatusHandling: Sendable {
    /// `matching.Status`.
    func status(_ request: StatusRequest, _ context: CallerContext) async throws -> MatchingStatus
}

extension Matching: Contract {
    /// One handler per resource: together they implement every method of the contract.
    public struct Handlers: Sendable {
        public var ranking: any MatchingRankingHandling
        public var settings: any MatchingSettingsHandling
        public var status: any MatchingStatusHandling

        public init(
            ranking: any MatchingRankingHandling, settings: any MatchingSettingsHandling,
            status: any MatchingStatusHandling
        ) {
            self.ranking = ranking
            self.settings = settings
            self.status = status
        }
    }

    /// Every domain method, bound to its handler: routing, `methodNames` and `Describe` come from here.
    public static let methods: [ContractMethod<Handlers>] = [
        // Ranking is CPU work: off the I/O thread, which keeps answering `Health` and heartbeats.
        .init(rank, executor: .global) { try await $0.ranking.rank($1, $2) },
        .init(check, executor: .global) { try await $0.ranking.check($1, $2) },
        .init(getSettings) { try await $0.settings.getSettings($1, $2) },
        .init(setSettings) { try await $0.settings.setSettings($1, $2) },
        .init(status) { try await $0.status.status($1, $2) },
    ]
}

/// A typed client of matching: every call carries the actor and stays within the caller's
/// remaining deadline.
public struct MatchingClient: ContractClient {
    public let caller: ContractCaller

    public init(caller: ContractCaller) { self.caller = caller }

    /// `matching.Rank`.
    public func rank(_ request: RankRequest) async throws(RPCError) -> RankResponse {
        try await caller.call(Matching.rank, request)
    }

    /// `matching.Check`.
    public func check(_ request: CheckRequest) async throws(RPCError) -> CheckResponse {
        try await caller.call(Matching.check, request)
    }

    /// `matching.GetSettings`.
    public func getSettings() async throws(RPCError) -> SettingsReply {
        try await caller.call(Matching.getSettings, GetSettingsRequest())
    }

    /// `matching.SetSettings`.
    public func setSettings(_ request: SetSettingsRequest) async throws(RPCError) -> SettingsReply {
        try await caller.call(Matching.setSettings, request)
    }

    /// `matching.Status`.
    public func status() async throws(RPCError) -> MatchingStatus {
        try await caller.call(Matching.status, StatusRequest())
    }
}
