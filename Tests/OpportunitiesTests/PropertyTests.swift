import Contracts
import Foundation
import Testing
import Transport
import Wire

/// Random sequences of actions over a team request never break the invariants.
@Suite("Opportunity invariants under random actions", .serialized)
struct PropertyTests {
    /// A small seeded generator, so a failing sequence can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1 as UInt64, 7, 42])
    func invariantsHold(seed: UInt64) async throws {
        try await OpportunitiesFixture.run { f in
            var random = SplitMix(state: seed)
            let teamSize = 3
            let modes: [DecisionPolicy.Mode] = [.manual, .automatic, .hybrid]
            let request = try await f.request(teamSize: teamSize, mode: modes.randomElement(using: &random)!)
            let providers = ["pr-1", "pr-2", "pr-3", "pr-4", "pr-5"]
            var log: [String] = []
            for step in 0..<120 {
                let provider = providers.randomElement(using: &random)!
                let all = try await f.call(
                    Opportunities.listOpportunities, ListOpportunitiesRequest(requestId: request.id)
                ).opportunities
                let mine = all.first { $0.providerId == provider }
                let roles = [f.partner, f.customer, OpportunitiesFixture.provider(provider)]
                let actor = roles.randomElement(using: &random)!
                let action = Int.random(in: 0..<8, using: &random)
                do {
                    switch (action, mine) {
                    case (0, _):
                        let offer = OfferRequest(requestId: request.id, providerId: provider)
                        _ = try await f.call(Opportunities.offer, offer)
                    case (1, let opportunity?):
                        let interested = Bool.random(using: &random)
                        let answer = RespondRequest(opportunityId: opportunity.id, interested: interested)
                        _ = try await f.call(Opportunities.respond, answer, as: OpportunitiesFixture.provider(provider))
                    case (2, let opportunity?), (3, let opportunity?):
                        let assign = action == 2 || Bool.random(using: &random)
                        let decision = DecideRequest(opportunityId: opportunity.id, assign: assign)
                        _ = try await f.call(Opportunities.decide, decision, as: actor)
                    case (4, let opportunity?):
                        let cancellation = CancelRequestBody(opportunityId: opportunity.id, reason: "random")
                        _ = try await f.call(Opportunities.cancel, cancellation, as: actor)
                    case (5, let opportunity?):
                        let body = OpportunityActionRequest(opportunityId: opportunity.id)
                        _ = try await f.call(Opportunities.seekReplacement, body, as: actor)
                    case (6, let opportunity?):
                        let body = OpportunityActionRequest(opportunityId: opportunity.id)
                        _ = try await f.call(Opportunities.withdrawReplacement, body, as: actor)
                    default:
                        continue
                    }
                    log.append("\(step): \(action) \(provider) as \(actor.role.rawValue): ok")
                } catch let error as RPCError {
                    // Refusals are fine (and change nothing); anything but a clean refusal is not.
                    let refusals: [StatusCode] = [.failedPrecondition, .permissionDenied, .notFound]
                    #expect(refusals.contains(error.code), "\(step): \(error)")
                    log.append("\(step): \(action) \(provider) as \(actor.role.rawValue): \(error.code)")
                }
                try await checkInvariants(f, requestId: request.id, teamSize: teamSize, log: log)
            }
            // The sequence did something: a test of nothing proves nothing.
            #expect(log.filter { $0.hasSuffix(": ok") }.count >= 10, "\(log)")
        }
    }

    func checkInvariants(_ f: OpportunitiesFixture, requestId: String, teamSize: Int, log: [String]) async throws {
        let view = try await f.call(Opportunities.getRequest, IdRequest(id: requestId))
        let held = view.opportunities.filter { [.contingent, .assigned, .replacementSought].contains($0.state) }
        #expect(held.count <= teamSize, "\(log)")
        let providers = Set(view.opportunities.map(\.providerId))
        #expect(providers.count == view.opportunities.count, "two opportunities for one provider: \(log)")
        switch view.request.status {
        case .open:
            #expect(!view.opportunities.contains { $0.state == .assigned }, "open with an ASSIGNED member: \(log)")
        case .filled:
            #expect(!view.opportunities.contains { $0.state == .contingent }, "filled with a CONTINGENT member: \(log)")
        case .cancelled, .unfilled: break
        }
        for opportunity in view.opportunities {
            let history = try await f.call(Opportunities.history, HistoryRequest(id: opportunity.id)).transitions
            // The history replays to the current state, each step from where the last one ended.
            #expect(history.first?.from == nil && history.first?.to == .offered)
            for (previous, next) in zip(history, history.dropFirst()) { #expect(next.from == previous.to, "\(log)") }
            #expect(history.last?.to == opportunity.state, "\(log)")
            #expect(history.map(\.seq) == Array(1...history.count))
            #expect(opportunity.version == history.count)
        }
    }
}
