import Contracts
import Foundation
import ServiceKit
import Transport

/// Document types: the kinds of document (a certificate, a clearance) providers can hold.
struct DocumentTypeHandlers: RegistryDocumentTypeHandling {
    let store: RegistryStore
    let clock: any ServiceClock
    /// The reply size limit lists are paged to.
    let maxReplyBytes: Int

    func createDocumentType(
        _ request: CreateDocumentTypeRequest, _ context: CallerContext
    ) async throws -> DocumentTypeReply {
        var validator = Validator()
        let name = validator.name(request.name, field: "body.name")
        let description = validator.text(request.description, field: "body.description")
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            try transaction.requireUniqueName(DocumentType.self, name)
            let type = DocumentType(
                partnerId: transaction.partnerId, id: Identifier.make("dt"), name: name, description: description,
                createdAt: now)
            try transaction.insert(type, event: Registry.EventType.documentTypeCreated, at: now)
            return DocumentTypeReply(documentType: type)
        }
    }

    func listDocumentTypes(
        _ request: ListDocumentTypesRequest, _ context: CallerContext
    ) async throws -> ListDocumentTypesResponse {
        let all = try await store.read(context.partnerId) { try $0.documentTypes() }
        let page = try Paging.page(
            all, key: \.id, request: request,
            query: "documentTypes|\(context.partnerId)", maxBytes: maxReplyBytes)
        return ListDocumentTypesResponse(documentTypes: page.items, nextPageToken: page.nextPageToken)
    }
}
