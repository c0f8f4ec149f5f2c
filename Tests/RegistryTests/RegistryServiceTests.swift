import Contracts
import Foundation
import OctooTesting
import RegistryService
import ServiceKit
import Testing
import Transport
import Wire

/// A registry in-process with a manual clock, and a typed way to call it as some actor.
struct RegistryFixture {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
    let system: InProcessSystem
    let client: RPCClient
    let clock: ManualClock
    var partner = Actor(role: .partner, partnerId: "p-1", id: "admin")

    static func make() async throws -> RegistryFixture {
        let system = try InProcessSystem()
        let clock = ManualClock(start: start)
        try await system.start(RegistryService.definition, clock: clock)
        return RegistryFixture(system: system, client: try system.client("registry"), clock: clock)
    }

    func call<Request, Response>(_ method: MethodDescriptor<Request, Response>, _ request: Request, as actor: Actor? = nil, key: String? = nil) async throws(RPCError) -> Response {
        try await client.call(method, request, actor: actor ?? partner, options: CallOptions(idempotencyKey: key, retry: .none))
    }

    /// The error a call fails with (UNKNOWN-coded if it unexpectedly succeeds).
    func failure<Request, Response>(_ method: MethodDescriptor<Request, Response>, _ request: Request, as actor: Actor? = nil) async -> RPCError {
        do {
            _ = try await call(method, request, as: actor)
            return RPCError(.unknown, "\(method.name) unexpectedly succeeded")
        } catch {
            return error
        }
    }

    func lastSeq() async throws -> Int64 {
        try await client.readEvents("registry", afterSeq: 0, limit: 1).lastSeq
    }

    func events(after seq: Int64 = 0) async throws -> [Event] {
        try await client.readEvents("registry", afterSeq: seq, limit: 1000).events
    }

    func shutdown() async {
        client.close()
        await system.shutdown()
    }

    /// A document type, a qualification requiring it (for `asl` in IL), and an `asl` provider.
    func seed() async throws -> (documentType: DocumentType, qualification: Qualification, provider: Provider) {
        let type = try await call(Registry.createDocumentType, CreateDocumentTypeRequest(name: "Hippa-cert")).documentType
        let qualification = try await call(Registry.createQualification, CreateQualificationRequest(
            name: "HIPAA certification", providerTypes: ["asl"], zones: ["IL"], requiredDocumentTypeIds: [type.id])).qualification
        let provider = try await call(Registry.upsertProvider, UpsertProviderRequest(
            id: "pr-ana", name: "Ana", providerType: "asl", email: "ana@example.com", location: GeoPoint(lat: 41.88, lon: -87.63),
            travelRadiusKm: 40, zones: ["IL"])).provider
        return (type, qualification, provider)
    }
}

