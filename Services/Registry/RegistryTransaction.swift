import Contracts
import Domain
import Foundation
import GRDB
import ServiceKit
import Store
import Wire

/// One transaction of the registry's database, scoped to one tenant: the lookups, lists and
/// writes handlers combine. Only `RegistryStore` makes one, for the length of its transaction.
///
/// Every lookup is within `partnerId`, so another tenant's id is `NOT_FOUND` exactly like an id
/// that does not exist; every write appends its event to the outbox in the same transaction.
struct RegistryTransaction {
    /// The tenant every query and write is scoped to.
    let partnerId: String
    private let db: Database
    private let outbox: Outbox

    init(_ db: Database, partnerId: String, outbox: Outbox) {
        self.db = db
        self.partnerId = partnerId
        self.outbox = outbox
    }

    // MARK: Lookups

    /// The tenant's `Record` with this id, or `NOT_FOUND` naming `field`.
    func find<Record: TenantEntity>(_ type: Record.Type, _ id: String, field: String) throws -> Record {
        guard let found = try existing(type, id) else {
            throw RegistryError.notFound(kind: Record.kind, id: id, field: field)
        }
        return found
    }

    /// The tenant's `Record` with this id, if there is one (none without an id).
    func existing<Record: TenantEntity>(_ type: Record.Type, _ id: String?) throws -> Record? {
        guard let id else { return nil }
        return try Record.all().inTenant(partnerId).withId(id).fetchOne(db)
    }

    /// The record an upsert of `id` replaces, if there is one, checked against `expectedVersion`
    /// (stale: `ABORTED`; a version expected of a record that does not exist: `NOT_FOUND`).
    func upsertTarget<Record: VersionedEntity>(_ type: Record.Type, _ id: String?, expectedVersion: Int?) throws
        -> Record?
    {
        let existing = try existing(type, id)
        if let existing {
            try StaleVersion.check(expectedVersion, actual: existing.version, kind: Record.kind, id: existing.id)
        } else if expectedVersion != nil {
            throw RegistryError.notFound(kind: Record.kind, id: id ?? "", field: "body.id")
        }
        return existing
    }

    /// Each id as the tenant's `Record`, in order, or `NOT_FOUND` naming its index in `field`.
    func findAll<Record: TenantEntity>(_ type: Record.Type, _ ids: [String], field: String) throws -> [Record] {
        try ids.enumerated().map { index, id in try find(type, id, field: "\(field)[\(index)]") }
    }

    /// `ALREADY_EXISTS` when another of the tenant's `Record`s (not `id`) is named `name`,
    /// ignoring case.
    func requireUniqueName<Record: NamedEntity>(_ type: Record.Type, _ name: String, except id: String? = nil) throws {
        let clash = try Record.all().inTenant(partnerId).named(name).except(id: id)
            .select(Column("id"), as: String.self).fetchOne(db)
        if let clash { throw RegistryError.nameTaken(kind: Record.kind, name: name, takenBy: clash) }
    }

    /// The qualification applied to the provider (its badge), if it is.
    func badge(providerId: String, qualificationId: String) throws -> AppliedQualification? {
        try AppliedQualification.all().inTenant(partnerId).ofProvider(providerId).ofQualification(qualificationId)
            .fetchOne(db)
    }

    // MARK: Lists

    /// The tenant's document types, by name.
    func documentTypes() throws -> [DocumentType] {
        try DocumentType.all().inTenant(partnerId).orderedByName().fetchAll(db)
    }

    /// The tenant's qualifications by name; archived ones only when asked.
    func qualifications(includeArchived: Bool) throws -> [Qualification] {
        var request = Qualification.all().inTenant(partnerId)
        if !includeArchived { request = request.unarchived() }
        return try request.orderedByName().fetchAll(db)
    }

    /// The tenant's providers in id order after `afterId`, at most `limit`, optionally of one
    /// type, in one zone, or active only.
    func providers(
        ofType providerType: String?, inZone zone: String?, activeOnly: Bool, after afterId: String?, limit: Int
    ) throws -> [Provider] {
        var request = Provider.all().inTenant(partnerId)
        if let providerType { request = request.ofType(providerType) }
        if let zone { request = request.inZone(zone) }
        if activeOnly { request = request.active() }
        if let afterId { request = request.after(id: afterId) }
        return try request.orderedById().limit(limit).fetchAll(db)
    }

    /// The tenant's customers in id order after `afterId`, at most `limit`.
    func customers(after afterId: String?, limit: Int) throws -> [Customer] {
        var request = Customer.all().inTenant(partnerId)
        if let afterId { request = request.after(id: afterId) }
        return try request.orderedById().limit(limit).fetchAll(db)
    }

