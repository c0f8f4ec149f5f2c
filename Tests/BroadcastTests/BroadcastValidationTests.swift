import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Broadcast's refusals, roles, tenancy, policy and catalogue through the bus.
@Suite("Broadcast through the bus: validation, roles, policy", .serialized)
struct BroadcastValidationTests {
    /// One bad call: the code and field it must fail with.
    struct BadCall: Sendable {
        var name: String
        var code: StatusCode
        var field: String?
        var call: @Sendable (BroadcastWorld, Fixture) async throws -> Void
    }

    /// What the bad calls refer to.
    struct Fixture: Sendable {
        var requestId: String
        var attemptId: String
        var cancelledId: String
    }

    static func client(_ world: BroadcastWorld, _ actor: Actor) -> BroadcastClient {
        BroadcastClient(world.rpc, actor: actor, options: .patient(retry: .none))
    }

    static let badCalls: [BadCall] = [
        BadCall(name: "Get of nothing", code: .notFound, field: "body.requestId") { w, _ in
            _ = try await w.broadcast.get(BroadcastRequestId(requestId: "rq-nope"))
        },
        BadCall(name: "Get of another tenant's", code: .notFound, field: "body.requestId") { w, f in
            _ = try await client(w, Actor(role: .partner, partnerId: "p-other")).get(
                BroadcastRequestId(requestId: f.requestId))
        },
        BadCall(name: "Get by a provider", code: .permissionDenied, field: nil) { w, f in
            _ = try await client(w, Actor(role: .provider, partnerId: w.partnerId, id: "aa-01")).get(
                BroadcastRequestId(requestId: f.requestId))
        },
        BadCall(name: "Block by a customer", code: .permissionDenied, field: nil) { w, _ in
            _ = try await client(w, Actor(role: .customer, partnerId: w.partnerId, id: w.school.id)).block(
                BlockRequest(providerId: "aa-01"))
        },
        BadCall(name: "Start without a request id", code: .invalidArgument, field: "body.requestId") { w, _ in
            _ = try await w.broadcast.start(StartRequest(requestId: ""))
        },
        BadCall(name: "Start of an unknown request", code: .notFound, field: "body.requestId") { w, _ in
            _ = try await w.broadcast.start(StartRequest(requestId: "rq-nope"))
        },
        BadCall(name: "Start of a cancelled request", code: .failedPrecondition, field: nil) { w, f in
            _ = try await w.broadcast.start(StartRequest(requestId: f.cancelledId))
        },
        BadCall(name: "Override pinning and excluding one", code: .invalidArgument, field: "body.exclude") { w, f in
            _ = try await w.broadcast.override(OverrideRequest(requestId: f.requestId, pin: ["a"], exclude: ["a"]))
        },
        BadCall(name: "Override repeating an id", code: .invalidArgument, field: "body.order") { w, f in
            _ = try await w.broadcast.override(OverrideRequest(requestId: f.requestId, order: ["a", "a"]))
        },
        BadCall(name: "Override of a stale version", code: .aborted, field: "body.expectedVersion") { w, f in
            _ = try await w.broadcast.override(OverrideRequest(requestId: f.requestId, pin: [], expectedVersion: 1))
        },
        BadCall(name: "Pause of nothing", code: .notFound, field: "body.requestId") { w, _ in
            _ = try await w.broadcast.pause(BroadcastActionRequest(requestId: "rq-nope"))
        },
        BadCall(name: "Recycle with a bad code", code: .invalidArgument, field: "body.codes[0]") { w, f in
            _ = try await w.broadcast.recycle(RecycleRequest(requestId: f.requestId, codes: ["no"]))
        },
        BadCall(name: "SetDisposition of no attempt", code: .notFound, field: "body.attemptId") { w, _ in
            _ = try await w.broadcast.setDisposition(SetDispositionRequest(attemptId: "at-nope", code: "DECLINED"))
        },
        BadCall(name: "SetDisposition of a system code", code: .failedPrecondition, field: "body.code") { w, f in
            _ = try await w.broadcast.setDisposition(SetDispositionRequest(attemptId: f.attemptId, code: "NO_RESPONSE"))
        },
        BadCall(name: "SetDisposition of an unknown code", code: .notFound, field: "body.code") { w, f in
            _ = try await w.broadcast.setDisposition(SetDispositionRequest(attemptId: f.attemptId, code: "NOPE"))
        },
        BadCall(name: "ReportDelivery of no attempt", code: .notFound, field: "body.attemptId") { w, _ in
            _ = try await w.broadcast.reportDelivery(ReportDeliveryRequest(attemptId: "at-nope", delivered: true))
        },
        BadCall(name: "DefineDisposition with a bad code", code: .invalidArgument, field: "body.code") { w, _ in
            _ = try await w.broadcast.defineDisposition(DefineDispositionRequest(code: "call me", label: "x"))
        },
        BadCall(name: "DefineDisposition relabelling a default", code: .failedPrecondition, field: "body.label") {
            w, _ in
            _ = try await w.broadcast.defineDisposition(DefineDispositionRequest(code: "DECLINED", label: "No"))
        },
        BadCall(name: "ArchiveDisposition of a default", code: .failedPrecondition, field: "body.code") { w, _ in
            _ = try await w.broadcast.archiveDisposition(DispositionCodeRequest(code: "DECLINED"))
        },
        BadCall(name: "ArchiveDisposition of nothing", code: .notFound, field: "body.code") { w, _ in
            _ = try await w.broadcast.archiveDisposition(DispositionCodeRequest(code: "NOPE"))
        },
        BadCall(name: "Block without a provider", code: .invalidArgument, field: "body.providerId") { w, _ in
            _ = try await w.broadcast.block(BlockRequest(providerId: ""))
        },
        BadCall(name: "Unblock of no entry", code: .notFound, field: "body.providerId") { w, _ in
            _ = try await w.broadcast.unblock(UnblockRequest(providerId: "aa-01"))
        },
        BadCall(name: "SetPolicy without bands", code: .invalidArgument, field: "body.bands") { w, _ in
            _ = try await w.broadcast.setPolicy(SetPolicyRequest(bands: []))
        },
        BadCall(name: "SetPolicy without a band from 0 hours", code: .invalidArgument, field: "body.bands") { w, _ in
            _ = try await w.broadcast.setPolicy(
                SetPolicyRequest(bands: [PolicyBand(minLeadHours: 4, waveSize: 1, intervalMinutes: 60)]))
        },
        BadCall(name: "SetPolicy of a stale version", code: .aborted, field: "body.expectedVersion") { w, _ in
            _ = try await w.broadcast.setPolicy(
                SetPolicyRequest(bands: BroadcastPolicy.standard.bands, expectedVersion: 3))
        },
        BadCall(name: "Stats of nothing said", code: .invalidArgument, field: "body.from") { w, _ in
            _ = try await w.broadcast.stats(StatsRequest())
        },
        BadCall(name: "Stats of an empty period", code: .invalidArgument, field: "body.to") { w, _ in
            let now = w.clock.now
            _ = try await w.broadcast.stats(StatsRequest(from: now, to: now))
        },
        BadCall(name: "List with pageSize 0", code: .invalidArgument, field: "body.pageSize") { w, _ in
            _ = try await w.broadcast.list(ListBroadcastsRequest(pageSize: 0))
        },
    ]

