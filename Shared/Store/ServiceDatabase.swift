import Foundation
import GRDB
import Logging

/// How hard SQLite works to keep a commit through a power loss.
public enum Durability: String, Sendable {
    /// `synchronous=FULL`: a lost commit would lose a fact (registry, broadcast, opportunities).
    case full = "FULL"
    /// `synchronous=NORMAL`: a read model that events can rebuild (matching).
    case normal = "NORMAL"
}

/// How a service's SQLite connections are tuned beyond SQLite's defaults.
public struct DatabaseTuning: Sendable, Equatable {
    /// Bytes of the file each connection reads through a memory map (0: none, SQLite's default).
    public var memoryMapBytes: Int64
    /// Page cache per connection, in KiB (SQLite's default is 2000).
    public var cacheKibibytes: Int

    public init(memoryMapBytes: Int64 = 0, cacheKibibytes: Int = 2000) {
        self.memoryMapBytes = memoryMapBytes
        self.cacheKibibytes = cacheKibibytes
    }

    /// SQLite's defaults.
    public static let standard = DatabaseTuning()
    /// For a read model, read far more than written (matching's ranking seeks thousands of index
    /// entries per call): pages read through a map rather than a system call each, and a larger
    /// cache per connection.
    public static let readModel = DatabaseTuning(memoryMapBytes: 1 << 30, cacheKibibytes: 16_384)
}

/// One service's SQLite file: WAL mode, its chosen durability, the shared tables every service
/// has (outbox, idempotency records, event checkpoints) and its own versioned migrations.
public final class ServiceDatabase: Sendable {
    /// The GRDB connections: a pool (one writer, concurrent readers, WAL), or a queue for a store
    /// test in memory. Services never see it: they read and write through `TenantStore`; the
    /// transport and ServiceKit, and tests that need raw access, import `@_spi(RawDatabase) Store`.
    @_spi(RawDatabase) public let pool: any DatabaseWriter
    /// The service's event outbox.
    public let outbox: Outbox
    /// Where the file lives.
    public let path: String
    /// How long an `idempotencyKey` is honoured; older records are ignored, then swept.
    public let idempotencyRetention: Duration
    /// The service clock's "now", which judges that age.
    public let now: @Sendable () -> Date

    /// Opens (creating if needed) the file at `path` and runs every migration not yet applied.
    /// `migrations` registers the service's own, after the shared ones; never edit a shipped one.
    public convenience init(
        path: String, source: String, durability: Durability,
        idempotencyRetention: Duration = ServiceDatabase.defaultIdempotencyRetention,
        now: @escaping @Sendable () -> Date = { Date() },
        tuning: DatabaseTuning = .standard,
        migrations: (inout DatabaseMigrator) -> Void = { _ in }
    ) throws {
        let configuration = Self.configuration(durability: durability, tuning: tuning)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let migrator = Self.migrator(migrations)
        // Replicas sharing one file (several matching workers on one host) start together: one
        // opens (switching a new file to WAL) and migrates at a time, and the others then find
        // nothing left to do.
        let pool = try MigrationLock.hold(path + ".migration-lock") {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            return pool
        }
        try self.init(
            opened: pool, path: path, source: source, idempotencyRetention: idempotencyRetention, now: now)
    }

    /// Takes connections already opened and migrated.
    init(
        opened pool: any DatabaseWriter, path: String, source: String, idempotencyRetention: Duration,
        now: @escaping @Sendable () -> Date
    ) throws {
        self.pool = pool
        self.path = path
        self.idempotencyRetention = idempotencyRetention
        self.now = now
        guard let epoch = try pool.read({ try OutboxEpoch.fetchOne($0) }) else {
            throw DatabaseError(message: "\(path) has no outbox epoch")
        }
        outbox = Outbox(source: source, epoch: epoch.epoch)
    }

