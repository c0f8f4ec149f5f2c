import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// A provider's availability: the windows it said something about, replaced as a whole (by the
/// partner, or by the provider itself), and listed over a stretch of time.
struct AvailabilityHandlers: RegistryAvailabilityHandling {
    let store: RegistryStore
    let clock: any ServiceClock
    /// The reply size limit lists are paged to.
    let maxReplyBytes: Int

    /// The most windows one provider may have.
    static let maxWindows = 1000

    func setAvailability(
        _ request: SetAvailabilityRequest, _ context: CallerContext
    ) async throws -> SetAvailabilityResponse {
        try context.requireOwn(
            providerId: request.providerId, kind: Provider.kind, id: request.providerId, field: "body.providerId")
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

    /// Windows overlapping [from, to) by provider then start, paged by count and by the reply
    /// size; a provider lists its own only (another's id answers `NOT_FOUND`).
    func listAvailability(
        _ request: ListAvailabilityRequest, _ context: CallerContext
    ) async throws -> ListAvailabilityResponse {
        var validator = Validator()
        validator.require(request.from < request.to, "body.to", "must be after from")
        let ids = request.providerIds.map { validator.codes($0, field: "body.providerIds") }
        try validator.check()
        try Paging.validate(pageSize: request.pageSize)
        for (index, id) in (ids ?? []).enumerated() {
            try context.requireOwn(providerId: id, kind: Provider.kind, id: id, field: "body.providerIds[\(index)]")
        }
        let providerIds = context.role == .provider ? (ids ?? [context.actorId]) : ids
        let limit = request.pageSize ?? 200
        let query = [
            "availability", context.partnerId, context.actorId, (providerIds ?? []).joined(separator: ","),
            Timestamp.format(request.from), Timestamp.format(request.to),
        ].joined(separator: "|")
        let after = try Paging.after(token: request.pageToken, query: query).map(Self.position)
        let found = try await store.read(context.partnerId) { transaction in
            if let providerIds {
                _ = try transaction.findAll(Provider.self, providerIds, field: "body.providerIds")
            }
            // One more than asked, to know whether another page follows.
            return try transaction.availability(
                ofProviders: providerIds, from: request.from, to: request.to, after: after ?? nil, limit: limit + 1)
        }
        let page = Array(found.prefix(limit))
        let windows = Array(page.prefix(try Paging.fitting(page, maxBytes: maxReplyBytes)))
        guard found.count > windows.count, let last = windows.last else {
            return ListAvailabilityResponse(windows: windows)
        }
        let key = "\(last.providerId)\n\(last.from.timeIntervalSince1970)"
        return ListAvailabilityResponse(windows: windows, nextPageToken: Paging.token(after: key, query: query))
    }

    /// The window a page token's key names: its provider and start.
    private static func position(_ key: String) -> (providerId: String, start: Date)? {
        guard let newline = key.lastIndex(of: "\n"),
            let seconds = Double(key[key.index(after: newline)...])
        else { return nil }
        return (String(key[..<newline]), Date(timeIntervalSince1970: seconds))
    }
}
