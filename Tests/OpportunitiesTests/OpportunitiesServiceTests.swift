import BroadcastService
import Contracts
import Foundation
import MatchingService
import OctooTesting
import OpportunitiesService
import RegistryService
import ServiceKit
import Testing
import Transport
import Wire

/// A call's refusal by its status code alone: the tests compare codes, never message text.
struct Refused: Error, Equatable {
    var code: StatusCode

    init(_ code: StatusCode) { self.code = code }
}

/// The four services in-process on one manual clock (matching judges automatic decisions, with
/// broadcast's block list; broadcast starts no broadcast by itself here), with the shared `PartnerFixture` as
/// partner `p-1` and, on top, what these tests need: five providers of one type (`pr-1`…`pr-5`),
/// `pr-3` with the fixture's `Medical`, and customer `cu-1`, who prefers `Medical` and `pr-4`.
struct OpportunitiesFixture: Sendable {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
    static let jobStart = start.addingTimeInterval(3 * 86_400)
    let client: RPCClient
    /// A client of the registry, for the tests that change what the registry knows.
    let registryRPC: RPCClient
    /// A client of broadcast, for the block list.
    let broadcastRPC: RPCClient
    let clock: ManualClock
    /// The system itself and its services by name, for what only their databases can show or do.
    let system: InProcessSystem
    let applications: [String: ServiceApplication]
    /// The shared partner: its document types, qualifications, providers and customers.
    let ready: PartnerFixture
    let customer = Actor(role: .customer, partnerId: "p-1", id: "cu-1")
    let preferredQualification: String

    var partner: Actor { ready.partner }

    static func provider(_ id: String) -> Actor { Actor(role: .provider, partnerId: "p-1", id: id) }
    /// Another service of the partner (broadcast, say).
    static let service = Actor(role: .service, partnerId: "p-1", id: "broadcast")

    /// Runs `body` against a fresh system with the fixture built; the system is torn down before
    /// this returns or rethrows.
    /// - Parameter without: services left out (to see what the others do without them).
    static func run<Result: Sendable>(
        without: Set<String> = [], _ body: (OpportunitiesFixture) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock(start: start)
        let definitions = [
            RegistryService.definition, OpportunitiesService.definition, MatchingService.definition,
            BroadcastService.definition,
        ].filter { !without.contains($0.name) }
        let system = try InProcessSystem()
        return try await tearingDown(teardown: system.shutdown) {
            var applications: [String: ServiceApplication] = [:]
            for definition in definitions {
                applications[definition.name] = try await system.start(definition, clock: clock)
            }
            let registryRPC = try system.client(Registry.service)
            let broadcastRPC = try system.client(Broadcast.service)
            let client = try system.client(Opportunities.service)
            defer {
                registryRPC.close()
                broadcastRPC.close()
                client.close()
            }
            let ready = try await PartnerFixture.build(registryRPC, partnerId: "p-1", now: start)
            // Offers are made by the tests alone.
            _ = try await BroadcastClient(broadcastRPC, actor: ready.partner).setPolicy(
                SetPolicyRequest(bands: BroadcastPolicy.standard.bands, autoStart: false))
            let registry = RegistryClient(registryRPC, actor: ready.partner)
            for id in ["pr-1", "pr-2", "pr-3", "pr-4", "pr-5"] {
                _ = try await registry.upsertProvider(
                    UpsertProviderRequest(id: id, name: id, providerType: "asl", email: "\(id)@example.org"))
            }
            let medical = try #require(ready.qualifications["Medical"])
            _ = try await registry.applyQualification(
                ApplyQualificationRequest(providerId: "pr-3", qualificationId: medical.id))
            _ = try await registry.upsertCustomer(
                UpsertCustomerRequest(
                    id: "cu-1", name: "Hospital", defaultPreferredQualificationIds: [medical.id],
                    lists: [CustomerListEntry(providerId: "pr-4", kind: .preferred)]))
            let fixture = OpportunitiesFixture(
                client: client, registryRPC: registryRPC, broadcastRPC: broadcastRPC, clock: clock, system: system,
                applications: applications, ready: ready,
                preferredQualification: medical.id)
            return try await body(fixture)
        }
    }