    @Test func everyBadCallFailsWithItsCodeAndFieldAndChangesNothing() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            let detail = try await world.wave(1, of: request.id)
            let cancelled = try await world.create(days: 6)
            try await world.wave(1, of: cancelled.id)
            _ = try await world.opportunities.cancelRequest(CancelRequestRequest(id: cancelled.id))
            try await world.detail(cancelled.id) { $0.state == .stopped }
            let fixture = Fixture(
                requestId: request.id, attemptId: try world.attempt("aa-01", wave: 1, detail).id,
                cancelledId: cancelled.id)
            _ = try await world.broadcast.override(OverrideRequest(requestId: request.id, pin: []))
            let before = try await world.rpc.readEvents(Broadcast.service, afterSeq: 0, actor: world.partner).lastSeq
            for row in Self.badCalls {
                do {
                    try await row.call(world, fixture)
                    Issue.record("\(row.name): succeeded")
                } catch let error as RPCError {
                    #expect(error.code == row.code, "\(row.name): \(error)")
                    if let field = row.field { #expect(error.details.first?.field == field, "\(row.name): \(error)") }
                }
            }
            let after = try await world.rpc.readEvents(Broadcast.service, afterSeq: 0, actor: world.partner).lastSeq
            #expect(after == before)
            #expect(
                try await world.broadcast.get(BroadcastRequestId(requestId: request.id)).attempts == detail.attempts)
        }
    }

    @Test func thePolicyIsVersionedAndIdempotent() async throws {
        try await BroadcastWorld.with { world in
            var policy = try await world.broadcast.getPolicy().policy
            #expect(policy == .standard)
            let bands = [
                PolicyBand(minLeadHours: 0, waveSize: 2, intervalMinutes: 60),
                PolicyBand(minLeadHours: 48, waveSize: 1, intervalMinutes: 240),
            ]
            let keyed = BroadcastClient(
                world.rpc, actor: world.partner, options: .patient(idempotencyKey: "k-1"))
            let set = SetPolicyRequest(bands: bands, startWindowDays: 10, expectedVersion: 0)
            policy = try await keyed.setPolicy(set).policy
            #expect(policy.version == 1 && policy.bands.map(\.minLeadHours) == [48, 0] && policy.startWindowDays == 10)
            #expect(try await keyed.setPolicy(set).policy == policy)
            #expect(try await world.broadcast.getPolicy().policy == policy)
            // The new policy plans the next request's waves.
            let request = try await world.create(days: 1)
            let detail = try await world.wave(1, of: request.id)
            #expect(world.providers(ofWave: 1, detail) == ["aa-01", "aa-02"] && detail.waves[0].intervalMinutes == 60)
        }
    }

    @Test func describeListsEveryMethod() async throws {
        try await BroadcastWorld.with { world in
            let described = try await world.rpc.describe(Broadcast.service)
            let common = ["broadcast.Describe", "broadcast.Health", "broadcast.ReadEvents", "broadcast.SetClock"]
            #expect(described.methods.map(\.name) == (Broadcast.methodNames + common).sorted())
            #expect(Broadcast.methodNames.count == 23)
            // Opportunities' events drive the broadcasts; the registry's tell it of erasures.
            let health = try await world.rpc.health(Broadcast.service)
            #expect(health.events?.map(\.source) == [Opportunities.service, Registry.service])
        }
    }
}
