import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

// The reads of `OpportunitiesOpportunityHandling`: one opportunity, a list, a history; each
// masked for the caller, so a replacement sought stays hidden from the other party.

extension OpportunityHandlers {
    /// One opportunity, masked for the caller.
    func getOpportunity(_ request: IdRequest, _ context: CallerContext) async throws -> OpportunityReply {
        try await store.read(context) { reader in
            OpportunityReply(opportunity: try reader.seen(request.id, by: context, field: "body.id").view)
        }
    }

    /// Opportunities of a request or a provider as offered, the caller's own only, paged.
    func listOpportunities(
        _ request: ListOpportunitiesRequest, _ context: CallerContext
    ) async throws -> ListOpportunitiesResponse {
        guard request.requestId != nil || request.providerId != nil || context.role == .provider else {
            throw OpportunitiesError.invalidField("body.requestId", "requestId or providerId is required")
        }
        try Paging.validate(pageSize: request.pageSize)
        let visible = try await store.read(context) { reader in
            // Masked per request, so replacement offers do not give a hidden replacement away.
            try reader.views(
                try reader.opportunities(
                    requestId: request.requestId, providerId: request.providerId, visibleTo: context),
                for: context.role)
        }
        let filters = [
            "opportunities", context.partnerId, "\(context.role)", context.actorId, request.requestId ?? "",
            request.providerId ?? "",
        ].joined(separator: "|")
        let page = try Paging.page(
            visible, key: \.id, request: request, query: filters,
            maxBytes: environment.configuration.maxMessageBytes)
        return ListOpportunitiesResponse(opportunities: page.items, nextPageToken: page.nextPageToken)
    }

    /// Every transition of an opportunity, masked for the caller, paged.
    func history(_ request: HistoryRequest, _ context: CallerContext) async throws -> HistoryResponse {
        try Paging.validate(pageSize: request.pageSize)
        let (opportunityId, rows) = try await store.read(context) { reader in
            let seen = try reader.seen(request.id, by: context, field: "body.id")
            return (seen.opportunity.id, try reader.history(of: seen.opportunity.id))
        }
        let transitions = OpportunityMasking.history(rows, for: context.role)
        let filters = ["history", context.partnerId, "\(context.role)", context.actorId, request.id]
            .joined(separator: "|")
        let page = try Paging.page(
            transitions, key: { "\($0.seq)" }, request: request,
            query: filters, maxBytes: environment.configuration.maxMessageBytes)
        return HistoryResponse(opportunityId: opportunityId, transitions: page.items, nextPageToken: page.nextPageToken)
    }
}
