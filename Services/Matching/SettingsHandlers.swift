import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// A partner's ranking settings. A change is stored with its `matching.settings.set` event in
/// one transaction; the event carries it to every other replica (`SettingsFollower`).
struct SettingsHandlers: MatchingSettingsHandling {
    let environment: ServiceEnvironment
    let store: MatchingStore

    func getSettings(_ request: GetSettingsRequest, _ context: CallerContext) async throws -> SettingsReply {
        let (store, partner) = (store, context.partnerId)
        return SettingsReply(settings: try await store.read(partner) { try store.settings($0, partner: partner) })
    }

    func setSettings(_ request: SetSettingsRequest, _ context: CallerContext) async throws -> SettingsReply {
        let (store, partner) = (store, context.partnerId)
        let (outbox, now, instance) = (store.outbox, environment.clock.now, environment.configuration.instance)
        let settings = try await store.write(partner) { db in
            let current = try store.settings(db, partner: partner)
            try StaleVersion.check(request.expectedVersion, actual: current.version, kind: "settings", id: partner)
            var next = try SettingsRules.apply(request, to: current)
            // The same values again change nothing, so repeating a call is harmless.
            guard
                next.weights != current.weights || next.travelBufferMinutes != current.travelBufferMinutes
                    || next.workloadWindowDays != current.workloadWindowDays
            else { return current }
            guard current.version < RankingSettings.maxVersion else {
                throw MatchingError.settingsExhausted(version: current.version)
            }
            next.version = current.version + 1
            next.updatedAt = now
            next.updatedBy = instance
            try context.checkDeadline()
            try store.merge(db, next, outbox: outbox, at: now)
            return next
        }
        return SettingsReply(settings: settings)
    }
}
