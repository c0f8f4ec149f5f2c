import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// What a ranking shows, through the bus, fed by the real registry: providers nobody can reach
/// filtered out (and back once a channel changes), the preferred qualifications each meets, every
/// exclusion with its reason, and what would make a provider filtered out by one reason eligible.
@Suite("Matching through the bus: reachability and what every filter says", .serialized)
struct FilterInformationTests {
    static func registry(_ world: MatchingSystem) -> RegistryClient {
        RegistryClient(world.registry, actor: world.partner, options: .patient())
    }

    static func filtered(_ id: String, in reply: RankResponse) -> FilteredProvider? {
        reply.filtered.first { $0.providerId == id }
    }

    @Test func aProviderWithoutAUsableChannelIsFilteredUntilOneChanges() async throws {
        try await MatchingSystem.with { world in
            let registry = Self.registry(world)
            let school = world.fixture.customers["School"]!
            let ben = world.fixture.providers["Ben"]!
            let eve = try await registry.upsertProvider(
                UpsertProviderRequest(
                    name: "Eve", providerType: "asl", location: MatchingSystem.chicago, travelRadiusKm: 40,
                    zones: ["IL"])
            ).provider
            var reply = try await world.rank(world.job(customer: school))
            #expect(reply.ranked.map(\.providerId).sorted() == [world.ada.id, ben.id].sorted())
            #expect(
                Self.filtered(eve.id, in: reply)
                    == FilteredProvider(
                        providerId: eve.id,
                        reasons: [
                            FilterReason(
                                criterion: "noContactChannel", detail: "no usable contact channel: no email, no phone")
                        ], wouldBeEligibleIf: "eligible if the provider is given an email or a phone that works"))
            let check = try await world.client.check(CheckRequest(job: world.job(customer: school), providerId: eve.id))
            #expect(!check.passes && check.reasons.map(\.criterion) == ["noContactChannel"])

            // Ben's only channel is found wrong: a mark for another address changes nothing.
            let stale = try await registry.markChannelInvalid(
                MarkChannelInvalidRequest(providerId: ben.id, channel: .email, address: "someone@example.org"))
            #expect(!stale.marked && stale.provider.invalidChannels == nil && stale.provider.version == ben.version)
            let marked = try await registry.markChannelInvalid(
                MarkChannelInvalidRequest(
                    providerId: ben.id, channel: .email, address: ben.email, reason: "WRONG_CONTACT_DETAILS"))
            #expect(marked.marked && marked.provider.invalidChannels?.map(\.channel) == [.email])
            let again = try await registry.markChannelInvalid(
                MarkChannelInvalidRequest(providerId: ben.id, channel: .email))
            #expect(again.marked && again.provider.version == marked.provider.version)
            #expect(
                try await registry.getProvider(GetProviderRequest(id: ben.id)).provider.invalidChannels
                    == marked.provider.invalidChannels)
            reply = try await world.rank(world.job(customer: school))
            #expect(reply.ranked.map(\.providerId) == [world.ada.id])
            #expect(
                Self.filtered(ben.id, in: reply)?.reasons == [
                    FilterReason(
                        criterion: "noContactChannel",
                        detail: "no usable contact channel: email marked invalid, no phone")
                ])

            // The same email again keeps the mark; a new one clears it, and Ben ranks again.
            let same = try await registry.upsertProvider(UpsertProviderRequest(id: ben.id, email: ben.email))
            #expect(same.provider.invalidChannels?.map(\.channel) == [.email])
            let changed = try await registry.upsertProvider(
                UpsertProviderRequest(id: ben.id, email: "ben@new.example.org"))
            #expect(changed.provider.invalidChannels == nil)
            reply = try await world.rank(world.job(customer: school))
            #expect(reply.ranked.map(\.providerId).sorted() == [world.ada.id, ben.id].sorted())
        }
    }

    @Test func rankNamesThePreferredQualificationsMetAndEveryExclusion() async throws {
        try await MatchingSystem.with { world in
            let school = world.fixture.customers["School"]!
            let ben = world.fixture.providers["Ben"]!
            let (medical, octopuses) = (
                world.fixture.qualifications["Medical"]!, world.fixture.qualifications["Good with octopuses"]!
            )
            let job = world.job(customer: school, preferred: [medical.id, octopuses.id])
            let exclusions = [
                ExcludedProvider(providerId: ben.id, reason: "blocked for every customer: complaints"),
                ExcludedProvider(providerId: ben.id, reason: "blocked for customer \(school.id): asked by the school"),
                ExcludedProvider(providerId: ben.id, reason: "excluded by the partner"),
            ]
            let reply = try await world.client.rank(
                RankRequest(job: job, excludeProviderIds: exclusions, minSeq: try await world.lastSeqs()))
            let ada = try #require(reply.ranked.first { $0.providerId == world.ada.id })
            let met = [
                NamedQualification(id: medical.id, name: "Medical"),
                NamedQualification(id: octopuses.id, name: "Good with octopuses"),
            ]
            #expect(ada.preferredQualificationsMet == met)
            #expect(ada.criteria.first { $0.name == "preferredQualifications" }?.value == .integer(2))
            #expect(
                Self.filtered(ben.id, in: reply)?.reasons
                    == exclusions.map { FilterReason(criterion: "excluded", detail: $0.reason) })
            let check = try await world.client.check(CheckRequest(job: job, providerId: world.ada.id))
            #expect(check.preferredQualificationsMet == met)
        }
    }

    @Test func rankSaysWhatWouldMakeAFilteredProviderEligible() async throws {
        try await MatchingSystem.with { world in
            let registry = Self.registry(world)
            let (school, clinic) = (world.fixture.customers["School"]!, world.clinic)
            let ben = world.fixture.providers["Ben"]!
            let (certified, medical) = (
                world.fixture.qualifications["ASL certified"]!, world.fixture.qualifications["Medical"]!
            )
            let cert = world.fixture.documentTypes["cert"]!
            let (from, to) = (Timestamp.format(MatchingSystem.start), Timestamp.format(MatchingSystem.start + 7200))
            let certifiedJob = world.job(customer: school, required: [certified.id])
            func remedy(_ job: JobDescription) async throws -> String? {
                let reply = try await world.rank(job)
                let fromCheck = try await world.client.check(CheckRequest(job: job, providerId: ben.id))
                #expect(fromCheck.wouldBeEligibleIf == Self.filtered(ben.id, in: reply)?.wouldBeEligibleIf)
                return Self.filtered(ben.id, in: reply)?.wouldBeEligibleIf
            }

            // Neither applied nor documented: two changes away.
            #expect(try await remedy(certifiedJob) == nil)
            #expect(
                try await remedy(world.job(customer: school, required: [medical.id]))
                    == "eligible if Medical is applied to the provider")
            _ = try await registry.applyQualification(
                ApplyQualificationRequest(providerId: ben.id, qualificationId: certified.id))
            #expect(
                try await remedy(certifiedJob) == "eligible if a document cert is added, valid from \(from) to \(to)")
            // A certificate that expires an hour into the job.
            _ = try await registry.addDocument(
                AddDocumentRequest(
                    providerId: ben.id, documentTypeId: cert.id, issuedAt: Date().rounded,
                    expiresAt: MatchingSystem.start + 3600))
            #expect(
                try await remedy(certifiedJob) == "eligible if document cert is renewed by \(from), valid until \(to)")
            // Renewed: the Clinic (which requires it) still has Ben on its do-not-consider list.
            _ = try await registry.addDocument(
                AddDocumentRequest(
                    providerId: ben.id, documentTypeId: cert.id, issuedAt: Date().rounded,
                    expiresAt: MatchingSystem.start + 30 * 86_400))
            #expect(try await remedy(certifiedJob) == nil)
            #expect(
                try await remedy(world.job(customer: clinic))
                    == "eligible if taken off the customer's do-not-consider list")
        }
    }
}