    /// Calls as `actor` (the partner by default), without retries.
    func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, as actor: Actor? = nil
    ) async throws(RPCError) -> Response {
        try await client.call(method, request, actor: actor ?? partner, options: .patient(retry: .none))
    }

    /// As `call`, with a refusal thrown as its code alone, for `#expect(throws: Refused(...))`.
    func attempt<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, as actor: Actor? = nil
    ) async throws(Refused) -> Response {
        do {
            return try await call(method, request, as: actor)
        } catch {
            throw Refused(error.code)
        }
    }

    /// A request of `cu-1` for an `asl` team, starting at `jobStart` for four hours.
    func request(
        teamSize: Int = 1, mode: DecisionPolicy.Mode = .manual, decider: DecisionPolicy.Decider = .partner
    ) async throws -> RequestRecord {
        try await call(
            Opportunities.createRequest,
            CreateRequestRequest(
                customerId: "cu-1", providerType: "asl", startsAt: Self.jobStart,
                endsAt: Self.jobStart.addingTimeInterval(4 * 3600), remote: true, zone: "IL", teamSize: teamSize,
                decision: DecisionPolicy(decider: decider, mode: mode))
        ).request
    }

    /// Offers, and has the provider answer interested.
    func interested(_ request: RequestRecord, _ providerId: String) async throws -> Opportunity {
        let offered = try await call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: providerId))
        let answer = RespondRequest(opportunityId: offered.opportunity.id, interested: true)
        return try await call(Opportunities.respond, answer, as: Self.provider(providerId)).opportunity
    }

    func assign(_ opportunity: Opportunity) async throws -> Opportunity {
        try await call(Opportunities.decide, DecideRequest(opportunityId: opportunity.id, assign: true)).opportunity
    }

    func state(_ id: String, as actor: Actor? = nil) async throws -> OpportunityState {
        try await call(Opportunities.getOpportunity, IdRequest(id: id), as: actor).opportunity.state
    }

    func events(_ type: String) async throws -> [Event] {
        try await client.readEvents("opportunities", afterSeq: 0, limit: 1000).events.filter { $0.type == type }
    }
}

@Suite("Opportunities service", .serialized)
struct OpportunitiesServiceTests {
    typealias Fixture = OpportunitiesFixture

