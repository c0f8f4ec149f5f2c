import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Transport
import Wire

/// The registry's RPC handlers: validate, then change the store and append the event in one
/// transaction (idempotent when the request carries a key). Bad input changes nothing.
struct RegistryHandlers: Sendable {
    let environment: ServiceEnvironment
    let expiry: DocumentExpiryScheduler

    var database: ServiceDatabase { environment.database }
    var now: Date { environment.clock.now }

    func register(into router: inout RPCRouter) {
        router.register(Registry.createDocumentType, createDocumentType)
        router.register(Registry.listDocumentTypes, listDocumentTypes)
        router.register(Registry.createQualification, createQualification)
        router.register(Registry.updateQualification, updateQualification)
        router.register(Registry.archiveQualification, archiveQualification)
        router.register(Registry.listQualifications, listQualifications)
        router.register(Registry.upsertProvider, upsertProvider)
        router.register(Registry.getProvider, getProvider)
        router.register(Registry.listProviders, listProviders)
        router.register(Registry.addDocument, addDocument)
        router.register(Registry.revokeDocument, revokeDocument)
        router.register(Registry.applyQualification, applyQualification)
        router.register(Registry.removeQualification, removeQualification)
        router.register(Registry.checkQualifications, checkQualifications)
        router.register(Registry.setAvailability, setAvailability)
        router.register(Registry.upsertCustomer, upsertCustomer)
        router.register(Registry.getCustomer, getCustomer)
    }

    private func emit<Data: Encodable>(_ db: GRDB.Database, _ type: String, partner: String, _ data: Data, at now: Date) throws {
        try database.outbox.append(db, type: type, partnerId: partner, occurredAt: now, data: data)
    }

    private func checkVersion(_ expected: Int?, actual: Int, kind: String, id: String) throws(RPCError) {
        if let expected, expected != actual {
            throw RPCError(.aborted, "\(kind) \(id) is at version \(actual), not \(expected); read it again and retry",
                           details: [FieldViolation(field: "body.expectedVersion", description: "is stale (current \(actual))")])
        }
    }

    /// A provider may act only on itself; anyone else in the tenant is checked by role alone.
    private func requireSelf(_ context: RequestContext, providerId: String) throws(RPCError) {
        if context.actor?.role == .provider, context.actor?.id != providerId {
            throw RPCError(.permissionDenied, "a provider may read only its own record")
        }
    }

    // MARK: Document types

