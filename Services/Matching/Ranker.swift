import Contracts
import Domain
import Foundation
import Wire

/// docs/design.md, "Ranking", as pure functions: each provider is judged against every hard filter
/// (all reasons kept, not the first) and scored on every soft criterion; the passing ones are
/// ordered with the last-resort list after everyone else, then by score, then by provider id.
enum Ranker {
    /// One provider's judgement.
    struct Judgement: Sendable, Equatable {
        var providerId: String
        var reasons: [FilterReason]
        var criteria: [CriterionValue]
        var score: Double
        /// On the customer's last-resort list: ranked after everyone else.
        var lastResort: Bool
        /// Whether `reasons` holds every reason (a verdict stops at the first).
        var complete: Bool
        /// The job's preferred qualifications in effect, when scored (nil when the job prefers none).
        var preferredMet: [JobQualification]? = nil
        /// What would make a provider filtered by one changeable reason eligible (`wouldBeEligibleIf`).
        var wouldBeEligibleIf: String? = nil
        var passes: Bool { reasons.isEmpty }
    }

    /// How much of a judgement to work out.
    enum Depth: Sendable {
        /// Whether the provider passes (the first reason when not), and the criteria when it
        /// does: what ranking thousands of candidates needs.
        case verdict
        /// Every reason, no criteria: what a page of the filtered list shows.
        case reasons
        /// Every reason and every criterion (`Check`).
        case everything
    }

    /// Judges `provider` for the context's job.
    static func judge(_ provider: ProviderFacts, _ context: RankingContext, _ depth: Depth = .everything) -> Judgement {
        let reasons = filters(provider, context, firstOnly: depth == .verdict)
        let scored = depth == .everything || (depth == .verdict && reasons.isEmpty)
        let met = scored ? preferredMet(provider, context) : []
        let criteria = scored ? criteria(provider, context, preferredMet: met.count) : []
        let score = rounded(criteria.reduce(0) { $0 + $1.contribution })
        // Only a complete judgement knows that one reason is the only one.
        let remedy = depth != .verdict && reasons.count == 1 ? wouldBeEligibleIf(provider, context, reasons[0]) : nil
        return Judgement(
            providerId: provider.id, reasons: reasons, criteria: criteria, score: score,
            lastResort: context.lists.lastResort.contains(provider.id), complete: depth != .verdict || reasons.isEmpty,
            preferredMet: scored && !context.job.preferred.isEmpty ? met : nil, wouldBeEligibleIf: remedy)
    }

    /// The passing judgements in rank order, numbered from 1.
    static func order(_ judgements: [Judgement]) -> [RankedProvider] {
        judgements.filter(\.passes).sorted(by: precedes).enumerated().map { index, judgement in
            RankedProvider(
                providerId: judgement.providerId, rank: index + 1, score: judgement.score,
                criteria: judgement.criteria, preferredQualificationsMet: judgement.preferredMet?.map(\.named))
        }
    }

    /// Rank order: last resort after everyone else, then the higher score, then the lower id.
    static func precedes(_ a: Judgement, _ b: Judgement) -> Bool {
        if a.lastResort != b.lastResort { return !a.lastResort }
        if a.score != b.score { return a.score > b.score }
        return a.providerId < b.providerId
    }

    // MARK: Hard filters

