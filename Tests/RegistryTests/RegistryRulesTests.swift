import Contracts
import Foundation
import OctooTesting
import RegistryService
import ServiceKit
import Testing
import Transport
import Wire

/// An agency's registry scenarios, each through the public methods: what an agency would do, and
/// what it must get.
@Suite("Registry rules: an agency's scenarios", .serialized)
struct RegistryRulesTests {
    static let start = RegistryFixture.start
    static let hour: TimeInterval = 3600

    // MARK: 2. Archived means "no new use"

    @Test func anArchivedQualificationIsStillJudgedForRequestsThatAlreadyRequireIt() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"])
            let medical = try #require(partner.qualifications["Medical"])
            _ = try await fixture.call(Registry.archiveQualification, ArchiveQualificationRequest(id: medical.id))
            let job = CheckQualificationsRequest(
                providerId: ada.id, from: Self.start.addingTimeInterval(24 * Self.hour),
                to: Self.start.addingTimeInterval(28 * Self.hour), qualificationIds: [medical.id])
            let check = try await fixture.call(Registry.checkQualifications, job)
            #expect(check.results.map(\.inEffect) == [true])
            #expect(check.results.first?.reasons == [])
            // Still no new use: it cannot be applied to anyone else.
            await #expect(throws: RPCError.self) {
                try await fixture.call(
                    Registry.applyQualification,
                    ApplyQualificationRequest(
                        providerId: try #require(partner.providers["Ben"]).id, qualificationId: medical.id))
            }
        }
    }

    // MARK: 3. Partial updates

    @Test func upsertingAProviderWithoutZonesKeepsItsZonesAndEveryFieldNotSent() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"])
            let renamed = try await fixture.call(
                Registry.upsertProvider,
                UpsertProviderRequest(id: ada.id, name: "Ada L.", providerType: "asl", phone: "+1 312 555 0100")
            ).provider
            #expect(renamed.name == "Ada L." && renamed.phone == "+1 312 555 0100")
            #expect(renamed.zones == ["IL"])
            #expect(renamed.email == ada.email && renamed.location == ada.location)
            #expect(renamed.travelRadiusKm == ada.travelRadiusKm && renamed.active == ada.active)
            #expect(renamed.version == ada.version + 1)
            let inIL = try await fixture.call(Registry.listProviders, ListProvidersRequest(zone: "IL"))
            #expect(inIL.providers.map(\.id).contains(ada.id))
        }
    }

    @Test func upsertingACustomerWithoutListsOrDefaultsKeepsThem() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let clinic = try #require(partner.customers["Clinic"])
            let renamed = try await fixture.call(
                Registry.upsertCustomer, UpsertCustomerRequest(id: clinic.id, name: "Clinic North")
            ).customer
            #expect(renamed.name == "Clinic North")
            #expect(renamed.lists == clinic.lists)
            #expect(renamed.defaultRequiredQualificationIds == clinic.defaultRequiredQualificationIds)
            #expect(renamed.version == clinic.version + 1)
        }
    }

    // MARK: 4. Several lists, never contradictory ones

    @Test func aProviderMayBeRestrictedAndPreferredButNeverPreferredAndDoNotConsider() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"]).id
            let both = try await fixture.call(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "Court",
                    lists: [
                        CustomerListEntry(providerId: ada, kind: .restricted),
                        CustomerListEntry(providerId: ada, kind: .preferred),
                    ])
            ).customer
            #expect(both.lists.map(\.kind) == [.restricted, .preferred])
            let contradiction = await fixture.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    name: "Jail",
                    lists: [
                        CustomerListEntry(providerId: ada, kind: .preferred),
                        CustomerListEntry(providerId: ada, kind: .doNotConsider),
                    ]))
            #expect(contradiction.code == .invalidArgument)
            #expect(contradiction.details.map(\.field) == ["body.lists[1].kind"])
        }
    }

    // MARK: 5. Providers set their own availability

    @Test func providersSetTheirOwnAvailabilityAndOnlyTheirOwn() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"]).id
            let ben = try #require(partner.providers["Ben"]).id
            let herself = Actor(role: .provider, partnerId: "p-1", id: ada)
            let windows = [
                AvailabilityWindow(from: Self.start, to: Self.start.addingTimeInterval(Self.hour), status: .unavailable)
            ]
            let set = try await fixture.call(
                Registry.setAvailability, SetAvailabilityRequest(providerId: ada, windows: windows), as: herself)
            #expect(set.windows == windows)
            let other = await fixture.failure(
                Registry.setAvailability, SetAvailabilityRequest(providerId: ben, windows: windows), as: herself)
            #expect(other.code == .notFound && other.details.map(\.field) == ["body.providerId"])
        }
    }

    // MARK: 6. A document renewed in the middle of a job

    @Test func aDocumentRenewedInTheMiddleOfAJobCounts() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"]).id
            let cert = try #require(partner.documentTypes["cert"]).id
            let certified = try #require(partner.qualifications["ASL certified"]).id
            // Ada's certificate runs out a year after `start`; she renews it on that day.
            let expiry = Self.start.addingTimeInterval(365 * 86_400)
            _ = try await fixture.call(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: ada, documentTypeId: cert, issuedAt: expiry,
                    expiresAt: expiry.addingTimeInterval(365 * 86_400)))
            let acrossTheRenewal = CheckQualificationsRequest(
                providerId: ada, from: expiry.addingTimeInterval(-2 * Self.hour),
                to: expiry.addingTimeInterval(2 * Self.hour), qualificationIds: [certified])
            let check = try await fixture.call(Registry.checkQualifications, acrossTheRenewal)
            #expect(check.results.map(\.inEffect) == [true], "\(check.results)")
        }
    }

    // MARK: 7. Events: what lapsed, and when it was recorded

    @Test func revokingADocumentNamesTheQualificationsThatLapsed() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"]).id
            let certified = try #require(partner.qualifications["ASL certified"]).id
            let document = try #require(
                try await fixture.call(Registry.getProvider, GetProviderRequest(id: ada)).documents.first)
            let before = try await fixture.lastSeq()
            _ = try await fixture.call(Registry.revokeDocument, RevokeDocumentRequest(id: document.id))
            let revoked = try #require(try await fixture.events(after: before).first)
            #expect(revoked.type == Registry.EventType.documentRevoked)
            #expect(revoked.data["lapsedQualificationIds"] == .array([.string(certified)]))
            // Still a document, for consumers that read one.
            let asDocument = try WireCoding.makeDecoder().decode(
                Document.self, from: Data(try WireCoding.encode(revoked.data)))
            #expect(asDocument.id == document.id && asDocument.revokedAt == Self.start)
        }
    }

    @Test func anExpiryFiredLateIsRecordedWhenItFires() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"]).id
            let cert = try #require(partner.documentTypes["cert"]).id
            _ = try await fixture.call(
                Registry.addDocument,
                AddDocumentRequest(
                    providerId: ada, documentTypeId: cert, issuedAt: Self.start,
                    expiresAt: Self.start.addingTimeInterval(Self.hour)))
            let before = try await fixture.lastSeq()
            // The clock jumps past the expiry by a day (a service down, a manual clock): the event
            // says when it was recorded, the document when it expired.
            let later = Self.start.addingTimeInterval(25 * Self.hour)
            _ = try await fixture.client.setClock(Registry.service, to: later)
            let expired = try await fixture.events(after: before).filter {
                $0.type == Registry.EventType.documentExpired
            }
            #expect(expired.map(\.occurredAt) == [later])
            #expect(expired.first?.data["document"]?["expiresAt"] == .string("2027-01-15T09:00:00Z"))
        }
    }
}
