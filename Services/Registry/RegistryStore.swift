import Foundation
import GRDB
import ServiceKit
import Store
import Transport

/// The registry's database, the one way in (GRDB's `AppDatabase`): handlers read and write
/// through it, one tenant per transaction, and never see the pool or SQL. Every change commits
/// with its outbox event; a caller's change also with its idempotency record.
struct RegistryStore: Sendable {
    private let database: ServiceDatabase

    init(_ database: ServiceDatabase) {
        self.database = database
    }

    /// Reads from one snapshot, scoped to `partnerId`.
    func read<Value: Sendable>(
        _ partnerId: String, _ body: @escaping @Sendable (RegistryTransaction) throws -> Value
    ) async throws -> Value {
        let outbox = database.outbox
        return try await database.pool.read { db in
            try body(RegistryTransaction(db, partnerId: partnerId, outbox: outbox))
        }
    }

    /// Makes a caller's change in one transaction, scoped to the caller's tenant: a repeated
    /// idempotency key replays the first reply, and past the caller's deadline nothing commits
    /// (`ServiceDatabase.mutate`).
    func mutate<Request: Encodable & Sendable, Response: Codable & Sendable>(
        _ context: CallerContext, _ request: Request, at now: Date,
        _ body: @escaping @Sendable (RegistryTransaction) throws -> Response
    ) async throws -> Response {
        let outbox = database.outbox
        let partnerId = context.partnerId
        return try await database.mutate(context.request, request: request, now: now) { db in
            try body(RegistryTransaction(db, partnerId: partnerId, outbox: outbox))
        }
    }

    /// Writes in one transaction scoped to `partnerId`, for work no caller asked for (fixtures
    /// in tests); a caller's change goes through `mutate`.
    func write<Value: Sendable>(
        _ partnerId: String, _ body: @escaping @Sendable (RegistryTransaction) throws -> Value
    ) async throws -> Value {
        let outbox = database.outbox
        return try await database.pool.write { db in
            try body(RegistryTransaction(db, partnerId: partnerId, outbox: outbox))
        }
    }

    /// What firing each kind of the registry's durable timers does, for `TimerService` (which
    /// deletes the timer in the same transaction).
    var timerHandlers: [String: TimerService.Handler] {
        let outbox = database.outbox
        return [
            DocumentExpiry.timerKind: { db, timer in
                // A key the registry did not write names no document: dropping the timer is all there is to do.
                guard let (partnerId, documentId) = DocumentExpiry.document(of: timer) else { return }
                try RegistryTransaction(db, partnerId: partnerId, outbox: outbox).expire(documentId, at: timer.dueAt)
            }
        ]
    }
}