    /// Every filter the provider fails, in a fixed order; only the first with `firstOnly`.
    static func filters(_ provider: ProviderFacts, _ context: RankingContext, firstOnly: Bool = false) -> [FilterReason]
    {
        let job = context.job
        var reasons: [FilterReason] = []
        func fail(_ criterion: String, _ detail: String) {
            reasons.append(FilterReason(criterion: criterion, detail: detail))
        }
        var done: Bool { firstOnly && !reasons.isEmpty }
        if !provider.active { fail("inactive", "the provider is inactive") }
        if provider.providerType != job.providerType, !done {
            fail("providerType", "is \(provider.providerType), the job needs \(job.providerType)")
        }
        for qualification in job.required where !done && !inEffect(qualification, for: provider, context) {
            let why = notInEffect(qualification, for: provider, context)
            fail("requiredQualification", "\(qualification.scope.name): \(why.joined(separator: "; "))")
        }
        if let zone = job.zone, !done, !provider.zones.isEmpty, !provider.zones.contains(zone) {
            fail("zone", "works in \(provider.zones.joined(separator: ", ")), not in \(zone)")
        }
        if !done, let distance = distanceKm(provider, job), let radius = provider.travelRadiusKm, distance > radius {
            fail("travelRadius", "\(format(distance)) km away, beyond the travel radius of \(format(radius)) km")
        }
        if !done, context.lists.doNotConsider.contains(provider.id) {
            fail("doNotConsider", "on the customer's do-not-consider list")
        }
        for reason in context.excluded[provider.id] ?? [] where !done { fail("excluded", reason) }
        if !done, !context.lists.restricted.isEmpty, !context.lists.restricted.contains(provider.id) {
            fail("restricted", "not on the customer's restricted list")
        }
        // Sorted, so the reasons read the same whatever order the facts came in.
        let conflicting = done ? [] : conflicts(provider, context)
        for held in conflicting.sorted(by: { ($0.startsAt, $0.requestId) < ($1.startsAt, $1.requestId) }) where !done {
            let (from, to) = (Timestamp.format(held.startsAt), Timestamp.format(held.endsAt))
            let buffer = context.settings.travelBufferMinutes
            let detail = "\(held.state) on request \(held.requestId) from \(from) to \(to)"
            fail("conflict", "\(detail), within the \(buffer)-minute buffer")
        }
        let windows = done ? [] : provider.availability.sorted(by: { $0.from < $1.from })
        for window in windows where !done && window.overlaps(job) {
            switch window.status {
            case .unavailable:
                fail(
                    "unavailable", "unavailable from \(Timestamp.format(window.from)) to \(Timestamp.format(window.to))"
                )
            case .remoteOnly where !job.remote:
                fail(
                    "remoteOnly", "remote only from \(Timestamp.format(window.from)) to \(Timestamp.format(window.to))")
            default:
                break
            }
        }
        if !done, !provider.reachable {
            fail("noContactChannel", ContactChannels.whyUnreachable(invalid: provider.invalidChannels))
        }
        return reasons
    }

    /// Whether a qualification is in effect for the provider over the job's window.
    static func inEffect(
        _ qualification: JobQualification, for provider: ProviderFacts, _ context: RankingContext
    ) -> Bool {
        QualificationRules.isInEffect(
            qualification.scope, applied: provider.applied.contains(qualification.id),
            providerType: provider.providerType,
            documents: provider.documents, from: context.job.startsAt, to: context.job.endsAt, zone: context.job.zone)
    }

    /// Why a qualification is not in effect for the provider over the job's window (empty: it is).
    static func notInEffect(
        _ qualification: JobQualification, for provider: ProviderFacts, _ context: RankingContext
    ) -> [String] {
        QualificationRules.reasons(
            qualification.scope, applied: provider.applied.contains(qualification.id),
            providerType: provider.providerType,
            documents: provider.documents, documentTypeName: { context.documentTypeNames[$0] },
            from: context.job.startsAt, to: context.job.endsAt, zone: context.job.zone)
    }

    /// The provider's held jobs overlapping the job, widened by the travel buffer unless both are remote.
    static func conflicts(_ provider: ProviderFacts, _ context: RankingContext) -> [HeldJob] {
        let job = context.job
        return provider.heldJobs.filter { held in
            guard held.requestId != job.requestId else { return false }
            let buffer = held.remote && job.remote ? 0 : context.travelBuffer
            return held.startsAt < job.endsAt.addingTimeInterval(buffer)
                && held.endsAt > job.startsAt.addingTimeInterval(-buffer)
        }
    }

    /// The distance to an on-site job, when both places are known.
    static func distanceKm(_ provider: ProviderFacts, _ job: Job) -> Double? {
        guard !job.remote, let from = provider.location, let to = job.location else { return nil }
        return Geo.distanceKm(from, to)
    }

    // MARK: Soft criteria

