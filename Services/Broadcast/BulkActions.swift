import Contracts
import Foundation

/// docs/design.md, "Contacts across requests", as pure functions: what `BulkRecycle` does with
/// each matching attempt and what `BulkBlock` adds, and how what they left alone is counted.
enum BulkActions {
    /// What `BulkRecycle` does with one matching attempt.
    enum RecycleVerdict: Equatable {
        case recycle
        case skip(BulkSkipReason)
    }

    /// Recycles the provider's latest attempt on a request that still broadcasts (running,
    /// paused, waiting or exhausted), once it has a disposition that may be recycled: one of the
    /// codes named (final or blocking ones included), else one not final, not blocking and not
    /// `INTERESTED`, as `Recycle` does. The first reason that applies is the one counted.
    static func recycle(
        _ attempt: ContactAttempt, isLatest: Bool, broadcast: BroadcastState?, named codes: [String]?,
        catalogue: [String: DispositionDefinition]
    ) -> RecycleVerdict {
        guard isLatest else { return .skip(.superseded) }
        guard let broadcast, [.running, .paused, .waiting, .exhausted].contains(broadcast) else {
            return .skip(.broadcastEnded)
        }
        guard attempt.disposition != nil else { return .skip(.open) }
        guard attempt.recycledAt == nil else { return .skip(.alreadyRecycled) }
        guard Dispositions.recyclable(attempt.disposition, codes: codes, catalogue: catalogue) else {
            return .skip(.notRecyclable)
        }
        return .recycle
    }

    /// One block entry `BulkBlock` may add: a provider, for one customer or (nil) every customer.
    struct BlockTarget: Hashable {
        var providerId: String
        var customerId: String?
    }

    /// The entries to add for the matching attempts (provider and the request's customer), in
    /// the order they were found, each once: per provider alone with `allCustomers`.
    static func blockTargets(_ matches: [(providerId: String, customerId: String)], allCustomers: Bool)
        -> [BlockTarget]
    {
        var seen: Set<BlockTarget> = []
        return matches.compactMap { match in
            let target = BlockTarget(providerId: match.providerId, customerId: allCustomers ? nil : match.customerId)
            return seen.insert(target).inserted ? target : nil
        }
    }

    /// Whether an entry is there already: the same one, or the provider's for every customer
    /// (which covers any one customer).
    static func isBlocked(_ target: BlockTarget, existing: Set<BlockTarget>) -> Bool {
        existing.contains(target) || existing.contains(BlockTarget(providerId: target.providerId, customerId: nil))
    }

    /// The reasons counted, in `BulkSkipReason`'s order, leaving out those with none.
    static func counts(_ reasons: [BulkSkipReason]) -> [BulkSkip] {
        let counted = Dictionary(grouping: reasons, by: { $0 }).mapValues(\.count)
        return BulkSkipReason.allCases.compactMap { reason in
            counted[reason].map { BulkSkip(reason: reason, count: $0) }
        }
    }
}
