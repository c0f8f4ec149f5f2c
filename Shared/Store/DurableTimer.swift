import Foundation
import GRDB

/// One durable timer: a row that says "at `dueAt`, do `kind` for `key`". Timers live in the
/// service's own SQLite file, so one that fell due while the service was down fires at start-up.
public struct DurableTimer: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "durableTimer"

    /// What the timer does (e.g. `document.expiry`, `broadcast.wave`): picks its handler.
    public var kind: String
    /// Which thing it is for (e.g. a document id); one timer per kind and key.
    public var key: String
    public var dueAt: Date
    /// The tenant the thing belongs to, if any.
    public var partnerId: String?
    /// Anything the handler needs beyond the key, as JSON.
    public var payload: Data?

    public init(kind: String, key: String, dueAt: Date, partnerId: String? = nil, payload: Data? = nil) {
        self.kind = kind
        self.key = key
        self.dueAt = dueAt
        self.partnerId = partnerId
        self.payload = payload
    }

    /// The record's columns, for queries.
    public enum Columns {
        public static let kind = Column(CodingKeys.kind)
        public static let key = Column(CodingKeys.key)
        public static let dueAt = Column(CodingKeys.dueAt)
    }

    /// Sets (or moves) the timer of `kind` for `key`, in the caller's transaction.
    public static func schedule(_ db: Database, _ timer: DurableTimer) throws {
        try timer.upsert(db)
    }

    /// Removes the timer of `kind` for `key`, if there is one.
    public static func cancel(_ db: Database, kind: String, key: String) throws {
        _ = try DurableTimer.deleteOne(db, key: ["kind": kind, "key": key])
    }
}

extension DerivableRequest<DurableTimer> {
    /// Timers due at `now` or before, earliest first.
    public func due(at now: Date) -> Self {
        filter(DurableTimer.Columns.dueAt <= now).order(DurableTimer.Columns.dueAt, DurableTimer.Columns.key)
    }

    /// Every timer, earliest first.
    public func earliestFirst() -> Self {
        order(DurableTimer.Columns.dueAt)
    }
}

/// The shared timer table, registered by name once and never edited.
enum DurableTimerMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("octoo.v2.durableTimer") { db in
            try db.create(table: "durableTimer") { table in
                table.column("kind", .text).notNull()
                table.column("key", .text).notNull()
                table.column("dueAt", .datetime).notNull()
                table.column("partnerId", .text)
                table.column("payload", .blob)
                table.primaryKey(["kind", "key"])
            }
            try db.create(index: "durableTimer_dueAt", on: "durableTimer", columns: ["dueAt"])
        }
    }
}
