import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Erasure of a provider's personal data on request (docs/design.md, "Erasure"): the registry
/// keeps the provider under a pseudonym, so counts and histories stay true, and tells matching
/// and broadcast, which erase what they keep of it.
struct ErasureHandlers: RegistryErasureHandling {
    let store: RegistryStore
    let clock: any ServiceClock

    /// Erases the provider for good; erasing it again changes nothing and answers the same.
    func eraseProvider(_ request: EraseProviderRequest, _ context: CallerContext) async throws
        -> EraseProviderResponse
    {
        var validator = Validator()
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        let reason = validator.text(request.reason, field: "body.reason").trimmingCharacters(
            in: .whitespacesAndNewlines)
        validator.require(!reason.isEmpty, "body.reason", "must not be empty")
        try validator.check()
        let now = clock.now
        let who = context.role.rawValue + (context.actorId.isEmpty ? "" : ":\(context.actorId)")
        return try await store.mutate(context, request, at: now) { transaction in
            let provider = try transaction.find(Provider.self, request.providerId, field: "body.providerId")
            if let erasure = try transaction.erasure(ofProvider: provider.id) {
                return EraseProviderResponse(provider: provider, reason: erasure.reason, erasedBy: erasure.erasedBy)
            }
            let (kept, erasure) = try transaction.erase(
                provider, pseudonym: Self.pseudonym(), reason: reason, by: who, at: now)
            return EraseProviderResponse(provider: kept, reason: erasure.reason, erasedBy: erasure.erasedBy)
        }
    }

    /// A name that says what happened and tells erased providers apart, derived from nothing
    /// about the person.
    static func pseudonym() -> String {
        let digits = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "Erased provider " + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
