import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// The partner's dispositions: custom ones defined, changed, archived (once used, never
/// deleted) and listed with the system and default ones; recycle rules of any of them.
struct DispositionHandlers: BroadcastDispositionHandling {
    let store: BroadcastStore
    let clock: any ServiceClock

    /// A new or changed custom disposition, or a built-in one's recycle rule (`Dispositions.define`).
    func defineDisposition(
        _ request: DefineDispositionRequest, _ context: CallerContext
    ) async throws -> DispositionReply {
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            let definition = try Dispositions.define(request, existing: try writer.catalogue()[request.code], at: now)
            try writer.save(definition, event: Broadcast.EventType.dispositionDefined, at: now)
            return DispositionReply(disposition: definition)
        }
    }

    /// Archives a custom disposition: it can no longer be set, and history and statistics keep
    /// it as it was. Archiving twice is harmless.
    func archiveDisposition(
        _ request: DispositionCodeRequest, _ context: CallerContext
    ) async throws -> DispositionReply {
        let now = clock.now
        return try await store.mutate(context, request, at: now) { writer in
            var definition = try Self.custom(request.code, writer)
            guard !definition.archived else { return DispositionReply(disposition: definition) }
            definition.archived = true
            definition.updatedAt = now
            try writer.save(definition, event: Broadcast.EventType.dispositionArchived, at: now)
            return DispositionReply(disposition: definition)
        }
    }

    /// Deletes a custom disposition no attempt carries; one in use is archived instead.
    func deleteDisposition(
        _ request: DispositionCodeRequest, _ context: CallerContext
    ) async throws -> DeleteDispositionResponse {
        try await store.mutate(context, request, at: clock.now) { writer in
            _ = try Self.custom(request.code, writer)
            let uses = try writer.uses(of: request.code)
            guard uses == 0 else { throw BroadcastError.dispositionInUse(code: request.code, attempts: uses) }
            try writer.delete(disposition: request.code)
            return DeleteDispositionResponse(code: request.code)
        }
    }

    func listDispositions(
        _ request: ListDispositionsRequest, _ context: CallerContext
    ) async throws -> ListDispositionsResponse {
        let catalogue = try await store.read(context.partnerId) { try $0.catalogue() }
        return ListDispositionsResponse(
            dispositions: Dispositions.listed(catalogue, includeArchived: request.includeArchived == true))
    }

    /// The partner's custom disposition `code`: `NOT_FOUND`, or a refusal for a built-in one.
    private static func custom(_ code: String, _ writer: BroadcastWriter) throws -> DispositionDefinition {
        guard let definition = try writer.catalogue()[code] else {
            throw BroadcastError.notFound(kind: "disposition", id: code, field: "body.code")
        }
        guard definition.kind == .custom else {
            throw BroadcastError.builtInDisposition(code: code, field: "body.code")
        }
        return definition
    }
}