    func createDocumentType(_ request: CreateDocumentTypeRequest, _ context: RequestContext) async throws -> DocumentTypeReply {
        let partner = try context.partnerId()
        var validator = Validator()
        let name = validator.name(request.name, field: "body.name")
        let description = validator.text(request.description, field: "body.description")
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            try RegistryStore.requireUniqueName(db, table: "documentType", partner: partner, name: name, kind: "document type")
            let type = DocumentType(partnerId: partner, id: Identifier.make("dt"), name: name, description: description, createdAt: now)
            try type.insert(db)
            try emit(db, Registry.EventType.documentTypeCreated, partner: partner, type, at: now)
            return DocumentTypeReply(documentType: type)
        }
    }

    func listDocumentTypes(_ request: ListDocumentTypesRequest, _ context: RequestContext) async throws -> ListDocumentTypesResponse {
        let partner = try context.partnerId()
        let all = try await database.pool.read { db in
            try DocumentType.filter(DocumentType.Columns.partnerId == partner).order(DocumentType.Columns.name.collating(.nocase)).fetchAll(db)
        }
        let page = try Paging.page(
            all, key: \.id, pageSize: request.pageSize, pageToken: request.pageToken, query: "documentTypes|\(partner)",
            maxBytes: environment.configuration.maxMessageBytes)
        return ListDocumentTypesResponse(documentTypes: page.items, nextPageToken: page.nextPageToken)
    }

    // MARK: Qualifications

    func createQualification(_ request: CreateQualificationRequest, _ context: RequestContext) async throws -> QualificationReply {
        let partner = try context.partnerId()
        var validator = Validator()
        let name = validator.name(request.name, field: "body.name")
        let description = validator.text(request.description, field: "body.description")
        let providerTypes = validator.codes(request.providerTypes, field: "body.providerTypes")
        let zones = validator.codes(request.zones, field: "body.zones")
        let documentTypeIds = validator.codes(request.requiredDocumentTypeIds, field: "body.requiredDocumentTypeIds")
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            try RegistryStore.requireUniqueName(db, table: "qualification", partner: partner, name: name, kind: "qualification")
            try requireDocumentTypes(db, partner: partner, ids: documentTypeIds)
            let qualification = Qualification(
                partnerId: partner, id: Identifier.make("q"), name: name, description: description, providerTypes: providerTypes,
                zones: zones, requiredDocumentTypeIds: documentTypeIds, archived: false, version: 1, createdAt: now, updatedAt: now)
            try qualification.insert(db)
            try emit(db, Registry.EventType.qualificationCreated, partner: partner, qualification, at: now)
            return QualificationReply(qualification: qualification)
        }
    }

    func updateQualification(_ request: UpdateQualificationRequest, _ context: RequestContext) async throws -> QualificationReply {
        let partner = try context.partnerId()
        var validator = Validator()
        let name = request.name.map { validator.name($0, field: "body.name") }
        let description = request.description.map { validator.text($0, field: "body.description") }
        let providerTypes = request.providerTypes.map { validator.codes($0, field: "body.providerTypes") }
        let zones = request.zones.map { validator.codes($0, field: "body.zones") }
        let documentTypeIds = request.requiredDocumentTypeIds.map { validator.codes($0, field: "body.requiredDocumentTypeIds") }
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var qualification = try RegistryStore.qualification(db, partner: partner, id: request.id, field: "body.id")
            try checkVersion(request.expectedVersion, actual: qualification.version, kind: "qualification", id: request.id)
            if qualification.archived {
                throw RPCError(.failedPrecondition, "qualification \(request.id) is archived and cannot be changed")
            }
            if let name {
                try RegistryStore.requireUniqueName(db, table: "qualification", partner: partner, name: name, except: request.id, kind: "qualification")
                qualification.name = name
            }
            if let description { qualification.description = description }
            if let providerTypes { qualification.providerTypes = providerTypes }
            if let zones { qualification.zones = zones }
            if let documentTypeIds {
                try requireDocumentTypes(db, partner: partner, ids: documentTypeIds)
                qualification.requiredDocumentTypeIds = documentTypeIds
            }
            return try save(db, &qualification, event: Registry.EventType.qualificationUpdated, at: now)
        }
    }

    func archiveQualification(_ request: ArchiveQualificationRequest, _ context: RequestContext) async throws -> QualificationReply {
        let partner = try context.partnerId()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var qualification = try RegistryStore.qualification(db, partner: partner, id: request.id, field: "body.id")
            try checkVersion(request.expectedVersion, actual: qualification.version, kind: "qualification", id: request.id)
            // Archiving twice is a no-op, so a retry is harmless.
            guard !qualification.archived else { return QualificationReply(qualification: qualification) }
            qualification.archived = true
            return try save(db, &qualification, event: Registry.EventType.qualificationArchived, at: now)
        }
    }

    /// Every id must name a document type of the tenant (NOT_FOUND naming its index).
    private func requireDocumentTypes(_ db: GRDB.Database, partner: String, ids: [String]) throws {
        for (index, id) in ids.enumerated() {
            _ = try RegistryStore.documentType(db, partner: partner, id: id, field: "body.requiredDocumentTypeIds[\(index)]")
        }
    }

    /// Saves a changed qualification as its next version and emits `event`.
    private func save(_ db: GRDB.Database, _ qualification: inout Qualification, event: String, at now: Date) throws -> QualificationReply {
        qualification.version += 1
        qualification.updatedAt = now
        try qualification.update(db)
        try emit(db, event, partner: qualification.partnerId, qualification, at: now)
        return QualificationReply(qualification: qualification)
    }

    func listQualifications(_ request: ListQualificationsRequest, _ context: RequestContext) async throws -> ListQualificationsResponse {
        let partner = try context.partnerId()
        let all = try await database.pool.read { db in
            var query = Qualification.filter(Qualification.Columns.partnerId == partner)
            if request.includeArchived != true { query = query.filter(Qualification.Columns.archived == false) }
            return try query.order(Qualification.Columns.name.collating(.nocase)).fetchAll(db)
        }
        let page = try Paging.page(
            all, key: \.id, pageSize: request.pageSize, pageToken: request.pageToken,
            query: "qualifications|\(partner)|\(request.includeArchived == true)", maxBytes: environment.configuration.maxMessageBytes)
        return ListQualificationsResponse(qualifications: page.items, nextPageToken: page.nextPageToken)
    }

    // MARK: Providers

    func upsertProvider(_ request: UpsertProviderRequest, _ context: RequestContext) async throws -> ProviderReply {
        let partner = try context.partnerId()
        var validator = Validator()
        validator.optionalId(request.id, field: "body.id")
        let name = validator.name(request.name, field: "body.name")
        let providerType = validator.name(request.providerType, field: "body.providerType")
        let zones = validator.codes(request.zones, field: "body.zones")
        if let email = request.email {
            validator.require(email.count <= 320 && email.split(separator: "@").count == 2 && !email.contains(" "), "body.email", "must be an email address")
        }
        if let phone = request.phone {
            validator.require(!phone.isEmpty && phone.count <= 40, "body.phone", "must be 1 to 40 characters")
        }
        if let location = request.location {
            validator.require((-90...90).contains(location.lat), "body.location.lat", "must be from -90 to 90")
            validator.require((-180...180).contains(location.lon), "body.location.lon", "must be from -180 to 180")
        }
        if let radius = request.travelRadiusKm {
            validator.require(radius >= 0 && radius <= 20_000, "body.travelRadiusKm", "must be from 0 to 20000")
        }
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            let existing = try request.id.flatMap { try Provider.fetchOne(db, key: ["partnerId": partner, "id": $0]) }
            if let existing {
                try checkVersion(request.expectedVersion, actual: existing.version, kind: "provider", id: existing.id)
            } else if request.expectedVersion != nil {
                throw RPCError.notFound("provider", id: request.id ?? "", field: "body.id")
            }
            let provider = Provider(
                partnerId: partner, id: existing?.id ?? request.id ?? Identifier.make("pr"), name: name, providerType: providerType,
                email: request.email, phone: request.phone, location: request.location, travelRadiusKm: request.travelRadiusKm,
                zones: zones, active: request.active ?? existing?.active ?? true, version: (existing?.version ?? 0) + 1,
                createdAt: existing?.createdAt ?? now, updatedAt: now)
            try provider.save(db)
            try emit(db, Registry.EventType.providerUpserted, partner: partner, provider, at: now)
            return ProviderReply(provider: provider)
        }
    }

    func getProvider(_ request: GetProviderRequest, _ context: RequestContext) async throws -> GetProviderResponse {
        let partner = try context.partnerId()
        try requireSelf(context, providerId: request.id)
        let now = self.now
        return try await database.pool.read { db in
            let provider = try RegistryStore.provider(db, partner: partner, id: request.id, field: "body.id")
            return GetProviderResponse(
                provider: provider,
                documents: try RegistryStore.documents(db, partner: partner, providerId: provider.id),
                qualifications: try RegistryStore.statuses(db, partner: partner, provider: provider, qualificationIds: nil, from: now, to: now, zone: nil),
                availability: try RegistryStore.availability(db, partner: partner, providerId: provider.id))
        }
    }

    func listProviders(_ request: ListProvidersRequest, _ context: RequestContext) async throws -> ListProvidersResponse {
        let partner = try context.partnerId()
        guard (1...1000).contains(request.limit ?? 200) else { throw RPCError.invalidArgument(field: "body.limit", "must be from 1 to 1000") }
        try Paging.validate(pageSize: request.pageSize)
        let limit = request.pageSize ?? request.limit ?? 200
        let filters = "providers|\(partner)|\(request.providerType ?? "")|\(request.zone ?? "")|\(request.activeOnly == true)"
        let after = try Paging.after(token: request.pageToken, query: filters) ?? request.afterId
        let found = try await database.pool.read { db in
            var query = Provider.filter(Provider.Columns.partnerId == partner)
            if let type = request.providerType { query = query.filter(Provider.Columns.providerType == type) }
            if request.activeOnly == true { query = query.filter(Provider.Columns.active == true) }
            if let after { query = query.filter(Provider.Columns.id > after) }
            if let zone = request.zone {
                query = query.filter(sql: "EXISTS (SELECT 1 FROM json_each(provider.zones) WHERE value = ?)", arguments: [zone])
            }
            // One more than asked, to know whether another page follows.
            return try query.order(Provider.Columns.id).limit(limit + 1).fetchAll(db)
        }
        let page = Array(found.prefix(limit))
        let fitting = try Paging.fitting(page, maxBytes: environment.configuration.maxMessageBytes)
        let providers = Array(page.prefix(fitting))
        let more = found.count > providers.count
        return ListProvidersResponse(
            providers: providers, nextPageToken: more ? Paging.token(after: providers[providers.count - 1].id, query: filters) : nil)
    }

    // MARK: Documents

    func addDocument(_ request: AddDocumentRequest, _ context: RequestContext) async throws -> DocumentReply {
        let partner = try context.partnerId()
        var validator = Validator()
        if let expiresAt = request.expiresAt {
            validator.require(expiresAt > request.issuedAt, "body.expiresAt", "must be after issuedAt")
        }
        try validator.check()
        let now = self.now
        let reply = try await database.mutate(context, request: request, now: now) { db in
            _ = try RegistryStore.provider(db, partner: partner, id: request.providerId, field: "body.providerId")
            _ = try RegistryStore.documentType(db, partner: partner, id: request.documentTypeId, field: "body.documentTypeId")
            let document = Document(
                partnerId: partner, id: Identifier.make("doc"), providerId: request.providerId, documentTypeId: request.documentTypeId,
                issuedAt: request.issuedAt, expiresAt: request.expiresAt, revokedAt: nil)
            try document.insert(db)
            if let expiresAt = request.expiresAt {
                try DocumentExpiryTimer(partnerId: partner, documentId: document.id, dueAt: expiresAt).insert(db)
            }
            try emit(db, Registry.EventType.documentAdded, partner: partner, document, at: now)
            return DocumentReply(document: document)
        }
        return reply
    }

    func revokeDocument(_ request: RevokeDocumentRequest, _ context: RequestContext) async throws -> DocumentReply {
        let partner = try context.partnerId()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            var document = try RegistryStore.document(db, partner: partner, id: request.id, field: "body.id")
            guard document.revokedAt == nil else { return DocumentReply(document: document) }
            document.revokedAt = now
            try document.update(db)
            _ = try DocumentExpiryTimer.deleteOne(db, key: ["partnerId": partner, "documentId": document.id])
            try emit(db, Registry.EventType.documentRevoked, partner: partner, document, at: now)
            return DocumentReply(document: document)
        }
    }

    // MARK: Applied qualifications

    /// The provider and qualification a badge request names (NOT_FOUND naming the field), and
    /// the badge if it is applied.
    private func badge(_ db: GRDB.Database, partner: String, _ request: ApplyQualificationRequest) throws -> (Provider, Qualification, applied: AppliedQualification?) {
        let provider = try RegistryStore.provider(db, partner: partner, id: request.providerId, field: "body.providerId")
        let qualification = try RegistryStore.qualification(db, partner: partner, id: request.qualificationId, field: "body.qualificationId")
        let applied = try AppliedQualification.fetchOne(db, key: ["partnerId": partner, "providerId": provider.id, "qualificationId": qualification.id])
        return (provider, qualification, applied)
    }

    func applyQualification(_ request: ApplyQualificationRequest, _ context: RequestContext) async throws -> AppliedQualificationReply {
        let partner = try context.partnerId()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            let (provider, qualification, existing) = try badge(db, partner: partner, request)
            if let existing { return AppliedQualificationReply(applied: existing) }
            if qualification.archived {
                throw RPCError(.failedPrecondition, "qualification \(qualification.name) is archived and cannot be applied")
            }
            if !qualification.providerTypes.isEmpty && !qualification.providerTypes.contains(provider.providerType) {
                throw RPCError(.failedPrecondition, "qualification \(qualification.name) is for \(qualification.providerTypes.joined(separator: ", ")), not \(provider.providerType)",
                               details: [FieldViolation(field: "body.qualificationId", description: "does not apply to provider type \(provider.providerType)")])
            }
            let applied = AppliedQualification(partnerId: partner, providerId: provider.id, qualificationId: qualification.id, appliedAt: now)
            try applied.insert(db)
            try RegistryStore.markUsed(db, partner: partner, qualificationId: qualification.id, at: now)
            try emit(db, Registry.EventType.qualificationApplied, partner: partner, applied, at: now)
            return AppliedQualificationReply(applied: applied)
        }
    }

    func removeQualification(_ request: RemoveQualificationRequest, _ context: RequestContext) async throws -> AppliedQualificationReply {
        let partner = try context.partnerId()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            guard let applied = try badge(db, partner: partner, request).applied else {
                throw RPCError(.notFound, "qualification \(request.qualificationId) is not applied to provider \(request.providerId)",
                               details: [FieldViolation(field: "body.qualificationId", description: "is not applied to this provider")])
            }
            try applied.delete(db)
            try emit(db, Registry.EventType.qualificationRemoved, partner: partner, applied, at: now)
            return AppliedQualificationReply(applied: applied)
        }
    }

    func checkQualifications(_ request: CheckQualificationsRequest, _ context: RequestContext) async throws -> CheckQualificationsResponse {
        let partner = try context.partnerId()
        try requireSelf(context, providerId: request.providerId)
        var validator = Validator()
        validator.require(request.from < request.to, "body.to", "must be after from")
        if let ids = request.qualificationIds { _ = validator.codes(ids, field: "body.qualificationIds") }
        try validator.check()
        return try await database.pool.read { db in
            let provider = try RegistryStore.provider(db, partner: partner, id: request.providerId, field: "body.providerId")
            return CheckQualificationsResponse(
                providerId: provider.id,
                results: try RegistryStore.statuses(db, partner: partner, provider: provider, qualificationIds: request.qualificationIds, from: request.from, to: request.to, zone: request.zone))
        }
    }

    // MARK: Availability

    func setAvailability(_ request: SetAvailabilityRequest, _ context: RequestContext) async throws -> SetAvailabilityResponse {
        let partner = try context.partnerId()
        var validator = Validator()
        validator.require(request.windows.count <= 1000, "body.windows", "must hold at most 1000 windows")
        for (index, window) in request.windows.enumerated() {
            validator.require(window.from < window.to, "body.windows[\(index)].to", "must be after from")
        }
        let ordered = request.windows.enumerated().sorted { $0.element.from < $1.element.from }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.element.from < previous.element.to {
            validator.require(false, "body.windows[\(next.offset)]", "overlaps windows[\(previous.offset)]")
        }
        try validator.check()
        let windows = ordered.map(\.element)
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            _ = try RegistryStore.provider(db, partner: partner, id: request.providerId, field: "body.providerId")
            _ = try AvailabilityRow.filter(AvailabilityRow.Columns.partnerId == partner && AvailabilityRow.Columns.providerId == request.providerId).deleteAll(db)
            for window in windows {
                try AvailabilityRow(partnerId: partner, providerId: request.providerId, from: window.from, to: window.to, status: window.status).insert(db)
            }
            let reply = SetAvailabilityResponse(partnerId: partner, providerId: request.providerId, windows: windows)
            try emit(db, Registry.EventType.availabilitySet, partner: partner, reply, at: now)
            return reply
        }
    }

    // MARK: Customers

    func upsertCustomer(_ request: UpsertCustomerRequest, _ context: RequestContext) async throws -> CustomerReply {
        let partner = try context.partnerId()
        var validator = Validator()
        validator.optionalId(request.id, field: "body.id")
        let name = validator.name(request.name, field: "body.name")
        let required = validator.codes(request.defaultRequiredQualificationIds, field: "body.defaultRequiredQualificationIds")
        let preferred = validator.codes(request.defaultPreferredQualificationIds, field: "body.defaultPreferredQualificationIds")
        for id in Set(required).intersection(preferred).sorted() {
            validator.require(false, "body.defaultPreferredQualificationIds", "\(id) is already required")
        }
        let lists = request.lists ?? []
        var seen: [String: Int] = [:]
        for (index, entry) in lists.enumerated() {
            if let first = seen[entry.providerId] {
                validator.require(false, "body.lists[\(index)].providerId", "is already on lists[\(first)]")
            }
            seen[entry.providerId] = index
        }
        try validator.check()
        let now = self.now
        return try await database.mutate(context, request: request, now: now) { db in
            let existing = try request.id.flatMap { try Customer.fetchOne(db, key: ["partnerId": partner, "id": $0]) }
            if let existing {
                try checkVersion(request.expectedVersion, actual: existing.version, kind: "customer", id: existing.id)
            } else if request.expectedVersion != nil {
                throw RPCError.notFound("customer", id: request.id ?? "", field: "body.id")
            }
            let id = existing?.id ?? request.id ?? Identifier.make("cu")
            try RegistryStore.requireUniqueName(db, table: "customer", partner: partner, name: name, except: id, kind: "customer")
            for (field, ids) in [("body.defaultRequiredQualificationIds", required), ("body.defaultPreferredQualificationIds", preferred)] {
                for (index, qualification) in try RegistryStore.requireQualifications(db, partner: partner, ids: ids, field: field).enumerated() {
                    // An archived qualification may stay where it was, but not be newly set as a default.
                    let wasThere = (existing?.defaultRequiredQualificationIds ?? []).contains(qualification.id) || (existing?.defaultPreferredQualificationIds ?? []).contains(qualification.id)
                    if qualification.archived && !wasThere {
                        throw RPCError(.failedPrecondition, "qualification \(qualification.name) is archived",
                                       details: [FieldViolation(field: "\(field)[\(index)]", description: "is archived")])
                    }
                    try RegistryStore.markUsed(db, partner: partner, qualificationId: qualification.id, at: now)
                }
            }
            for (index, entry) in lists.enumerated() {
                _ = try RegistryStore.provider(db, partner: partner, id: entry.providerId, field: "body.lists[\(index)].providerId")
            }
            let customer = Customer(
                partnerId: partner, id: id, name: name, defaultRequiredQualificationIds: required, defaultPreferredQualificationIds: preferred,
                lists: lists, version: (existing?.version ?? 0) + 1, createdAt: existing?.createdAt ?? now, updatedAt: now)
            try customer.save(db)
            try emit(db, Registry.EventType.customerUpserted, partner: partner, customer, at: now)
            return CustomerReply(customer: customer)
        }
    }

    func getCustomer(_ request: GetCustomerRequest, _ context: RequestContext) async throws -> CustomerReply {
        let partner = try context.partnerId()
        if context.actor?.role == .customer, context.actor?.id != request.id {
            throw RPCError(.permissionDenied, "a customer may read only its own record")
        }
        return try await database.pool.read { db in
            CustomerReply(customer: try RegistryStore.customer(db, partner: partner, id: request.id, field: "body.id"))
        }
    }
}
