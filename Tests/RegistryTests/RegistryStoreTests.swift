import Contracts
import Foundation
import GRDB
import Logging
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Testing
import Wire

@testable import RegistryService

/// The registry's store on a database in a temporary file, without a bus: the request
/// extensions, the tenant-scoped lookups and their domain errors, document expiry on the durable
/// timers, and the migration that moved expiry there.
@Suite("Registry store")
struct RegistryStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    /// Runs `body` on a fresh, fully migrated registry database, removed afterwards.
    static func withDatabase<Result>(
        _ body: (RegistryStore, ServiceDatabase) async throws -> Result
    ) async throws -> Result {
        let directory = TestDirectories.make("registry-store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ServiceDatabase(
            path: "\(directory)/registry.sqlite", source: Registry.service, durability: .normal,
            migrations: RegistryMigrations.register(in:))
        let result = try await body(RegistryStore(database), database)
        try database.pool.close()
        return result
    }

    static func provider(
        _ id: String, partner: String = "p-1", type: String = "asl", zones: [String] = ["IL"], active: Bool = true
    ) -> Provider {
        Provider(
            partnerId: partner, id: id, name: id, providerType: type, email: nil, phone: nil, location: nil,
            travelRadiusKm: nil, zones: zones, active: active, version: 1, createdAt: start, updatedAt: start)
    }

    static func qualification(
        _ id: String, name: String, partner: String = "p-1", documents: [String] = [], archived: Bool = false
    ) -> Qualification {
        Qualification(
            partnerId: partner, id: id, name: name, description: "", providerTypes: [], zones: [],
            requiredDocumentTypeIds: documents, archived: archived, version: 1, createdAt: start, updatedAt: start)
    }

    static func document(
        _ id: String, provider: String = "pr-a", type: String = "dt-cert", partner: String = "p-1",
        issued: TimeInterval = -day, expires: TimeInterval? = nil
    ) -> Document {
        Document(
            partnerId: partner, id: id, providerId: provider, documentTypeId: type,
            issuedAt: start.addingTimeInterval(issued), expiresAt: expires.map { start.addingTimeInterval($0) },
            revokedAt: nil)
    }

    /// Timers whose events are stamped with `clock`'s time when they fire.
    static func timers(_ database: ServiceDatabase, clock: ManualClock = ManualClock(start: start)) -> TimerService {
        TimerService(
            database: database, clock: clock, handlers: RegistryStore(database).timerHandlers(clock: clock),
            logger: Logger(label: "test.registry.timers"))
    }

    static func events(_ database: ServiceDatabase) async throws -> [Event] {
        try await database.pool.read { try database.outbox.read($0, afterSeq: 0, limit: 1000) }
    }

    // MARK: Request extensions

    @Test func providerRequestsFilterByTenantTypeZoneActivityAndPage() async throws {
        try await Self.withDatabase { _, database in
            try await database.pool.write { db in
                for provider in [
                    Self.provider("pr-a"), Self.provider("pr-b", type: "cart"), Self.provider("pr-c", zones: ["ILX"]),
                    Self.provider("pr-d", active: false), Self.provider("pr-e", zones: ["NM", "IL"]),
                    Self.provider("pr-z", partner: "p-2"),
                ] {
                    try provider.insert(db)
                }
            }
            let ids = { (request: QueryInterfaceRequest<Provider>) in
                try await database.pool.read { db in try request.orderedById().fetchAll(db).map(\.id) }
            }
            let tenant = Provider.all().inTenant("p-1")
            #expect(try await ids(tenant) == ["pr-a", "pr-b", "pr-c", "pr-d", "pr-e"])
            #expect(try await ids(Provider.all().inTenant("p-2")) == ["pr-z"])
            #expect(try await ids(tenant.ofType("asl")) == ["pr-a", "pr-c", "pr-d", "pr-e"])
            // A zone is one element of the JSON array, never a part of one.
            #expect(try await ids(tenant.inZone("IL")) == ["pr-a", "pr-b", "pr-d", "pr-e"])
            #expect(try await ids(tenant.inZone("IL").ofType("asl").active()) == ["pr-a", "pr-e"])
            #expect(try await ids(tenant.after(id: "pr-c").limit(1)) == ["pr-d"])
        }
    }

    @Test func namesMatchIgnoringCaseAndListsFollowThem() async throws {
        try await Self.withDatabase { _, database in
            try await database.pool.write { db in
                try Self.qualification("q-1", name: "medical").insert(db)
                try Self.qualification("q-2", name: "ASL certified").insert(db)
                try Self.qualification("q-3", name: "Bilingual", archived: true).insert(db)
                try Self.qualification("q-4", name: "Medical", partner: "p-2").insert(db)
            }
            try await database.pool.read { db throws in
                let tenant = Qualification.all().inTenant("p-1")
                #expect(try tenant.named("MEDICAL").fetchAll(db).map(\.id) == ["q-1"])
                #expect(try tenant.named("MEDICAL").except(id: "q-1").fetchAll(db).isEmpty)
                #expect(try tenant.orderedByName().fetchAll(db).map(\.id) == ["q-2", "q-3", "q-1"])
                #expect(try tenant.unarchived().orderedByName().fetchAll(db).map(\.id) == ["q-2", "q-1"])
                let chosen = try tenant.withIds(["q-1", "q-3", "q-4"]).orderedById().fetchAll(db)
                #expect(chosen.map(\.id) == ["q-1", "q-3"])
            }
        }
    }

    @Test func providerOwnedRowsComeInTheirOrder() async throws {
        try await Self.withDatabase { store, database in
            try await database.pool.write { db in
                try Self.provider("pr-a").insert(db)
                try Self.provider("pr-b").insert(db)
                try DocumentType(partnerId: "p-1", id: "dt-cert", name: "cert", description: "", createdAt: Self.start)
                    .insert(db)
                try Self.document("doc-2", issued: -Self.day).insert(db)
                try Self.document("doc-1", issued: -2 * Self.day).insert(db)
                try Self.document("doc-3", provider: "pr-b").insert(db)
                try Self.qualification("q-1", name: "Medical").insert(db)
                try AppliedQualification(
                    partnerId: "p-1", providerId: "pr-a", qualificationId: "q-1", appliedAt: Self.start
                ).insert(db)
            }
            let windows = [
                AvailabilityWindow(from: Self.start, to: Self.start.addingTimeInterval(3600), status: .available),
                AvailabilityWindow(
                    from: Self.start.addingTimeInterval(7200), to: Self.start.addingTimeInterval(9000),
                    status: .unavailable),
            ]
            _ = try await store.write("p-1") { transaction in
                try transaction.replaceAvailability(ofProvider: "pr-a", with: windows, at: Self.start)
            }
            try await store.read("p-1") { transaction throws in
                #expect(try transaction.documents(ofProvider: "pr-a").map(\.id) == ["doc-1", "doc-2"])
                #expect(try transaction.availability(ofProvider: "pr-a") == windows)
                #expect(try transaction.availability(ofProvider: "pr-b").isEmpty)
                #expect(try transaction.appliedQualificationIds(ofProvider: "pr-a") == ["q-1"])
                #expect(try transaction.badge(providerId: "pr-a", qualificationId: "q-1")?.appliedAt == Self.start)
                #expect(try transaction.badge(providerId: "pr-b", qualificationId: "q-1") == nil)
            }
            #expect(try await Self.events(database).map(\.type) == [Registry.EventType.availabilitySet])
        }
    }

    // MARK: Lookups and their errors

    @Test func lookupsAreTenantScopedAndNameTheField() async throws {
        try await Self.withDatabase { store, database in
            try await database.pool.write { db in
                try Self.provider("pr-a").insert(db)
                try Self.provider("pr-other", partner: "p-2").insert(db)
                try Self.qualification("q-1", name: "Medical").insert(db)
            }
            try await store.read("p-1") { transaction throws in
                #expect(try transaction.find(Provider.self, "pr-a", field: "body.id").id == "pr-a")
                #expect(throws: RegistryError.notFound(kind: "provider", id: "pr-nope", field: "body.id")) {
                    try transaction.find(Provider.self, "pr-nope", field: "body.id")
                }
                // Another tenant's id is exactly as unknown.
                #expect(throws: RegistryError.notFound(kind: "provider", id: "pr-other", field: "body.providerId")) {
                    try transaction.find(Provider.self, "pr-other", field: "body.providerId")
                }
                #expect(try transaction.existing(Provider.self, "pr-other") == nil)
                #expect(try transaction.existing(Provider.self, nil) == nil)
                #expect(throws: RegistryError.notFound(kind: "qualification", id: "q-2", field: "body.ids[1]")) {
                    try transaction.findAll(Qualification.self, ["q-1", "q-2"], field: "body.ids")
                }
                #expect(throws: RegistryError.nameTaken(kind: "qualification", name: "MEDICAL", takenBy: "q-1")) {
                    try transaction.requireUniqueName(Qualification.self, "MEDICAL")
                }
                // Renaming a record to its own name is no clash.
                try transaction.requireUniqueName(Qualification.self, "MEDICAL", except: "q-1")
            }
            try await store.read("p-2") { transaction throws in
                try transaction.requireUniqueName(Qualification.self, "Medical")
            }
        }
    }

    // MARK: Document expiry

    @Test func aDocumentExpiresOnceOnTheDurableTimersWithWhatLapsed() async throws {
        try await Self.withDatabase { store, database in
            try await database.pool.write { db in
                try Self.provider("pr-a").insert(db)
                try DocumentType(partnerId: "p-1", id: "dt-cert", name: "cert", description: "", createdAt: Self.start)
                    .insert(db)
                for qualification in [
                    Self.qualification("q-needs", name: "Needs cert", documents: ["dt-cert"]),
                    Self.qualification("q-free", name: "Free"),
                    Self.qualification("q-unapplied", name: "Unapplied", documents: ["dt-cert"]),
                ] {
                    try qualification.insert(db)
                }
                for id in ["q-needs", "q-free"] {
                    try AppliedQualification(
                        partnerId: "p-1", providerId: "pr-a", qualificationId: id, appliedAt: Self.start
                    ).insert(db)
                }
            }
            let expiring = Self.document("doc-1", expires: Self.day)
            let revoked = Self.document("doc-2", expires: Self.day)
            try await store.write("p-1") { transaction in
                try transaction.add(expiring, at: Self.start)
                try transaction.add(revoked, at: Self.start)
                _ = try transaction.revoke(revoked, at: Self.start)
            }
            // Only the document still live keeps its timer.
            let pending = try await database.pool.read { try DurableTimer.fetchAll($0) }
            #expect(
                pending == [
                    DurableTimer(
                        kind: DocumentExpiry.timerKind, key: "p-1/doc-1",
                        dueAt: Self.start.addingTimeInterval(Self.day),
                        partnerId: "p-1")
                ])

            // Fired late (the service was down): the event is stamped when it is recorded.
            let recorded = Self.start.addingTimeInterval(2 * Self.day)
            let timers = Self.timers(database, clock: ManualClock(start: recorded))
            #expect(try await timers.fireDue(now: Self.start.addingTimeInterval(Self.day - 1)) == 0)
            #expect(try await timers.fireDue(now: recorded) == 1)
            #expect(try await timers.fireDue(now: Self.start.addingTimeInterval(3 * Self.day)) == 0)
            let expired = try await Self.events(database).filter { $0.type == Registry.EventType.documentExpired }
            #expect(expired.count == 1)
            #expect(expired.first?.occurredAt == recorded)
            #expect(expired.first?.data["document"]?["expiresAt"] == .string("2027-01-16T08:00:00Z"))
            #expect(expired.first?.partnerId == "p-1")
            #expect(expired.first?.data["lapsedQualificationIds"] == .array([.string("q-needs")]))
        }
    }

    @Test func theLapsedRuleKeepsWhatAnotherDocumentCovers() {
        let expiring = Self.document("doc-1", expires: 0)
        let needs = Self.qualification("q-needs", name: "Needs", documents: ["dt-cert"])
        let archived = Self.qualification("q-archived", name: "Archived", documents: ["dt-cert"], archived: true)
        let other = Self.qualification("q-other", name: "Other", documents: ["dt-other"])
        let applied = [needs, archived, other]
        // Archived means "no new use": an archived qualification still lapses with its document.
        #expect(
            DocumentExpiry.lapsedQualificationIds(
                expiring, at: Self.start, providerDocuments: [expiring], applied: applied) == ["q-archived", "q-needs"])
        let renewed = Self.document("doc-2", issued: -Self.day, expires: 365 * Self.day)
        #expect(
            DocumentExpiry.lapsedQualificationIds(
                expiring, at: Self.start, providerDocuments: [expiring, renewed], applied: applied
            ).isEmpty)
        let ofAnotherType = Self.document("doc-3", type: "dt-other", expires: 365 * Self.day)
        #expect(
            DocumentExpiry.lapsedQualificationIds(
                expiring, at: Self.start, providerDocuments: [expiring, ofAnotherType], applied: applied)
                == ["q-archived", "q-needs"])
    }

    @Test func aTimerKeyNamesTheTenantAndTheDocument() throws {
        let document = Self.document("doc-1", partner: "agency/east", expires: Self.day)
        let timer = try #require(DocumentExpiry.timer(for: document))
        #expect(timer.key == "agency/east/doc-1")
        #expect(DocumentExpiry.document(of: timer)?.partnerId == "agency/east")
        #expect(DocumentExpiry.document(of: timer)?.documentId == "doc-1")
        #expect(DocumentExpiry.timer(for: Self.document("doc-2")) == nil)
    }

    // MARK: Migrations

    @Test func pendingExpiriesOfTheFirstSchemaMoveToTheDurableTimers() async throws {
        let directory = TestDirectories.make("registry-migration")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/registry.sqlite"
        let dueAt = Self.start.addingTimeInterval(Self.day)
        // A database as the first release left it, with one expiry not yet announced.
        let first = try ServiceDatabase(
            path: path, source: Registry.service, durability: .normal,
            migrations: RegistryMigrations.registerVersion1(in:))
        try await first.pool.write { db in
            // The row as the first schema has it (the record has gained columns since).
            try db.execute(
                sql: """
                    INSERT INTO provider (partnerId, id, name, providerType, zones, active, version, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: ["p/1", "pr-a", "pr-a", "asl", "[\"IL\"]", true, 1, Self.start, Self.start])
            try DocumentType(partnerId: "p/1", id: "dt-cert", name: "cert", description: "", createdAt: Self.start)
                .insert(db)
            try Self.document("doc-1", partner: "p/1", expires: Self.day).insert(db)
            try db.execute(
                sql: "INSERT INTO documentExpiryTimer (partnerId, documentId, dueAt) VALUES (?, ?, ?)",
                arguments: ["p/1", "doc-1", dueAt])
        }
        try first.pool.close()

        let database = try ServiceDatabase(
            path: path, source: Registry.service, durability: .normal, migrations: RegistryMigrations.register(in:))
        let moved = try await database.pool.read { try DurableTimer.fetchAll($0) }
        #expect(
            moved == [
                DurableTimer(kind: DocumentExpiry.timerKind, key: "p/1/doc-1", dueAt: dueAt, partnerId: "p/1")
            ])
        #expect(try await database.pool.read { try $0.tableExists("documentExpiryTimer") } == false)
        // The moved timer fires like one set today.
        #expect(try await Self.timers(database).fireDue(now: dueAt) == 1)
        let expired = try await Self.events(database).filter { $0.type == Registry.EventType.documentExpired }
        #expect(expired.map(\.partnerId) == ["p/1"])
        try database.pool.close()
    }
}
