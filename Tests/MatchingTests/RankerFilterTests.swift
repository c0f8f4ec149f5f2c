import Contracts
import Foundation
import Testing

@testable import MatchingService

/// Each filter (docs/design.md, "Filters") on its own: one change to a provider who passes everything,
/// and exactly that filter's reason comes back.
@Suite("Ranker: each filter on its own")
struct RankerFilterTests {
    typealias F = RankerFixture

    struct Case: Sendable, CustomTestStringConvertible {
        var criterion: String
        var fragment: String
        var change: @Sendable (inout ProviderFacts, inout RankingContext) -> Void
        var testDescription: String { criterion }
    }

    static let cases: [Case] = [
        Case(criterion: "inactive", fragment: "inactive") { provider, _ in provider.active = false },
        Case(criterion: "providerType", fragment: "is cart, the job needs asl") { provider, _ in
            provider.providerType = "cart"
        },
        Case(criterion: "requiredQualification", fragment: "Medical: not applied") { _, context in
            context.job.required = [F.medical]
        },
        Case(criterion: "zone", fragment: "works in WI, not in IL") { provider, _ in provider.zones = ["WI"] },
        Case(criterion: "travelRadius", fragment: "10.3 km away, beyond the travel radius of 5.0 km") { provider, _ in
            provider.travelRadiusKm = 5
        },
        Case(criterion: "doNotConsider", fragment: "do-not-consider") { provider, context in
            context.lists.doNotConsider = [provider.id]
        },
        Case(criterion: "excluded", fragment: "blocked by the partner") { provider, context in
            context.excluded = [provider.id: ["blocked by the partner"]]
        },
        Case(criterion: "restricted", fragment: "not on the customer's restricted list") { _, context in
            context.lists.restricted = ["pr-someone-else"]
        },
        Case(criterion: "conflict", fragment: "ASSIGNED on request r-other") { provider, _ in
            provider.heldJobs = [F.held(1, 3)]
        },
        Case(criterion: "unavailable", fragment: "unavailable from") { provider, _ in
            provider.availability = [F.window(-1, 1, .unavailable)]
        },
        Case(criterion: "remoteOnly", fragment: "remote only from") { provider, _ in
            provider.availability = [F.window(-24, 24, .remoteOnly)]
        },
        Case(criterion: "noContactChannel", fragment: "no usable contact channel: no email, no phone") { provider, _ in
            provider.reachable = false
        },
    ]

    @Test(arguments: cases)
    func filtersAlone(_ row: Case) {
        var provider = F.provider()
        var context = F.context()
        #expect(Ranker.judge(provider, context).passes)
        row.change(&provider, &context)
        let judgement = Ranker.judge(provider, context)
        #expect(judgement.reasons.map(\.criterion) == [row.criterion])
        #expect(judgement.reasons.first?.detail.contains(row.fragment) == true, "\(judgement.reasons)")
        #expect(Ranker.order([judgement]).isEmpty)
    }

    @Test func everyReasonIsGivenNotTheFirst() {
        var provider = F.provider()
        provider.active = false
        provider.providerType = "cart"
        provider.zones = ["WI"]
        provider.heldJobs = [F.held(0, 1), F.held(1.5, 2.5, state: "CONTINGENT", request: "r-2")]
        var context = F.context(job: F.job(required: [F.medical, F.certified]))
        context.excluded = [provider.id: ["blocked"]]
        let criteria = Ranker.judge(provider, context).reasons.map(\.criterion)
        #expect(
            criteria == [
                "inactive", "providerType", "requiredQualification", "requiredQualification", "zone", "excluded",
                "conflict", "conflict",
            ])
    }

    @Test func everyExclusionIsAReasonOfItsOwn() {
        let provider = F.provider()
        var context = F.context()
        context.excluded = [provider.id: ["blocked for every customer: complaints", "excluded by the partner"]]
        let judgement = Ranker.judge(provider, context)
        #expect(
            judgement.reasons == [
                FilterReason(criterion: "excluded", detail: "blocked for every customer: complaints"),
                FilterReason(criterion: "excluded", detail: "excluded by the partner"),
            ])
        // A verdict stops at the first, all the same.
        #expect(Ranker.judge(provider, context, .verdict).reasons.count == 1)
    }

    @Test func aProviderWhoseChannelsAreMarkedInvalidIsUnreachable() {
        var provider = F.provider()
        provider.reachable = false
        provider.invalidChannels = ["email"]
        let reasons = Ranker.judge(provider, F.context()).reasons
        #expect(
            reasons == [
                FilterReason(
                    criterion: "noContactChannel", detail: "no usable contact channel: email marked invalid, no phone")
            ])
    }

    @Test func aDocumentExpiringInsideTheJobWindowDoesNotCount() {
        var provider = F.provider()
        provider.applied = [F.certified.id]
        let context = F.context(job: F.job(required: [F.certified]))
        provider.documents = [F.document(expires: 1 * F.hour)]
        let reasons = Ranker.judge(provider, context).reasons
        #expect(reasons.map(\.criterion) == ["requiredQualification"])
        #expect(reasons.first?.detail.contains("document cert expires") == true)
        #expect(reasons.first?.detail.contains("before the job ends") == true)
        provider.documents = [F.document(expires: 2 * F.hour)]
        #expect(Ranker.judge(provider, context).passes, "a document valid to the job's very end counts")
    }

    @Test func anArchivedQualificationIsStillJudgedOnTheFacts() {
        // Archiving means "no new use" (the registry refuses new requests naming it); a job that
        // already requires it stays fillable by whoever holds it.
        var provider = F.provider()
        provider.applied = [F.medical.id]
        var archived = F.medical
        archived.scope.archived = true
        let required = Ranker.judge(provider, F.context(job: F.job(required: [archived])))
        #expect(required.passes)
        let stranger = Ranker.judge(F.provider(), F.context(job: F.job(required: [archived])))
        #expect(!stranger.passes)
    }

    /// The travel buffer (30 minutes) around another on-site job: 09:31 is inside, 09:30 is not.
    @Test(arguments: [
        (endsMinutesBefore: 29.0, jobRemote: false, otherRemote: false, conflicts: true),
        (endsMinutesBefore: 30.0, jobRemote: false, otherRemote: false, conflicts: false),
        (endsMinutesBefore: -1.0, jobRemote: true, otherRemote: true, conflicts: true),
        (endsMinutesBefore: 1.0, jobRemote: true, otherRemote: true, conflicts: false),
        (endsMinutesBefore: 29.0, jobRemote: true, otherRemote: false, conflicts: true),
    ])
    func aConflictJustInsideOrOutsideTheBuffer(
        endsMinutesBefore: Double, jobRemote: Bool, otherRemote: Bool, conflicts: Bool
    ) {
        var provider = F.provider()
        provider.heldJobs = [F.held(-3, -endsMinutesBefore / 60, remote: otherRemote)]
        let judgement = Ranker.judge(provider, F.context(job: F.job(remote: jobRemote)))
        #expect(judgement.reasons.map(\.criterion) == (conflicts ? ["conflict"] : []))
    }

    @Test func theRequestsOwnTeamIsNoConflict() {
        var provider = F.provider()
        provider.heldJobs = [F.held(0, 2, request: "r-this")]
        #expect(Ranker.judge(provider, F.context()).passes)
    }

    @Test func aProviderWithoutLocationIsNotFilteredByDistance() {
        var provider = F.provider()
        provider.location = nil
        let judgement = Ranker.judge(provider, F.context())
        #expect(judgement.passes)
        #expect(F.criterion("distanceKm", of: judgement)?.value == .null)
    }
}
