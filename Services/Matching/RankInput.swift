import Contracts
import Domain
import Foundation
import GRDB
import ServiceKit
import Wire

/// A `Rank` or `Check` body checked field by field (every fault named at once), before anything
/// is read: what remains to resolve against the read model are ids.
struct RankInput: Sendable, Equatable {
    var job: JobDescription
    var remote: Bool
    /// The job's own qualification lists, trimmed as `opportunities.CreateRequest` trims them.
    var required: [String]
    var preferred: [String]
    var requestId: String?
    /// Every reason the caller gave for each provider it left out, in its order.
    var excluded: [String: [String]]
    var minSeq: [String: Int64]

    /// Checks the body shared by `Rank` and `Check`.
    init(
        _ job: JobDescription, requestId: String?, excluded: [ExcludedProvider]?, minSeq: [String: Int64]?,
        validator: inout Validator
    ) {
        let field = "body.request"
        validator.require(!job.customerId.isEmpty, "\(field).customerId", "must not be empty")
        validator.require(
            !job.providerType.trimmingCharacters(in: .whitespaces).isEmpty, "\(field).providerType",
            "must not be empty")
        validator.require(job.startsAt < job.endsAt, "\(field).endsAt", "must be after startsAt")
        if let teamSize = job.teamSize {
            validator.require((1...50).contains(teamSize), "\(field).teamSize", "must be from 1 to 50")
        }
        let remote = job.remote ?? (job.location == nil)
        if !remote { validator.require(job.location != nil, "\(field).location", "is required for an on-site job") }
        if let location = job.location {
            validator.require(
                location.lat.isFinite && (-90...90).contains(location.lat), "\(field).location.lat",
                "must be from -90 to 90")
            validator.require(
                location.lon.isFinite && (-180...180).contains(location.lon), "\(field).location.lon",
                "must be from -180 to 180")
        }
        required = validator.codes(job.requiredQualificationIds, field: "\(field).requiredQualificationIds")
        preferred = validator.codes(job.preferredQualificationIds, field: "\(field).preferredQualificationIds")
        validator.optionalId(requestId, field: "body.requestId")
        var excludedById: [String: [String]] = [:]
        for (index, entry) in (excluded ?? []).enumerated() {
            validator.require(
                !entry.providerId.isEmpty, "body.excludeProviderIds[\(index)].providerId", "must not be empty")
            // A provider may be left out for several reasons (blocked for the customer and for
            // everyone, excluded by the partner): each is shown, once.
            let reason = entry.reason.isEmpty ? "excluded by the caller" : entry.reason
            if !(excludedById[entry.providerId]?.contains(reason) ?? false) {
                excludedById[entry.providerId, default: []].append(reason)
            }
        }
        for (source, seq) in (minSeq ?? [:]).sorted(by: { $0.key < $1.key }) {
            validator.require(
                Matching.sources.contains(source), "body.minSeq.\(source)",
                "is not a source of the read model (\(Matching.sources.joined(separator: ", ")))")
            validator.require(seq >= 0, "body.minSeq.\(source)", "must not be negative")
        }
        self.job = job
        self.remote = remote
        self.requestId = requestId
        self.excluded = excludedById
        self.minSeq = minSeq ?? [:]
    }

    /// Resolves the job against the read model in `db`: each qualification it names found
    /// (`NOT_FOUND` naming its field otherwise), the customer's defaults merged by the rule
    /// `opportunities.CreateRequest` applies (`CustomerDefaults`), the customer's lists and the
    /// partner's settings read.
    func context(_ db: Database, store: MatchingStore, partner: String) throws -> RankingContext {
        let field = "body.request"
        let customer = try store.customer(db, partner: partner, id: job.customerId, field: "\(field).customerId")
        let defaults = (customer.defaultRequiredQualificationIds, customer.defaultPreferredQualificationIds)
        let known = try store.qualifications(
            db, partner: partner, ids: Set(required + preferred + defaults.0 + defaults.1))
        // The job's own ids must exist (a request that requires an archived one stays rankable).
        for (ids, list) in [(required, "requiredQualificationIds"), (preferred, "preferredQualificationIds")] {
            for (index, id) in ids.enumerated() where known[id] == nil {
                throw MatchingError.notFound(kind: "qualification", id: id, field: "\(field).\(list)[\(index)]")
            }
        }
        let merged = CustomerDefaults.merge(
            required: required, preferred: preferred, defaultRequired: defaults.0, defaultPreferred: defaults.1,
            overrideDefaults: job.overrideDefaults == true, known: known.mapValues(\.scope),
            providerType: job.providerType, zone: job.zone)
        // Every merged id is known: the unknown defaults were skipped.
        let resolved = { (ids: [String]) in ids.compactMap { known[$0] } }
        let resolvedJob = Job(
            customerId: job.customerId, providerType: job.providerType, startsAt: job.startsAt, endsAt: job.endsAt,
            remote: remote, location: remote ? nil : job.location, zone: job.zone, requestId: requestId,
            required: resolved(merged.required), preferred: resolved(merged.preferred))
        var context = RankingContext(
            job: resolvedJob, lists: try store.lists(db, partner: partner, customerId: job.customerId),
            excluded: excluded, settings: try store.settings(db, partner: partner), documentTypeNames: [:],
            defaultsSkipped: merged.skipped)
        context.documentTypeNames = try store.documentTypeNames(db, partner: partner, ids: context.documentTypeIds)
        return context
    }

    /// The query a page token belongs to: the same body less its paging, every field spelled out
    /// (each list with its length, so no two bodies read the same).
    func fingerprint(partner: String) -> String {
        func list(_ values: [String]?) -> String {
            "\(values?.count ?? -1):" + (values ?? []).joined(separator: "\u{1F}")
        }
        let location = job.location.map { "\($0.lat),\($0.lon)" } ?? "-"
        let excludedText = excluded.sorted { $0.key < $1.key }.map {
            "\($0.key)=" + $0.value.joined(separator: "\u{1D}")
        }
        return [
            "rank", partner, job.customerId, job.providerType, "\(job.startsAt.timeIntervalSince1970)",
            "\(job.endsAt.timeIntervalSince1970)", "\(remote)", location, job.zone ?? "-",
            list(job.requiredQualificationIds), list(job.preferredQualificationIds),
            "\(job.overrideDefaults ?? false)", requestId ?? "-", list(excludedText),
        ].joined(separator: "\u{1E}")
    }
}