    /// The job's preferred qualifications in effect for the provider, in the job's order.
    static func preferredMet(_ provider: ProviderFacts, _ context: RankingContext) -> [JobQualification] {
        context.job.preferred.filter { inEffect($0, for: provider, context) }
    }

    /// Every criterion's value and contribution, in a fixed order.
    /// - Parameter preferredMet: how many of the job's preferred qualifications are in effect.
    static func criteria(_ provider: ProviderFacts, _ context: RankingContext, preferredMet: Int) -> [CriterionValue] {
        let (job, weights) = (context.job, context.settings.weights)
        func criterion(_ name: String, _ value: JSONValue, _ contribution: Double) -> CriterionValue {
            CriterionValue(name: name, value: value, contribution: rounded(contribution))
        }
        let preferred = context.lists.preferred.contains(provider.id)
        let inEffect = preferredMet
        let history = provider.history
        let daysSince = history.lastJobEndedAt.map { max(0, job.startsAt.timeIntervalSince($0) / 86_400) }
        let distance = distanceKm(provider, job).map { (($0 * 10).rounded()) / 10 }
        let availability = expressedAvailability(provider, job)
        let workload = provider.heldJobs.filter {
            $0.requestId != job.requestId && $0.startsAt >= context.workloadFrom && $0.startsAt < job.startsAt
        }.count
        return [
            criterion("preferredList", .bool(preferred), preferred ? weights.preferredList : 0),
            criterion("lastResort", .bool(context.lists.lastResort.contains(provider.id)), 0),
            criterion(
                "preferredQualifications", .integer(Int64(inEffect)),
                weights.preferredQualification * Double(inEffect)),
            criterion(
                "jobsWithCustomer", .integer(Int64(history.jobsDone)),
                weights.jobsWithCustomer * Double(min(history.jobsDone, 10))),
            criterion(
                "daysSinceLastJobWithCustomer", daysSince.map { .number(($0 * 10).rounded() / 10) } ?? .null,
                daysSince.map { weights.recentJobWithCustomer * max(0, 1 - $0 / 365) } ?? 0),
            criterion(
                "noShowsWithCustomer", .integer(Int64(history.noShows)), -weights.noShow * Double(history.noShows)),
            criterion("distanceKm", distance.map(JSONValue.number) ?? .null, -(distance ?? 0) * weights.distancePerKm),
            criterion("availability", .string(availability.rawValue), weights.availability * availability.share),
            criterion("recentWorkload", .integer(Int64(workload)), -weights.workload * Double(workload)),
        ]
    }

    /// What the provider said about the job's time.
    enum ExpressedAvailability: String {
        case available, partly, unstated
        var share: Double { self == .available ? 1 : self == .partly ? 0.5 : 0 }
    }

    /// `available` when `available` windows cover the whole job, `partly` when some of it.
    static func expressedAvailability(_ provider: ProviderFacts, _ job: Job) -> ExpressedAvailability {
        let windows = provider.availability.filter { $0.status == .available && $0.overlaps(job) }.sorted {
            $0.from < $1.from
        }
        guard !windows.isEmpty else { return .unstated }
        var coveredUpTo = job.startsAt
        for window in windows where window.from <= coveredUpTo { coveredUpTo = max(coveredUpTo, window.to) }
        return coveredUpTo >= job.endsAt ? .available : .partly
    }

    /// Scores and contributions to a thousandth, so the criteria shown add up to the score.
    static func rounded(_ value: Double) -> Double {
        let result = (value * 1000).rounded() / 1000
        return result == 0 ? 0 : result  // no -0 on the wire
    }

    /// Kilometres to one decimal (`10.3`, `59.0`), without the cost of `String(format:)`.
    static func format(_ km: Double) -> String { "\((km * 10).rounded() / 10)" }
}

extension AvailabilityWindow {
    /// Whether the window and the job share any time.
    func overlaps(_ job: Job) -> Bool { from < job.endsAt && to > job.startsAt }
}

extension JobQualification {
    /// The qualification by id and name, as a ranking names it.
    var named: NamedQualification { NamedQualification(id: id, name: scope.name) }
}
