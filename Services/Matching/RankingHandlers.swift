import Contracts
import Foundation
import Transport

/// `Rank` and `Check`: the considered list for a job, and the same judgement for one provider.
/// The router runs them on the global executor (ranking is CPU work).
struct RankingHandlers: MatchingRankingHandling {
    let engine: RankingEngine

    func rank(_ request: RankRequest, _ context: CallerContext) async throws -> RankResponse {
        try await engine.rank(request, partner: context.partnerId, deadline: context.request.deadline)
    }

    func check(_ request: CheckRequest, _ context: CallerContext) async throws -> CheckResponse {
        try await engine.check(request, partner: context.partnerId, deadline: context.request.deadline)
    }
}
