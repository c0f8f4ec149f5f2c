import Foundation
import GRDB
import Store
import Transport

/// A service's database, the one way in (GRDB's `AppDatabase`): handlers read and change it one
/// tenant per transaction, through the service's own reader and writer types, and never see the
/// pool. Every change commits with its outbox events; a caller's change also with its
/// idempotency record and a last deadline check (`ServiceDatabase.mutate`).
public struct TenantStore<Reader, Writer>: Sendable {
    /// Makes a transaction's view for one tenant.
    public typealias Make<View> = @Sendable (_ db: GRDB.Database, _ partnerId: String, _ outbox: Outbox) -> View

    private let database: ServiceDatabase
    private let makeReader: Make<Reader>
    private let makeWriter: Make<Writer>

    /// A store over `database` whose transactions are seen through `reader` and `writer`.
    public init(_ database: ServiceDatabase, reader: @escaping Make<Reader>, writer: @escaping Make<Writer>) {
        self.database = database
        self.makeReader = reader
        self.makeWriter = writer
    }

    /// Where the service's events go.
    public var outbox: Outbox { database.outbox }

    /// Reads from one snapshot, within `partnerId`.
    public func read<Value: Sendable>(
        _ partnerId: String, _ body: @escaping @Sendable (Reader) throws -> Value
    ) async throws -> Value {
        let (outbox, makeReader) = (database.outbox, self.makeReader)
        return try await database.pool.read { db in try body(makeReader(db, partnerId, outbox)) }
    }

    /// Reads from one snapshot, within the caller's tenant.
    public func read<Value: Sendable>(
        _ context: CallerContext, _ body: @escaping @Sendable (Reader) throws -> Value
    ) async throws -> Value {
        try await read(context.partnerId, body)
    }

    /// Makes a caller's change in one transaction within its tenant: a repeated idempotency key
    /// replays the first reply, and past the caller's deadline nothing commits.
    public func mutate<Request: Encodable & Sendable, Response: Codable & Sendable>(
        _ context: CallerContext, _ request: Request, at now: Date,
        _ body: @escaping @Sendable (Writer) throws -> Response
    ) async throws -> Response {
        let (outbox, makeWriter, partnerId) = (database.outbox, self.makeWriter, context.partnerId)
        return try await database.mutate(context.request, request: request, now: now) { db in
            try body(makeWriter(db, partnerId, outbox))
        }
    }

    /// The reply stored for the call's `idempotencyKey`, if this exact call was already done:
    /// handlers whose checks depend on time or on other services look here first.
    public func storedReply<Request: Encodable & Sendable, Response: Codable & Sendable>(
        _ context: CallerContext, request: Request, as type: Response.Type
    ) async throws -> Response? {
        try await database.storedReply(context.request, request: request, as: type)
    }

    /// Writes in one transaction within `partnerId`, for work no caller asked for (timers,
    /// fixtures); a caller's change goes through `mutate`.
    @discardableResult
    public func write<Value: Sendable>(
        _ partnerId: String, _ body: @escaping @Sendable (Writer) throws -> Value
    ) async throws -> Value {
        let (outbox, makeWriter) = (database.outbox, self.makeWriter)
        return try await database.pool.write { db in try body(makeWriter(db, partnerId, outbox)) }
    }
}
