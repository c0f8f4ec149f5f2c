import Contracts
import Foundation
import OctooTesting
import ServiceKit
import Testing
import Transport
import Wire

/// Every method's bad input: the right code, the field named, and nothing changed.
@Suite("Registry validation, tenancy and roles", .serialized)
struct RegistryValidationTests {
    /// One bad call, the code it must fail with and the field it must name (if any).
    struct Probe: Sendable {
        var name: String
        var code: StatusCode
        var field: String?
        var run: @Sendable (RegistryFixture, Seeded) async -> RPCError

        init(
            _ name: String, _ code: StatusCode, _ field: String?,
            run: @escaping @Sendable (RegistryFixture, Seeded) async -> RPCError
        ) {
            self.name = name
            self.code = code
            self.field = field
            self.run = run
        }
    }

    /// The shared `PartnerFixture`'s records the probes aim at.
    struct Seeded: Sendable {
        /// `cert`.
        var documentType: DocumentType
        /// `ASL certified` (for `asl`, needs `cert`).
        var qualification: Qualification
        /// Ada (`asl`, holds `cert`, every qualification applied).
        var provider: Provider
        /// Ben (`asl`, nothing applied).
        var otherProvider: Provider
        /// Clinic.
        var customer: Customer
        /// School.
        var otherCustomer: Customer
        /// Ada's `cert`.
        var document: Document
    }

    static let start = RegistryFixture.start
    static let other = Actor(role: .partner, partnerId: "p-other")

    static func provider(_ id: String) -> Actor { Actor(role: .provider, partnerId: "p-1", id: id) }

