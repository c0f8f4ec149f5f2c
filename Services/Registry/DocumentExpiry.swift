import Contracts
import Domain
import Foundation
import Store

/// Document expiry on the shared durable timers: each document with an expiry has a
/// `DurableTimer` of kind `registry.document.expiry`. When the clock passes it, `TimerService`
/// deletes the timer and the registry emits `document.expired` (with the applied qualifications
/// that lapsed) in the same transaction, so it happens once, even across a restart.
enum DocumentExpiry {
    /// The timers' kind in the shared `durableTimer` table.
    static let timerKind = "registry.document.expiry"

    /// The timer of `document`, due when it expires; nil for a document that never does.
    static func timer(for document: Document) -> DurableTimer? {
        guard let expiresAt = document.expiresAt else { return nil }
        return DurableTimer(
            kind: timerKind, key: timerKey(partnerId: document.partnerId, documentId: document.id), dueAt: expiresAt,
            partnerId: document.partnerId)
    }

    /// One timer per document: `partnerId/documentId`.
    static func timerKey(partnerId: String, documentId: String) -> String {
        "\(partnerId)/\(documentId)"
    }

    /// The tenant and document a timer is for. Document ids are made by the registry and never
    /// hold a `/`, so the key splits at its last one (a partner id may hold any character).
    static func document(of timer: DurableTimer) -> (partnerId: String, documentId: String)? {
        guard let slash = timer.key.lastIndex(of: "/") else { return nil }
        return (String(timer.key[..<slash]), String(timer.key[timer.key.index(after: slash)...]))
    }

    /// The applied qualifications that lapse when `document` expires (or is revoked) at
    /// `instant`: those that need its type (archived ones too: they are still judged), unless
    /// another of the provider's documents of that type is still valid then.
    /// - Parameters:
    ///   - providerDocuments: every document of the provider (`document` itself is skipped).
    ///   - applied: the qualifications applied to the provider.
    static func lapsedQualificationIds(
        _ document: Document, at instant: Date, providerDocuments: [Document], applied: [Qualification]
    ) -> [String] {
        let covered = providerDocuments.contains {
            $0.id != document.id && $0.documentTypeId == document.documentTypeId
                && QualificationRules.covers($0, from: instant, to: instant)
        }
        guard !covered else { return [] }
        return applied.filter { $0.requiredDocumentTypeIds.contains(document.documentTypeId) }
            .map(\.id).sorted()
    }
}
