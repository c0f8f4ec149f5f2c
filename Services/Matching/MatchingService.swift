import Contracts
import Foundation
import GRDB
import ServiceKit
import Store

/// The `matching` service: ranks providers for a request from its read model of the registry and
/// job history, fed only by events, so it can run as several replicas and be rebuilt at will.
public enum MatchingService {
    /// The service's name on the bus and in events.
    public static let name = Matching.service

    /// Everything that makes the service what it is, for `ServiceApplication`.
    /// Ranking computes, so handlers run off the I/O thread; the worker takes requests only once
    /// its read model has caught up.
    public static let definition = ServiceDefinition(
        name: name, durability: .normal, databaseTuning: .readModel, migrations: MatchingMigrations.register(in:),
        handlerExecutor: .global, readyAfterCatchUp: true
    ) { environment in
        let store = MatchingStore(environment.database)
        let engine = RankingEngine(store: store, maxMessageBytes: environment.configuration.maxMessageBytes)
        let handlers = Matching.Handlers(
            ranking: RankingHandlers(engine: engine),
            settings: SettingsHandlers(environment: environment, store: store),
            status: StatusHandlers(environment: environment, store: store))
        return ServiceParts(
            routes: { Matching.register(handlers, into: &$0) },
            events: EventHandling(
                sources: Matching.sources,
                reset: { db, source in
                    try ReadModelWriter.reset(db, source: source, reason: "the source's seqs were reused", at: Date())
                }, apply: ReadModelWriter.apply),
            background: [SettingsFollower(environment: environment, store: store)])
    }

    /// Forgets everything the read model applied (settings are kept) and resets its checkpoints,
    /// so the next start applies every source again from `seq` 1 (`matching --rebuild`).
    public static func rebuild(configuration: ServiceConfiguration, at now: Date = Date()) async throws {
        let database = try ServiceDatabase(
            path: configuration.databasePath, source: name, durability: definition.durability,
            tuning: definition.databaseTuning, migrations: definition.migrations)
        try await MatchingStore(database).writeAcrossTenants { db in
            for source in Matching.sources {
                try ReadModelWriter.reset(db, source: source, reason: "matching --rebuild", at: now)
                try EventCheckpoint.advance(db, source: source, to: 0, epoch: nil)
            }
        }
        try await database.close()
    }
}
