import Contracts
import Foundation
import GRDB
import Store
import Transport
import Wire

/// Applies opportunities' events, each in the subscriber's transaction with its checkpoint
/// (exactly once): every request is kept as announced (so ranking it needs no call), a new one
/// starts a broadcast when the partner's policy says so, each provider's opportunity state is
/// kept (openings and pending interest are counted from them, so no slot is counted twice), an
/// answer to an offer becomes the attempt's disposition, and the advance rule runs before the
/// transaction commits (the store's `SettleOnCommit`). Of the registry's events only an erasure
/// matters: what broadcast keeps of the provider is erased with it (`ProviderErasure`).
enum BroadcastEvents {
    /// The sources whose events broadcast applies.
    static let sources = [Opportunities.service, Registry.service]

    static func apply(_ db: Database, _ event: Event, store: BroadcastStore, now: Date) throws {
        guard let partnerId = event.partnerId else { return }
        if event.source == Registry.service, event.type == Registry.EventType.providerErased {
            let erased = try decode(ProviderErased.self, event)
            try store.within(db, partnerId: partnerId) { try $0.erase(provider: erased.providerId, at: now) }
            return
        }
        guard event.source == Opportunities.service else { return }
        try store.within(db, partnerId: partnerId) { writer in
            switch event.type {
            case Opportunities.EventType.requestCreated, Opportunities.EventType.requestCancelled,
                Opportunities.EventType.requestFilled, Opportunities.EventType.requestReopened,
                Opportunities.EventType.requestUnfilled, Opportunities.EventType.requestUnfilledSoon:
                let request = try decode(RequestRecord.self, event)
                // Only what CreateRequest accepts: the slot arithmetic relies on it.
                guard RequestRecord.teamSizes.contains(request.teamSize) else {
                    throw RPCError(.invalidArgument, "request \(request.id) has a team of \(request.teamSize)")
                }
                let job = try writer.record(job: request, seq: event.seq, at: now)
                if event.type == Opportunities.EventType.requestCreated, request.status == .open,
                    try writer.existingBroadcast(request.id) == nil, try writer.policy().autoStart
                {
                    _ = try writer.create(for: job, at: now)
                }
            case Opportunities.EventType.opportunityChanged, Opportunities.EventType.replacementSought:
                let change = try decode(OpportunityChange.self, event)
                try writer.record(offer: change, seq: event.seq, at: now)
                if event.type == Opportunities.EventType.opportunityChanged, let job = try writer.job(change.requestId)
                {
                    try writer.recordAnswer(change, customerId: job.customerId, at: now)
                }
            default:
                return
            }
        }
    }

    /// Forgets what was applied from `source` before its events are applied again from `seq` 1
    /// (its outbox was replaced): erasures are applied again and find nothing more to erase, but
    /// opportunities' events cannot be taken twice, so that source stays lost (`dataLoss`).
    static func reset(_ db: Database, source: String) throws {
        guard source == Registry.service else { throw SourceNotRebuildable() }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ event: Event) throws -> T {
        try WireCoding.decode(type, from: try WireCoding.encode(event.data))
    }
}
