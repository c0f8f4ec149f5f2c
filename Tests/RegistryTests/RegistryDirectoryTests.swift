import Contracts
import Foundation
import OctooTesting
import RegistryService
import ServiceKit
import Testing
import Transport
import Wire

/// Registry scenarios about its directory and partial updates: update masks, the
/// vocabulary, `ListAvailability`, `ListCustomers`, paging everywhere, decision defaults.
@Suite("Registry directory and partial updates", .serialized)
struct RegistryDirectoryTests {
    static let start = RegistryFixture.start
    static let hour: TimeInterval = 3600

    // MARK: 3. Update masks

    @Test func anUpdateMaskChangesExactlyTheNamedFieldsAndClearsThoseNotSent() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"])
            // `email` is named and not sent: cleared. `name` is sent but not named: ignored.
            let provider = try await fixture.call(
                Registry.upsertProvider,
                UpsertProviderRequest(id: ada.id, name: "Ignored", zones: ["IL", "WI"], updateMask: "email,zones")
            ).provider
            #expect(provider.email == nil && provider.zones == ["IL", "WI"] && provider.name == "Ada")
            #expect(provider.location == ada.location && provider.phone == nil)
            // A name cannot be cleared.
            let cleared = await fixture.failure(
                Registry.upsertProvider, UpsertProviderRequest(id: ada.id, updateMask: "name"))
            #expect(cleared.code == .invalidArgument && cleared.details.map(\.field) == ["body.name"])
            let unknown = await fixture.failure(
                Registry.upsertProvider, UpsertProviderRequest(id: ada.id, updateMask: "zones,colour"))
            #expect(unknown.code == .invalidArgument && unknown.details.map(\.field) == ["body.updateMask"])

            let clinic = try #require(partner.customers["Clinic"])
            let noLists = try await fixture.call(
                Registry.upsertCustomer, UpsertCustomerRequest(id: clinic.id, updateMask: "lists")
            ).customer
            #expect(noLists.lists.isEmpty && noLists.name == clinic.name)
            #expect(noLists.defaultRequiredQualificationIds == clinic.defaultRequiredQualificationIds)

