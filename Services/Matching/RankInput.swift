import Contracts
import Foundation
import GRDB
import ServiceKit
import Wire

/// A `Rank` or `Check` body checked field by field (every fault named at once), before anything
/// is read: what remains to resolve against the read model are ids.
struct RankInput: Sendable, Equatable {
    var request: CreateRequestRequest
    var remote: Bool
    var requestId: String?
    var excluded: [String: String]
    var minSeq: [String: Int64]

    /// Checks the body shared by `Rank` and `Check`.
    init(
        _ request: CreateRequestRequest, requestId: String?, excluded: [ExcludedProvider]?, minSeq: [String: Int64]?,
        validator: inout Validator
    ) {
        let field = "body.request"
        validator.require(!request.customerId.isEmpty, "\(field).customerId", "must not be empty")
        validator.require(
            !request.providerType.trimmingCharacters(in: .whitespaces).isEmpty, "\(field).providerType",
            "must not be empty")
        validator.require(request.startsAt < request.endsAt, "\(field).endsAt", "must be after startsAt")
        if let teamSize = request.teamSize {
            validator.require((1...50).contains(teamSize), "\(field).teamSize", "must be from 1 to 50")
        }
        let remote = request.remote ?? (request.location == nil)
        if !remote { validator.require(request.location != nil, "\(field).location", "is required for an on-site job") }
        if let location = request.location {
            validator.require(
                location.lat.isFinite && (-90...90).contains(location.lat), "\(field).location.lat",
                "must be from -90 to 90")
            validator.require(
                location.lon.isFinite && (-180...180).contains(location.lon), "\(field).location.lon",
                "must be from -180 to 180")
        }
        _ = validator.codes(request.requiredQualificationIds, field: "\(field).requiredQualificationIds")
        _ = validator.codes(request.preferredQualificationIds, field: "\(field).preferredQualificationIds")
        validator.optionalId(requestId, field: "body.requestId")
        var excludedById: [String: String] = [:]
        for (index, entry) in (excluded ?? []).enumerated() {
            validator.require(
                !entry.providerId.isEmpty, "body.excludeProviderIds[\(index)].providerId", "must not be empty")
            excludedById[entry.providerId] = entry.reason.isEmpty ? "excluded by the caller" : entry.reason
        }
        for (source, seq) in (minSeq ?? [:]).sorted(by: { $0.key < $1.key }) {
            validator.require(
                Matching.sources.contains(source), "body.minSeq.\(source)",
                "is not a source of the read model (\(Matching.sources.joined(separator: ", ")))")
            validator.require(seq >= 0, "body.minSeq.\(source)", "must not be negative")
        }
        self.request = request
        self.remote = remote
        self.requestId = requestId
        self.excluded = excludedById
        self.minSeq = minSeq ?? [:]
    }

    /// Resolves the job against the read model in `db`: the customer's defaults merged as
    /// `opportunities.CreateRequest` merges them, each qualification found (`NOT_FOUND` naming
    /// its field otherwise), the customer's lists and the partner's settings read.
    func context(_ db: Database, store: MatchingStore, partner: String) throws -> RankingContext {
        let field = "body.request"
        let customer = try store.customer(db, partner: partner, id: request.customerId, field: "\(field).customerId")
        let given = (request.requiredQualificationIds ?? [], request.preferredQualificationIds ?? [])
        var defaults: ([String], [String]) = ([], [])
        if request.overrideDefaults != true {
            defaults = (customer.defaultRequiredQualificationIds, customer.defaultPreferredQualificationIds)
        }
        let known = try store.qualifications(
            db, partner: partner, ids: Set(given.0 + given.1 + defaults.0 + defaults.1))
        // The given ids are checked first, so a NOT_FOUND names the caller's own field and index.
        func resolve(_ ids: [String], _ field: String) throws -> [JobQualification] {
            try ids.enumerated().map { index, id in
                guard let qualification = known[id] else {
                    throw MatchingError.notFound(kind: "qualification", id: id, field: "\(field)[\(index)]")
                }
                return qualification
            }
        }
        let required = try resolve(given.0, "\(field).requiredQualificationIds")
        let preferred = try resolve(given.1, "\(field).preferredQualificationIds")
        // Merged as opportunities.CreateRequest merges them: defaults first, required wins.
        let extraRequired = defaults.0.filter { !given.0.contains($0) }
        let allRequired = try resolve(extraRequired, "customer.defaultRequiredQualificationIds") + required
        let requiredIds = Set(allRequired.map(\.id))
        let extraPreferred = defaults.1.filter { !given.1.contains($0) }
        let allPreferred = (try resolve(extraPreferred, "customer.defaultPreferredQualificationIds") + preferred)
            .filter { !requiredIds.contains($0.id) }
        let job = Job(
            customerId: request.customerId, providerType: request.providerType, startsAt: request.startsAt,
            endsAt: request.endsAt, remote: remote, location: remote ? nil : request.location, zone: request.zone,
            requestId: requestId, required: allRequired, preferred: allPreferred)
        var context = RankingContext(
            job: job, lists: try store.lists(db, partner: partner, customerId: request.customerId), excluded: excluded,
            settings: try store.settings(db, partner: partner), documentTypeNames: [:])
        context.documentTypeNames = try store.documentTypeNames(db, partner: partner, ids: context.documentTypeIds)
        return context
    }

    /// The query a page token belongs to: the same body less its paging, every field spelled out
    /// (each list with its length, so no two bodies read the same).
    func fingerprint(partner: String) -> String {
        func list(_ values: [String]?) -> String {
            "\(values?.count ?? -1):" + (values ?? []).joined(separator: "\u{1F}")
        }
        let location = request.location.map { "\($0.lat),\($0.lon)" } ?? "-"
        let excludedText = excluded.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return [
            "rank", partner, request.customerId, request.providerType, "\(request.startsAt.timeIntervalSince1970)",
            "\(request.endsAt.timeIntervalSince1970)", "\(remote)", location, request.zone ?? "-",
            list(request.requiredQualificationIds), list(request.preferredQualificationIds),
            "\(request.overrideDefaults ?? false)", requestId ?? "-", list(excludedText),
        ].joined(separator: "\u{1E}")
    }
}
