import Contracts
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

    func upsertProvider(_ request: UpsertProviderRequest, _ context: CallerContext) async throws -> ProviderReply {
        var validator = Validator()
        validator.optionalId(request.id, field: "body.id")
        let name = validator.name(request.name, field: "body.name")
        let providerType = validator.name(request.providerType, field: "body.providerType")
        let zones = validator.codes(request.zones, field: "body.zones")
        if let email = request.email {
            let isAddress = email.count <= 320 && email.split(separator: "@").count == 2 && !email.contains(" ")
            validator.require(isAddress, "body.email", "must be an email address")
        }
        if let phone = request.phone {
            validator.require(!phone.isEmpty && phone.count <= 40, "body.phone", "must be 1 to 40 characters")
        }
        if let location = request.location {
            validator.location(location, field: "body.location")
        }
        if let radius = request.travelRadiusKm {
            validator.require(radius >= 0 && radius <= 20_000, "body.travelRadiusKm", "must be from 0 to 20000")
        }
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let existing = try transaction.upsertTarget(
                Provider.self, request.id, expectedVersion: request.expectedVersion)
            let provider = Provider(
                partnerId: transaction.partnerId, id: existing?.id ?? request.id ?? Identifier.make("pr"), name: name,
                providerType: providerType, email: request.email, phone: request.phone, location: request.location,
                travelRadiusKm: request.travelRadiusKm, zones: zones,
                active: request.active ?? existing?.active ?? true, version: (existing?.version ?? 0) + 1,
                createdAt: existing?.createdAt ?? now, updatedAt: now)
            try transaction.save(provider, event: Registry.EventType.providerUpserted, at: now)
            return ProviderReply(provider: provider)
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
            throw RPCError.invalidArgument(field: "body.limit", "must be from 1 to 1000")
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