            let medical = try #require(partner.qualifications["Medical"])
            let everywhere = try await fixture.call(
                Registry.updateQualification, UpdateQualificationRequest(id: medical.id, updateMask: "providerTypes")
            ).qualification
            #expect(everywhere.providerTypes.isEmpty && everywhere.name == medical.name)
        }
    }

    @Test func creatingAProviderStillNeedsANameAndAType() async throws {
        try await RegistryFixture.run { fixture in
            let untyped = await fixture.failure(Registry.upsertProvider, UpsertProviderRequest(name: "Nameless"))
            #expect(untyped.code == .invalidArgument && untyped.details.map(\.field) == ["body.providerType"])
            let unnamed = await fixture.failure(Registry.upsertProvider, UpsertProviderRequest(providerType: "asl"))
            #expect(unnamed.code == .invalidArgument && unnamed.details.map(\.field) == ["body.name"])
        }
    }

    // MARK: 5. The partner's vocabulary, availability, customers

    @Test func aVocabularyRefusesAMistypedZoneOrProviderType() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let vocabulary = try await fixture.call(
                Registry.setVocabulary,
                SetVocabularyRequest(
                    zones: [VocabularyTerm(code: "IL", name: "Illinois"), VocabularyTerm(code: "NM-ABQ")],
                    providerTypes: ["asl", "cart", "spoken"].map { VocabularyTerm(code: $0) })
            ).vocabulary
            #expect(vocabulary.version == 1 && vocabulary.zones.map(\.code) == ["IL", "NM-ABQ"])
            #expect(try await fixture.call(Registry.getVocabulary, GetVocabularyRequest()).vocabulary == vocabulary)

            let mistypedZone = await fixture.failure(
                Registry.upsertProvider, UpsertProviderRequest(name: "Eve", providerType: "asl", zones: ["IL", "Il"]))
            #expect(mistypedZone.code == .invalidArgument && mistypedZone.details.map(\.field) == ["body.zones[1]"])
            let mistypedType = await fixture.failure(
                Registry.upsertProvider, UpsertProviderRequest(name: "Eve", providerType: "ASL"))
            #expect(mistypedType.details.map(\.field) == ["body.providerType"])
            let qualification = await fixture.failure(
                Registry.createQualification, CreateQualificationRequest(name: "Local", zones: ["NM-ABC"]))
            #expect(qualification.details.map(\.field) == ["body.zones[0]"])
            _ = try await fixture.call(
                Registry.createQualification, CreateQualificationRequest(name: "Local", zones: ["NM-ABQ"]))
            // Records that already use a code keep it; a change of something else is not refused.
            let di = try #require(partner.providers["Di"])
            _ = try await fixture.call(Registry.upsertProvider, UpsertProviderRequest(id: di.id, phone: "555"))
            // An empty list accepts any code again.
            let reopened = try await fixture.call(
                Registry.setVocabulary, SetVocabularyRequest(expectedVersion: 1, zones: [])
            ).vocabulary
            #expect(reopened.zones.isEmpty && reopened.providerTypes.count == 3 && reopened.version == 2)
            _ = try await fixture.call(
                Registry.upsertProvider, UpsertProviderRequest(name: "Eve", providerType: "asl", zones: ["Il"]))
            #expect(try await fixture.events().filter { $0.type == Registry.EventType.vocabularySet }.count == 2)
        }
    }

    @Test func listAvailabilityShowsTheWindowsOverlappingAStretch() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let ada = try #require(partner.providers["Ada"]).id
            let ben = try #require(partner.providers["Ben"]).id
            func window(_ from: Double, _ to: Double, _ status: AvailabilityWindow.Status) -> AvailabilityWindow {
                AvailabilityWindow(
                    from: Self.start.addingTimeInterval(from * Self.hour),
                    to: Self.start.addingTimeInterval(to * Self.hour), status: status)
            }
            _ = try await fixture.call(
                Registry.setAvailability,
                SetAvailabilityRequest(
                    providerId: ada, windows: [window(0, 2, .unavailable), window(5, 9, .remoteOnly)]))
            _ = try await fixture.call(
                Registry.setAvailability, SetAvailabilityRequest(providerId: ben, windows: [window(3, 6, .available)]))
            let stretch = ListAvailabilityRequest(
                from: Self.start.addingTimeInterval(Self.hour), to: Self.start.addingTimeInterval(4 * Self.hour))
            let listed = try await fixture.call(Registry.listAvailability, stretch)
            #expect(listed.windows.map(\.providerId) == [ada, ben].sorted())
            #expect(
                listed.windows.map(\.status) == (ada < ben ? [.unavailable, .available] : [.available, .unavailable]))
            var onlyAda = stretch
            onlyAda.providerIds = [ada]
            onlyAda.to = Self.start.addingTimeInterval(10 * Self.hour)
            #expect(try await fixture.call(Registry.listAvailability, onlyAda).windows.count == 2)
            // A provider lists its own windows, and no one else's.
            let herself = Actor(role: .provider, partnerId: "p-1", id: ada)
            var own = stretch
            own.to = Self.start.addingTimeInterval(10 * Self.hour)
            #expect(try await fixture.call(Registry.listAvailability, own, as: herself).windows.count == 2)
            var others = stretch
            others.providerIds = [ben]
            let hidden = await fixture.failure(Registry.listAvailability, others, as: herself)
            #expect(hidden.code == .notFound && hidden.details.map(\.field) == ["body.providerIds[0]"])
        }
    }

    // MARK: 8. Every list method is paged

    @Test func everyRegistryListMethodIsPagedWithTokens() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let cy = try #require(partner.providers["Cy"]).id
            var windows: [AvailabilityWindow] = []
            for hour in 0..<5 {
                let from = Self.start.addingTimeInterval(Double(2 * hour) * Self.hour)
                windows.append(
                    AvailabilityWindow(from: from, to: from.addingTimeInterval(Self.hour), status: .available))
            }
            _ = try await fixture.call(
                Registry.setAvailability, SetAvailabilityRequest(providerId: cy, windows: windows))
            for name in ["Court", "Library", "Museum"] {
                _ = try await fixture.call(Registry.upsertCustomer, UpsertCustomerRequest(name: name))
            }
            // Each list, two at a time, token after token: everything once, in order.
            var customers: [String] = []
            var token: String?
            repeat {
                let page = try await fixture.call(
                    Registry.listCustomers, ListCustomersRequest(pageSize: 2, pageToken: token))
                #expect(page.customers.count <= 2)
                customers += page.customers.map(\.id)
                token = page.nextPageToken
            } while token != nil
            #expect(customers.count == 5 && customers == customers.sorted())
            var starts: [Date] = []
            repeat {
                let page = try await fixture.call(
                    Registry.listAvailability,
                    ListAvailabilityRequest(
                        from: Self.start, to: Self.start.addingTimeInterval(24 * Self.hour), pageSize: 2,
                        pageToken: token))
                #expect(page.windows.count <= 2)
                starts += page.windows.map(\.from)
                token = page.nextPageToken
            } while token != nil
            #expect(starts == windows.map(\.from))
            let qualifications = try await fixture.call(
                Registry.listQualifications, ListQualificationsRequest(pageSize: 2))
            #expect(qualifications.qualifications.count == 2 && qualifications.nextPageToken != nil)
            let types = try await fixture.call(Registry.listDocumentTypes, ListDocumentTypesRequest(pageSize: 1))
            #expect(types.documentTypes.count == 1 && types.nextPageToken == nil)
            // A token is bound to its list and its filters.
            let first = try await fixture.call(Registry.listCustomers, ListCustomersRequest(pageSize: 1))
            let misused = await fixture.failure(
                Registry.listAvailability,
                ListAvailabilityRequest(
                    from: Self.start, to: Self.start.addingTimeInterval(Self.hour), pageToken: first.nextPageToken))
            #expect(misused.code == .invalidArgument && misused.details.map(\.field) == ["body.pageToken"])
        }
    }

    // MARK: 10. Decision defaults live with the customer

    @Test func aCustomersDefaultDecisionIsSetByThePartnerAndReadBack() async throws {
        try await RegistryFixture.runWithPartner { fixture, partner in
            let school = try #require(partner.customers["School"])
            #expect(school.defaultDecision == nil)
            let policy = DecisionPolicy(decider: .customer, mode: .hybrid)
            let set = try await fixture.call(
                Registry.upsertCustomer, UpsertCustomerRequest(id: school.id, defaultDecision: policy)
            ).customer
            #expect(set.defaultDecision == policy && set.name == school.name)
            let itself = Actor(role: .customer, partnerId: "p-1", id: school.id)
            let read = try await fixture.call(Registry.getCustomer, GetCustomerRequest(id: school.id), as: itself)
            #expect(read.customer.defaultDecision == policy)
            let byItself = await fixture.failure(
                Registry.upsertCustomer,
                UpsertCustomerRequest(
                    id: school.id, defaultDecision: DecisionPolicy(decider: .customer, mode: .automatic)),
                as: itself)
            #expect(byItself.code == .permissionDenied)
        }
    }
}