    /// Availability windows overlapping [from, to) of `providerIds` (nil: every provider), by
    /// provider then start, after the window `after` names, at most `limit`.
    func availability(
        ofProviders providerIds: [String]?, from: Date, to: Date, after: (providerId: String, start: Date)?, limit: Int
    ) throws -> [ProviderAvailabilityWindow] {
        var request = AvailabilityRow.all().inTenant(partnerId).overlapping(from: from, to: to)
        if let providerIds { request = request.ofProviders(providerIds) }
        if let after { request = request.after(providerId: after.providerId, start: after.start) }
        return try request.byProviderThenStart().limit(limit).fetchAll(db).map {
            ProviderAvailabilityWindow(providerId: $0.providerId, from: $0.from, to: $0.to, status: $0.status)
        }
    }

    /// The tenant's vocabulary (empty lists, version 0, before it is first set).
    func vocabulary() throws -> Vocabulary {
        try Vocabulary.all().inTenant(partnerId).fetchOne(db) ?? Vocabulary(partnerId: partnerId)
    }

    /// A provider's documents, oldest first.
    func documents(ofProvider providerId: String) throws -> [Document] {
        try Document.all().inTenant(partnerId).ofProvider(providerId).inIssueOrder().fetchAll(db)
    }

    /// A provider's availability windows, earliest first.
    func availability(ofProvider providerId: String) throws -> [AvailabilityWindow] {
        try AvailabilityRow.all().inTenant(partnerId).ofProvider(providerId).chronological().fetchAll(db).map(\.window)
    }

    /// The ids of the qualifications applied to a provider.
    func appliedQualificationIds(ofProvider providerId: String) throws -> Set<String> {
        let badges = try AppliedQualification.all().inTenant(partnerId).ofProvider(providerId).fetchAll(db)
        return Set(badges.map(\.qualificationId))
    }

