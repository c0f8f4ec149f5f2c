import Contracts
import Foundation
import GRDB
import ServiceKit
import Wire

// What broadcast keeps of a provider whose personal data the registry erased (docs/design.md,
// "Erasure"): the addresses their contacts went to, in the attempts, in the events that
// announced them and in the replies kept for idempotency keys. Their attempts, dispositions and
// blocks stay under their id, so statistics and histories stay true.

extension BroadcastWriter {
    /// What an erased provider's contact address becomes.
    static let erasedAddress = "erased"

    /// Erases what broadcast keeps of the provider's personal data; their contacts not checked
    /// yet are skipped. Applying it again finds nothing more to erase.
    func erase(provider providerId: String, at now: Date) throws {
        let attempts = try AttemptRow.all().inTenant(partnerId).ofProvider(providerId).fetchAll(db)
        let addresses = Set(attempts.compactMap(\.channel?.address)).subtracting([Self.erasedAddress])
        let replacements = Dictionary(uniqueKeysWithValues: addresses.map { ($0, Self.erasedAddress) })
        for var attempt in attempts {
            let before = attempt
            attempt.channel?.address = Self.erasedAddress
            attempt.reason = attempt.reason.map { JSONValue.string($0).replacingText(replacements).stringValue ?? $0 }
            attempt.deliveryError = attempt.deliveryError.map {
                JSONValue.string($0).replacingText(replacements).stringValue ?? $0
            }
            if attempt.wire != before.wire { try attempt.update(db) }
            if attempt.status == .planned, attempt.disposition == nil {
                try skip(attempt.id, reason: "the provider's personal data was erased", at: now)
            }
        }
        for address in addresses {
            try StoredCopies.rewriteEvents(
                db, partnerId: partnerId,
                types: [Broadcast.EventType.contactSent, Broadcast.EventType.attemptDispositioned], containing: address
            ) { _, data in data.replacingText(replacements) }
            try StoredCopies.rewriteReplies(db, partnerId: partnerId, containing: address) { _, reply in
                reply.replacingText(replacements)
            }
        }
    }
}
