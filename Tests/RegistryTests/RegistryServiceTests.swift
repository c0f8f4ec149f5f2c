import Contracts
import Foundation
import OctooTesting
import RegistryService
import ServiceKit
import Testing
import Transport
import Wire

/// A client of an in-process registry whose manual clock starts at `start`, calling as some actor.
struct RegistryFixture: Sendable {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
    let client: RPCClient
    var partner = Actor(role: .partner, partnerId: "p-1", id: "admin")

    /// Runs `body` against a fresh registry (clock at `start`); the system is torn down, and
    /// the teardown awaited, before this returns or rethrows.
    static func run<Result: Sendable>(_ body: (RegistryFixture) async throws -> Result) async throws -> Result {
        try await withInProcessSystem([RegistryService.definition], clock: ManualClock(start: start)) { system in
            let client = try system.client(Registry.service)
            defer { client.close() }
            return try await body(RegistryFixture(client: client))
        }
    }

    /// Runs `body` with the shared `PartnerFixture` built as tenant `p-1` (documents issued at
    /// `start`); calls go as its partner.
    static func runWithPartner<Result: Sendable>(
        _ body: (RegistryFixture, PartnerFixture) async throws -> Result
    ) async throws -> Result {
        try await run { fixture in
            let partner = try await PartnerFixture.build(fixture.client, partnerId: "p-1", now: start)
            var fixture = fixture
            fixture.partner = partner.partner
            return try await body(fixture, partner)
        }
    }

    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, as actor: Actor? = nil, key: String? = nil
    ) async throws(RPCError) -> Response {
        try await client.call(
            method, request, actor: actor ?? partner, options: .patient(idempotencyKey: key, retry: .none))
    }

    /// The error a call fails with (UNKNOWN-coded if it unexpectedly succeeds), for tables of
    /// failing calls.
    func failure<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, as actor: Actor? = nil
    ) async -> RPCError {
        do {
            _ = try await call(method, request, as: actor)
            return RPCError(.unknown, "\(method.name) unexpectedly succeeded")
        } catch {
            return error
        }
    }

    func lastSeq() async throws -> Int64 {
        try await client.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
    }

    func events(after seq: Int64 = 0) async throws -> [Event] {
        try await client.readEvents(Registry.service, afterSeq: seq, limit: 1000).events
    }

    /// A document type, a qualification requiring it (for `asl` in IL), and an `asl` provider.
    func seed() async throws -> (documentType: DocumentType, qualification: Qualification, provider: Provider) {
        let type = try await call(Registry.createDocumentType, CreateDocumentTypeRequest(name: "Hippa-cert"))
            .documentType
        let qualification = try await call(
            Registry.createQualification,
            CreateQualificationRequest(
                name: "HIPAA certification", providerTypes: ["asl"], zones: ["IL"], requiredDocumentTypeIds: [type.id]
            )
        ).qualification
        let provider = try await call(
            Registry.upsertProvider,
            UpsertProviderRequest(
                id: "pr-ana", name: "Ana", providerType: "asl", email: "ana@example.com",
                location: GeoPoint(lat: 41.88, lon: -87.63), travelRadiusKm: 40, zones: ["IL"])
        ).provider
        return (type, qualification, provider)
    }
}

@Suite("Registry service", .serialized)
struct RegistryServiceTests {
    static let start = RegistryFixture.start

