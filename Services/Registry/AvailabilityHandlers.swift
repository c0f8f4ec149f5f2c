import Contracts
import Foundation
import ServiceKit
import Transport

/// A provider's availability: the windows it said something about, replaced as a whole.
struct AvailabilityHandlers: RegistryAvailabilityHandling {
    let store: RegistryStore
    let clock: any ServiceClock

    /// The most windows one provider may have.
    static let maxWindows = 1000

    func setAvailability(
        _ request: SetAvailabilityRequest, _ context: CallerContext
    ) async throws -> SetAvailabilityResponse {
        var validator = Validator()
        validator.require(
            request.windows.count <= Self.maxWindows, "body.windows", "must hold at most \(Self.maxWindows) windows")
        for (index, window) in request.windows.enumerated() {
            validator.require(window.from < window.to, "body.windows[\(index)].to", "must be after from")
        }
        let ordered = request.windows.enumerated().sorted { $0.element.from < $1.element.from }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.element.from < previous.element.to {
            validator.require(false, "body.windows[\(next.offset)]", "overlaps windows[\(previous.offset)]")
        }
        try validator.check()
        let windows = ordered.map(\.element)
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            _ = try transaction.find(Provider.self, request.providerId, field: "body.providerId")
            return try transaction.replaceAvailability(ofProvider: request.providerId, with: windows, at: now)
        }
    }
}
