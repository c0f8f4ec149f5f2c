import Foundation
import Transport
import Wire

// The opportunities's handler protocols and typed client: what its service implements and
// what other services call. Every method of `Opportunities` is in exactly one protocol below, and
// `Opportunities.register` routes them all, so a described method cannot go unimplemented.

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

extension Opportunities {
    /// One handler per resource: together they implement every method of the contract.
    public struct Handlers: Sendable {
        public var requests: any OpportunitiesRequestHandling
        public var opportunities: any OpportunitiesOpportunityHandling
        public var policies: any OpportunitiesPolicyHandling

        public init(
            requests: any OpportunitiesRequestHandling,
            opportunities: any OpportunitiesOpportunityHandling,
            policies: any OpportunitiesPolicyHandling
        ) {
            self.requests = requests
            self.opportunities = opportunities
            self.policies = policies
        }
    }

    /// Routes every method of the contract to its handler.
    public static func register(_ handlers: Handlers, into router: inout RPCRouter) {
        let requests = handlers.requests
        router.route(createRequest) { try await requests.createRequest($0, $1) }
        router.route(getRequest) { try await requests.getRequest($0, $1) }
        router.route(listRequests) { try await requests.listRequests($0, $1) }
        router.route(cancelRequest) { try await requests.cancelRequest($0, $1) }
        let opportunities = handlers.opportunities
        router.route(offer) { try await opportunities.offer($0, $1) }
        router.route(respond) { try await opportunities.respond($0, $1) }
        router.route(decide) { try await opportunities.decide($0, $1) }
        router.route(cancel) { try await opportunities.cancel($0, $1) }
        router.route(markNoShow) { try await opportunities.markNoShow($0, $1) }
        router.route(seekReplacement) { try await opportunities.seekReplacement($0, $1) }
        router.route(withdrawReplacement) { try await opportunities.withdrawReplacement($0, $1) }
        router.route(getOpportunity) { try await opportunities.getOpportunity($0, $1) }
        router.route(listOpportunities) { try await opportunities.listOpportunities($0, $1) }
        router.route(history) { try await opportunities.history($0, $1) }
        let policies = handlers.policies
        router.route(setCancellationPolicy) { try await policies.setCancellationPolicy($0, $1) }
        router.route(getCancellationPolicy) { try await policies.getCancellationPolicy($0, $1) }
    }

    /// Every method of the contract, as `Describe` must list them.
    public static let methodNames: [String] = [
        createRequest.name,
        getRequest.name,
        listRequests.name,
        cancelRequest.name,
        offer.name,
        respond.name,
        decide.name,
        cancel.name,
        markNoShow.name,
        seekReplacement.name,
        withdrawReplacement.name,
        getOpportunity.name,
        listOpportunities.name,
        history.name,
        setCancellationPolicy.name,
        getCancellationPolicy.name,
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
}
