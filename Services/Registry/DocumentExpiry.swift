import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import Store
import Synchronization
import Wire

/// The durable timer behind document expiry: each document with an expiry has a row in
/// `documentExpiryTimer`; when the clock passes it, the registry emits `document.expired`
/// (with the applied qualifications that lapsed) and deletes the row, in one transaction.
/// Rows live in SQLite, so a restart fires whatever fell due while the service was down.
final class DocumentExpiryScheduler: Sendable {
    let environment: ServiceEnvironment
    private let stopped = Mutex(false)

    init(environment: ServiceEnvironment) {
        self.environment = environment
        if let manual = environment.clock as? ManualClock {
            // SetClock returns only after the expiries it caused are recorded.
            manual.onAdvance { [weak self] now in
                _ = try? await self?.fireDue(now: now)
            }
        }
    }

    /// Fires every timer due at `now`; returns how many documents expired.
    @discardableResult
    func fireDue(now: Date) async throws -> Int {
        let database = environment.database
        return try await database.pool.write { db in
            let due = try DocumentExpiryTimer.filter(DocumentExpiryTimer.Columns.dueAt <= now).order(DocumentExpiryTimer.Columns.dueAt).fetchAll(db)
            var expired = 0
            for timer in due {
                try timer.delete(db)
                guard let document = try Document.fetchOne(db, key: ["partnerId": timer.partnerId, "id": timer.documentId]),
                      document.revokedAt == nil else { continue }
                let lapsed = try Self.lapsedQualifications(db, document: document, at: timer.dueAt)
                try database.outbox.append(
                    db, type: Registry.EventType.documentExpired, partnerId: document.partnerId, occurredAt: timer.dueAt,
                    data: DocumentExpired(document: document, lapsedQualificationIds: lapsed))
                expired += 1
            }
            return expired
        }
    }

    /// Applied qualifications of the document's provider that need its type and have no other
    /// valid document of that type once it expires.
    static func lapsedQualifications(_ db: Database, document: Document, at instant: Date) throws -> [String] {
        let applied = try RegistryStore.appliedQualificationIds(db, partner: document.partnerId, providerId: document.providerId)
        let others = try RegistryStore.documents(db, partner: document.partnerId, providerId: document.providerId)
            .filter { $0.id != document.id && $0.documentTypeId == document.documentTypeId && QualificationRules.covers($0, from: instant, to: instant) }
        guard others.isEmpty else { return [] }
        return try Qualification.filter(Qualification.Columns.partnerId == document.partnerId).fetchAll(db)
            .filter { applied.contains($0.id) && !$0.archived && $0.requiredDocumentTypeIds.contains(document.documentTypeId) }
            .map(\.id).sorted()
    }

    /// Fires due timers until stopped: at start (catching up after a restart), when the next
    /// one falls due, and at least every second (so a timer written meanwhile is never late by
    /// more than that). A failure is logged and retried; it never ends the loop.
    func run() async throws {
        while !stopped.withLock({ $0 }) {
            var wait = 1.0
            do {
                try await fireDue(now: environment.clock.now)
                let next = try await environment.database.pool.read { db in
                    try DocumentExpiryTimer.order(DocumentExpiryTimer.Columns.dueAt).fetchOne(db)?.dueAt
                }
                if let next { wait = min(max(next.timeIntervalSince(environment.clock.now), 0.01), 1) }
            } catch {
                environment.logger.error("document expiry failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(wait))
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
    }
}
