import Contracts
import Domain
import Foundation
import Wire

// docs/design.md, "What would make them eligible": for a provider filtered out by one reason
// only, one the partner or the provider can change, the change that would turn the verdict.

extension Ranker {
    /// A travel radius short of the distance by less than this share of it is worth widening.
    static let radiusShortfall = 0.2

    /// What would make the provider eligible when `reason` is the only one they are filtered out
    /// for: a document renewed or added, a qualification applied, the do-not-consider entry
    /// removed, the travel radius widened (short by under 20%), a working email or phone; nil for
    /// any other reason (a type, a zone, a conflict… are not one change away).
    static func wouldBeEligibleIf(_ provider: ProviderFacts, _ context: RankingContext, _ reason: FilterReason)
        -> String?
    {
        let job = context.job
        switch reason.criterion {
        case "doNotConsider":
            return "eligible if taken off the customer's do-not-consider list"
        case "noContactChannel":
            return "eligible if the provider is given an email or a phone that works"
        case "travelRadius":
            guard let distance = distanceKm(provider, job), let radius = provider.travelRadiusKm,
                distance - radius < radiusShortfall * distance
            else { return nil }
            // Up to the next tenth of a km, so the radius suggested does reach.
            let needed = (distance * 10).rounded(.up) / 10
            return "eligible if the travel radius is raised to \(needed) km (it is \(format(radius)) km)"
        case "requiredQualification":
            guard let lapsed = job.required.first(where: { !inEffect($0, for: provider, context) }) else {
                return nil
            }
            return wouldBeEligibleIf(provider, context, lapsed)
        default:
            return nil
        }
    }

    /// The one change that would put `qualification` in effect over the job: applying it, or
    /// renewing (or adding) the one document type it lacks. Nil when it takes more than one, or
    /// when the qualification is out of the provider's type or the job's zone.
    static func wouldBeEligibleIf(
        _ provider: ProviderFacts, _ context: RankingContext, _ qualification: JobQualification
    ) -> String? {
        let (job, scope) = (context.job, qualification.scope)
        if !scope.providerTypes.isEmpty && !scope.providerTypes.contains(provider.providerType) { return nil }
        if let zone = job.zone, !scope.zones.isEmpty, !scope.zones.contains(zone) { return nil }
        let lacking = scope.requiredDocumentTypeIds.filter { type in
            let held = provider.documents.filter { $0.documentTypeId == type }
            return !QualificationRules.coverage(held, from: job.startsAt, to: job.endsAt).covered
        }
        let (from, to) = (Timestamp.format(job.startsAt), Timestamp.format(job.endsAt))
        switch (provider.applied.contains(qualification.id), lacking.count) {
        case (false, 0):
            return "eligible if \(scope.name) is applied to the provider"
        case (true, 1):
            let type = lacking[0]
            let name = context.documentTypeNames[type] ?? type
            guard provider.documents.contains(where: { $0.documentTypeId == type }) else {
                return "eligible if a document \(name) is added, valid from \(from) to \(to)"
            }
            return "eligible if document \(name) is renewed by \(from), valid until \(to)"
        default:
            return nil
        }
    }
}
