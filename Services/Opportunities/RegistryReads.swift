import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// What the opportunities service reads from the registry, on behalf of its caller. Each call goes
/// through a `RegistryClient` made at that moment, so it carries what is left of the caller's
/// deadline then, not what was left when the handler started.
struct RegistryReads: Sendable {
    let rpc: RPCClient
    let caller: CallerContext

    private var registry: RegistryClient { RegistryClient(rpc, onBehalfOf: caller) }

    /// The customer `id`; the registry's `NOT_FOUND` names the caller's `field`.
    func customer(_ id: String, field: String) async throws(RPCError) -> Customer {
        try await naming(kind: "customer", id: id, field: field) { () async throws(RPCError) in
            try await registry.getCustomer(GetCustomerRequest(id: id)).customer
        }
    }

    /// The provider `id`; the registry's `NOT_FOUND` names the caller's `field`.
    func provider(_ id: String, field: String) async throws(RPCError) -> Provider {
        try await naming(kind: "provider", id: id, field: field) { () async throws(RPCError) in
            try await registry.getProvider(GetProviderRequest(id: id)).provider
        }
    }

    /// Every qualification of the tenant, archived ones included, read page after page.
    func allQualifications() async throws(RPCError) -> [Qualification] {
        var all: [Qualification] = []
        var pageToken: String?
        repeat {
            let page = try await registry.listQualifications(
                ListQualificationsRequest(includeArchived: true, pageToken: pageToken))
            all += page.qualifications
            pageToken = page.nextPageToken
        } while pageToken != nil
        return all
    }

    /// A provider with its availability (and the rest `GetProvider` tells).
    func providerDetails(_ id: String) async throws(RPCError) -> GetProviderResponse {
        try await registry.getProvider(GetProviderRequest(id: id))
    }

    /// The partner's zones and provider types.
    func vocabulary() async throws(RPCError) -> Vocabulary {
        try await registry.getVocabulary().vocabulary
    }

    /// Whether each of `qualificationIds` is in effect for the provider over the request's time
    /// and zone, with every reason it is not.
    func statuses(_ qualificationIds: [String], providerId: String, for request: RequestRecord)
        async throws(RPCError) -> [QualificationStatus]
    {
        guard !qualificationIds.isEmpty else { return [] }
        return try await registry.checkQualifications(
            CheckQualificationsRequest(
                providerId: providerId, from: request.startsAt, to: request.endsAt, zone: request.zone,
                qualificationIds: qualificationIds)
        ).results
    }

    /// Whether the provider meets every one of `qualificationIds` over the request's time and zone.
    func meetsEvery(_ qualificationIds: [String], providerId: String, for request: RequestRecord)
        async throws(RPCError) -> Bool
    {
        try await statuses(qualificationIds, providerId: providerId, for: request).allSatisfy(\.inEffect)
    }

    /// Runs `call`, answering the registry's `NOT_FOUND` as one for the caller's own field.
    private func naming<Value>(
        kind: String, id: String, field: String, _ call: () async throws(RPCError) -> Value
    ) async throws(RPCError) -> Value {
        do {
            return try await call()
        } catch  where error.code == .notFound {
            throw RPCError.notFound(kind, id: id, field: field)
        }
    }
}

extension ServiceEnvironment {
    /// The registry, read on behalf of `caller`: as the service within the caller's tenant and deadline.
    func registry(onBehalfOf caller: CallerContext) throws -> RegistryReads {
        RegistryReads(rpc: try client(Registry.service), caller: caller)
    }
}