@Suite("Registry service", .serialized)
struct RegistryServiceTests {
    @Test func qualificationsComeIntoEffectWithDocumentsAndLapseOnExpiry() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let seeded = try await fixture.seed()
        let start = RegistryFixture.start
        _ = try await fixture.call(Registry.applyQualification, ApplyQualificationRequest(providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
        let job = CheckQualificationsRequest(providerId: seeded.provider.id, from: start.addingTimeInterval(86_400), to: start.addingTimeInterval(86_400 + 8 * 3600), zone: "IL")

        var check = try await fixture.call(Registry.checkQualifications, job)
        #expect(check.results.map(\.inEffect) == [false])
        #expect(check.results.first?.reasons == ["no document of type Hippa-cert"])

        let document = try await fixture.call(Registry.addDocument, AddDocumentRequest(
            providerId: seeded.provider.id, documentTypeId: seeded.documentType.id, issuedAt: start.addingTimeInterval(-86_400),
            expiresAt: start.addingTimeInterval(86_400 + 4 * 3600))).document
        check = try await fixture.call(Registry.checkQualifications, job)
        #expect(check.results.first?.reasons.first?.contains("before the job ends") == true)
        let outOfZone = try await fixture.call(Registry.checkQualifications, CheckQualificationsRequest(
            providerId: seeded.provider.id, from: job.from, to: job.from.addingTimeInterval(3600), zone: "NM-ABQ"))
        #expect(outOfZone.results.first?.reasons == ["zone NM-ABQ is not one of IL"])

        var provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
        #expect(provider.qualifications.map(\.inEffect) == [true])
        #expect(provider.documents == [document])

        // The clock passes the expiry: the durable timer fires before SetClock returns.
        let before = try await fixture.lastSeq()
        _ = try await fixture.client.setClock("registry", to: start.addingTimeInterval(2 * 86_400))
        let expired = try await fixture.events(after: before).filter { $0.type == Registry.EventType.documentExpired }
        #expect(expired.count == 1)
        #expect(expired.first?.data["lapsedQualificationIds"] == .array([.string(seeded.qualification.id)]))
        provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
        #expect(provider.qualifications.first?.inEffect == false)
        #expect(provider.qualifications.first?.reasons.first?.contains("expired") == true)

        // A new document brings it back.
        _ = try await fixture.call(Registry.addDocument, AddDocumentRequest(
            providerId: seeded.provider.id, documentTypeId: seeded.documentType.id, issuedAt: start.addingTimeInterval(2 * 86_400)))
        provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
        #expect(provider.qualifications.first?.inEffect == true)
    }

    @Test func theExpiryTimerSurvivesARestart() async throws {
        let system = try InProcessSystem()
        defer { Task { await system.shutdown() } }
        let start = RegistryFixture.start
        let first = try await system.start(RegistryService.definition, clock: ManualClock(start: start))
        let fixture = RegistryFixture(system: system, client: try system.client("registry"), clock: ManualClock(start: start))
        defer { fixture.client.close() }
        let seeded = try await fixture.seed()
        _ = try await fixture.call(Registry.applyQualification, ApplyQualificationRequest(providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
        _ = try await fixture.call(Registry.addDocument, AddDocumentRequest(
            providerId: seeded.provider.id, documentTypeId: seeded.documentType.id, issuedAt: start, expiresAt: start.addingTimeInterval(3600)))
        try await system.stop(first)
        // Down while the expiry passes; back up with the clock beyond it.
        try await system.start(RegistryService.definition, clock: ManualClock(start: start.addingTimeInterval(7200)))
        var expired: [Event] = []
        for _ in 0..<100 {
            expired = try await fixture.events().filter { $0.type == Registry.EventType.documentExpired }
            if !expired.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(expired.count == 1)
        #expect(expired.first?.occurredAt == start.addingTimeInterval(3600))
        // Fired once only, however often the clock moves on.
        _ = try await fixture.client.setClock("registry", to: start.addingTimeInterval(10_000))
        #expect(try await fixture.events().filter { $0.type == Registry.EventType.documentExpired }.count == 1)
    }

    @Test func applyingChecksProviderTypeAndArchivedQualificationsStayListed() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let seeded = try await fixture.seed()
        let captioner = try await fixture.call(Registry.upsertProvider, UpsertProviderRequest(name: "Cal", providerType: "cart")).provider
        let mismatch = await fixture.failure(Registry.applyQualification, ApplyQualificationRequest(providerId: captioner.id, qualificationId: seeded.qualification.id))
        #expect(mismatch.code == .failedPrecondition)
        let applied = try await fixture.call(Registry.applyQualification, ApplyQualificationRequest(providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
        // Applying again is harmless and returns the same badge.
        #expect(try await fixture.call(Registry.applyQualification, ApplyQualificationRequest(providerId: seeded.provider.id, qualificationId: seeded.qualification.id)) == applied)
        let archived = try await fixture.call(Registry.archiveQualification, ArchiveQualificationRequest(id: seeded.qualification.id)).qualification
        #expect(archived.archived && archived.version == 2)
        #expect(try await fixture.call(Registry.listQualifications, ListQualificationsRequest()).qualifications.isEmpty)
        #expect(try await fixture.call(Registry.listQualifications, ListQualificationsRequest(includeArchived: true)).qualifications.map(\.id) == [seeded.qualification.id])
        let other = try await fixture.call(Registry.upsertProvider, UpsertProviderRequest(name: "Bo", providerType: "asl")).provider
        #expect(await fixture.failure(Registry.applyQualification, ApplyQualificationRequest(providerId: other.id, qualificationId: seeded.qualification.id)).code == .failedPrecondition)
        #expect(await fixture.failure(Registry.updateQualification, UpdateQualificationRequest(id: seeded.qualification.id, name: "Renamed")).code == .failedPrecondition)
        let status = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id)).qualifications
        #expect(status.first?.reasons.contains("qualification is archived") == true)
    }

    @Test func staleVersionsAreAbortedAndNamesAreUniquePerPartner() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let seeded = try await fixture.seed()
        let updated = try await fixture.call(Registry.updateQualification, UpdateQualificationRequest(id: seeded.qualification.id, expectedVersion: 1, description: "v2")).qualification
        #expect(updated.version == 2)
        let stale = await fixture.failure(Registry.updateQualification, UpdateQualificationRequest(id: seeded.qualification.id, expectedVersion: 1, description: "lost"))
        #expect(stale.code == .aborted)
        let duplicate = await fixture.failure(Registry.createQualification, CreateQualificationRequest(name: "hipaa CERTIFICATION"))
        #expect(duplicate.code == .alreadyExists)
        #expect(duplicate.details.first?.field == "body.name")
        // Another partner may use the same name.
        var otherPartner = fixture
        otherPartner.partner = Actor(role: .partner, partnerId: "p-2")
        _ = try await otherPartner.call(Registry.createQualification, CreateQualificationRequest(name: "HIPAA certification"))
    }

    @Test func idempotencyKeysMakeCreatesSafeToRetry() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let request = CreateDocumentTypeRequest(name: "Clearance")
        let first = try await fixture.call(Registry.createDocumentType, request, key: "create-clearance")
        let again = try await fixture.call(Registry.createDocumentType, request, key: "create-clearance")
        #expect(first == again)
        #expect(try await fixture.call(Registry.listDocumentTypes, ListDocumentTypesRequest()).documentTypes.count == 1)
        #expect(try await fixture.lastSeq() == 1)
    }

    @Test func everyChangeEmitsAnEventCarryingTheRecord() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let seeded = try await fixture.seed()
        let start = RegistryFixture.start
        _ = try await fixture.call(Registry.applyQualification, ApplyQualificationRequest(providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
        let document = try await fixture.call(Registry.addDocument, AddDocumentRequest(providerId: seeded.provider.id, documentTypeId: seeded.documentType.id, issuedAt: start)).document
        _ = try await fixture.call(Registry.revokeDocument, RevokeDocumentRequest(id: document.id))
        _ = try await fixture.call(Registry.setAvailability, SetAvailabilityRequest(providerId: seeded.provider.id, windows: [
            AvailabilityWindow(from: start, to: start.addingTimeInterval(3600), status: .unavailable)]))
        _ = try await fixture.call(Registry.upsertCustomer, UpsertCustomerRequest(
            name: "Hospital", defaultRequiredQualificationIds: [seeded.qualification.id],
            lists: [CustomerListEntry(providerId: seeded.provider.id, kind: .preferred)]))
        _ = try await fixture.call(Registry.updateQualification, UpdateQualificationRequest(id: seeded.qualification.id, zones: []))
        _ = try await fixture.call(Registry.removeQualification, RemoveQualificationRequest(providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
        _ = try await fixture.call(Registry.archiveQualification, ArchiveQualificationRequest(id: seeded.qualification.id))
        let events = try await fixture.events()
        #expect(events.map(\.type) == [
            "documentType.created", "qualification.created", "provider.upserted", "qualification.applied", "document.added",
            "document.revoked", "availability.set", "customer.upserted", "qualification.updated", "qualification.removed",
            "qualification.archived",
        ])
        #expect(events.map(\.seq) == Array(1...11))
        #expect(events.allSatisfy { $0.partnerId == "p-1" && $0.source == "registry" })
        #expect(events[2].data["providerType"] == .string("asl"))
        #expect(events[7].data["lists"]?.arrayValue?.count == 1)
    }

    @Test func customerDefaultsAndListsAreValidated() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let seeded = try await fixture.seed()
        let customer = try await fixture.call(Registry.upsertCustomer, UpsertCustomerRequest(
            id: "cu-1", name: "Hospital", defaultPreferredQualificationIds: [seeded.qualification.id],
            lists: [CustomerListEntry(providerId: seeded.provider.id, kind: .doNotConsider)])).customer
        #expect(customer.version == 1)
        let read = try await fixture.call(Registry.getCustomer, GetCustomerRequest(id: "cu-1"), as: Actor(role: .customer, partnerId: "p-1", id: "cu-1"))
        #expect(read.customer == customer)
        #expect(await fixture.failure(Registry.getCustomer, GetCustomerRequest(id: "cu-1"), as: Actor(role: .customer, partnerId: "p-1", id: "cu-2")).code == .notFound)
        let updated = try await fixture.call(Registry.upsertCustomer, UpsertCustomerRequest(id: "cu-1", expectedVersion: 1, name: "Hospital", lists: [])).customer
        #expect(updated.version == 2 && updated.lists.isEmpty)
    }
}

@Suite("Registry lists are paged")
struct RegistryPagingTests {
    @Test func documentTypesAndProvidersComeInPagesWithTokens() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.system.shutdown() } }
        for index in 1...5 {
            _ = try await fixture.call(Registry.createDocumentType, CreateDocumentTypeRequest(name: "type-\(index)"))
            _ = try await fixture.call(Registry.upsertProvider, UpsertProviderRequest(name: "P\(index)", providerType: "cart"))
        }
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await fixture.call(Registry.listDocumentTypes, ListDocumentTypesRequest(pageSize: 2, pageToken: token))
            #expect(page.documentTypes.count <= 2)
            names += page.documentTypes.map(\.name)
            token = page.nextPageToken
        } while token != nil
        #expect(names == (1...5).map { "type-\($0)" })
        let all = try await fixture.call(Registry.listDocumentTypes, ListDocumentTypesRequest())
        #expect(all.documentTypes.count == 5 && all.nextPageToken == nil)

        let first = try await fixture.call(Registry.listProviders, ListProvidersRequest(pageSize: 3))
        #expect(first.providers.count == 3)
        let rest = try await fixture.call(Registry.listProviders, ListProvidersRequest(pageSize: 3, pageToken: first.nextPageToken))
        #expect(rest.providers.count == 2 && rest.nextPageToken == nil)
        #expect(Set((first.providers + rest.providers).map(\.id)).count == 5)
        // A token is bound to its filters.
        let error = await fixture.failure(Registry.listProviders, ListProvidersRequest(providerType: "asl", pageToken: first.nextPageToken))
        #expect(error.code == .invalidArgument && error.details.first?.field == "body.pageToken")
    }
}
