import Contracts
import Foundation
import Testing
import Wire

@testable import MatchingService

/// Each criterion (docs/design.md, "Criteria") on its own (default weights), the order, and the tie-break.
@Suite("Ranker: each criterion on its own, order and ties")
struct RankerCriterionTests {
    typealias F = RankerFixture

    struct Case: Sendable, CustomTestStringConvertible {
        var criterion: String
        var value: JSONValue
        var contribution: Double
        var change: @Sendable (inout ProviderFacts, inout RankingContext) -> Void
        var testDescription: String { criterion }
    }

    static let cases: [Case] = [
        Case(criterion: "preferredList", value: .bool(true), contribution: 1000) { provider, context in
            context.lists.preferred = [provider.id]
        },
        Case(criterion: "lastResort", value: .bool(true), contribution: 0) { provider, context in
            context.lists.lastResort = [provider.id]
        },
        Case(criterion: "preferredQualifications", value: .integer(1), contribution: 10) { provider, context in
            context.job.preferred = [F.medical, F.octopuses]
            provider.applied = [F.medical.id]
        },
        Case(criterion: "jobsWithCustomer", value: .integer(3), contribution: 9) { provider, _ in
            provider.history.jobsDone = 3
        },
        Case(criterion: "daysSinceLastJobWithCustomer", value: .number(73), contribution: 8) { provider, _ in
            provider.history.lastJobEndedAt = F.start.addingTimeInterval(-73 * F.day)
        },
        Case(criterion: "noShowsWithCustomer", value: .integer(2), contribution: -50) { provider, _ in
            provider.history.noShows = 2
        },
        Case(criterion: "distanceKm", value: .number(10.3), contribution: -2.06) { provider, _ in
            provider.location = F.evanston
        },
        Case(criterion: "availability", value: .string("available"), contribution: 15) { provider, _ in
            provider.availability = [F.window(-1, 1, .available), F.window(1, 3, .available)]
        },
        Case(criterion: "availability", value: .string("partly"), contribution: 7.5) { provider, _ in
            provider.availability = [F.window(1, 3, .available)]
        },
        Case(criterion: "recentWorkload", value: .integer(2), contribution: -4) { provider, _ in
            provider.heldJobs = [
                F.held(-24, -22), F.held(-48, -46, state: "CONTINGENT"), F.held(-40 * 24, -40 * 24 + 1),
            ]
        },
    ]

    @Test(arguments: cases)
    func criterionAlone(_ row: Case) {
        var provider = F.neutral("pr-a")
        var context = F.context()
        let before = Ranker.judge(provider, context)
        #expect(before.score == 0)
        row.change(&provider, &context)
        let judgement = Ranker.judge(provider, context)
        #expect(judgement.passes)
        let criterion = F.criterion(row.criterion, of: judgement)
        #expect(criterion?.value == row.value)
        #expect(criterion?.contribution == row.contribution)
        #expect(judgement.score == row.contribution, "only \(row.criterion) moved the score")
    }

    @Test func theRankingNamesThePreferredQualificationsMet() {
        var provider = F.neutral("pr-a")
        provider.applied = [F.octopuses.id]
        let ranked = Ranker.order([Ranker.judge(provider, F.context(job: F.job(preferred: [F.medical, F.octopuses])))])
        #expect(
            ranked.first?.preferredQualificationsMet == [NamedQualification(id: "q-oct", name: "Good with octopuses")])
        #expect(ranked.first?.criteria.first { $0.name == "preferredQualifications" }?.value == .integer(1))
        provider.applied = []
        let none = Ranker.order([Ranker.judge(provider, F.context(job: F.job(preferred: [F.medical])))])
        #expect(none.first?.preferredQualificationsMet == [])
        // A job that prefers nothing has nothing to name.
        #expect(Ranker.order([Ranker.judge(provider, F.context())]).first?.preferredQualificationsMet == nil)
    }

    @Test func everyCriterionIsListedInAFixedOrder() {
        let names = Ranker.judge(F.provider(), F.context()).criteria.map(\.name)
        #expect(
            names == [
                "preferredList", "lastResort", "preferredQualifications", "jobsWithCustomer",
                "daysSinceLastJobWithCustomer",
                "noShowsWithCustomer", "distanceKm", "availability", "recentWorkload",
            ])
    }

    @Test func tiesAreBrokenByProviderId() {
        let context = F.context()
        let judgements = ["pr-c", "pr-a", "pr-b"].map { Ranker.judge(F.neutral($0), context) }
        let ranked = Ranker.order(judgements)
        #expect(ranked.map(\.providerId) == ["pr-a", "pr-b", "pr-c"])
        #expect(ranked.map(\.rank) == [1, 2, 3])
        #expect(Ranker.order(judgements.reversed()) == ranked)
    }

    /// The four lists: preferred first, last resort after everyone else, do-not-consider never,
    /// and with a restricted list only those on it.
    @Test func theFourListKinds() {
        var near = F.neutral("pr-near")
        near.history.jobsDone = 10
        let ids = ["pr-far", "pr-last", "pr-near", "pr-never", "pr-pref"]
        let lists = CustomerLists(preferred: ["pr-pref"], lastResort: ["pr-last"], doNotConsider: ["pr-never"])
        var providers = ids.map { $0 == "pr-near" ? near : F.provider($0) }
        // The last-resort provider has the best score, and still comes last.
        providers[1].history.jobsDone = 10
        providers[1].availability = [F.window(-1, 3, .available)]
        let ranked = Ranker.order(providers.map { Ranker.judge($0, F.context(lists: lists)) })
        #expect(ranked.map(\.providerId) == ["pr-pref", "pr-near", "pr-far", "pr-last"])

        var restricted = lists
        restricted.restricted = ["pr-far", "pr-never"]
        let judgements = providers.map { Ranker.judge($0, F.context(lists: restricted)) }
        #expect(Ranker.order(judgements).map(\.providerId) == ["pr-far"])
        let never = judgements.first { $0.providerId == "pr-never" }
        #expect(never?.reasons.map(\.criterion) == ["doNotConsider"])
        #expect(judgements.first { $0.providerId == "pr-pref" }?.reasons.map(\.criterion) == ["restricted"])
    }

    @Test func weightsComeFromTheSettings() {
        var settings = RankingSettings(partnerId: "p-1")
        settings.weights.distancePerKm = 1
        settings.weights.preferredList = 5
        let context = F.context(lists: CustomerLists(preferred: ["pr-a"]), settings: settings)
        let judgement = Ranker.judge(F.provider(), context)
        #expect(F.criterion("distanceKm", of: judgement)?.contribution == -10.3)
        #expect(judgement.score == -5.3)
    }

    @Test func scoresAreTheSumOfTheContributionsShown() {
        var provider = F.provider()
        provider.history = SharedHistory(
            jobsDone: 4, lastJobEndedAt: F.start.addingTimeInterval(-10 * F.day), noShows: 1)
        provider.heldJobs = [F.held(-30, -29)]
        let judgement = Ranker.judge(provider, F.context())
        #expect(abs(judgement.score - judgement.criteria.reduce(0) { $0 + $1.contribution }) < 1e-9)
    }
}