    static let validation: [Probe] = [
        Probe("document type with an empty name", .invalidArgument, "body.name") { f, _ in
            await f.failure(Registry.createDocumentType, CreateDocumentTypeRequest(name: "  "))
        },
        Probe("duplicate document type", .alreadyExists, "body.name") { f, _ in
            await f.failure(Registry.createDocumentType, CreateDocumentTypeRequest(name: "CERT"))
        },
        Probe("qualification with an empty name", .invalidArgument, "body.name") { f, _ in
            await f.failure(Registry.createQualification, CreateQualificationRequest(name: ""))
        },
        Probe("qualification with an unknown document type", .notFound, "body.requiredDocumentTypeIds[0]") { f, _ in
            await f.failure(
                Registry.createQualification,
                CreateQualificationRequest(name: "New", requiredDocumentTypeIds: ["dt-nope"]))
        },
        Probe("qualification with an empty zone", .invalidArgument, "body.zones[1]") { f, _ in
            await f.failure(Registry.createQualification, CreateQualificationRequest(name: "New", zones: ["IL", ""]))
        },
        Probe("qualification with repeated provider types", .invalidArgument, "body.providerTypes") { f, _ in
            await f.failure(
                Registry.createQualification, CreateQualificationRequest(name: "New", providerTypes: ["asl", "asl"]))
        },
        Probe("update of an unknown qualification", .notFound, "body.id") { f, _ in
            await f.failure(Registry.updateQualification, UpdateQualificationRequest(id: "q-nope", name: "X"))
        },
        Probe("update to an empty name", .invalidArgument, "body.name") { f, s in
            await f.failure(Registry.updateQualification, UpdateQualificationRequest(id: s.qualification.id, name: ""))
        },
        Probe("update with a stale version", .aborted, "body.expectedVersion") { f, s in
            await f.failure(
                Registry.updateQualification,
                UpdateQualificationRequest(id: s.qualification.id, expectedVersion: 7, name: "X"))
        },
        Probe("archive of an unknown qualification", .notFound, "body.id") { f, _ in
            await f.failure(Registry.archiveQualification, ArchiveQualificationRequest(id: "q-nope"))
        },
        Probe("provider with an empty name", .invalidArgument, "body.name") { f, _ in
            await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "", providerType: "asl"))
        },
        Probe("provider latitude out of range", .invalidArgument, "body.location.lat") { f, _ in
            await f.failure(
                Registry.upsertProvider,
                UpsertProviderRequest(name: "A", providerType: "asl", location: GeoPoint(lat: 95, lon: 0)))
        },
        Probe("provider longitude out of range", .invalidArgument, "body.location.lon") { f, _ in
            await f.failure(
                Registry.upsertProvider,
                UpsertProviderRequest(name: "A", providerType: "asl", location: GeoPoint(lat: 0, lon: -181)))
        },
        Probe("provider with a bad email", .invalidArgument, "body.email") { f, _ in
            await f.failure(
                Registry.upsertProvider, UpsertProviderRequest(name: "A", providerType: "asl", email: "nobody"))
        },
        Probe("provider with a negative radius", .invalidArgument, "body.travelRadiusKm") { f, _ in
            await f.failure(
                Registry.upsertProvider, UpsertProviderRequest(name: "A", providerType: "asl", travelRadiusKm: -1))
        },
        Probe("provider update with a stale version", .aborted, "body.expectedVersion") { f, s in
            await f.failure(
                Registry.upsertProvider,
                UpsertProviderRequest(id: s.provider.id, expectedVersion: 9, name: "A", providerType: "asl"))
        },
        Probe("unknown provider", .notFound, "body.id") { f, _ in
            await f.failure(Registry.getProvider, GetProviderRequest(id: "pr-nope"))
        },
        Probe("list providers with a bad limit", .invalidArgument, "body.limit") { f, _ in
            await f.failure(Registry.listProviders, ListProvidersRequest(limit: 0))
        },
        Probe("document expiring before issue", .invalidArgument, "body.expiresAt") { f, s in
            await f.failure(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: s.provider.id, documentTypeId: s.documentType.id, issuedAt: start,
                    expiresAt: start.addingTimeInterval(-1)))
        },
        Probe("document for an unknown provider", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: "pr-nope", documentTypeId: s.documentType.id, issuedAt: start))
        },
        Probe("document of an unknown type", .notFound, "body.documentTypeId") { f, s in
            await f.failure(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: s.provider.id, documentTypeId: "dt-nope", issuedAt: start))
        },
        Probe("revoking an unknown document", .notFound, "body.id") { f, _ in
            await f.failure(Registry.revokeDocument, RevokeDocumentRequest(id: "doc-nope"))
        },
        Probe("applying an unknown qualification", .notFound, "body.qualificationId") { f, s in
            await f.failure(
                Registry.applyQualification,
                ApplyQualificationRequest(providerId: s.provider.id, qualificationId: "q-nope"))
        },
        Probe("applying to an unknown provider", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.applyQualification,
                ApplyQualificationRequest(providerId: "pr-nope", qualificationId: s.qualification.id))
        },
        Probe("removing a qualification not applied", .notFound, "body.qualificationId") { f, s in
            await f.failure(
                Registry.removeQualification,
                RemoveQualificationRequest(providerId: s.otherProvider.id, qualificationId: s.qualification.id))
        },
        Probe("checking an empty window", .invalidArgument, "body.to") { f, s in
            await f.failure(
                Registry.checkQualifications,
                CheckQualificationsRequest(providerId: s.provider.id, from: start, to: start))
        },
        Probe("checking an unknown qualification", .notFound, "body.qualificationIds[0]") { f, s in
            await f.failure(
                Registry.checkQualifications,
                CheckQualificationsRequest(
                    providerId: s.provider.id, from: start, to: start.addingTimeInterval(60),
                    qualificationIds: ["q-nope"]))
        },
        Probe("availability window ending before it starts", .invalidArgument, "body.windows[0].to") { f, s in
            await f.failure(
                Registry.setAvailability,
                SetAvailabilityRequest(
                    providerId: s.provider.id, windows: [AvailabilityWindow(from: start, to: start, status: .available)]
                ))
        },
        Probe("overlapping availability windows", .invalidArgument, "body.windows[0]") { f, s in
            await f.failure(
                Registry.setAvailability,
                SetAvailabilityRequest(
                    providerId: s.provider.id,
                    windows: [
                        AvailabilityWindow(
                            from: start.addingTimeInterval(1800), to: start.addingTimeInterval(7200),
                            status: .unavailable),
                        AvailabilityWindow(from: start, to: start.addingTimeInterval(3600), status: .available),
                    ]))
        },
        Probe("availability of an unknown provider", .notFound, "body.providerId") { f, _ in
            await f.failure(Registry.setAvailability, SetAvailabilityRequest(providerId: "pr-nope", windows: []))
        },
        Probe("customer with an empty name", .invalidArgument, "body.name") { f, _ in
            await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: ""))
        },
        Probe("customer with an unknown default", .notFound, "body.defaultRequiredQualificationIds[0]") { f, _ in
            await f.failure(
                Registry.upsertCustomer, UpsertCustomerRequest(name: "C2", defaultRequiredQualificationIds: ["q-nope"]))
        },
        Probe("customer listing an unknown provider", .notFound, "body.lists[0].providerId") { f, _ in
            await f.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "C2", lists: [CustomerListEntry(providerId: "pr-nope", kind: .preferred)]))
        },
        Probe("customer listing a provider twice on one list", .invalidArgument, "body.lists[1]") { f, s in
            await f.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "C2",
                    lists: [
                        CustomerListEntry(providerId: s.provider.id, kind: .restricted),
                        CustomerListEntry(providerId: s.provider.id, kind: .restricted),
                    ]))
        },
        Probe("customer ranking a provider first and last", .invalidArgument, "body.lists[1].kind") { f, s in
            await f.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "C2",
                    lists: [
                        CustomerListEntry(providerId: s.provider.id, kind: .preferred),
                        CustomerListEntry(providerId: s.provider.id, kind: .lastResort),
                    ]))
        },
        Probe("customer restricting to a provider never considered", .invalidArgument, "body.lists[1].kind") {
            f, s in
            await f.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "C2",
                    lists: [
                        CustomerListEntry(providerId: s.provider.id, kind: .doNotConsider),
                        CustomerListEntry(providerId: s.provider.id, kind: .restricted),
                    ]))
        },
        Probe("customer lists over the cap", .invalidArgument, "body.lists") { f, s in
            await f.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "C2",
                    lists: (0...10_000).map {
                        CustomerListEntry(providerId: "\(s.provider.id)-\($0)", kind: .preferred)
                    }))
        },
        Probe("qualification zone with a line break", .invalidArgument, "body.zones[0]") { f, _ in
            await f.failure(Registry.createQualification, CreateQualificationRequest(name: "New", zones: ["IL\nWI"]))
        },
        Probe("qualification with more zones than the cap", .invalidArgument, "body.zones") { f, _ in
            await f.failure(
                Registry.createQualification,
                CreateQualificationRequest(name: "New", zones: (0...Validator.maxListLength).map { "Z\($0)" }))
        },
        Probe("customer created without a name", .invalidArgument, "body.name") { f, _ in
            await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(defaultRequiredQualificationIds: []))
        },
        Probe("customer update mask clearing the name", .invalidArgument, "body.name") { f, s in
            await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(id: s.customer.id, updateMask: "name"))
        },
        Probe("provider created without a type", .invalidArgument, "body.providerType") { f, _ in
            await f.failure(Registry.upsertProvider, UpsertProviderRequest(name: "A"))
        },
        Probe("provider update mask naming no field", .invalidArgument, "body.updateMask") { f, s in
            await f.failure(Registry.upsertProvider, UpsertProviderRequest(id: s.provider.id, updateMask: "zones,,"))
        },
        Probe("qualification update mask naming an unknown field", .invalidArgument, "body.updateMask") { f, s in
            await f.failure(
                Registry.updateQualification, UpdateQualificationRequest(id: s.qualification.id, updateMask: "archived")
            )
        },
        Probe("availability listed over an empty stretch", .invalidArgument, "body.to") { f, _ in
            await f.failure(Registry.listAvailability, ListAvailabilityRequest(from: start, to: start))
        },
        Probe("availability of an unknown provider listed", .notFound, "body.providerIds[0]") { f, _ in
            await f.failure(
                Registry.listAvailability,
                ListAvailabilityRequest(providerIds: ["pr-nope"], from: start, to: start.addingTimeInterval(60)))
        },
        Probe("customers listed with a bad page size", .invalidArgument, "body.pageSize") { f, _ in
            await f.failure(Registry.listCustomers, ListCustomersRequest(pageSize: 0))
        },
        Probe("vocabulary repeating a zone", .invalidArgument, "body.zones") { f, _ in
            await f.failure(
                Registry.setVocabulary,
                SetVocabularyRequest(zones: [VocabularyTerm(code: "IL"), VocabularyTerm(code: "IL")]))
        },
        Probe("vocabulary with an empty provider type", .invalidArgument, "body.providerTypes[0]") { f, _ in
            await f.failure(Registry.setVocabulary, SetVocabularyRequest(providerTypes: [VocabularyTerm(code: " ")]))
        },
        Probe("vocabulary with a stale version", .aborted, "body.expectedVersion") { f, _ in
            await f.failure(Registry.setVocabulary, SetVocabularyRequest(expectedVersion: 3, zones: []))
        },
        Probe("customer requiring and preferring the same", .invalidArgument, "body.defaultPreferredQualificationIds") {
            f, s in
            await f.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "C2", defaultRequiredQualificationIds: [s.qualification.id],
                    defaultPreferredQualificationIds: [s.qualification.id]))
        },
        Probe("duplicate customer name", .alreadyExists, "body.name") { f, _ in
            await f.failure(Registry.upsertCustomer, UpsertCustomerRequest(name: "CLINIC"))
        },
        Probe("unknown customer", .notFound, "body.id") { f, _ in
            await f.failure(Registry.getCustomer, GetCustomerRequest(id: "cu-nope"))
        },
    ]

    /// Another partner's ids are NOT_FOUND, exactly like ids that do not exist.
    static let tenancy: [Probe] = [
        Probe("another tenant's qualification (update)", .notFound, "body.id") { f, s in
            await f.failure(
                Registry.updateQualification, UpdateQualificationRequest(id: s.qualification.id, name: "Mine"),
                as: other)
        },
        Probe("another tenant's qualification (archive)", .notFound, "body.id") { f, s in
            await f.failure(
                Registry.archiveQualification, ArchiveQualificationRequest(id: s.qualification.id), as: other)
        },
        Probe("another tenant's provider (get)", .notFound, "body.id") { f, s in
            await f.failure(Registry.getProvider, GetProviderRequest(id: s.provider.id), as: other)
        },
        Probe("another tenant's provider (document)", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: s.provider.id, documentTypeId: s.documentType.id, issuedAt: start), as: other)
        },
        Probe("another tenant's document (revoke)", .notFound, "body.id") { f, s in
            await f.failure(Registry.revokeDocument, RevokeDocumentRequest(id: s.document.id), as: other)
        },
        Probe("another tenant's provider (apply)", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.applyQualification,
                ApplyQualificationRequest(providerId: s.provider.id, qualificationId: s.qualification.id), as: other)
        },
        Probe("another tenant's provider (check)", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.checkQualifications,
                CheckQualificationsRequest(providerId: s.provider.id, from: start, to: start.addingTimeInterval(60)),
                as: other)
        },
        Probe("another tenant's provider (availability)", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.setAvailability, SetAvailabilityRequest(providerId: s.provider.id, windows: []), as: other)
        },
        Probe("another tenant's customer (get)", .notFound, "body.id") { f, s in
            await f.failure(Registry.getCustomer, GetCustomerRequest(id: s.customer.id), as: other)
        },
        Probe("another tenant's provider (list availability)", .notFound, "body.providerIds[0]") { f, s in
            await f.failure(
                Registry.listAvailability,
                ListAvailabilityRequest(providerIds: [s.provider.id], from: start, to: start.addingTimeInterval(60)),
                as: other)
        },
        Probe("another tenant's customer (update)", .notFound, "body.id") { f, s in
            await f.failure(
                Registry.upsertCustomer, UpsertCustomerRequest(id: s.customer.id, expectedVersion: 1), as: other)
        },
    ]

    /// Only partner and service write; a provider or customer sees only itself (others answer
    /// NOT_FOUND, like ids that do not exist).
    static let roles: [Probe] = [
        Probe("a customer writing", .permissionDenied, nil) { f, _ in
            await f.failure(
                Registry.createQualification, CreateQualificationRequest(name: "Z"),
                as: Actor(role: .customer, partnerId: "p-1", id: "cu-x"))
        },
        Probe("a provider writing", .permissionDenied, nil) { f, s in
            await f.failure(
                Registry.upsertProvider, UpsertProviderRequest(id: s.provider.id, name: "Me", providerType: "asl"),
                as: provider(s.provider.id))
        },
        Probe("a provider reading another provider", .notFound, "body.id") { f, s in
            await f.failure(
                Registry.getProvider, GetProviderRequest(id: s.otherProvider.id), as: provider(s.provider.id))
        },
        Probe("a provider checking another provider", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.checkQualifications,
                CheckQualificationsRequest(
                    providerId: s.otherProvider.id, from: start, to: start.addingTimeInterval(60)),
                as: provider(s.provider.id))
        },
        Probe("a customer reading another customer", .notFound, "body.id") { f, s in
            await f.failure(
                Registry.getCustomer, GetCustomerRequest(id: s.otherCustomer.id),
                as: Actor(role: .customer, partnerId: "p-1", id: s.customer.id))
        },
        Probe("a provider listing providers", .permissionDenied, nil) { f, s in
            await f.failure(Registry.listProviders, ListProvidersRequest(), as: provider(s.provider.id))
        },
        Probe("a provider setting another's availability", .notFound, "body.providerId") { f, s in
            await f.failure(
                Registry.setAvailability, SetAvailabilityRequest(providerId: s.otherProvider.id, windows: []),
                as: provider(s.provider.id))
        },
        Probe("a provider listing another's availability", .notFound, "body.providerIds[0]") { f, s in
            await f.failure(
                Registry.listAvailability,
                ListAvailabilityRequest(
                    providerIds: [s.otherProvider.id], from: start, to: start.addingTimeInterval(60)),
                as: provider(s.provider.id))
        },
        Probe("a provider listing customers", .permissionDenied, nil) { f, s in
            await f.failure(Registry.listCustomers, ListCustomersRequest(), as: provider(s.provider.id))
        },
        Probe("a customer setting the vocabulary", .permissionDenied, nil) { f, s in
            await f.failure(
                Registry.setVocabulary, SetVocabularyRequest(zones: []),
                as: Actor(role: .customer, partnerId: "p-1", id: s.customer.id))
        },
        Probe("no tenant", .invalidArgument, "actor.partnerId") { f, _ in
            await f.failure(Registry.listDocumentTypes, ListDocumentTypesRequest(), as: Actor(role: .service))
        },
    ]

    static let probes = validation + tenancy + roles

    @Test func everyProbeFailsCleanlyAndChangesNothing() async throws {
        #expect(Self.probes.count == 75)
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = partner.providers["Ada"]!
            let document = try #require(
                try await fixture.call(Registry.getProvider, GetProviderRequest(id: ada.id)).documents.first)
            let seeded = Seeded(
                documentType: partner.documentTypes["cert"]!, qualification: partner.qualifications["ASL certified"]!,
                provider: ada, otherProvider: partner.providers["Ben"]!, customer: partner.customers["Clinic"]!,
                otherCustomer: partner.customers["School"]!, document: document)
            let before = try await fixture.lastSeq()
            for probe in Self.probes {
                let error = await probe.run(fixture, seeded)
                #expect(error.code == probe.code, "\(probe.name): \(error)")
                if let field = probe.field {
                    #expect(error.details.map(\.field).contains(field), "\(probe.name): \(error.details)")
                }
            }
            #expect(try await fixture.lastSeq() == before, "a failed call wrote an event")
            let provider = try await fixture.call(Registry.getProvider, GetProviderRequest(id: ada.id))
            #expect(provider.provider == ada)
            #expect(provider.availability.isEmpty)
            #expect(provider.documents == [document])
        }
    }
}