    /// Judges qualifications for a provider over [from, to] (`QualificationRules`): the given
    /// ids (`NOT_FOUND` naming `body.qualificationIds[i]`), or every applied one; by name.
    func statuses(
        of provider: Provider, qualificationIds: [String]?, from: Date, to: Date, zone: String?
    ) throws -> [QualificationStatus] {
        let applied = try appliedQualificationIds(ofProvider: provider.id)
        let qualifications = try findAll(
            Qualification.self, qualificationIds ?? applied.sorted(), field: "body.qualificationIds")
        let documents = try documents(ofProvider: provider.id)
        let names = Dictionary(uniqueKeysWithValues: try documentTypes().map { ($0.id, $0.name) })
        return qualifications.map {
            QualificationRules.evaluate(
                $0, provider: provider, applied: applied.contains($0.id), documents: documents,
                documentTypeNames: names, from: from, to: to, zone: zone)
        }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    // MARK: Writes

    /// Inserts a new record and announces it as `event`.
    func insert<Record: PersistableRecord & Encodable>(_ record: Record, event: String, at now: Date) throws {
        try record.insert(db)
        try emit(event, record, at: now)
    }

    /// Changes an existing record and announces it as `event`.
    func update<Record: PersistableRecord & Encodable>(_ record: Record, event: String, at now: Date) throws {
        try record.update(db)
        try emit(event, record, at: now)
    }

    /// Inserts or replaces a record (an upsert) and announces it as `event`.
    func save<Record: PersistableRecord & Encodable>(_ record: Record, event: String, at now: Date) throws {
        try record.save(db)
        try emit(event, record, at: now)
    }

    /// Records a document and sets the timer of its expiry, if it has one.
    func add(_ document: Document, at now: Date) throws {
        try document.insert(db)
        if let timer = DocumentExpiry.timer(for: document) { try DurableTimer.schedule(db, timer) }
        try emit(Registry.EventType.documentAdded, document, at: now)
    }

    /// Revokes a document now and cancels its expiry, which no longer concerns anyone; the event
    /// names the applied qualifications that lapse with it.
    func revoke(_ document: Document, at now: Date) throws -> Document {
        var revoked = document
        revoked.revokedAt = now
        try revoked.update(db)
        let key = DocumentExpiry.timerKey(partnerId: document.partnerId, documentId: document.id)
        try DurableTimer.cancel(db, kind: DocumentExpiry.timerKind, key: key)
        // Only a document that counted now takes anything with it.
        let counted = QualificationRules.covers(document, from: now, to: now)
        let lapsed = counted ? try lapsedQualificationIds(revoked, at: now) : []
        try emit(
            Registry.EventType.documentRevoked, DocumentRevoked(document: revoked, lapsedQualificationIds: lapsed),
            at: now)
        return revoked
    }

    /// Sets the tenant's vocabulary and announces it.
    func save(_ vocabulary: Vocabulary, at now: Date) throws {
        try vocabulary.save(db)
        try emit(Registry.EventType.vocabularySet, vocabulary, at: now)
    }

    /// Gives a provider a qualification, which from then on can only be archived.
    func apply(_ badge: AppliedQualification, at now: Date) throws {
        try badge.insert(db)
        try markUsed(qualificationId: badge.qualificationId, at: now)
        try emit(Registry.EventType.qualificationApplied, badge, at: now)
    }

    /// Takes a qualification away from a provider.
    func remove(_ badge: AppliedQualification, at now: Date) throws {
        try badge.delete(db)
        try emit(Registry.EventType.qualificationRemoved, badge, at: now)
    }

    /// Records that a qualification was used (applied, or a customer's default), so it can
    /// never be deleted, only archived.
    func markUsed(qualificationId: String, at now: Date) throws {
        try QualificationUse(partnerId: partnerId, qualificationId: qualificationId, firstUsedAt: now)
            .insert(db, onConflict: .ignore)
    }

    /// Replaces a provider's availability windows with `windows` (sorted by start).
    func replaceAvailability(
        ofProvider providerId: String, with windows: [AvailabilityWindow], at now: Date
    ) throws -> SetAvailabilityResponse {
        _ = try AvailabilityRow.all().inTenant(partnerId).ofProvider(providerId).deleteAll(db)
        for window in windows {
            try AvailabilityRow(
                partnerId: partnerId, providerId: providerId, from: window.from, to: window.to, status: window.status
            ).insert(db)
        }
        let reply = SetAvailabilityResponse(partnerId: partnerId, providerId: providerId, windows: windows)
        try emit(Registry.EventType.availabilitySet, reply, at: now)
        return reply
    }

    /// Announces, as recorded `now`, that a document expired at `instant`, with the applied
    /// qualifications that lapsed with it; nothing for a document revoked (or gone) since its
    /// timer was set.
    func expire(_ documentId: String, at instant: Date, recordedAt now: Date) throws {
        guard let document = try existing(Document.self, documentId), document.revokedAt == nil else { return }
        let lapsed = try lapsedQualificationIds(document, at: instant)
        try emit(
            Registry.EventType.documentExpired, DocumentExpired(document: document, lapsedQualificationIds: lapsed),
            at: now)
    }

    /// The provider's applied qualifications that lapse when `document` stops counting at `instant`.
    private func lapsedQualificationIds(_ document: Document, at instant: Date) throws -> [String] {
        let applied = try Qualification.all().inTenant(partnerId)
            .withIds(appliedQualificationIds(ofProvider: document.providerId)).fetchAll(db)
        return DocumentExpiry.lapsedQualificationIds(
            document, at: instant, providerDocuments: try documents(ofProvider: document.providerId), applied: applied)
    }

    // MARK: Erasure

    /// The record of the provider's erasure, if it was erased.
    func erasure(ofProvider providerId: String) throws -> ProviderErasure? {
        try ProviderErasure.all().inTenant(partnerId).filter(Column("providerId") == providerId).fetchOne(db)
    }

    /// Erases the provider's personal data for good: the row keeps its id, type, zones and
    /// history under `pseudonym`, inactive; its old events and the replies kept for idempotency
    /// keys carry the pseudonym too, so neither `ReadEvents` nor a rebuilt read model gives the
    /// data back; `provider.erased` tells the services that keep any of it.
    func erase(
        _ provider: Provider, pseudonym: String, reason: String, by who: String, at now: Date
    ) throws -> (Provider, ProviderErasure) {
        var kept = provider.withoutPersonalData(pseudonym: pseudonym)
        kept.active = false
        kept.erasedAt = now
        kept.version += 1
        kept.updatedAt = now
        try kept.update(db)
        let erasure = ProviderErasure(
            partnerId: partnerId, providerId: provider.id, pseudonym: pseudonym, reason: reason, erasedBy: who,
            erasedAt: now)
        try erasure.insert(db)
        let id = provider.id
        try StoredCopies.rewriteEvents(
            db, partnerId: partnerId, types: [Registry.EventType.providerUpserted], containing: id
        ) { _, data in
            data["id"]?.stringValue == id ? Provider.withoutPersonalData(data, pseudonym: pseudonym) : nil
        }
        try StoredCopies.rewriteReplies(db, partnerId: partnerId, containing: id) { method, reply in
            guard method == Registry.upsertProvider.name, case .object(var members) = reply,
                let saved = members["provider"], saved["id"]?.stringValue == id
            else { return nil }
            members["provider"] = Provider.withoutPersonalData(saved, pseudonym: pseudonym)
            return .object(members)
        }
        try emit(
            Registry.EventType.providerErased,
            ProviderErased(partnerId: partnerId, providerId: id, pseudonym: pseudonym, erasedAt: now), at: now)
        return (kept, erasure)
    }

    /// Appends an event of the tenant to the outbox, committed with the change it reports.
    private func emit<Data: Encodable>(_ type: String, _ data: Data, at now: Date) throws {
        try outbox.append(db, type: type, partnerId: partnerId, occurredAt: now, data: data)
    }
}
