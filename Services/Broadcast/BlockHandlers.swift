import Contracts
import Foundation
import GRDB
import ServiceKit
import Transport
import Wire

/// The block list: a provider never contacted for one customer's requests, or anyone's. It is
/// passed to `matching.Rank` with each entry's reason, and checked again at send time.
struct BlockHandlers: BroadcastBlockHandling {
    let store: BroadcastStore
    let environment: ServiceEnvironment
    let maxReplyBytes: Int

    var clock: any ServiceClock { environment.clock }

    /// Adds an entry (blocking again replaces the reason), for a provider and a customer the
    /// partner has: any other (another partner's included) is `NOT_FOUND`, and nothing is written.
    func block(_ request: BlockRequest, _ context: CallerContext) async throws -> BlockReply {
        var validator = Validator()
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        validator.optionalId(request.customerId, field: "body.customerId")
        let reason = request.reason.map { validator.text($0, field: "body.reason") }
        try validator.check()
        try await requireKnown(request, context)
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            let row = try writer.block(request.providerId, customerId: request.customerId, reason: reason, at: now)
            return BlockReply(block: row.wire)
        }
    }

    /// The provider and the customer, asked of the registry in the caller's tenant; a `NOT_FOUND`
    /// from it names the block's own field.
    private func requireKnown(_ request: BlockRequest, _ context: CallerContext) async throws {
        let registry = RegistryClient(try environment.client(Registry.service), onBehalfOf: context)
        do {
            _ = try await registry.getProvider(GetProviderRequest(id: request.providerId))
        } catch  where error.code == .notFound {
            throw BroadcastError.notFound(kind: "provider", id: request.providerId, field: "body.providerId")
        }
        guard let customerId = request.customerId else { return }
        do {
            _ = try await registry.getCustomer(GetCustomerRequest(id: customerId))
        } catch  where error.code == .notFound {
            throw BroadcastError.notFound(kind: "customer", id: customerId, field: "body.customerId")
        }
    }

    func unblock(_ request: UnblockRequest, _ context: CallerContext) async throws -> BlockReply {
        var validator = Validator()
        validator.require(!request.providerId.isEmpty, "body.providerId", "must not be empty")
        validator.optionalId(request.customerId, field: "body.customerId")
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            BlockReply(block: try writer.unblock(request.providerId, customerId: request.customerId, at: now).wire)
        }
    }

    /// Entries by provider, then customer (every customer first), paged.
    func listBlocks(_ request: ListBlocksRequest, _ context: CallerContext) async throws -> ListBlocksResponse {
        try Paging.validate(pageSize: request.pageSize)
        let all = try await store.read(context.partnerId) { reader in
            try BlockRow.all().inTenant(reader.partnerId).inOrder().fetchAll(reader.db).filter { row in
                (request.providerId == nil || row.providerId == request.providerId)
                    && (request.customerId == nil || row.customerId == request.customerId)
            }.map(\.wire)
        }
        let page = try Paging.page(
            all, key: { "\($0.providerId)|\($0.customerId ?? "")" }, pageSize: request.pageSize,
            pageToken: request.pageToken,
            query: "blocks|\(context.partnerId)|\(request.providerId ?? "")|\(request.customerId ?? "")",
            maxBytes: maxReplyBytes)
        return ListBlocksResponse(blocks: page.items, nextPageToken: page.nextPageToken)
    }
}