    @Test func qualificationsComeIntoEffectWithDocumentsAndLapseOnExpiry() async throws {
        try await RegistryFixture.run { fixture in
            let seeded = try await fixture.seed()
            let start = Self.start
            _ = try await fixture.call(
                Registry.applyQualification,
                ApplyQualificationRequest(
                    providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
            let job = CheckQualificationsRequest(
                providerId: seeded.provider.id, from: start.addingTimeInterval(86_400),
                to: start.addingTimeInterval(86_400 + 8 * 3600), zone: "IL")

            var check = try await fixture.call(Registry.checkQualifications, job)
            #expect(check.results.map(\.inEffect) == [false])
            #expect(check.results.first?.reasons == ["no document of type Hippa-cert"])

            let document = try await fixture.call(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: seeded.provider.id, documentTypeId: seeded.documentType.id,
                    issuedAt: start.addingTimeInterval(-86_400), expiresAt: start.addingTimeInterval(86_400 + 4 * 3600)
                )
            ).document
            check = try await fixture.call(Registry.checkQualifications, job)
            #expect(check.results.first?.reasons.first?.contains("before the job ends") == true)
            let outOfZone = try await fixture.call(
                Registry.checkQualifications,
                CheckQualificationsRequest(
                    providerId: seeded.provider.id, from: job.from, to: job.from.addingTimeInterval(3600),
                    zone: "NM-ABQ"))
            #expect(outOfZone.results.first?.reasons == ["zone NM-ABQ is not one of IL"])

            var provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
            #expect(provider.qualifications.map(\.inEffect) == [true])
            #expect(provider.documents == [document])

            // The clock passes the expiry: the durable timer fires before SetClock returns.
            let before = try await fixture.lastSeq()
            _ = try await fixture.client.setClock(Registry.service, to: start.addingTimeInterval(2 * 86_400))
            let expired = try await fixture.events(after: before).filter {
                $0.type == Registry.EventType.documentExpired
            }
            #expect(expired.count == 1)
            #expect(expired.first?.data["lapsedQualificationIds"] == .array([.string(seeded.qualification.id)]))
            provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
            #expect(provider.qualifications.first?.inEffect == false)
            #expect(provider.qualifications.first?.reasons.first?.contains("expired") == true)

            // A new document brings it back.
            _ = try await fixture.call(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: seeded.provider.id, documentTypeId: seeded.documentType.id,
                    issuedAt: start.addingTimeInterval(2 * 86_400)))
            provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
            #expect(provider.qualifications.first?.inEffect == true)
        }
    }

