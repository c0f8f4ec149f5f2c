import Contracts
import Foundation
import OctooTesting
import Synchronization
import SyntheticData
import Transport
import Wire

/// Providers and a decider as the system meets them, over the wire only: every offer
/// (opportunities' `opportunity.changed` to OFFERED, read with `ReadEvents` from a cursor) is
/// answered by its provider (interested, declined, now and then "never contact me again", or
/// not at all), and every interest left PENDING is assigned by the partner. Each answer and
/// decision is made persistently with an idempotency key of its own, so a repeat after a fault
/// is the same call. What each provider does is drawn from the seed and the offer's event.
final class SimulatedProviders: Sendable {
    /// What a provider does with one offer.
    enum Answer: String, Sendable, CaseIterable { case interested, declined, doNotContact, silent }

    let rpc: RPCClient
    let partner: Actor
    let seed: UInt64
    private let cursor = Mutex<Int64>(0)
    private let tally = Mutex<[String: Int]>([:])

    init(rpc: RPCClient, partner: Actor, seed: UInt64) {
        self.rpc = rpc
        self.partner = partner
        self.seed = seed
    }

    /// How many offers got each answer, and how many decisions were made.
    var counts: [String: Int] { tally.withLock { $0 } }

    /// The answer to the offer announced by event `seq`: 30% interested, 47% declined, 3% declined
    /// asking never to be contacted again, 20% silent.
    func answer(toEvent seq: Int64) -> Answer {
        var random = SplitMix64(seed: seed ^ (UInt64(seq) &* 0x9E37_79B9_7F4A_7C15))
        let draw = Int.random(in: 0..<100, using: &random)
        return draw < 30 ? .interested : draw < 77 ? .declined : draw < 80 ? .doNotContact : .silent
    }

    /// Answers every offer announced since the last call (at most a page), eight at a time.
    /// Returns whether there were any.
    @discardableResult
    func answerNewOffers(until deadline: ContinuousClock.Instant) async throws -> Bool {
        let after = cursor.withLock { $0 }
        let page = try await rpc.readEvents(
            Opportunities.service, afterSeq: after, limit: 200, options: attemptOptions(timeout: .seconds(3)))
        guard let last = page.events.last?.seq else { return false }
        let offers = try page.events.filter { $0.type == Opportunities.EventType.opportunityChanged }.compactMap {
            event -> (Int64, OpportunityChanged)? in
            let change = try WireCoding.decode(OpportunityChanged.self, from: try WireCoding.encode(event.data))
            return change.to == .offered ? (event.seq, change) : nil
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, (seq, offer)) in offers.enumerated() {
                if index >= 8 { try await group.next() }
                group.addTask { try await self.answer(offer, event: seq, until: deadline) }
            }
            try await group.waitForAll()
        }
        cursor.withLock { $0 = last }
        return true
    }

    private func answer(_ offer: OpportunityChanged, event seq: Int64, until deadline: ContinuousClock.Instant)
        async throws
    {
        let answer = answer(toEvent: seq)
        tally.withLock { $0[answer.rawValue, default: 0] += 1 }
        guard answer != .silent else { return }
        let provider = Actor(role: .provider, partnerId: partner.partnerId, id: offer.providerId)
        let respond = RespondRequest(
            opportunityId: offer.opportunityId, interested: answer == .interested, attemptId: offer.attemptId,
            doNotContact: answer == .doNotContact ? true : nil)
        let reply: OpportunityReply
        do {
            reply = try await persistently(until: deadline) {
                try await OpportunitiesClient(rpc, actor: provider, options: attemptOptions("answer-\(seq)"))
                    .respond(respond)
            }
        } catch let error as RPCError where error.code == .failedPrecondition {
            // The offer closed first (the request filled): nothing to answer any more.
            tally.withLock { $0["answered too late", default: 0] += 1 }
            return
        }
        // Automatic decisions assign at once; what is left PENDING (manual, or a check that
        // could not be made) the partner assigns.
        guard reply.opportunity.state == .pending else { return }
        do {
            _ = try await persistently(until: deadline) {
                try await OpportunitiesClient(rpc, actor: partner, options: attemptOptions("decide-\(seq)"))
                    .decide(DecideRequest(opportunityId: offer.opportunityId, assign: true))
            }
            tally.withLock { $0["assigned by the partner", default: 0] += 1 }
        } catch let error as RPCError where error.code == .failedPrecondition {
            // The team was completed by others first.
            tally.withLock { $0["decided too late", default: 0] += 1 }
        }
    }
}