    @Test func aRequestTakesTheCustomersDefaults() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            #expect(request.preferredQualificationIds == [f.preferredQualification])
            #expect(request.preferredProviderIds == ["pr-4"])
            #expect(request.status == .open)
            #expect(try await f.events("request.created").count == 1)
            let overridden = try await f.call(
                Opportunities.createRequest,
                CreateRequestRequest(
                    customerId: "cu-1", providerType: "asl", startsAt: Fixture.jobStart,
                    endsAt: Fixture.jobStart.addingTimeInterval(3600), preferredQualificationIds: [],
                    overrideDefaults: true)
            ).request
            #expect(overridden.preferredQualificationIds.isEmpty)
        }
    }

    @Test func aTeamIsContingentUntilTheLastMemberThenAssignedAtOnceAndReopensWhenOneLeaves() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 3)
            let fourth = try await f.interested(request, "pr-4")
            let first = try await f.assign(try await f.interested(request, "pr-1"))
            let second = try await f.assign(try await f.interested(request, "pr-2"))
            #expect(first.state == .contingent && second.state == .contingent)
            let third = try await f.assign(try await f.interested(request, "pr-3"))
            #expect(third.state == .assigned)
            #expect(try await f.state(first.id) == .assigned)
            #expect(try await f.state(second.id) == .assigned)
            #expect(try await f.call(Opportunities.getRequest, IdRequest(id: request.id)).request.status == .filled)
            #expect(try await f.events("request.filled").count == 1)
            // No slot left: the fourth interest was declined with the fill, and no one new is offered the job.
            #expect(try await f.state(fourth.id) == .declined)
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-5"))
            }
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.decide, DecideRequest(opportunityId: fourth.id, assign: true))
            }
            // A member leaves: the others are contingent again and the request reopens.
            let left = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: second.id, reason: "sick"),
                as: Fixture.provider("pr-2")
            ).opportunity
            #expect(left.state == .cancelled)
            #expect(try await f.state(first.id) == .contingent)
            #expect(try await f.state(third.id) == .contingent)
            #expect(try await f.events("request.reopened").count == 1)
            // The service offers the declined provider again; its interest completes the team.
            let again = try await f.call(
                Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-4"), as: Fixture.service)
            #expect(again.opportunity.id == fourth.id && again.opportunity.state == .offered && again.created == false)
            let interest = try await f.call(
                Opportunities.respond, RespondRequest(opportunityId: fourth.id, interested: true),
                as: Fixture.provider("pr-4"))
            _ = try await f.assign(interest.opportunity)
            #expect(try await f.state(first.id) == .assigned)
        }
    }

    @Test func decisionModes() async throws {
        try await Fixture.run { f in
            let automatic = try await f.request(teamSize: 2, mode: .automatic)
            #expect(try await f.interested(automatic, "pr-1").state == .contingent)
            let hybrid = try await f.request(teamSize: 3, mode: .hybrid)
            #expect(try await f.interested(hybrid, "pr-1").state == .pending)  // neither preferred nor qualified
            #expect(try await f.interested(hybrid, "pr-4").state == .contingent)  // on the preferred list
            #expect(try await f.interested(hybrid, "pr-3").state == .contingent)  // meets every preferred qualification
            let manual = try await f.request(mode: .manual)
            #expect(try await f.interested(manual, "pr-4").state == .pending)
            // A customer decides only where the request says so.
            let pending = try await f.interested(manual, "pr-2")
            await #expect(throws: Refused(.permissionDenied)) {
                try await f.attempt(
                    Opportunities.decide, DecideRequest(opportunityId: pending.id, assign: true), as: f.customer)
            }
            let byCustomer = try await f.request(decider: .customer)
            let interest = try await f.interested(byCustomer, "pr-1")
            let decided = try await f.call(
                Opportunities.decide, DecideRequest(opportunityId: interest.id, assign: true), as: f.customer)
            #expect(decided.opportunity.state == .assigned)
        }
    }

    @Test func cancellationsAreBillableInsideTheWindowAndNeverForTheProvider() async throws {
        try await Fixture.run { f in
            _ = try await f.call(
                Opportunities.setCancellationPolicy,
                SetCancellationPolicyRequest(
                    scope: .customer, subjectId: "cu-1",
                    bands: [
                        CancellationBand(hoursBeforeStart: 48, billablePercent: 50),
                        CancellationBand(hoursBeforeStart: 24, billablePercent: 100),
                    ]))
            _ = try await f.call(
                Opportunities.setCancellationPolicy,
                SetCancellationPolicyRequest(
                    scope: .provider, subjectId: "pr-2",
                    bands: [CancellationBand(hoursBeforeStart: 100, billablePercent: 75)]))
            let request = try await f.request(teamSize: 4)
            let a = try await f.assign(try await f.interested(request, "pr-1"))
            let b = try await f.assign(try await f.interested(request, "pr-2"))
            let c = try await f.assign(try await f.interested(request, "pr-3"))
            func cancel(_ opportunity: Opportunity, _ reason: String, as actor: Actor) async throws -> Opportunity {
                let body = CancelRequestBody(opportunityId: opportunity.id, reason: reason)
                return try await f.call(Opportunities.cancel, body, as: actor).opportunity
            }
            // 72 h before the start: outside the customer's bands, inside pr-2's.
            #expect(try await cancel(a, "plans changed", as: f.customer).state == .cancelled)
            let stricter = try await cancel(b, "plans changed", as: f.customer)
            #expect(stricter.state == .cancelledBillable && stricter.billablePercent == 75)
            // 30 h before: the customer's 50 % band.
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(-30 * 3600))
            let billable = try await cancel(c, "no longer needed", as: f.partner)
            #expect(billable.state == .cancelledBillable && billable.billablePercent == 50)
            let d = try await f.assign(try await f.interested(request, "pr-4"))
            let own = try await cancel(d, "sick", as: Fixture.provider("pr-4"))
            #expect(own.state == .cancelled && own.billablePercent == nil)
        }
    }

    @Test func cancellingTheRequestCancelsEveryLiveOpportunity() async throws {
        try await Fixture.run { f in
            _ = try await f.call(
                Opportunities.setCancellationPolicy,
                SetCancellationPolicyRequest(
                    scope: .customer, subjectId: "cu-1",
                    bands: [CancellationBand(hoursBeforeStart: 96, billablePercent: 20)]))
            let request = try await f.request(teamSize: 3)
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            let pending = try await f.interested(request, "pr-2")
            let offered = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-3"))
            let reply = try await f.call(
                Opportunities.cancelRequest, CancelRequestRequest(id: request.id, reason: "event cancelled"),
                as: f.customer)
            #expect(reply.request.status == .cancelled)
            let states = Dictionary(uniqueKeysWithValues: reply.opportunities.map { ($0.id, $0.state) })
            #expect(states[assigned.id] == .cancelledBillable)
            #expect(states[pending.id] == .declined)
            #expect(states[offered.opportunity.id] == .declined)
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-4"))
            }
            let cancelled = try await f.events("request.cancelled")
            #expect(cancelled.count == 1)
            // Announced before the opportunities it ends: a subscriber that settles after each
            // event (broadcast) never sees the freed slots as open.
            let ended = try await f.events("opportunity.changed").filter {
                $0.data["to"]?.stringValue == "CANCELLED_BILLABLE"
                    || $0.data["action"]?.stringValue == "withdrawForRequest"
            }
            #expect(!ended.isEmpty && ended.allSatisfy { $0.seq > cancelled[0].seq })
        }
    }

    @Test func replacementsAreMaskedFromTheOtherPartyAndCancelTheOriginalWhenFound() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let original = try await f.assign(try await f.interested(request, "pr-1"))
            let sought = try await f.call(
                Opportunities.seekReplacement,
                OpportunityActionRequest(opportunityId: original.id, reason: "double-booked"),
                as: Fixture.provider("pr-1")
            ).opportunity
            #expect(sought.state == .replacementSought && sought.replacementSoughtBy == "provider")
            #expect(try await f.state(original.id, as: f.customer) == .assigned)
            #expect(try await f.state(original.id, as: f.partner) == .replacementSought)
            let customersHistory = try await f.call(
                Opportunities.history, HistoryRequest(id: original.id), as: f.customer)
            #expect(customersHistory.transitions.allSatisfy { $0.to != .replacementSought })
            let partnersHistory = try await f.call(Opportunities.history, HistoryRequest(id: original.id))
            #expect(partnersHistory.transitions.last?.to == .replacementSought)
            #expect(try await f.events("replacement.sought").count == 1)
            // The customer cannot withdraw what it never asked for.
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(
                    Opportunities.withdrawReplacement, OpportunityActionRequest(opportunityId: original.id),
                    as: f.customer)
            }
            // A replacement is assigned: the original is cancelled, not billable (the provider asked).
            let replacement = try await f.assign(try await f.interested(request, "pr-2"))
            #expect(replacement.state == .assigned)
            #expect(try await f.state(original.id) == .cancelled)
            #expect(try await f.state(original.id, as: f.customer) == .cancelled)
        }
    }

    @Test func replacementOffersStayHiddenAndAWithdrawalOnAnIncompleteTeamIsContingent() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 2)
            let a = try await f.assign(try await f.interested(request, "pr-1"))
            let b = try await f.assign(try await f.interested(request, "pr-2"))
            _ = try await f.call(
                Opportunities.seekReplacement, OpportunityActionRequest(opportunityId: b.id),
                as: Fixture.provider("pr-2"))
            // The search for a replacement shows nowhere the customer looks.
            let candidate = try await f.interested(request, "pr-3")
            let customerView = try await f.call(Opportunities.getRequest, IdRequest(id: request.id), as: f.customer)
            #expect(Set(customerView.opportunities.map(\.providerId)) == ["pr-1", "pr-2"])
            #expect(customerView.opportunities.allSatisfy { $0.state == .assigned })
            let customerList = try await f.call(
                Opportunities.listOpportunities, ListOpportunitiesRequest(requestId: request.id), as: f.customer)
            #expect(customerList.opportunities.count == 2)
            let partnerView = try await f.call(Opportunities.getRequest, IdRequest(id: request.id))
            #expect(partnerView.opportunities.contains { $0.id == candidate.id })
            // A leaves; B withdraws the replacement request: B is contingent, like an incomplete team.
            _ = try await f.call(
                Opportunities.cancel, CancelRequestBody(opportunityId: a.id, reason: "sick"),
                as: Fixture.provider("pr-1"))
            let withdrawn = try await f.call(
                Opportunities.withdrawReplacement, OpportunityActionRequest(opportunityId: b.id),
                as: Fixture.provider("pr-2")
            ).opportunity
            #expect(withdrawn.state == .contingent)
        }
    }

    @Test func idempotencyKeysBelongToTheActor() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let one = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            let two = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-2"))
            let options = CallOptions.patient(idempotencyKey: "same-key", retry: .none)
            let first = try await f.client.call(
                Opportunities.respond, RespondRequest(opportunityId: one.opportunity.id, interested: true),
                actor: Fixture.provider("pr-1"), options: options)
            let second = try await f.client.call(
                Opportunities.respond, RespondRequest(opportunityId: two.opportunity.id, interested: false),
                actor: Fixture.provider("pr-2"), options: options)
            #expect(first.opportunity.state == .pending && second.opportunity.state == .declined)
        }
    }

    @Test func noShowOnlyAfterTheStartAndStaleVersionsAbort() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let assigned = try await f.assign(try await f.interested(request, "pr-1"))
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.markNoShow, OpportunityActionRequest(opportunityId: assigned.id))
            }
            await #expect(throws: Refused(.aborted)) {
                try await f.attempt(
                    Opportunities.markNoShow, OpportunityActionRequest(opportunityId: assigned.id, expectedVersion: 1))
            }
            try await f.clock.set(Fixture.jobStart.addingTimeInterval(600))
            let noShow = try await f.call(
                Opportunities.markNoShow,
                OpportunityActionRequest(opportunityId: assigned.id, expectedVersion: assigned.version))
            #expect(noShow.opportunity.state == .noShow)
            let history = try await f.call(Opportunities.history, HistoryRequest(id: assigned.id)).transitions
            #expect(history.map(\.to) == [.offered, .pending, .assigned, .noShow])
            #expect(history.map(\.actorRole) == ["partner", "provider", "partner", "partner"])
        }
    }

    @Test func concurrentDecisionsOnTheLastSlotHaveExactlyOneWinner() async throws {
        try await Fixture.run { f in
            let request = try await f.request(teamSize: 1)
            var interests: [Opportunity] = []
            for provider in ["pr-1", "pr-2", "pr-3", "pr-4", "pr-5"] {
                interests.append(try await f.interested(request, provider))
            }
            let outcomes = await withTaskGroup(of: StatusCode.self) { group in
                for interest in interests {
                    group.addTask {
                        do {
                            _ = try await f.assign(interest)
                            return .ok
                        } catch {
                            return (error as? RPCError)?.code ?? .unknown
                        }
                    }
                }
                var codes: [StatusCode] = []
                for await code in group { codes.append(code) }
                return codes
            }
            #expect(outcomes.filter { $0 == .ok }.count == 1)
            #expect(outcomes.filter { $0 == .failedPrecondition }.count == 4)
        }
    }

    @Test func offersAreIdempotentPerProviderAndChecked() async throws {
        try await Fixture.run { f in
            let request = try await f.request()
            let once = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            let twice = try await f.call(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-1"))
            #expect(once.opportunity == twice.opportunity)
            #expect(once.created == true && twice.created == false)
            // The fixture's Cy is a `cart` provider: the wrong type for an `asl` request.
            let cart = try #require(f.ready.providers["Cy"]).id
            await #expect(throws: Refused(.failedPrecondition)) {
                try await f.attempt(Opportunities.offer, OfferRequest(requestId: request.id, providerId: cart))
            }
            await #expect(throws: Refused(.notFound)) {
                try await f.attempt(Opportunities.offer, OfferRequest(requestId: request.id, providerId: "pr-nope"))
            }
            // Only the provider it was offered to answers.
            await #expect(throws: Refused(.notFound)) {
                try await f.attempt(
                    Opportunities.respond, RespondRequest(opportunityId: once.opportunity.id, interested: true),
                    as: Fixture.provider("pr-2"))
            }
            let othersList = try await f.call(
                Opportunities.listOpportunities, ListOpportunitiesRequest(), as: Fixture.provider("pr-2"))
            #expect(othersList.opportunities.isEmpty)
        }
    }
}
