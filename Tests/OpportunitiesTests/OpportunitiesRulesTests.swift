import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// An agency's scenarios in opportunities, each through the public methods, on the shared fixture:
/// the `PartnerFixture` (Ada, Ben, Cy, Di; Clinic, School) plus `pr-1`…`pr-5` and `cu-1`.
@Suite("Opportunities rules: an agency's scenarios", .serialized)
struct OpportunitiesRulesTests {
    typealias Fixture = OpportunitiesFixture
    static let hour: TimeInterval = 3600

    // MARK: 1. Customer defaults that do not fit are skipped, with a note

    @Test func aCustomerDefaultUnknownArchivedOrForAnotherZoneOrTypeIsSkippedWithTheSameNoteByMatching() async throws {
        try await Fixture.run { f in
            let registry = f.registry
            let octopuses = try #require(f.ready.qualifications["Good with octopuses"]).id
            let medical = f.preferredQualification
            let spanish = try await registry.createQualification(
                CreateQualificationRequest(name: "Spanish (NM)", zones: ["NM-ABQ"])
            ).qualification.id
            let captions = try await registry.createQualification(
                CreateQualificationRequest(name: "Captions", providerTypes: ["cart"])
            ).qualification.id
            let customer = try await registry.upsertCustomer(
                UpsertCustomerRequest(
                    id: "cu-1", defaultRequiredQualificationIds: [octopuses, spanish],
                    defaultPreferredQualificationIds: [medical, captions])
            ).customer
            _ = try await registry.archiveQualification(ArchiveQualificationRequest(id: octopuses))
            // A default the registry no longer knows, as a restored backup could leave one.
            try await RegistryBackdoor.addUnknownDefault(
                "q-vanished", to: .preferred, of: customer, in: try #require(f.applications[Registry.service]))

            let body = f.body(zone: "IL")
            let reply = try await f.call(Opportunities.createRequest, body)
            #expect(reply.request.requiredQualificationIds.isEmpty)
            #expect(reply.request.preferredQualificationIds == [medical])
            let skipped = reply.defaultsSkipped ?? []
            #expect(skipped.map(\.qualificationId) == [octopuses, spanish, captions, "q-vanished"])
            #expect(skipped.map(\.list) == [.required, .required, .preferred, .preferred])
            #expect(skipped[0].reason.contains("archived"))
            #expect(skipped[1].reason.contains("zone IL"))
            #expect(skipped[2].reason.contains("provider type asl"))
            #expect(skipped[3].reason == "is not known")

            // Matching, asked about the same job through the bus, skips the same with the same notes.
            let matchingRPC = try f.system.client(Matching.service)
            defer { matchingRPC.close() }
            var seqs: [String: Int64] = [:]
            for (source, rpc) in [(Registry.service, f.registryRPC), (Opportunities.service, f.client)] {
                seqs[source] = try await rpc.readEvents(source, afterSeq: 0, limit: 1, options: .patient()).lastSeq
            }
            let matching = MatchingClient(matchingRPC, actor: f.partner, options: .patient(retry: .none))
            let ranked = try await matching.rank(RankRequest(job: body.job, minSeq: seqs))
            #expect(ranked.defaultsSkipped == reply.defaultsSkipped)
            let checked = try await matching.check(CheckRequest(job: body.job, providerId: "pr-3", minSeq: seqs))
            #expect(checked.defaultsSkipped == reply.defaultsSkipped)
            // And ranks the body as it ranks the request made from it.
            let ofRequest = try await matching.rank(RankRequest(job: reply.request.job, minSeq: seqs))
            #expect(ofRequest.defaultsSkipped == nil)
            #expect(ranked.ranked == ofRequest.ranked && ranked.counts == ofRequest.counts)
        }
    }

    // MARK: 2. Archived: no new use, not unfillable; a required qualification must fit the type

    @Test func aQualificationArchivedAfterTheRequestStillCountsForIt() async throws {
        try await Fixture.run { f in
            let octopuses = try #require(f.ready.qualifications["Good with octopuses"]).id
            var body = f.body(zone: "IL", customerId: try #require(f.ready.customers["School"]).id)
            body.preferredQualificationIds = [octopuses]
            body.decision = DecisionPolicy(decider: .partner, mode: .hybrid)
            let request = try await f.call(Opportunities.createRequest, body).request
            _ = try await f.registry.archiveQualification(ArchiveQualificationRequest(id: octopuses))
            // Ada meets every preferred qualification, archived since: hybrid assigns her at once.
            let ada = try #require(f.ready.providers["Ada"]).id
            #expect(try await f.interested(request, ada).state == .assigned)
        }
    }

    @Test func aRequiredQualificationForAnotherProviderTypeIsRefusedByName() async throws {
        try await Fixture.run { f in
            var body = f.body(customerId: try #require(f.ready.customers["School"]).id)
            body.providerType = "cart"
            body.requiredQualificationIds = [try #require(f.ready.qualifications["ASL certified"]).id]
            let error = await #expect(throws: RPCError.self) { try await f.call(Opportunities.createRequest, body) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("ASL certified") == true)
            #expect(error?.details.map(\.field) == ["body.requiredQualificationIds"])
        }
    }

    // MARK: 5. Codes come from the partner's vocabulary

    @Test func aRequestInAZoneOrOfATypeOutsideTheVocabularyIsRefused() async throws {
        try await Fixture.run { f in
            _ = try await f.registry.setVocabulary(
                SetVocabularyRequest(
                    zones: [VocabularyTerm(code: "IL")],
                    providerTypes: ["asl", "cart"].map { VocabularyTerm(code: $0) }))
            let zone = await #expect(throws: RPCError.self) {
                try await f.call(Opportunities.createRequest, f.body(zone: "Il"))
            }
            #expect(zone?.code == .invalidArgument && zone?.details.map(\.field) == ["body.zone"])
            var typo = f.body(zone: "IL")
            typo.providerType = "ASL"
            let type = await #expect(throws: RPCError.self) { try await f.call(Opportunities.createRequest, typo) }
            #expect(type?.code == .invalidArgument && type?.details.map(\.field) == ["body.providerType"])
            _ = try await f.call(Opportunities.createRequest, f.body(zone: "IL"))
        }
    }

    // MARK: 9. Automatic and hybrid decisions assign only who passes every filter

    @Test func automaticDecisionsAssignOnlyAProviderWhoPassesEveryFilter() async throws {
        try await Fixture.run { f in
            let clinic = try #require(f.ready.customers["Clinic"]).id
            var body = f.body(zone: "IL", customerId: clinic)
            body.decision = DecisionPolicy(decider: .partner, mode: .automatic)
            let request = try await f.call(Opportunities.createRequest, body).request
            // Ben is on the Clinic's doNotConsider list and not ASL certified: the decider decides.
            let ben = try await f.interested(request, try #require(f.ready.providers["Ben"]).id)
            #expect(ben.state == .pending)
            let seen = try await f.call(Opportunities.getOpportunity, IdRequest(id: ben.id)).opportunity
            let reasons = seen.decisionReasons ?? []
            #expect(reasons.contains { $0.contains("doNotConsider") }, "\(reasons)")
            #expect(reasons.contains { $0.contains("ASL certified") }, "\(reasons)")
            // Nor may the provider read why.
            let itself = Fixture.provider(try #require(f.ready.providers["Ben"]).id)
            #expect(
                try await f.call(Opportunities.getOpportunity, IdRequest(id: ben.id), as: itself).opportunity
                    .decisionReasons == nil)
            // Ada passes every filter: assigned at once.
            let ada = try await f.interested(request, try #require(f.ready.providers["Ada"]).id)
            #expect(ada.state == .assigned)
        }
    }

    @Test func anAutomaticDecisionLeavesAnUnavailableOrDoubleBookedProviderToTheDecider() async throws {
        try await Fixture.run { f in
            let first = try await f.request(mode: .automatic)
            #expect(try await f.interested(first, "pr-1").state == .assigned)
            // The same hours again: pr-1 has a job then.
            let second = try await f.request(mode: .automatic)
            let conflicted = try await f.interested(second, "pr-1")
            #expect(conflicted.state == .pending)
            let reasons = try await f.call(Opportunities.getOpportunity, IdRequest(id: conflicted.id)).opportunity
                .decisionReasons
            #expect(reasons?.contains { $0.contains("conflict") } == true, "\(String(describing: reasons))")
            _ = try await f.registry.setAvailability(
                SetAvailabilityRequest(
                    providerId: "pr-2",
                    windows: [
                        AvailabilityWindow(
                            from: Fixture.jobStart.addingTimeInterval(-Self.hour),
                            to: Fixture.jobStart.addingTimeInterval(Self.hour), status: .unavailable)
                    ]))
            #expect(try await f.interested(second, "pr-2").state == .pending)
            #expect(try await f.interested(second, "pr-3").state == .assigned)
        }
    }

    @Test func anAutomaticDecisionLeavesABlockedProviderOrOneOutsideTheZoneToTheDecider() async throws {
        try await Fixture.run { f in
            // Broadcast's block list, for this customer: matching judges it with the rest.
            _ = try await BroadcastClient(f.broadcastRPC, actor: f.partner).block(
                BlockRequest(providerId: "pr-1", customerId: "cu-1", reason: "complaint"))
            // pr-2 works in Wisconsin only.
            _ = try await f.registry.upsertProvider(UpsertProviderRequest(id: "pr-2", zones: ["WI"]))
            var body = f.body(zone: "IL")
            body.decision = DecisionPolicy(decider: .partner, mode: .automatic)
            body.teamSize = 2
            let request = try await f.call(Opportunities.createRequest, body).request
            for (providerId, reason) in [("pr-1", "excluded: blocked for this customer: complaint"), ("pr-2", "zone")] {
                let held = try await f.interested(request, providerId)
                #expect(held.state == .pending, "\(providerId)")
                let reasons =
                    try await f.call(Opportunities.getOpportunity, IdRequest(id: held.id)).opportunity
                    .decisionReasons ?? []
                #expect(reasons.contains { $0.hasPrefix(reason) }, "\(providerId): \(reasons)")
            }
            // A block for another customer does not count here.
            _ = try await f.registry.upsertCustomer(UpsertCustomerRequest(id: "cu-other", name: "Other"))
            _ = try await BroadcastClient(f.broadcastRPC, actor: f.partner).block(
                BlockRequest(providerId: "pr-3", customerId: "cu-other"))
            #expect(try await f.interested(request, "pr-3").state == .contingent)
        }
    }

    @Test func withoutMatchingAnAutomaticDecisionIsLeftToTheDeciderInTime() async throws {
        try await Fixture.run(without: [Matching.service]) { f in
            let request = try await f.request(mode: .automatic)
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            // Matching has no worker: the check gives up at half the caller's budget, so the
            // interest is recorded (PENDING, with why) before the caller's deadline.
            let answered = try await f.client.call(
                Opportunities.respond, RespondRequest(opportunityId: offered.opportunity.id, interested: true),
                actor: Fixture.provider("pr-1"), options: CallOptions(timeout: .seconds(10), retry: .none)
            ).opportunity
            #expect(answered.state == .pending)
            let reasons =
                try await f.call(Opportunities.getOpportunity, IdRequest(id: answered.id)).opportunity
                .decisionReasons ?? []
            #expect(reasons.contains { $0.contains("could not be checked") }, "\(reasons)")
        }
    }

    @Test func hybridAssignsAPreferredProviderOnlyIfShePassesEveryFilter() async throws {
        try await Fixture.run { f in
            // cu-1 prefers pr-4; pr-4 said it cannot work that day.
            _ = try await f.registry.setAvailability(
                SetAvailabilityRequest(
                    providerId: "pr-4",
                    windows: [
                        AvailabilityWindow(
                            from: Fixture.jobStart.addingTimeInterval(-24 * Self.hour),
                            to: Fixture.jobStart.addingTimeInterval(24 * Self.hour), status: .unavailable)
                    ]))
            let request = try await f.request(mode: .hybrid)
            let preferred = try await f.interested(request, "pr-4")
            #expect(preferred.state == .pending)
            let reasons = try await f.call(Opportunities.getOpportunity, IdRequest(id: preferred.id)).opportunity
                .decisionReasons
            #expect(reasons?.contains { $0.contains("unavailable") } == true, "\(String(describing: reasons))")
        }
    }

    @Test func hybridWithNoPreferredQualificationsAndNoPreferredListIsManual() async throws {
        try await Fixture.run { f in
            var body = f.body(zone: "IL", customerId: try #require(f.ready.customers["School"]).id)
            body.decision = DecisionPolicy(decider: .partner, mode: .hybrid)
            let request = try await f.call(Opportunities.createRequest, body).request
            #expect(request.preferredQualificationIds.isEmpty && request.preferredProviderIds.isEmpty)
            #expect(try await f.interested(request, "pr-1").state == .pending)
        }
    }

    // MARK: 10. Decision defaults live with the customer

    @Test func aRequestTakesItsDecisionPolicyFromTheCustomer() async throws {
        try await Fixture.run { f in
            let policy = DecisionPolicy(decider: .customer, mode: .automatic)
            _ = try await f.registry.upsertCustomer(UpsertCustomerRequest(id: "cu-1", defaultDecision: policy))
            let request = try await f.call(Opportunities.createRequest, f.body(), as: f.customer).request
            #expect(request.decision == policy)
            // The partner may still decide otherwise for one request.
            var body = f.body()
            body.decision = DecisionPolicy(decider: .partner, mode: .manual)
            #expect(try await f.call(Opportunities.createRequest, body).request.decision == body.decision)
        }
    }

    @Test func aCustomerCreatingItsOwnRequestCannotSetTheDecisionOrOverrideDefaults() async throws {
        try await Fixture.run { f in
            var decision = f.body()
            decision.decision = DecisionPolicy(decider: .customer, mode: .automatic)
            let decided = await #expect(throws: RPCError.self) {
                try await f.call(Opportunities.createRequest, decision, as: f.customer)
            }
            #expect(decided?.code == .permissionDenied && decided?.details.map(\.field) == ["body.decision"])
            var override = f.body()
            override.overrideDefaults = true
            let overridden = await #expect(throws: RPCError.self) {
                try await f.call(Opportunities.createRequest, override, as: f.customer)
            }
            #expect(
                overridden?.code == .permissionDenied && overridden?.details.map(\.field) == ["body.overrideDefaults"])
        }
    }

    // MARK: 12. A provider sees only what a provider needs

    @Test func aProviderSeesNoCustomerListsNoOtherProvidersAndNoBilling() async throws {
        try await Fixture.run { f in
            _ = try await f.call(
                Opportunities.setCancellationPolicy,
                SetCancellationPolicyRequest(
                    scope: .customer, subjectId: "cu-1",
                    bands: [CancellationBand(hoursBeforeStart: 96, billablePercent: 100)]))
            let request = try await f.request(teamSize: 2)
            #expect(request.preferredProviderIds == ["pr-4"])
            let mine = try await f.assign(try await f.interested(request, "pr-1"))
            _ = try await f.interested(request, "pr-2")
            let provider = Fixture.provider("pr-1")
            let view = try await f.call(Opportunities.getRequest, IdRequest(id: request.id), as: provider)
            #expect(view.request.preferredProviderIds.isEmpty)
            #expect(view.opportunities.map(\.providerId) == ["pr-1"])
            let cancelled = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: mine.id, reason: "moved"), as: f.customer
            ).opportunity
            #expect(cancelled.billablePercent == 100)
            let seen = try await f.call(Opportunities.getOpportunity, IdRequest(id: mine.id), as: provider).opportunity
            #expect(seen.billablePercent == nil)
            let listed = try await f.call(Opportunities.listOpportunities, ListOpportunitiesRequest(), as: provider)
            #expect(listed.opportunities.allSatisfy { $0.billablePercent == nil })
        }
    }

    // MARK: 14. Cancellations after the end; policies read back, for subjects that exist

    @Test func aCancellationAfterTheJobEndedIsRefused() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(5 * Self.hour))
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(
                    Opportunities.cancel, CancelRequestBody(opportunityId: assigned.id, reason: "late"), as: f.customer)
            }
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.cancelRequest, CancelRequestRequest(id: request.id), as: f.customer)
            }
            #expect(try await f.state(assigned.id) == .contingent)
        }
    }

    @Test func cancellationPoliciesCanBeReadBackAndNeedASubjectThatExists() async throws {
        try await Fixture.run { f in
            let bands = [CancellationBand(hoursBeforeStart: 24, billablePercent: 50)]
            let set = try await f.call(
                Opportunities.setCancellationPolicy,
                SetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1", bands: bands))
            let read = try await f.call(
                Opportunities.getCancellationPolicy, GetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1"))
            #expect(read == set)
            #expect(
                try await f.call(
                    Opportunities.getCancellationPolicy,
                    GetCancellationPolicyRequest(scope: .customer, subjectId: "cu-1"),
                    as: f.customer) == set)
            await #expect(throws: Refused(.notFound)) {
                try await f.attempt(
                    Opportunities.getCancellationPolicy,
                    GetCancellationPolicyRequest(scope: .provider, subjectId: "pr-1"))
            }
            let unknown = await #expect(throws: RPCError.self) {
                try await f.call(
                    Opportunities.setCancellationPolicy,
                    SetCancellationPolicyRequest(scope: .provider, subjectId: "pr-nope", bands: bands))
            }
            #expect(unknown?.code == .notFound && unknown?.details.map(\.field) == ["body.subjectId"])
        }
    }
}

extension OpportunitiesFixture {
    /// The registry, as the partner.
    var registry: RegistryClient { RegistryClient(registryRPC, actor: partner) }

    /// A request body of `customerId` (`cu-1`) for one `asl` provider, at `jobStart` for four hours.
    func body(zone: String? = nil, customerId: String = "cu-1") -> CreateRequestRequest {
        CreateRequestRequest(
            customerId: customerId, providerType: "asl", startsAt: Self.jobStart,
            endsAt: Self.jobStart.addingTimeInterval(4 * 3600), remote: true, zone: zone)
    }
}
