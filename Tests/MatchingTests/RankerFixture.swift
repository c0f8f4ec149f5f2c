import Contracts
import Domain
import Foundation

@testable import MatchingService

/// A tiny world for the pure ranking tests: one on-site job in Chicago, and a provider who
/// passes everything and scores nothing, which each test changes in one way.
enum RankerFixture {
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400
    /// 2030-07-06 10:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_909_562_400)
    static let end = start.addingTimeInterval(2 * hour)
    static let chicago = GeoPoint(lat: 41.8781, lon: -87.6298)
    /// About 10.3 km north of the job.
    static let evanston = GeoPoint(lat: 41.9710, lon: -87.6298)

    static let certified = JobQualification(
        id: "q-cert",
        scope: QualificationRules.Scope(
            name: "ASL certified", providerTypes: ["asl"], zones: [], requiredDocumentTypeIds: ["dt-cert"],
            archived: false))
    static let medical = JobQualification(
        id: "q-med",
        scope: QualificationRules.Scope(
            name: "Medical", providerTypes: [], zones: [], requiredDocumentTypeIds: [], archived: false))
    static let octopuses = JobQualification(
        id: "q-oct",
        scope: QualificationRules.Scope(
            name: "Good with octopuses", providerTypes: [], zones: [], requiredDocumentTypeIds: [], archived: false))

    static func job(remote: Bool = false, required: [JobQualification] = [], preferred: [JobQualification] = []) -> Job
    {
        Job(
            customerId: "c-1", providerType: "asl", startsAt: start, endsAt: end, remote: remote,
            location: remote ? nil : chicago, zone: "IL", requestId: "r-this", required: required, preferred: preferred)
    }

    static func context(
        job: Job = job(), lists: CustomerLists = CustomerLists(), excluded: [String: [String]] = [:],
        settings: RankingSettings = RankingSettings(partnerId: "p-1")
    ) -> RankingContext {
        RankingContext(
            job: job, lists: lists, excluded: excluded, settings: settings, documentTypeNames: ["dt-cert": "cert"])
    }

    /// Passes every filter, with every criterion at zero except the distance to Evanston.
    static func provider(_ id: String = "pr-a") -> ProviderFacts {
        ProviderFacts(id: id, providerType: "asl", location: evanston, travelRadiusKm: 40, zones: ["IL"])
    }

    /// A provider at the job's own place: every criterion at zero.
    static func neutral(_ id: String) -> ProviderFacts {
        ProviderFacts(id: id, providerType: "asl", location: chicago, travelRadiusKm: 40, zones: ["IL"])
    }

    /// A document of `type` issued long before and expiring `expires` after the job's start.
    static func document(
        _ type: String = "dt-cert", expires: TimeInterval? = 365 * day
    ) -> QualificationRules.HeldDocument {
        QualificationRules.HeldDocument(
            documentTypeId: type, issuedAt: start.addingTimeInterval(-100 * day),
            expiresAt: expires.map { start.addingTimeInterval($0) }, revokedAt: nil)
    }

    /// Another job the provider holds, from `from` to `to` hours after the job's start.
    static func held(
        _ from: TimeInterval, _ to: TimeInterval, state: String = "ASSIGNED", remote: Bool = false,
        request: String = "r-other"
    ) -> HeldJob {
        HeldJob(
            requestId: request, state: state, startsAt: start.addingTimeInterval(from * hour),
            endsAt: start.addingTimeInterval(to * hour), remote: remote)
    }

    static func window(
        _ from: TimeInterval, _ to: TimeInterval, _ status: AvailabilityWindow.Status
    ) -> AvailabilityWindow {
        AvailabilityWindow(
            from: start.addingTimeInterval(from * hour), to: start.addingTimeInterval(to * hour), status: status)
    }

    static func criterion(_ name: String, of judgement: Ranker.Judgement) -> CriterionValue? {
        judgement.criteria.first { $0.name == name }
    }
}