    @Test func theExpiryTimerSurvivesARestart() async throws {
        let start = Self.start
        try await withInProcessSystem([]) { system in
            let first = try await system.start(RegistryService.definition, clock: ManualClock(start: start))
            let client = try system.client(Registry.service)
            defer { client.close() }
            let fixture = RegistryFixture(client: client)
            let seeded = try await fixture.seed()
            _ = try await fixture.call(
                Registry.applyQualification,
                ApplyQualificationRequest(
                    providerId: seeded.provider.id, qualificationId: seeded.qualification.id))
            _ = try await fixture.call(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: seeded.provider.id, documentTypeId: seeded.documentType.id, issuedAt: start,
                    expiresAt: start.addingTimeInterval(3600)))
            try await system.stop(first)
            // Down while the expiry passes; back up with the clock beyond it.
            try await system.start(
                RegistryService.definition, clock: ManualClock(start: start.addingTimeInterval(7200)))
            var expired: [Event] = []
            try await eventually("the expiry fired after the restart") {
                expired = try await fixture.events().filter { $0.type == Registry.EventType.documentExpired }
                return !expired.isEmpty
            }
            #expect(expired.count == 1)
            // Recorded when it fired, after the restart; the document says when it expired.
            #expect(expired.first?.occurredAt == start.addingTimeInterval(7200))
            // Fired once only, however often the clock moves on.
            _ = try await fixture.client.setClock(Registry.service, to: start.addingTimeInterval(10_000))
            #expect(try await fixture.events().filter { $0.type == Registry.EventType.documentExpired }.count == 1)
        }
    }

    @Test func applyingChecksProviderTypeAndArchivedQualificationsStayListed() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let asl = partner.qualifications["ASL certified"]!
            let ben = partner.providers["Ben"]!
            // Cy captions (`cart`); the qualification is for `asl` only.
            let mismatch = await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.applyQualification,
                    ApplyQualificationRequest(
                        providerId: partner.providers["Cy"]!.id, qualificationId: asl.id))
            }
            #expect(mismatch?.code == .failedPrecondition)
            let apply = ApplyQualificationRequest(providerId: ben.id, qualificationId: asl.id)
            let applied = try await fixture.call(Registry.applyQualification, apply)
            // Applying again is harmless and returns the same badge.
            #expect(try await fixture.call(Registry.applyQualification, apply) == applied)
            let archived = try await fixture.call(
                Registry.archiveQualification, ArchiveQualificationRequest(id: asl.id)
            ).qualification
            #expect(archived.archived && archived.version == 2)
            let listed = try await fixture.call(Registry.listQualifications, ListQualificationsRequest())
            #expect(!listed.qualifications.map(\.id).contains(asl.id))
            let all = try await fixture.call(
                Registry.listQualifications, ListQualificationsRequest(includeArchived: true))
            #expect(all.qualifications.map(\.id).contains(asl.id))
            let bo = try await fixture.call(
                Registry.upsertProvider, UpsertProviderRequest(name: "Bo", providerType: "asl")
            ).provider
            let archivedApply = await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.applyQualification,
                    ApplyQualificationRequest(
                        providerId: bo.id, qualificationId: asl.id))
            }
            #expect(archivedApply?.code == .failedPrecondition)
            let archivedUpdate = await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.updateQualification, UpdateQualificationRequest(id: asl.id, name: "Renamed"))
            }
            #expect(archivedUpdate?.code == .failedPrecondition)
            // Archived means "no new use": Ben's badge is still judged (on its document, here missing).
            let status = try await fixture.call(Registry.getProvider, GetProviderRequest(id: ben.id)).qualifications
            #expect(status.first?.reasons == ["no document of type cert"])
        }
    }

    @Test func staleVersionsAreAbortedAndNamesAreUniquePerPartner() async throws {
        try await RegistryFixture.run { fixture in
            let seeded = try await fixture.seed()
            let updated = try await fixture.call(
                Registry.updateQualification,
                UpdateQualificationRequest(
                    id: seeded.qualification.id, expectedVersion: 1, description: "v2")
            ).qualification
            #expect(updated.version == 2)
            let stale = await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.updateQualification,
                    UpdateQualificationRequest(
                        id: seeded.qualification.id, expectedVersion: 1, description: "lost"))
            }
            #expect(stale?.code == .aborted)
            let duplicate = await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.createQualification, CreateQualificationRequest(name: "hipaa CERTIFICATION"))
            }
            #expect(duplicate?.code == .alreadyExists)
            #expect(duplicate?.details.first?.field == "body.name")
            // Another partner may use the same name.
            var otherPartner = fixture
            otherPartner.partner = Actor(role: .partner, partnerId: "p-2")
            _ = try await otherPartner.call(
                Registry.createQualification, CreateQualificationRequest(name: "HIPAA certification"))
        }
    }

    @Test func idempotencyKeysMakeCreatesSafeToRetry() async throws {
        try await RegistryFixture.run { fixture in
            let request = CreateDocumentTypeRequest(name: "Clearance")
            let first = try await fixture.call(Registry.createDocumentType, request, key: "create-clearance")
            let again = try await fixture.call(Registry.createDocumentType, request, key: "create-clearance")
            #expect(first == again)
            let types = try await fixture.call(Registry.listDocumentTypes, ListDocumentTypesRequest())
            #expect(types.documentTypes.count == 1)
            #expect(try await fixture.lastSeq() == 1)
        }
    }

    @Test func everyChangeEmitsAnEventCarryingTheRecord() async throws {
        try await RegistryFixture.run { fixture in
            let seeded = try await fixture.seed()
            let start = Self.start
            let provider = seeded.provider.id
            let qualification = seeded.qualification.id
            _ = try await fixture.call(
                Registry.applyQualification,
                ApplyQualificationRequest(
                    providerId: provider, qualificationId: qualification))
            let document = try await fixture.call(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: provider, documentTypeId: seeded.documentType.id, issuedAt: start)
            ).document
            _ = try await fixture.call(Registry.revokeDocument, RevokeDocumentRequest(id: document.id))
            _ = try await fixture.call(
                Registry.setAvailability,
                SetAvailabilityRequest(
                    providerId: provider,
                    windows: [
                        AvailabilityWindow(from: start, to: start.addingTimeInterval(3600), status: .unavailable)
                    ]))
            _ = try await fixture.call(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "Hospital", defaultRequiredQualificationIds: [qualification],
                    lists: [CustomerListEntry(providerId: provider, kind: .preferred)]))
            _ = try await fixture.call(
                Registry.updateQualification, UpdateQualificationRequest(id: qualification, zones: []))
            _ = try await fixture.call(
                Registry.removeQualification,
                RemoveQualificationRequest(
                    providerId: provider, qualificationId: qualification))
            _ = try await fixture.call(Registry.archiveQualification, ArchiveQualificationRequest(id: qualification))
            let events = try await fixture.events()
            #expect(
                events.map(\.type) == [
                    "documentType.created", "qualification.created", "provider.upserted", "qualification.applied",
                    "document.added", "document.revoked", "availability.set", "customer.upserted",
                    "qualification.updated", "qualification.removed", "qualification.archived",
                ])
            #expect(events.map(\.seq) == Array(1...11))
            #expect(events.allSatisfy { $0.partnerId == "p-1" && $0.source == Registry.service })
            #expect(events[2].data["providerType"] == .string("asl"))
            #expect(events[7].data["lists"]?.arrayValue?.count == 1)
        }
    }

    @Test func customerDefaultsAndListsAreValidated() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let customer = try await fixture.call(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    id: "cu-1", name: "Hospital",
                    defaultPreferredQualificationIds: [partner.qualifications["Medical"]!.id],
                    lists: [CustomerListEntry(providerId: partner.providers["Ben"]!.id, kind: .doNotConsider)])
            ).customer
            #expect(customer.version == 1)
            let itself = Actor(role: .customer, partnerId: "p-1", id: "cu-1")
            let read = try await fixture.call(Registry.getCustomer, GetCustomerRequest(id: "cu-1"), as: itself)
            #expect(read.customer == customer)
            // Another customer's record answers like one that does not exist.
            let someoneElse = Actor(role: .customer, partnerId: "p-1", id: "cu-2")
            let hidden = await #expect(throws: RPCError.self) {
                try await fixture.call(Registry.getCustomer, GetCustomerRequest(id: "cu-1"), as: someoneElse)
            }
            #expect(hidden?.code == .notFound)
            #expect(hidden?.details.first?.field == "body.id")
            let updated = try await fixture.call(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    id: "cu-1", expectedVersion: 1, name: "Hospital", lists: [])
            ).customer
            #expect(updated.version == 2 && updated.lists.isEmpty)
        }
    }
}

