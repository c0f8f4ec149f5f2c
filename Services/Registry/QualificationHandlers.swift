import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Qualifications: defined by the partner, changed (each change a new version), archived (never
/// deleted), listed.
struct QualificationHandlers: RegistryQualificationHandling {
    let store: RegistryStore
    let clock: any ServiceClock
    /// The reply size limit lists are paged to.
    let maxReplyBytes: Int

    func createQualification(
        _ request: CreateQualificationRequest, _ context: CallerContext
    ) async throws -> QualificationReply {
        var validator = Validator()
        let name = validator.name(request.name, field: "body.name")
        let description = validator.text(request.description, field: "body.description")
        let providerTypes = validator.codes(request.providerTypes, field: "body.providerTypes")
        let zones = validator.codes(request.zones, field: "body.zones")
        let documentTypeIds = validator.codes(request.requiredDocumentTypeIds, field: "body.requiredDocumentTypeIds")
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            try transaction.requireUniqueName(Qualification.self, name)
            _ = try transaction.findAll(DocumentType.self, documentTypeIds, field: "body.requiredDocumentTypeIds")
            let vocabulary = try transaction.vocabulary()
            try vocabulary.require(providerTypes, of: .providerType, field: "body.providerTypes")
            try vocabulary.require(zones, of: .zone, field: "body.zones")
            let qualification = Qualification(
                partnerId: transaction.partnerId, id: Identifier.make("q"), name: name, description: description,
                providerTypes: providerTypes, zones: zones, requiredDocumentTypeIds: documentTypeIds, archived: false,
                version: 1, createdAt: now, updatedAt: now)
            try transaction.insert(qualification, event: Registry.EventType.qualificationCreated, at: now)
            return QualificationReply(qualification: qualification)
        }
    }

    /// Changes only the fields sent, or exactly those named in `updateMask` (clearing a list
    /// named but not sent means "all" again; a description, empty).
    func updateQualification(
        _ request: UpdateQualificationRequest, _ context: CallerContext
    ) async throws -> QualificationReply {
        let mask = try UpdateMask(request.updateMask, allowed: UpdateQualificationRequest.maskPaths)
        var validator = Validator()
        let name = request.name.map { validator.name($0, field: "body.name") }
        let description = request.description.map { validator.text($0, field: "body.description") }
        let providerTypes = request.providerTypes.map { validator.codes($0, field: "body.providerTypes") }
        let zones = request.zones.map { validator.codes($0, field: "body.zones") }
        let documentTypeIds = request.requiredDocumentTypeIds.map {
            validator.codes($0, field: "body.requiredDocumentTypeIds")
        }
        try validator.check()
        try mask.requireSent("name", sent: name != nil, field: "body.name")
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            var qualification = try transaction.find(Qualification.self, request.id, field: "body.id")
            try StaleVersion.check(
                request.expectedVersion, actual: qualification.version, kind: "qualification", id: request.id)
            try QualificationPolicy.requireChangeable(qualification)
            let vocabulary = try transaction.vocabulary()
            if let name, mask.changes("name", sent: true) {
                try transaction.requireUniqueName(Qualification.self, name, except: request.id)
            }
            if let providerTypes, mask.changes("providerTypes", sent: true) {
                try vocabulary.require(providerTypes, of: .providerType, field: "body.providerTypes")
            }
            if let zones, mask.changes("zones", sent: true) {
                try vocabulary.require(zones, of: .zone, field: "body.zones")
            }
            if let documentTypeIds, mask.changes("requiredDocumentTypeIds", sent: true) {
                _ = try transaction.findAll(DocumentType.self, documentTypeIds, field: "body.requiredDocumentTypeIds")
            }
            qualification.name = mask.apply("name", sent: name, current: qualification.name, cleared: "")
            qualification.description = mask.apply(
                "description", sent: description, current: qualification.description, cleared: "")
            qualification.providerTypes = mask.apply(
                "providerTypes", sent: providerTypes, current: qualification.providerTypes, cleared: [])
            qualification.zones = mask.apply("zones", sent: zones, current: qualification.zones, cleared: [])
            qualification.requiredDocumentTypeIds = mask.apply(
                "requiredDocumentTypeIds", sent: documentTypeIds, current: qualification.requiredDocumentTypeIds,
                cleared: [])
            return try Self.saveNextVersion(
                &qualification, transaction, event: Registry.EventType.qualificationUpdated, at: now)
        }
    }

    func archiveQualification(
        _ request: ArchiveQualificationRequest, _ context: CallerContext
    ) async throws -> QualificationReply {
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            var qualification = try transaction.find(Qualification.self, request.id, field: "body.id")
            try StaleVersion.check(
                request.expectedVersion, actual: qualification.version, kind: "qualification", id: request.id)
            // Archiving twice is a no-op, so a retry is harmless.
            guard !qualification.archived else { return QualificationReply(qualification: qualification) }
            qualification.archived = true
            return try Self.saveNextVersion(
                &qualification, transaction, event: Registry.EventType.qualificationArchived, at: now)
        }
    }

    func listQualifications(
        _ request: ListQualificationsRequest, _ context: CallerContext
    ) async throws -> ListQualificationsResponse {
        let includeArchived = request.includeArchived == true
        let all = try await store.read(context.partnerId) { try $0.qualifications(includeArchived: includeArchived) }
        let page = try Paging.page(
            all, key: \.id, request: request,
            query: "qualifications|\(context.partnerId)|\(includeArchived)", maxBytes: maxReplyBytes)
        return ListQualificationsResponse(qualifications: page.items, nextPageToken: page.nextPageToken)
    }

    /// Saves a changed qualification as its next version and announces it as `event`.
    private static func saveNextVersion(
        _ qualification: inout Qualification, _ transaction: RegistryTransaction, event: String, at now: Date
    ) throws -> QualificationReply {
        qualification.version += 1
        qualification.updatedAt = now
        try transaction.update(qualification, event: event, at: now)
        return QualificationReply(qualification: qualification)
    }
}
