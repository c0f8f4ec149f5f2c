import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// A provider's erasure through the bus: the registry keeps a pseudonym and rewrites its old
/// events and kept replies; matching forgets the provider; broadcast erases the addresses it
/// contacted them at, everywhere it kept them; counts and histories stay.
@Suite("Erasing a provider's personal data, through the bus", .serialized)
struct ErasureTests {
    static let address = "aa-01@example.org"
    static let phone = "+1 312 555 0101"

    /// Whether `value`, as JSON, holds any of `texts`.
    static func holds(_ value: some Encodable, _ texts: [String]) throws -> [String] {
        let json = String(decoding: try WireCoding.encode(value), as: UTF8.self)
        return texts.filter { json.contains($0) }
    }

    @Test func erasingAProviderRemovesTheirDataEverywhereAndKeepsTheCounts() async throws {
        try await BroadcastWorld.with { world in
            // A phone number, sent with an idempotency key: the registry keeps the reply.
            let keyed = RegistryClient(
                world.registryRPC, actor: world.partner, options: .patient(idempotencyKey: "k-1"))
            let phoned = UpsertProviderRequest(id: "aa-01", phone: Self.phone)
            _ = try await keyed.upsertProvider(phoned)
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            let attempt = try world.attempt("aa-01", wave: 1, detail)
            #expect(attempt.channel?.address == Self.address)
            // A bounce quoting the address, reported with a key: broadcast keeps the reply too.
            let reporter = BroadcastClient(world.rpc, actor: world.partner, options: .patient(idempotencyKey: "k-2"))
            let bounce = ReportDeliveryRequest(
                attemptId: attempt.id, delivered: false, error: "mailbox \(Self.address) is full")
            #expect(try await reporter.reportDelivery(bounce).attempt.disposition == "DELIVERY_FAILED")
            let statsBefore = try await world.broadcast.stats(StatsRequest(requestId: request.id))
            let rankedBefore = try await world.rank(request)
            #expect(rankedBefore.ranked.contains { $0.providerId == "aa-01" })

            let erased = try await world.registry.eraseProvider(
                EraseProviderRequest(providerId: "aa-01", reason: "asked by the provider on 2031-01-01"))
            let provider = erased.provider
            #expect(provider.name.hasPrefix("Erased provider ") && provider.erasedAt != nil && !provider.active)
            #expect(provider.email == nil && provider.phone == nil && provider.location == nil)
            #expect(erased.reason == "asked by the provider on 2031-01-01")
            let personal = ["Provider aa-01", Self.address, Self.phone, "41.88"]

            // The registry: the record, every event, the reply kept for the key.
            let read = try await world.registry.getProvider(GetProviderRequest(id: "aa-01")).provider
            #expect(read == provider)
            let events = try await world.registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1000).events
            let aboutAda = events.filter {
                $0.data["id"]?.stringValue == "aa-01" || $0.data["providerId"]?.stringValue == "aa-01"
            }
            #expect(aboutAda.count >= 3)
            #expect(try Self.holds(aboutAda, personal).isEmpty, "registry events still hold personal data")
            #expect(events.filter { $0.type == Registry.EventType.providerErased }.count == 1)
            let replayed = try await keyed.upsertProvider(phoned).provider
            #expect(replayed.name == provider.name && replayed.phone == nil && replayed.email == nil)
            // Erasure cannot be undone, and erasing again changes nothing.
            do {
                _ = try await world.registry.upsertProvider(UpsertProviderRequest(id: "aa-01", name: "Ana again"))
                Issue.record("an erased provider was changed")
            } catch let error as RPCError {
                #expect(error.code == .failedPrecondition, "\(error)")
            }
            let again = try await world.registry.eraseProvider(EraseProviderRequest(providerId: "aa-01", reason: "x"))
            #expect(again.provider == provider && again.reason == erased.reason)
            let after = try await world.registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1000).events
            #expect(after.filter { $0.type == Registry.EventType.providerErased }.count == 1)

            // Matching: never ranked again, nor even considered.
            let rankedAfter = try await world.rank(request)
            #expect(!rankedAfter.ranked.contains { $0.providerId == "aa-01" })
            #expect(!rankedAfter.filtered.contains { $0.providerId == "aa-01" })
            #expect(rankedAfter.counts.considered == rankedBefore.counts.considered - 1)

            // Broadcast: the address it contacted them at, in the attempt, its events and the kept reply.
            detail = try await world.detail(request.id, "the address erased") {
                $0.attempts.first { $0.providerId == "aa-01" }?.channel?.address == "erased"
            }
            let kept = try world.attempt("aa-01", wave: 1, detail)
            #expect(kept.deliveryError == "mailbox erased is full" && kept.disposition == "DELIVERY_FAILED")
            let broadcastEvents = try await world.rpc.readEvents(Broadcast.service, afterSeq: 0, limit: 1000).events
            #expect(try Self.holds(broadcastEvents, personal).isEmpty, "broadcast events still hold personal data")
            #expect(try await reporter.reportDelivery(bounce).attempt.channel?.address == "erased")
            // Counts and histories stay: the same figures, the opportunity still theirs.
            #expect(try await world.broadcast.stats(StatsRequest(requestId: request.id)) == statsBefore)
            let opportunities = try await world.opportunities.getRequest(IdRequest(id: request.id)).opportunities
            #expect(opportunities.contains { $0.providerId == "aa-01" })
        }
    }
}

extension BroadcastWorld {
    /// Matching's ranking of `request` once it has applied every registry event so far.
    func rank(_ request: RequestRecord) async throws -> RankResponse {
        let seq = try await registryRPC.readEvents(Registry.service, afterSeq: 0, limit: 1).lastSeq
        let matching = MatchingClient(matchingRPC, actor: partner, options: .patient())
        return try await matching.rank(
            RankRequest(job: request.job, requestId: request.id, minSeq: [Registry.service: seq], pageSize: 1000))
    }
}
