import Contracts
import Foundation
import ServiceKit
import Transport

/// Qualifications applied to providers (badges), and whether they are in effect over a window.
struct BadgeHandlers: RegistryBadgeHandling {
    let store: RegistryStore
    let clock: any ServiceClock

    func applyQualification(
        _ request: ApplyQualificationRequest, _ context: CallerContext
    ) async throws -> AppliedQualificationReply {
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            let (provider, qualification, existing) = try Self.badge(request, in: transaction)
            // Applying twice returns the first badge, so a retry is harmless.
            if let existing { return AppliedQualificationReply(applied: existing) }
            try QualificationPolicy.requireApplicable(qualification, to: provider)
            let badge = AppliedQualification(
                partnerId: transaction.partnerId, providerId: provider.id, qualificationId: qualification.id,
                appliedAt: now)
            try transaction.apply(badge, at: now)
            return AppliedQualificationReply(applied: badge)
        }
    }

    func removeQualification(
        _ request: RemoveQualificationRequest, _ context: CallerContext
    ) async throws -> AppliedQualificationReply {
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            guard let badge = try Self.badge(request, in: transaction).applied else {
                throw RegistryError.notApplied(qualificationId: request.qualificationId, providerId: request.providerId)
            }
            try transaction.remove(badge, at: now)
            return AppliedQualificationReply(applied: badge)
        }
    }

    func checkQualifications(
        _ request: CheckQualificationsRequest, _ context: CallerContext
    ) async throws -> CheckQualificationsResponse {
        try context.requireOwn(
            providerId: request.providerId, kind: Provider.kind, id: request.providerId, field: "body.providerId")
        var validator = Validator()
        validator.require(request.from < request.to, "body.to", "must be after from")
        if let ids = request.qualificationIds { _ = validator.codes(ids, field: "body.qualificationIds") }
        try validator.check()
        return try await store.read(context.partnerId) { transaction in
            let provider = try transaction.find(Provider.self, request.providerId, field: "body.providerId")
            let results = try transaction.statuses(
                of: provider, qualificationIds: request.qualificationIds, from: request.from, to: request.to,
                zone: request.zone)
            return CheckQualificationsResponse(providerId: provider.id, results: results)
        }
    }

    /// The provider and qualification a badge request names (`NOT_FOUND` naming the field), and
    /// the badge if the qualification is applied.
    private static func badge(
        _ request: ApplyQualificationRequest, in transaction: RegistryTransaction
    ) throws -> (Provider, Qualification, applied: AppliedQualification?) {
        let provider = try transaction.find(Provider.self, request.providerId, field: "body.providerId")
        let qualification = try transaction.find(
            Qualification.self, request.qualificationId, field: "body.qualificationId")
        let applied = try transaction.badge(providerId: provider.id, qualificationId: qualification.id)
        return (provider, qualification, applied)
    }
}
