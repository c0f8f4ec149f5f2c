import Contracts
import Foundation
import ServiceKit
import Transport

/// A provider's documents: added (with a durable timer for their expiry, `DocumentExpiry`) and
/// revoked.
struct DocumentHandlers: RegistryDocumentHandling {
    let store: RegistryStore
    let clock: any ServiceClock

    func addDocument(_ request: AddDocumentRequest, _ context: CallerContext) async throws -> DocumentReply {
        var validator = Validator()
        if let expiresAt = request.expiresAt {
            validator.require(expiresAt > request.issuedAt, "body.expiresAt", "must be after issuedAt")
        }
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            _ = try transaction.find(Provider.self, request.providerId, field: "body.providerId")
            _ = try transaction.find(DocumentType.self, request.documentTypeId, field: "body.documentTypeId")
            let document = Document(
                partnerId: transaction.partnerId, id: Identifier.make("doc"), providerId: request.providerId,
                documentTypeId: request.documentTypeId, issuedAt: request.issuedAt, expiresAt: request.expiresAt,
                revokedAt: nil)
            try transaction.add(document, at: now)
            return DocumentReply(document: document)
        }
    }

    func revokeDocument(_ request: RevokeDocumentRequest, _ context: CallerContext) async throws -> DocumentReply {
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let document = try transaction.find(Document.self, request.id, field: "body.id")
            // Revoking twice changes nothing, so a retry is harmless.
            guard document.revokedAt == nil else { return DocumentReply(document: document) }
            return DocumentReply(document: try transaction.revoke(document, at: now))
        }
    }
}
