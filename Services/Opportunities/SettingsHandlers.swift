import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// The partner's request settings: the lead time of the warning that a request's slots are still
/// open close to its start (`UnfilledRequests`). Versioned; a change moves the warnings of the
/// requests not warned yet in the same transaction.
struct SettingsHandlers: OpportunitiesSettingsHandling {
    let store: OpportunitiesStore
    let environment: ServiceEnvironment

    func getSettings(_ request: Empty, _ context: CallerContext) async throws -> OpportunitiesSettingsReply {
        OpportunitiesSettingsReply(settings: try await store.read(context) { try $0.settings() })
    }

    /// Replaces each field given; the same values again change nothing (nor the version).
    func setSettings(
        _ request: SetOpportunitiesSettingsRequest, _ context: CallerContext
    ) async throws -> OpportunitiesSettingsReply {
        var validator = Validator()
        if let hours = request.unfilledSoonLeadHours {
            validator.require(
                hours.isFinite && (0...OpportunitiesSettings.maxUnfilledSoonLeadHours).contains(hours),
                "body.unfilledSoonLeadHours", "must be from 0 to \(Int(OpportunitiesSettings.maxUnfilledSoonLeadHours))"
            )
        }
        if let expected = request.expectedVersion {
            validator.require(expected >= 0, "body.expectedVersion", "must be 0 or more")
        }
        try validator.check()
        let now = environment.clock.now
        return try await store.mutate(context, request, at: now) { writer in
            var settings = try writer.settings()
            try StaleVersion.check(
                request.expectedVersion, actual: settings.version, kind: "settings", id: context.partnerId)
            let hours = request.unfilledSoonLeadHours ?? settings.unfilledSoonLeadHours
            guard hours != settings.unfilledSoonLeadHours else { return OpportunitiesSettingsReply(settings: settings) }
            settings.unfilledSoonLeadHours = hours
            settings.version += 1
            settings.updatedAt = now
            try writer.save(settings, at: now)
            return OpportunitiesSettingsReply(settings: settings)
        }
    }
}

extension OpportunitiesWriter {
    /// Saves the partner's settings; the requests not warned yet take the new lead time.
    func save(_ settings: OpportunitiesSettings, at now: Date) throws {
        try settings.save(db)
        try rearmUnfilledWarnings(at: now)
    }
}
