import Foundation
import GRDB

extension ServiceDatabase {
    /// A database in memory with every migration run, for store tests (GRDB's `AppDatabase`
    /// demo): the same tables and stores as a service's file, and nothing left behind.
    public static func inMemory(
        source: String, migrations: (inout DatabaseMigrator) -> Void = { _ in }
    ) throws -> ServiceDatabase {
        let queue = try DatabaseQueue(configuration: configuration(durability: .normal, tuning: .standard))
        try migrator(migrations).migrate(queue)
        return try ServiceDatabase(
            opened: queue, path: ":memory:", source: source, idempotencyRetention: defaultIdempotencyRetention,
            now: { Date() })
    }
}
