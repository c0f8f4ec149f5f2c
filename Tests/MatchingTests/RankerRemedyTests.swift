import Contracts
import Domain
import Foundation
import Testing

@testable import MatchingService

/// docs/design.md, "What would make them eligible": for a provider filtered out by one reason
/// the partner or the provider can change, the change that would turn the verdict; for anything
/// else, nothing.
@Suite("Ranker: what would make a provider eligible")
struct RankerRemedyTests {
    typealias F = RankerFixture

    static let window = "2030-07-06T10:00:00Z"
    static let windowEnd = "2030-07-06T12:00:00Z"

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// The text expected; nil: no suggestion.
        var remedy: String?
        var change: @Sendable (inout ProviderFacts, inout RankingContext) -> Void
    }

    static func requireCertified(_ provider: inout ProviderFacts, _ context: inout RankingContext) {
        context.job.required = [F.certified]
        provider.applied = [F.certified.id]
    }

    static let cases: [Case] = [
        Case(
            testDescription: "a document missing",
            remedy: "eligible if a document cert is added, valid from \(window) to \(windowEnd)"
        ) { provider, context in
            requireCertified(&provider, &context)
        },
        Case(
            testDescription: "a document expiring during the job",
            remedy: "eligible if document cert is renewed by \(window), valid until \(windowEnd)"
        ) { provider, context in
            requireCertified(&provider, &context)
            provider.documents = [F.document(expires: F.hour)]
        },
        Case(
            testDescription: "a document expired before the job",
            remedy: "eligible if document cert is renewed by \(window), valid until \(windowEnd)"
        ) { provider, context in
            requireCertified(&provider, &context)
            provider.documents = [F.document(expires: -F.day)]
        },
        Case(
            testDescription: "a document revoked",
            remedy: "eligible if document cert is renewed by \(window), valid until \(windowEnd)"
        ) { provider, context in
            requireCertified(&provider, &context)
            var revoked = F.document()
            revoked.revokedAt = F.start.addingTimeInterval(-F.day)
            provider.documents = [revoked]
        },
        Case(testDescription: "a qualification not applied", remedy: "eligible if Medical is applied to the provider") {
            _, context in
            context.job.required = [F.medical]
        },
        Case(
            testDescription: "on the do-not-consider list",
            remedy: "eligible if taken off the customer's do-not-consider list"
        ) { provider, context in
            context.lists.doNotConsider = [provider.id]
        },
        Case(
            testDescription: "no usable channel",
            remedy: "eligible if the provider is given an email or a phone that works"
        ) { provider, _ in
            provider.reachable = false
        },
        Case(
            testDescription: "a travel radius short by 13%",
            remedy: "eligible if the travel radius is raised to \(neededKm) km (it is 9.0 km)"
        ) { provider, _ in
            provider.travelRadiusKm = 9
        },
        // Nothing to suggest: too far, more than one change, or nothing the partner or provider changes.
        Case(testDescription: "a travel radius short by half", remedy: nil) { provider, _ in
            provider.travelRadiusKm = 5
        },
        Case(testDescription: "neither applied nor documented", remedy: nil) { _, context in
            context.job.required = [F.certified]
        },
        Case(testDescription: "two reasons", remedy: nil) { provider, context in
            context.lists.doNotConsider = [provider.id]
            provider.zones = ["WI"]
        },
        Case(testDescription: "two qualifications", remedy: nil) { _, context in
            context.job.required = [F.medical, F.octopuses]
        },
        Case(testDescription: "out of the qualification's zones", remedy: nil) { provider, context in
            var scoped = F.medical
            scoped.scope.zones = ["WI"]
            context.job.required = [scoped]
            provider.applied = [scoped.id]
        },
        Case(testDescription: "out of the provider's zones", remedy: nil) { provider, _ in provider.zones = ["WI"] },
        Case(testDescription: "excluded by the caller", remedy: nil) { provider, context in
            context.excluded = [provider.id: ["blocked"]]
        },
        Case(testDescription: "a conflict", remedy: nil) { provider, _ in provider.heldJobs = [F.held(1, 3)] },
    ]

    /// The radius that reaches the job from Evanston, to the next tenth of a km.
    static var neededKm: Double { (Geo.distanceKm(F.evanston, F.chicago) * 10).rounded(.up) / 10 }

    @Test(arguments: cases)
    func suggestion(_ row: Case) {
        var provider = F.provider()
        var context = F.context()
        row.change(&provider, &context)
        let judgement = Ranker.judge(provider, context)
        #expect(!judgement.passes)
        #expect(judgement.wouldBeEligibleIf == row.remedy, "\(judgement.reasons)")
        // The page of the filtered list judges every reason, and says the same.
        #expect(Ranker.judge(provider, context, .reasons).wouldBeEligibleIf == row.remedy)
    }

    @Test func theSuggestedRadiusReachesTheJob() {
        var provider = F.provider()
        provider.travelRadiusKm = Self.neededKm
        #expect(Ranker.judge(provider, F.context()).passes)
    }

    @Test func aVerdictOrAPassingProviderSuggestsNothing() {
        var provider = F.provider()
        #expect(Ranker.judge(provider, F.context()).wouldBeEligibleIf == nil)
        provider.travelRadiusKm = 9
        // Ranking thousands works out the first reason only: it cannot know it is the only one.
        #expect(Ranker.judge(provider, F.context(), .verdict).wouldBeEligibleIf == nil)
    }
}
