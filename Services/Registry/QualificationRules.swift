import Contracts
import Foundation
import Wire

/// DESIGN §2's "in effect" rule, as a pure function: a qualification is in effect for a provider
/// over [from, to] only if it is applied, the provider's type is in scope, every required
/// document type is held over the whole window (by one document, or by documents of the type
/// that follow each other without a gap, as when one is renewed in the middle of a job), and
/// (when a zone is given) the zone is in scope. Every failing condition is reported, not just the
/// first. Archiving means "no new use": an archived qualification is still judged, so requests
/// that already require it stay fillable.
public enum QualificationRules {
    /// Judges `qualification` for `provider` over [from, to].
    public static func evaluate(
        _ qualification: Qualification, provider: Provider, applied: Bool, documents: [Document],
        documentTypeNames: [String: String], from: Date, to: Date, zone: String?
    ) -> QualificationStatus {
        var reasons: [String] = []
        if !applied { reasons.append("not applied to this provider") }
        if !qualification.providerTypes.isEmpty && !qualification.providerTypes.contains(provider.providerType) {
            let allowed = qualification.providerTypes.joined(separator: ", ")
            reasons.append("provider type \(provider.providerType) is not one of \(allowed)")
        }
        if let zone, !qualification.zones.isEmpty, !qualification.zones.contains(zone) {
            reasons.append("zone \(zone) is not one of \(qualification.zones.joined(separator: ", "))")
        }
        for typeId in qualification.requiredDocumentTypeIds {
            let typeName = documentTypeNames[typeId] ?? typeId
            let candidates = documents.filter { $0.documentTypeId == typeId }
            let reached = coverage(candidates, from: from, to: to)
            if reached.covered { continue }
            reasons.append(whyNot(candidates, typeName: typeName, from: from, to: to, reached: reached))
        }
        return QualificationStatus(
            qualificationId: qualification.id, name: qualification.name, applied: applied, inEffect: reasons.isEmpty,
            reasons: reasons)
    }

    /// Whether `document` is valid over the whole of [from, to]: issued by `from`, not revoked,
    /// and not expiring before `to` (a point in time needs it unexpired just after it).
    public static func covers(_ document: Document, from: Date, to: Date) -> Bool {
        guard document.revokedAt == nil, document.issuedAt <= from else { return false }
        guard let expiresAt = document.expiresAt else { return true }
        return from < to ? expiresAt >= to : expiresAt > to
    }

    /// How far `documents` (of one type) cover [from, to] without a gap: each next one issued by
    /// the time the previous expires. When they fall short, `until` is where the cover ends (nil
    /// when nothing covers `from`) and `chained` how many documents it took to get there.
    public static func coverage(
        _ documents: [Document], from: Date, to: Date
    ) -> (covered: Bool, until: Date?, chained: Int) {
        let live = documents.filter { $0.revokedAt == nil }
        if live.contains(where: { covers($0, from: from, to: to) }) { return (true, nil, 1) }
        guard from < to else { return (false, nil, 0) }
        var until: Date?
        var chained = 0
        while true {
            // The document valid where the cover has reached that lasts longest.
            let cursor = until ?? from
            let valid = live.filter { $0.issuedAt <= cursor && ($0.expiresAt.map { $0 > cursor } ?? true) }
            guard let next = valid.max(by: { ($0.expiresAt ?? .distantFuture) < ($1.expiresAt ?? .distantFuture) })
            else { return (false, until, chained) }
            chained += 1
            guard let expiry = next.expiresAt, expiry < to else { return (true, nil, chained) }
            until = expiry
        }
    }

    /// An archived qualification is frozen: it cannot be changed any more.
    static func requireChangeable(_ qualification: Qualification) throws(RegistryError) {
        if qualification.archived { throw .archived(qualification: qualification.name) }
    }

    /// A qualification may be applied to a provider only while it is not archived and when its
    /// provider types (empty: all) include the provider's.
    static func requireApplicable(_ qualification: Qualification, to provider: Provider) throws(RegistryError) {
        try requireChangeable(qualification)
        if !qualification.providerTypes.isEmpty && !qualification.providerTypes.contains(provider.providerType) {
            throw .providerTypeExcluded(
                qualification: qualification.name, providerTypes: qualification.providerTypes,
                providerType: provider.providerType)
        }
    }

    /// A customer default may name an archived qualification only if it was already one of the
    /// customer's defaults: an archived qualification is never newly used.
    static func requireUsableAsDefault(
        _ qualification: Qualification, alreadyDefault: Bool, field: String
    ) throws(RegistryError) {
        if qualification.archived && !alreadyDefault {
            throw .archived(qualification: qualification.name, field: field)
        }
    }

    private static func whyNot(
        _ candidates: [Document], typeName: String, from: Date, to: Date,
        reached: (covered: Bool, until: Date?, chained: Int)
    ) -> String {
        let live = candidates.filter { $0.revokedAt == nil }
        guard !candidates.isEmpty else { return "no document of type \(typeName)" }
        if let until = reached.until {
            // The start is covered, but the cover ends before the job does.
            let end = Timestamp.format(until)
            guard reached.chained > 1 else { return "document \(typeName) expires \(end), before the job ends" }
            return "documents \(typeName) cover the job only until \(end), before it ends"
        }
        guard let best = live.max(by: { ($0.expiresAt ?? .distantFuture) < ($1.expiresAt ?? .distantFuture) }) else {
            return "document \(typeName) was revoked"
        }
        if best.issuedAt > from {
            return "document \(typeName) is only valid from \(Timestamp.format(best.issuedAt)), after the job starts"
        }
        let expiry = Timestamp.format(best.expiresAt ?? .distantFuture)
        // A point in time is "now" (GetProvider): the document has expired.
        if from == to { return "document \(typeName) expired \(expiry)" }
        if (best.expiresAt ?? .distantFuture) <= from {
            return "document \(typeName) expires \(expiry), before the job starts"
        }
        return "document \(typeName) expires \(expiry), before the job ends"
    }
}
