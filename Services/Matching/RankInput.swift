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
        // The given ids are checked first, so a NOT_FOUND names the caller's own field and index.
        let required = try store.qualifications(
            db, partner: partner, ids: given.0, field: "\(field).requiredQualificationIds")
        let preferred = try store.qualifications(
            db, partner: partner, ids: given.1, field: "\(field).preferredQualificationIds")
        var allRequired = required
        var allPreferred = preferred
        if request.overrideDefaults != true {
            let defaults = (customer.defaultRequiredQualificationIds, customer.defaultPreferredQualificationIds)
            let extraRequired = defaults.0.filter { id in !given.0.contains(id) }
            allRequired =
                try store.qualifications(
                    db, partner: partner, ids: extraRequired, field: "customer.defaultRequiredQualificationIds")
                + required
            let requiredIds = Set(allRequired.map(\.id))
            let extraPreferred = defaults.1.filter { id in !given.1.contains(id) && !requiredIds.contains(id) }
            allPreferred =
                try store.qualifications(
                    db, partner: partner, ids: extraPreferred, field: "customer.defaultPreferredQualificationIds")
                + preferred
            allPreferred.removeAll { requiredIds.contains($0.id) }
        }
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

    /// The query a page token belongs to: the same body less its paging.
    func fingerprint(partner: String) -> String {
        let body = (try? WireCoding.makeEncoder(sortedKeys: true).encode(request)).map {
            String(decoding: $0, as: UTF8.self)
        }
        let excludedText = excluded.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "rank|\(partner)|\(body ?? "")|\(requestId ?? "")|\(excludedText)"
    }
}
