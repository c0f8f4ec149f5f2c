import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Every method's bad input: the right code, the field named, and nothing changed.
@Suite("Registry validation, tenancy and roles", .serialized)
struct RegistryValidationTests {
    struct Probe: Sendable {
        var name: String
        var code: StatusCode
        var field: String?
        var run: @Sendable (RegistryFixture, Seeded) async -> RPCError
    }

    struct Seeded: Sendable {
        var documentType: DocumentType
        var qualification: Qualification
        var provider: Provider
        var customer: Customer
        var document: Document
    }

    static let start = RegistryFixture.start
    static let other = Actor(role: .partner, partnerId: "p-other")

    static let probes: [Probe] = [
        Probe(name: "document type with an empty name", code: .invalidArgument, field: "body.name") { f, _ in await f.failure(Registry.createDocumentType, CreateDocumentTypeRequest(name: "  ")) },
        Probe(name: "duplicate document type", code: .alreadyExists, field: "body.name") { f, _ in await f.failure(Registry.createDocumentType, CreateDocumentTypeRequest(name: "hippa-CERT")) },
        Probe(name: "qualification with an empty name", code: .invalidArgument, field: "body.name") { f, _ in await f.failure(Registry.createQualification, CreateQualificationRequest(name: "")) },
        Probe(name: "qualification with an unknown document type", code: .notFound, field: "body.requiredDocumentTypeIds[0]") { f, _ in await f.failure(Registry.createQualification, CreateQualificationRequest(name: "New", requiredDocumentTypeIds: ["dt-nope"])) },
        Probe(name: "qualification with an empty zone", code: .invalidArgument, field: "body.zones[1]") { f, _ in await f.failure(Registry.createQualification, CreateQualificationRequest(name: "New", zones: ["IL", ""])) },
        Probe(name: "qualification with repeated provider types", code: .invalidArgument, field: "body.providerTypes") { f, _ in await f.failure(Registry.createQualification, CreateQualificationRequest(name: "New", providerTypes: ["asl", "asl"])) },
        Probe(name: "update of an unknown qualification", code: .notFound, field: "body.id") { f, _ in await f.failure(Registry.updateQualification, UpdateQualificationRequest(id: "q-nope", name: "X")) },
        Probe(name: "update to an empty name", code: .invalidArgument, field: "body.name") { f, s in await f.failure(Registry.updateQualification, UpdateQualificationRequest(id: s.qualification.id, name: "")) },
        Probe(name: "update with a stale version", code: .aborted, field: "body.expectedVersion") { f, s in await f.failure(Registry.updateQualification, UpdateQualificationRequest(id: s.qualification.id, expectedVersion: 7, name: "X")) },
        Probe(name: "archive of an unknown qualification", code: .notFound, field: "body.id") { f, _ in await f.failure(Registry.archiveQualification, ArchiveQualificationRequest(id: "q-nope")) },
        Probe(name: "provider with an empty name", code: .invalidArgument, field: "body.name") { f, _ in await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "", providerType: "asl")) },
        Probe(name: "provider latitude out of range", code: .invalidArgument, field: "body.location.lat") { f, _ in await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "A", providerType: "asl", location: GeoPoint(lat: 95, lon: 0))) },
        Probe(name: "provider longitude out of range", code: .invalidArgument, field: "body.location.lon") { f, _ in await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "A", providerType: "asl", location: GeoPoint(lat: 0, lon: -181))) },
        Probe(name: "provider with a bad email", code: .invalidArgument, field: "body.email") { f, _ in await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "A", providerType: "asl", email: "nobody")) },
        Probe(name: "provider with a negative radius", code: .invalidArgument, field: "body.travelRadiusKm") { f, _ in await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "A", providerType: "asl", travelRadiusKm: -1)) },
        Probe(name: "provider update with a stale version", code: .aborted, field: "body.expectedVersion") { f, s in await f.failure(Registry.upsertProvider, UpsertProviderRequest(id: s.provider.id, expectedVersion: 9, name: "A", providerType: "asl")) },
        Probe(name: "unknown provider", code: .notFound, field: "body.id") { f, _ in await f.failure(Registry.getProvider, GetProviderRequest(id: "pr-nope")) },
        Probe(name: "list providers with a bad limit", code: .invalidArgument, field: "body.limit") { f, _ in await f.failure(Registry.listProviders, ListProvidersRequest(limit: 0)) },
        Probe(name: "document expiring before issue", code: .invalidArgument, field: "body.expiresAt") { f, s in await f.failure(Registry.addDocument, AddDocumentRequest(providerId: s.provider.id, documentTypeId: s.documentType.id, issuedAt: start, expiresAt: start.addingTimeInterval(-1))) },
        Probe(name: "document for an unknown provider", code: .notFound, field: "body.providerId") { f, s in await f.failure(Registry.addDocument, AddDocumentRequest(providerId: "pr-nope", documentTypeId: s.documentType.id, issuedAt: start)) },
        Probe(name: "document of an unknown type", code: .notFound, field: "body.documentTypeId") { f, s in await f.failure(Registry.addDocument, AddDocumentRequest(providerId: s.provider.id, documentTypeId: "dt-nope", issuedAt: start)) },
        Probe(name: "revoking an unknown document", code: .notFound, field: "body.id") { f, _ in await f.failure(Registry.revokeDocument, RevokeDocumentRequest(id: "doc-nope")) },
        Probe(name: "applying an unknown qualification", code: .notFound, field: "body.qualificationId") { f, s in await f.failure(Registry.applyQualification, ApplyQualificationRequest(providerId: s.provider.id, qualificationId: "q-nope")) },
        Probe(name: "applying to an unknown provider", code: .notFound, field: "body.providerId") { f, s in await f.failure(Registry.applyQualification, ApplyQualificationRequest(providerId: "pr-nope", qualificationId: s.qualification.id)) },
        Probe(name: "removing a qualification not applied", code: .notFound, field: "body.qualificationId") { f, s in await f.failure(Registry.removeQualification, RemoveQualificationRequest(providerId: s.provider.id, qualificationId: s.qualification.id)) },
        Probe(name: "checking an empty window", code: .invalidArgument, field: "body.to") { f, s in await f.failure(Registry.checkQualifications, CheckQualificationsRequest(providerId: s.provider.id, from: start, to: start)) },
        Probe(name: "checking an unknown qualification", code: .notFound, field: "body.qualificationIds[0]") { f, s in await f.failure(Registry.checkQualifications, CheckQualificationsRequest(providerId: s.provider.id, from: start, to: start.addingTimeInterval(60), qualificationIds: ["q-nope"])) },
        Probe(name: "availability window ending before it starts", code: .invalidArgument, field: "body.windows[0].to") { f, s in await f.failure(Registry.setAvailability, SetAvailabilityRequest(providerId: s.provider.id, windows: [AvailabilityWindow(from: start, to: start, status: .available)])) },
        Probe(name: "overlapping availability windows", code: .invalidArgument, field: "body.windows[0]") { f, s in await f.failure(Registry.setAvailability, SetAvailabilityRequest(providerId: s.provider.id, windows: [
            AvailabilityWindow(from: start.addingTimeInterval(1800), to: start.addingTimeInterval(7200), status: .unavailable),
            AvailabilityWindow(from: start, to: start.addingTimeInterval(3600), status: .available)])) },
        Probe(name: "availability of an unknown provider", code: .notFound, field: "body.providerId") { f, _ in await f.failure(Registry.setAvailability, SetAvailabilityRequest(providerId: "pr-nope", windows: [])) },
        Probe(name: "customer with an empty name", code: .invalidArgument, field: "body.name") { f, _ in await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "")) },
        Probe(name: "customer with an unknown default", code: .notFound, field: "body.defaultRequiredQualificationIds[0]") { f, _ in await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "C2", defaultRequiredQualificationIds: ["q-nope"])) },
        Probe(name: "customer listing an unknown provider", code: .notFound, field: "body.lists[0].providerId") { f, _ in await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "C2", lists: [CustomerListEntry(providerId: "pr-nope", kind: .preferred)])) },
        Probe(name: "customer listing a provider twice", code: .invalidArgument, field: "body.lists[1].providerId") { f, s in await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "C2", lists: [
            CustomerListEntry(providerId: s.provider.id, kind: .preferred), CustomerListEntry(providerId: s.provider.id, kind: .lastResort)])) },
        Probe(name: "customer requiring and preferring the same", code: .invalidArgument, field: "body.defaultPreferredQualificationIds") { f, s in await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "C2", defaultRequiredQualificationIds: [s.qualification.id], defaultPreferredQualificationIds: [s.qualification.id])) },
        Probe(name: "duplicate customer name", code: .alreadyExists, field: "body.name") { f, _ in await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "HOSPITAL")) },
        Probe(name: "unknown customer", code: .notFound, field: "body.id") { f, _ in await f.failure(Registry.getCustomer, GetCustomerRequest(id: "cu-nope")) },
        // Tenancy: another partner's ids are NOT_FOUND, exactly like ids that do not exist.
        Probe(name: "another tenant's qualification (update)", code: .notFound, field: "body.id") { f, s in await f.failure(Registry.updateQualification, UpdateQualificationRequest(id: s.qualification.id, name: "Mine"), as: other) },
        Probe(name: "another tenant's qualification (archive)", code: .notFound, field: "body.id") { f, s in await f.failure(Registry.archiveQualification, ArchiveQualificationRequest(id: s.qualification.id), as: other) },
        Probe(name: "another tenant's provider (get)", code: .notFound, field: "body.id") { f, s in await f.failure(Registry.getProvider, GetProviderRequest(id: s.provider.id), as: other) },
        Probe(name: "another tenant's provider (document)", code: .notFound, field: "body.providerId") { f, s in await f.failure(Registry.addDocument, AddDocumentRequest(providerId: s.provider.id, documentTypeId: s.documentType.id, issuedAt: start), as: other) },
        Probe(name: "another tenant's document (revoke)", code: .notFound, field: "body.id") { f, s in await f.failure(Registry.revokeDocument, RevokeDocumentRequest(id: s.document.id), as: other) },
        Probe(name: "another tenant's provider (apply)", code: .notFound, field: "body.providerId") { f, s in await f.failure(Registry.applyQualification, ApplyQualificationRequest(providerId: s.provider.id, qualificationId: s.qualification.id), as: other) },
        Probe(name: "another tenant's provider (check)", code: .notFound, field: "body.providerId") { f, s in await f.failure(Registry.checkQualifications, CheckQualificationsRequest(providerId: s.provider.id, from: start, to: start.addingTimeInterval(60)), as: other) },
        Probe(name: "another tenant's provider (availability)", code: .notFound, field: "body.providerId") { f, s in await f.failure(Registry.setAvailability, SetAvailabilityRequest(providerId: s.provider.id, windows: []), as: other) },
        Probe(name: "another tenant's customer (get)", code: .notFound, field: "body.id") { f, s in await f.failure(Registry.getCustomer, GetCustomerRequest(id: s.customer.id), as: other) },
        // Roles: only partner and service write; a provider reads only itself.
        Probe(name: "a customer writing", code: .permissionDenied, field: nil) { f, _ in await f.failure(Registry.createQualification, CreateQualificationRequest(name: "Z"), as: Actor(role: .customer, partnerId: "p-1", id: "cu-x")) },
        Probe(name: "a provider writing", code: .permissionDenied, field: nil) { f, s in await f.failure(Registry.upsertProvider, UpsertProviderRequest(id: s.provider.id, name: "Me", providerType: "asl"), as: Actor(role: .provider, partnerId: "p-1", id: s.provider.id)) },
        Probe(name: "a provider reading another provider", code: .notFound, field: "body.id") { f, _ in await f.failure(Registry.getProvider, GetProviderRequest(id: "pr-someone"), as: Actor(role: .provider, partnerId: "p-1", id: "pr-ana")) },
        Probe(name: "a provider listing providers", code: .permissionDenied, field: nil) { f, _ in await f.failure(Registry.listProviders, ListProvidersRequest(), as: Actor(role: .provider, partnerId: "p-1", id: "pr-ana")) },
        Probe(name: "no tenant", code: .invalidArgument, field: "actor.partnerId") { f, _ in await f.failure(Registry.listDocumentTypes, ListDocumentTypesRequest(), as: Actor(role: .service)) },
    ]

    @Test func everyProbeFailsCleanlyAndChangesNothing() async throws {
        let fixture = try await RegistryFixture.make()
        defer { Task { await fixture.shutdown() } }
        let seed = try await fixture.seed()
        let customer = try await fixture.call(Registry.upsertCustomer, UpsertCustomerRequest(name: "Hospital")).customer
        let document = try await fixture.call(Registry.addDocument, AddDocumentRequest(providerId: seed.provider.id, documentTypeId: seed.documentType.id, issuedAt: Self.start)).document
        let seeded = Seeded(documentType: seed.documentType, qualification: seed.qualification, provider: seed.provider, customer: customer, document: document)
        let before = try await fixture.lastSeq()
        for probe in Self.probes {
            let error = await probe.run(fixture, seeded)
            #expect(error.code == probe.code, "\(probe.name): \(error)")
            if let field = probe.field {
                #expect(error.details.map(\.field).contains(field), "\(probe.name): \(error.details)")
            }
        }
        #expect(try await fixture.lastSeq() == before, "a failed call wrote an event")
        let provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: seeded.provider.id))
        #expect(provider.provider == seeded.provider)
        #expect(provider.availability.isEmpty)
        #expect(provider.documents == [document])
    }
}
