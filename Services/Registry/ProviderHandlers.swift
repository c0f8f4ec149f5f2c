import Contracts
import Domain
import Foundation
import ServiceKit
import Transport
import Wire

/// Providers: who they are, where they work; read with their documents, availability and
/// whether each applied qualification is in effect now.
struct ProviderHandlers: RegistryProviderHandling {
    let store: RegistryStore
    let clock: any ServiceClock
    /// The reply size limit lists are paged to.
    let maxReplyBytes: Int

    /// Creates a provider, or changes only the fields sent (or exactly those in `updateMask`) of
    /// the one with `id`; codes are checked against the partner's vocabulary, when it has one.
    func upsertProvider(_ request: UpsertProviderRequest, _ context: CallerContext) async throws -> ProviderReply {
        let mask = try UpdateMask(request.updateMask, allowed: UpsertProviderRequest.maskPaths)
        var validator = Validator()
        validator.optionalId(request.id, field: "body.id")
        let name = request.name.map { validator.name($0, field: "body.name") }
        let providerType = request.providerType.map { validator.name($0, field: "body.providerType") }
        let zones = request.zones.map { validator.codes($0, field: "body.zones") }
        if let email = request.email {
            let isAddress = email.count <= 320 && email.split(separator: "@").count == 2 && !email.contains(" ")
            validator.require(isAddress, "body.email", "must be an email address")
        }
        if let phone = request.phone {
            validator.require(!phone.isEmpty && phone.count <= 40, "body.phone", "must be 1 to 40 characters")
        }
        validator.location(request.location, field: "body.location")
        if let radius = request.travelRadiusKm {
            validator.require(radius >= 0 && radius <= 20_000, "body.travelRadiusKm", "must be from 0 to 20000")
        }
        try validator.check()
        try mask.requireSent("name", sent: name != nil, field: "body.name")
        try mask.requireSent("providerType", sent: providerType != nil, field: "body.providerType")
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let existing = try transaction.upsertTarget(
                Provider.self, request.id, expectedVersion: request.expectedVersion)
            let provider: Provider
            if let existing, existing.erasedAt != nil {
                // Erasure cannot be undone: nothing may bring a name or contact details back.
                throw RegistryError.providerErased(providerId: existing.id, field: "body.id")
            } else if let existing {
                provider = Self.updated(existing, by: request, mask: mask, name: name, type: providerType, zones: zones)
            } else {
                guard let name else { throw RegistryError.invalidField("body.name", "is required to create") }
                guard let providerType else {
                    throw RegistryError.invalidField("body.providerType", "is required to create")
                }
                provider = Provider(
                    partnerId: transaction.partnerId, id: request.id ?? Identifier.make("pr"), name: name,
                    providerType: providerType, email: request.email, phone: request.phone,
                    location: request.location, travelRadiusKm: request.travelRadiusKm, zones: zones ?? [],
                    active: request.active ?? true, version: 0, createdAt: now, updatedAt: now)
            }
            // Only codes the request brings in are checked: a record keeps what it had.
            let vocabulary = try transaction.vocabulary()
            if let providerType, existing == nil || mask.changes("providerType", sent: true) {
                try vocabulary.require(providerType, of: .providerType, field: "body.providerType")
            }
            if let zones, existing == nil || mask.changes("zones", sent: true) {
                try vocabulary.require(zones, of: .zone, field: "body.zones")
            }
            var saved = provider
            saved.version += 1
            saved.updatedAt = now
            try transaction.save(saved, event: Registry.EventType.providerUpserted, at: now)
            return ProviderReply(provider: saved)
        }
    }

    /// `existing` with the request's changes: the fields sent, or exactly those in the mask.
    private static func updated(
        _ existing: Provider, by request: UpsertProviderRequest, mask: UpdateMask, name: String?, type: String?,
        zones: [String]?
    ) -> Provider {
        var provider = existing
        provider.name = mask.apply("name", sent: name, current: existing.name, cleared: existing.name)
        provider.providerType = mask.apply(
            "providerType", sent: type, current: existing.providerType, cleared: existing.providerType)
        provider.email = mask.apply("email", sent: request.email, current: existing.email)
        provider.phone = mask.apply("phone", sent: request.phone, current: existing.phone)
        provider.location = mask.apply("location", sent: request.location, current: existing.location)
        provider.travelRadiusKm = mask.apply(
            "travelRadiusKm", sent: request.travelRadiusKm, current: existing.travelRadiusKm)
        provider.zones = mask.apply("zones", sent: zones, current: existing.zones, cleared: [])
        provider.active = mask.apply("active", sent: request.active, current: existing.active, cleared: true)
        // A channel marked invalid is usable again once it changes.
        provider.invalidChannels = ContactChannels.marksKept(from: existing, to: provider)
        return provider
    }

    /// Marks the provider's email or phone invalid until it changes (broadcast's
    /// `WRONG_CONTACT_DETAILS`); nothing changes when it is marked already, or holds no value or
    /// another than the address found wrong.
    func markChannelInvalid(
        _ request: MarkChannelInvalidRequest, _ context: CallerContext
    ) async throws -> MarkChannelInvalidResponse {
        var validator = Validator()
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        let reason = request.reason.map { validator.text($0, field: "body.reason") }.flatMap { $0.isEmpty ? nil : $0 }
        if let address = request.address {
            validator.require(address.count <= 320, "body.address", "must be at most 320 characters")
        }
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let provider = try transaction.find(Provider.self, request.providerId, field: "body.providerId")
            guard
                var marked = ContactChannels.marking(
                    provider, request.channel, address: request.address,
                    reason: reason ?? "wrong contact details", attemptId: request.attemptId, at: now)
            else {
                let holds = request.address.map { ContactChannels.value(of: request.channel, in: provider) == $0 }
                let marked = ContactChannels.invalid(provider).contains(request.channel) && holds != false
                return MarkChannelInvalidResponse(provider: provider, marked: marked)
            }
            marked.version += 1
            marked.updatedAt = now
            try transaction.save(marked, event: Registry.EventType.providerUpserted, at: now)
            return MarkChannelInvalidResponse(provider: marked, marked: true)
        }
    }

    func getProvider(_ request: GetProviderRequest, _ context: CallerContext) async throws -> GetProviderResponse {
        try context.requireOwn(providerId: request.id, kind: Provider.kind, id: request.id, field: "body.id")
        let now = clock.now
        return try await store.read(context.partnerId) { transaction in
            let provider = try transaction.find(Provider.self, request.id, field: "body.id")
            return GetProviderResponse(
                provider: provider,
                documents: try transaction.documents(ofProvider: provider.id),
                qualifications: try transaction.statuses(
                    of: provider, qualificationIds: nil, from: now, to: now, zone: nil),
                availability: try transaction.availability(ofProvider: provider.id))
        }
    }

    func listProviders(
        _ request: ListProvidersRequest, _ context: CallerContext
    ) async throws -> ListProvidersResponse {
        guard (1...1000).contains(request.limit ?? 200) else {
            throw RegistryError.invalidField("body.limit", "must be from 1 to 1000")
        }
        try Paging.validate(pageSize: request.pageSize)
        let limit = request.pageSize ?? request.limit ?? 200
        let activeOnly = request.activeOnly == true
        let filters = [
            "providers", context.partnerId, request.providerType ?? "", request.zone ?? "", "\(activeOnly)",
        ].joined(separator: "|")
        let after = try Paging.after(token: request.pageToken, query: filters) ?? request.afterId
        let found = try await store.read(context.partnerId) { transaction in
            // One more than asked, to know whether another page follows.
            try transaction.providers(
                ofType: request.providerType, inZone: request.zone, activeOnly: activeOnly, after: after,
                limit: limit + 1)
        }
        let page = Array(found.prefix(limit))
        let providers = Array(page.prefix(try Paging.fitting(page, maxBytes: maxReplyBytes)))
        let more = found.count > providers.count
        return ListProvidersResponse(
            providers: providers,
            nextPageToken: more ? Paging.token(after: providers[providers.count - 1].id, query: filters) : nil)
    }
}
