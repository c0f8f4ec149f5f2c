import Contracts
import Foundation
import Wire

/// docs/design.md, "The in-effect rule", as a pure function shared by every service that judges it
/// (the registry's `CheckQualifications`, matching's ranking), so the two can never disagree.
///
/// A qualification is in effect for a provider over [from, to] only if it is applied, the
/// provider's type is in scope, every required document type is held over the whole window (by
/// one document, or by documents of the type that follow each other without a gap, as when one
/// is renewed in the middle of a job), and (when a zone is given) the zone is in scope. Every
/// failing condition is reported, not just the first. Archiving means "no new use": an archived
/// qualification is still judged, so requests that already require it stay fillable.
public enum QualificationRules {
    /// What the rule needs of a qualification.
    public struct Scope: Sendable, Equatable {
        public var name: String
        /// Provider types it applies to; empty means all.
        public var providerTypes: [String]
        /// Zones it may be offered or required in; empty means all.
        public var zones: [String]
        public var requiredDocumentTypeIds: [String]
        public var archived: Bool

        public init(
            name: String, providerTypes: [String], zones: [String], requiredDocumentTypeIds: [String], archived: Bool
        ) {
            self.name = name
            self.providerTypes = providerTypes
            self.zones = zones
            self.requiredDocumentTypeIds = requiredDocumentTypeIds
            self.archived = archived
        }

        /// The scope of a qualification as the registry publishes it.
        public init(_ qualification: Qualification) {
            self.init(
                name: qualification.name, providerTypes: qualification.providerTypes, zones: qualification.zones,
                requiredDocumentTypeIds: qualification.requiredDocumentTypeIds, archived: qualification.archived)
        }
    }

    /// What the rule needs of a document a provider holds.
    public struct HeldDocument: Sendable, Equatable {
        public var documentTypeId: String
        public var issuedAt: Date
        public var expiresAt: Date?
        public var revokedAt: Date?

        public init(documentTypeId: String, issuedAt: Date, expiresAt: Date?, revokedAt: Date?) {
            self.documentTypeId = documentTypeId
            self.issuedAt = issuedAt
            self.expiresAt = expiresAt
            self.revokedAt = revokedAt
        }

        /// The parts of a registry document the rule reads.
        public init(_ document: Document) {
            self.init(
                documentTypeId: document.documentTypeId, issuedAt: document.issuedAt, expiresAt: document.expiresAt,
                revokedAt: document.revokedAt)
        }
    }

    /// Every reason `scope` is not in effect for a provider of `providerType` over [from, to]
    /// (empty when it is).
    /// - Parameter documentTypeName: a document type's name for the reasons (its id when nil).
    public static func reasons(
        _ scope: Scope, applied: Bool, providerType: String, documents: [HeldDocument],
        documentTypeName: (String) -> String?, from: Date, to: Date, zone: String?
    ) -> [String] {
        var reasons: [String] = []
        if !applied { reasons.append("not applied to this provider") }
        if !scope.providerTypes.isEmpty && !scope.providerTypes.contains(providerType) {
            reasons.append("provider type \(providerType) is not one of \(scope.providerTypes.joined(separator: ", "))")
        }
        if let zone, !scope.zones.isEmpty, !scope.zones.contains(zone) {
            reasons.append("zone \(zone) is not one of \(scope.zones.joined(separator: ", "))")
        }
        for typeId in scope.requiredDocumentTypeIds {
            let candidates = documents.filter { $0.documentTypeId == typeId }
            let reached = coverage(candidates, from: from, to: to)
            if reached.covered { continue }
            reasons.append(
                whyNot(candidates, typeName: documentTypeName(typeId) ?? typeId, from: from, to: to, reached: reached))
        }
        return reasons
    }

    /// Whether `scope` is in effect: exactly `reasons(…).isEmpty`, without spelling the reasons
    /// out (ranking asks it of thousands of providers and shows the reasons of a few).
    public static func isInEffect(
        _ scope: Scope, applied: Bool, providerType: String, documents: [HeldDocument], from: Date, to: Date,
        zone: String?
    ) -> Bool {
        guard applied else { return false }
        if !scope.providerTypes.isEmpty && !scope.providerTypes.contains(providerType) { return false }
        if let zone, !scope.zones.isEmpty, !scope.zones.contains(zone) { return false }
        return scope.requiredDocumentTypeIds.allSatisfy { typeId in
            // One document over the whole window, the quick case; else documents that follow on.
            documents.contains { $0.documentTypeId == typeId && covers($0, from: from, to: to) }
                || coverage(documents.filter { $0.documentTypeId == typeId }, from: from, to: to).covered
        }
    }

    /// Judges `qualification` for `provider` over [from, to], as the registry reports it.
    public static func evaluate(
        _ qualification: Qualification, provider: Provider, applied: Bool, documents: [Document],
        documentTypeNames: [String: String], from: Date, to: Date, zone: String?
    ) -> QualificationStatus {
        let reasons = reasons(
            Scope(qualification), applied: applied, providerType: provider.providerType,
            documents: documents.map(HeldDocument.init), documentTypeName: { documentTypeNames[$0] },
            from: from, to: to, zone: zone)
        return QualificationStatus(
            qualificationId: qualification.id, name: qualification.name, applied: applied, inEffect: reasons.isEmpty,
            reasons: reasons)
    }

    /// Whether `document` is valid over the whole of [from, to]: issued by `from`, not revoked,
    /// and not expiring before `to` (a point in time needs it unexpired just after it).
    public static func covers(_ document: HeldDocument, from: Date, to: Date) -> Bool {
        guard document.revokedAt == nil, document.issuedAt <= from else { return false }
        guard let expiresAt = document.expiresAt else { return true }
        return from < to ? expiresAt >= to : expiresAt > to
    }

    /// Whether `document` is valid over the whole of [from, to] (the registry's record).
    public static func covers(_ document: Document, from: Date, to: Date) -> Bool {
        covers(HeldDocument(document), from: from, to: to)
    }

    /// How far `documents` (of one type) cover [from, to] without a gap: each next one issued by
    /// the time the previous expires. When they fall short, `until` is where the cover ends (nil
    /// when nothing covers `from`) and `chained` how many documents it took to get there.
    public static func coverage(
        _ documents: [HeldDocument], from: Date, to: Date
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

    /// `coverage` of the registry's records.
    public static func coverage(_ documents: [Document], from: Date, to: Date) -> (
        covered: Bool, until: Date?, chained: Int
    ) {
        coverage(documents.map(HeldDocument.init), from: from, to: to)
    }

    private static func whyNot(
        _ candidates: [HeldDocument], typeName: String, from: Date, to: Date,
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
