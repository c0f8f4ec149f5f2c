import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// Whether a provider passes every filter for a request at this moment: what an automatic or
/// hybrid decision asks before it assigns anyone. DESIGN §2's filters belong to matching
/// (`matching.Check`); until opportunities calls it, `RegistryEligibilityCheck` asks the registry
/// what it can, and the store adds conflicts (`OpportunitiesQueries.hasConflict`) in the
/// transaction that assigns.
protocol EligibilityCheck: Sendable {
    /// Every reason `providerId` may not be assigned to `request` now (none: it passes).
    func check(_ request: RequestRecord, providerId: String, for caller: CallerContext) async throws -> Eligibility
}

/// A check's verdict: it passes when there is no reason against it.
struct Eligibility: Sendable, Equatable {
    var reasons: [String]
    var passes: Bool { reasons.isEmpty }
}

/// The interim check, from the registry alone (to be replaced by one on `MatchingClient.check`):
/// the provider is active and of the request's type, every required qualification is in effect
/// over the job's window (CheckQualifications), the provider is not on the customer's
/// `doNotConsider` list and is on its `restricted` list when it has one, and its availability
/// marks no part of the job unavailable (or remote only, for an on-site job). Not judged here:
/// zone and travel radius, the partner's block list, the travel buffer around other jobs.
struct RegistryEligibilityCheck: EligibilityCheck {
    let environment: ServiceEnvironment

    func check(_ request: RequestRecord, providerId: String, for caller: CallerContext) async throws -> Eligibility {
        let registry = try environment.registry(onBehalfOf: caller)
        async let customer = registry.customer(request.customerId, field: "body.customerId")
        async let details = registry.providerDetails(providerId)
        async let statuses = registry.statuses(request.requiredQualificationIds, providerId: providerId, for: request)
        return Eligibility(
            reasons: Self.reasons(
                request, provider: try await details, customer: try await customer, statuses: try await statuses))
    }

    /// Every filter this check judges, as a pure function of what the registry said.
    static func reasons(
        _ request: RequestRecord, provider details: GetProviderResponse, customer: Customer,
        statuses: [QualificationStatus]
    ) -> [String] {
        let provider = details.provider
        var reasons: [String] = []
        if !provider.active { reasons.append("the provider is inactive") }
        if provider.providerType != request.providerType {
            reasons.append("the provider is a \(provider.providerType), not a \(request.providerType)")
        }
        for status in statuses where !status.inEffect {
            let why = status.reasons.joined(separator: "; ")
            reasons.append("required qualification \(status.name) is not in effect: \(why)")
        }
        let lists = Set(customer.lists.filter { $0.providerId == provider.id }.map(\.kind))
        if lists.contains(.doNotConsider) { reasons.append("on the customer's doNotConsider list") }
        if customer.lists.contains(where: { $0.kind == .restricted }) && !lists.contains(.restricted) {
            reasons.append("not on the customer's restricted list")
        }
        for window in details.availability where window.from < request.endsAt && window.to > request.startsAt {
            let span = "\(Timestamp.format(window.from)) to \(Timestamp.format(window.to))"
            switch window.status {
            case .unavailable: reasons.append("unavailable from \(span)")
            case .remoteOnly where !request.remote: reasons.append("remote only from \(span), and the job is on site")
            case .remoteOnly, .available: break
            }
        }
        return reasons
    }
}
