import Foundation
import Transport
import Wire

// The opportunities's handler protocols and typed client: what its service implements and
// what other services call. Every method of `Opportunities` is in exactly one protocol below, and
// `Opportunities.methods` binds them all, so a described method cannot go unimplemented.

/// Requests: created with the customer's defaults, read, listed, cancelled.
public protocol OpportunitiesRequestHandling: Sendable {
    /// `opportunities.CreateRequest`.
    func createRequest(_ request: CreateRequestRequest, _ context: CallerContext) async throws -> RequestReply
    /// `opportunities.GetRequest`.
    func getRequest(_ request: GetRequestRequest, _ context: CallerContext) async throws -> GetRequestResponse
    /// `opportunities.ListRequests`.
    func listRequests(_ request: ListRequestsRequest, _ context: CallerContext) async throws -> ListRequestsResponse
    /// `opportunities.CancelRequest`.
    func cancelRequest(_ request: CancelRequestRequest, _ context: CallerContext) async throws -> GetRequestResponse
}

/// Each provider's opportunity on a request, through the state machine.
public protocol OpportunitiesOpportunityHandling: Sendable {
    /// `opportunities.Offer`.
    func offer(_ request: OfferRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.Respond`.
    func respond(_ request: RespondRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.WithdrawOffer`.
    func withdrawOffer(_ request: WithdrawOfferRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.Decide`.
    func decide(_ request: DecideRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.Cancel`.
    func cancel(_ request: CancelRequestBody, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.MarkNoShow`.
    func markNoShow(_ request: OpportunityActionRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.SeekReplacement`.
    func seekReplacement(_ request: OpportunityActionRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.WithdrawReplacement`.
    func withdrawReplacement(_ request: OpportunityActionRequest, _ context: CallerContext) async throws
        -> OpportunityReply
    /// `opportunities.GetOpportunity`.
    func getOpportunity(_ request: IdRequest, _ context: CallerContext) async throws -> OpportunityReply
    /// `opportunities.ListOpportunities`.
    func listOpportunities(_ request: ListOpportunitiesRequest, _ context: CallerContext) async throws
        -> ListOpportunitiesResponse
    /// `opportunities.History`.
    func history(_ request: HistoryRequest, _ context: CallerContext) async throws -> HistoryResponse
}

/// Cancellation policies.
public protocol OpportunitiesPolicyHandling: Sendable {
    /// `opportunities.SetCancellationPolicy`.
    func setCancellationPolicy(_ request: SetCancellationPolicyRequest, _ context: CallerContext) async throws
        -> CancellationPolicy
    /// `opportunities.GetCancellationPolicy`.
    func getCancellationPolicy(_ request: GetCancellationPolicyRequest, _ context: CallerContext) async throws
        -> CancellationPolicy
}

/// The partner's request settings.
public protocol OpportunitiesSettingsHandling: Sendable {
    /// `opportunities.GetSettings`.
    func getSettings(_ request: Empty, _ context: CallerContext) async throws -> OpportunitiesSettingsReply
    /// `opportunities.SetSettings`.
    func setSettings(_ request: SetOpportunitiesSettingsRequest, _ context: CallerContext) async throws
        -> OpportunitiesSettingsReply
}

extension Opportunities: Contract {
    /// One handler per resource: together they implement every method of the contract.
    public struct Handlers: Sendable {
        public var requests: any OpportunitiesRequestHandling
        public var opportunities: any OpportunitiesOpportunityHandling
        public var policies: any OpportunitiesPolicyHandling
        public var settings: any OpportunitiesSettingsHandling

        public init(
            requests: any OpportunitiesRequestHandling,
            opportunities: any OpportunitiesOpportunityHandling,
            policies: any OpportunitiesPolicyHandling,
            settings: any OpportunitiesSettingsHandling
        ) {
            self.requests = requests
            self.opportunities = opportunities
            self.policies = policies
            self.settings = settings
        }
    }

    /// Every domain method, bound to its handler: routing, `methodNames` and `Describe` come from here.
    public static let methods: [ContractMethod<Handlers>] = [
        .init(createRequest) { try await $0.requests.createRequest($1, $2) },
        .init(getRequest) { try await $0.requests.getRequest($1, $2) },
        .init(listRequests) { try await $0.requests.listRequests($1, $2) },
        .init(cancelRequest) { try await $0.requests.cancelRequest($1, $2) },
        .init(offer) { try await $0.opportunities.offer($1, $2) },
        .init(respond) { try await $0.opportunities.respond($1, $2) },
        .init(withdrawOffer) { try await $0.opportunities.withdrawOffer($1, $2) },
        .init(decide) { try await $0.opportunities.decide($1, $2) },
        .init(cancel) { try await $0.opportunities.cancel($1, $2) },
        .init(markNoShow) { try await $0.opportunities.markNoShow($1, $2) },
        .init(seekReplacement) { try await $0.opportunities.seekReplacement($1, $2) },
        .init(withdrawReplacement) { try await $0.opportunities.withdrawReplacement($1, $2) },
        .init(getOpportunity) { try await $0.opportunities.getOpportunity($1, $2) },
        .init(listOpportunities) { try await $0.opportunities.listOpportunities($1, $2) },
        .init(history) { try await $0.opportunities.history($1, $2) },
        .init(setCancellationPolicy) { try await $0.policies.setCancellationPolicy($1, $2) },
        .init(getCancellationPolicy) { try await $0.policies.getCancellationPolicy($1, $2) },
        .init(getSettings) { try await $0.settings.getSettings($1, $2) },
        .init(setSettings) { try await $0.settings.setSettings($1, $2) },
    ]
}

/// A typed client of the opportunities: every call carries the actor and stays within the
/// caller's remaining deadline, so no service assembles a call by hand.
public struct OpportunitiesClient: ContractClient {
    public let caller: ContractCaller

    public init(caller: ContractCaller) { self.caller = caller }

    /// `opportunities.CreateRequest`.
    public func createRequest(_ request: CreateRequestRequest) async throws(RPCError) -> RequestReply {
        try await caller.call(Opportunities.createRequest, request)
    }

    /// `opportunities.GetRequest`.
    public func getRequest(_ request: GetRequestRequest) async throws(RPCError) -> GetRequestResponse {
        try await caller.call(Opportunities.getRequest, request)
    }

    /// `opportunities.ListRequests`.
    public func listRequests(_ request: ListRequestsRequest) async throws(RPCError) -> ListRequestsResponse {
        try await caller.call(Opportunities.listRequests, request)
    }

    /// `opportunities.CancelRequest`.
    public func cancelRequest(_ request: CancelRequestRequest) async throws(RPCError) -> GetRequestResponse {
        try await caller.call(Opportunities.cancelRequest, request)
    }

    /// `opportunities.Offer`.
    public func offer(_ request: OfferRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.offer, request)
    }

    /// `opportunities.Respond`.
    public func respond(_ request: RespondRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.respond, request)
    }

    /// `opportunities.WithdrawOffer`.
    public func withdrawOffer(_ request: WithdrawOfferRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.withdrawOffer, request)
    }

    /// `opportunities.Decide`.
    public func decide(_ request: DecideRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.decide, request)
    }

    /// `opportunities.Cancel`.
    public func cancel(_ request: CancelRequestBody) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.cancel, request)
    }

    /// `opportunities.MarkNoShow`.
    public func markNoShow(_ request: OpportunityActionRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.markNoShow, request)
    }

    /// `opportunities.SeekReplacement`.
    public func seekReplacement(_ request: OpportunityActionRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.seekReplacement, request)
    }

    /// `opportunities.WithdrawReplacement`.
    public func withdrawReplacement(_ request: OpportunityActionRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.withdrawReplacement, request)
    }

    /// `opportunities.GetOpportunity`.
    public func getOpportunity(_ request: IdRequest) async throws(RPCError) -> OpportunityReply {
        try await caller.call(Opportunities.getOpportunity, request)
    }

    /// `opportunities.ListOpportunities`.
    public func listOpportunities(_ request: ListOpportunitiesRequest) async throws(RPCError)
        -> ListOpportunitiesResponse
    {
        try await caller.call(Opportunities.listOpportunities, request)
    }

    /// `opportunities.History`.
    public func history(_ request: HistoryRequest) async throws(RPCError) -> HistoryResponse {
        try await caller.call(Opportunities.history, request)
    }

    /// `opportunities.SetCancellationPolicy`.
    public func setCancellationPolicy(_ request: SetCancellationPolicyRequest) async throws(RPCError)
        -> CancellationPolicy
    {
        try await caller.call(Opportunities.setCancellationPolicy, request)
    }

    /// `opportunities.GetCancellationPolicy`.
    public func getCancellationPolicy(_ request: GetCancellationPolicyRequest) async throws(RPCError)
        -> CancellationPolicy
    {
        try await caller.call(Opportunities.getCancellationPolicy, request)
    }

    /// `opportunities.GetSettings`.
    public func getSettings() async throws(RPCError) -> OpportunitiesSettingsReply {
        try await caller.call(Opportunities.getSettings, Empty())
    }

    /// `opportunities.SetSettings`.
    public func setSettings(_ request: SetOpportunitiesSettingsRequest) async throws(RPCError)
        -> OpportunitiesSettingsReply
    {
        try await caller.call(Opportunities.setSettings, request)
    }
}
