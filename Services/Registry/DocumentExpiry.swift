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
    private let wakeups: AsyncStream<Void>
    private let wakeupSink: AsyncStream<Void>.Continuation

    init(environment: ServiceEnvironment) {
        self.environment = environment
        (wakeups, wakeupSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if let manual = environment.clock as? ManualClock {
            // SetClock returns only after the expiries it caused are recorded.
            manual.onAdvance { [weak self] now in
                _ = try? await self?.fireDue(now: now)
            }
        }
    }

    /// Nudges the loop after a new timer was written.
    func wake() { wakeupSink.yield() }

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

    /// Fires due timers until stopped: at start (catching up after a restart), whenever the
    /// next one falls due, and at least every second.
    func run() async throws {
        while !stopped.withLock({ $0 }) {
            do {
                try await fireDue(now: environment.clock.now)
            } catch {
                environment.logger.error("document expiry failed; retrying", metadata: ["error": "\(error)"])
            }
            let next = try await environment.database.pool.read { db in
                try DocumentExpiryTimer.order(DocumentExpiryTimer.Columns.dueAt).fetchOne(db)?.dueAt
            }
            let wait = min(max(next.map { $0.timeIntervalSince(environment.clock.now) } ?? 1, 0.01), 1)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: .seconds(wait)) }
                group.addTask { [wakeups] in
                    var iterator = wakeups.makeAsyncIterator()
                    _ = await iterator.next()
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
        wakeupSink.yield()
    }
}