    /// How every connection is set up: the durability, foreign keys, the tuning.
    static func configuration(durability: Durability, tuning: DatabaseTuning) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            if tuning.memoryMapBytes > 0 { try db.execute(sql: "PRAGMA mmap_size = \(tuning.memoryMapBytes)") }
            if tuning.cacheKibibytes != DatabaseTuning.standard.cacheKibibytes {
                try db.execute(sql: "PRAGMA cache_size = -\(tuning.cacheKibibytes)")
            }
        }
        return configuration
    }

    /// The shared migrations, then the service's own.
    static func migrator(_ migrations: (inout DatabaseMigrator) -> Void) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        SharedMigrations.register(in: &migrator)
        DurableTimerMigrations.register(in: &migrator)
        migrations(&migrator)
        return migrator
    }
}

extension ServiceDatabase {
    /// Seven days.
    public static let defaultIdempotencyRetention = Duration.seconds(168 * 3600)

    /// Idempotency records made at or before this are expired at `now`.
    public func idempotencyExpiry(at now: Date) -> Date {
        let (seconds, attoseconds) = idempotencyRetention.components
        return now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
    }

    /// Folds the WAL into the database file (so the file alone holds every commit) and closes it.
    public func close() async throws {
        _ = try await pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try pool.close()
    }

    /// Deletes the idempotency records expired at `now`; returns how many there were.
    @discardableResult
    public func sweepIdempotencyRecords(now: Date) async throws -> Int {
        let expiredUpTo = idempotencyExpiry(at: now)
        return try await pool.write { try IdempotencyRecord.deleteExpired($0, expiredUpTo: expiredUpTo) }
    }
}

/// The tables every service has, registered by name once and never edited.
enum SharedMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("octoo.v1.outbox") { db in
            try db.create(table: "outbox") { table in
                table.primaryKey("seq", .integer)
                table.column("type", .text).notNull()
                table.column("occurredAt", .datetime).notNull()
                table.column("partnerId", .text)
                table.column("data", .blob).notNull()
            }
        }
        migrator.registerMigration("octoo.v1.idempotency") { db in
            try db.create(table: "idempotencyRecord") { table in
                table.column("scope", .text).notNull()
                table.column("key", .text).notNull()
                table.column("requestHash", .text).notNull()
                table.column("reply", .blob).notNull()
                table.column("createdAt", .datetime).notNull()
                table.primaryKey(["scope", "key"])
            }
        }
        migrator.registerMigration("octoo.v1.eventCheckpoint") { db in
            try db.create(table: "eventCheckpoint") { table in
                table.primaryKey("source", .text)
                table.column("lastSeq", .integer).notNull()
            }
        }
        migrator.registerMigration("octoo.v2.outboxEpoch") { db in
            try db.create(table: "outboxEpoch") { table in
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("epoch", .text).notNull()
            }
            try OutboxEpoch(epoch: UUID().uuidString.lowercased()).insert(db)
        }
        migrator.registerMigration("octoo.v2.outboxPartnerIndex") { db in
            // A partner's ReadEvents and its lastSeq read only its own rows.
            try db.create(
                index: "outbox_partnerId_seq", on: "outbox", columns: ["partnerId", "seq"])
        }
        migrator.registerMigration("octoo.v2.idempotencyCreatedAtIndex") { db in
            // The sweep deletes by age.
            try db.create(
                index: "idempotencyRecord_createdAt", on: "idempotencyRecord", columns: ["createdAt"])
        }
        migrator.registerMigration("octoo.v2.eventCheckpointEpoch") { db in
            try db.alter(table: "eventCheckpoint") { table in
                table.add(column: "epoch", .text)
            }
        }
    }
}

/// An exclusive advisory lock on a file beside the database, held while migrations run, so that
/// processes opening the same file at once do not race to create the same tables.
enum MigrationLock {
    static func hold<Result>(_ path: String, _ body: () throws -> Result) throws -> Result {
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
