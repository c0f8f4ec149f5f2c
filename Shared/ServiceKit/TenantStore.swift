import Foundation
import GRDB
@_spi(RawDatabase) import Store
import Transport

/// A service's database, the one way in (GRDB's `AppDatabase`): handlers read and change it one
/// tenant per transaction, through the service's own reader and writer types, and never see the
/// pool. Every change commits with its outbox events; a caller's change also with its
/// idempotency record and a last deadline check (`ServiceDatabase.mutate`). Whatever every write
/// must do before it commits (broadcast settles what it touched) is the store's `beforeCommit`.
public struct TenantStore<Reader, Writer>: Sendable {
    /// Makes a transaction's view for one tenant.
    public typealias Make<View> = @Sendable (_ db: GRDB.Database, _ partnerId: String, _ outbox: Outbox) -> View
    /// Runs last in every write transaction, on its writer, before it commits.
    public typealias BeforeCommit = @Sendable (Writer) throws -> Void

    private let database: ServiceDatabase
    private let makeReader: Make<Reader>
    private let makeWriter: Make<Writer>
    private let beforeCommit: BeforeCommit

    /// A store over `database` whose transactions are seen through `reader` and `writer`.
    public init(
        _ database: ServiceDatabase, reader: @escaping Make<Reader>, writer: @escaping Make<Writer>,
        beforeCommit: @escaping BeforeCommit = { _ in }
    ) {
        self.database = database
        self.makeReader = reader
        self.makeWriter = writer
        self.beforeCommit = beforeCommit
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
        let (outbox, makeWriter, beforeCommit, partnerId) = (
            database.outbox, self.makeWriter, self.beforeCommit, context.partnerId
        )
        return try await database.mutate(context.request, request: request, now: now) { db in
            let writer = makeWriter(db, partnerId, outbox)
            let response = try body(writer)
            try beforeCommit(writer)
            return response
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
        let store = self
        return try await database.pool.write { db in try store.within(db, partnerId: partnerId, body) }
    }

    /// Writes within `partnerId` in a transaction someone else opened (a durable timer's, a
    /// consumed event's): what every write does before it commits runs at the end of `body`.
    @discardableResult
    public func within<Value>(
        _ db: GRDB.Database, partnerId: String, _ body: (Writer) throws -> Value
    ) throws -> Value {
        let writer = makeWriter(db, partnerId, database.outbox)
        let value = try body(writer)
        try beforeCommit(writer)
        return value
    }

    /// Reads from one snapshot across tenants: service-wide facts no tenant owns (counts, event
    /// positions, the work due in every tenant).
    public func readAcrossTenants<Value: Sendable>(
        _ body: @escaping @Sendable (GRDB.Database) throws -> Value
    ) async throws -> Value {
        try await database.pool.read(body)
    }

    /// Writes in one transaction across tenants: service-wide upkeep no tenant owns (forgetting
    /// a read model's sources before a rebuild).
    @discardableResult
    public func writeAcrossTenants<Value: Sendable>(
        _ body: @escaping @Sendable (GRDB.Database) throws -> Value
    ) async throws -> Value {
        try await database.pool.write(body)
    }
}