@Suite("Registry lists are paged")
struct RegistryPagingTests {
    @Test func documentTypesAndProvidersComeInPagesWithTokens() async throws {
        try await RegistryFixture.run { fixture in
            for index in 1...5 {
                _ = try await fixture.call(
                    Registry.createDocumentType, CreateDocumentTypeRequest(name: "type-\(index)"))
                _ = try await fixture.call(
                    Registry.upsertProvider, UpsertProviderRequest(name: "P\(index)", providerType: "cart"))
            }
            var names: [String] = []
            var token: String?
            repeat {
                let page = try await fixture.call(
                    Registry.listDocumentTypes, ListDocumentTypesRequest(pageSize: 2, pageToken: token))
                #expect(page.documentTypes.count <= 2)
                names += page.documentTypes.map(\.name)
                token = page.nextPageToken
            } while token != nil
            #expect(names == (1...5).map { "type-\($0)" })
            let all = try await fixture.call(Registry.listDocumentTypes, ListDocumentTypesRequest())
            #expect(all.documentTypes.count == 5 && all.nextPageToken == nil)

            let first = try await fixture.call(Registry.listProviders, ListProvidersRequest(pageSize: 3))
            #expect(first.providers.count == 3)
            let rest = try await fixture.call(
                Registry.listProviders, ListProvidersRequest(pageSize: 3, pageToken: first.nextPageToken))
            #expect(rest.providers.count == 2 && rest.nextPageToken == nil)
            #expect(Set((first.providers + rest.providers).map(\.id)).count == 5)
            // A token is bound to its filters.
            let error = await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.listProviders, ListProvidersRequest(providerType: "asl", pageToken: first.nextPageToken))
            }
            #expect(error?.code == .invalidArgument && error?.details.first?.field == "body.pageToken")
        }
    }
}
