import Contracts
import Foundation
import Transport
import Wire

/// One run of the demo's scenes on a seeded partner: the clients per role, the clocks, the event
/// feed, and the simulated providers. Used by one task only.
final class DemoRun {
    let clients: BusClients
    let timeline: DemoTimeline
    let options: DemoOptions
    let partner: DemoPartner
    private(set) var clock: DemoClock
    private var feed: DemoEventFeed
    /// Attempts the simulated providers have dealt with (answered, or chose to ignore).
    private var handled: Set<String> = []
    /// Requests by scene label: `hospital`, `team`, `urgent`, `court`.
    var requests: [String: RequestRecord] = [:]
    /// Document type names by id.
    let documentTypeNames: [String: String]

    init(
        clients: BusClients, timeline: DemoTimeline, clock: DemoClock, partner: DemoPartner, options: DemoOptions
    ) async throws {
        self.clients = clients
        self.timeline = timeline
        self.clock = clock
        self.partner = partner
        self.options = options
        feed = DemoEventFeed(clients: clients, partner: partner.partner)
        feed.names = partner.names
        feed.qualificationNames = Dictionary(
            uniqueKeysWithValues: partner.qualifications.values.map { ($0.id, $0.name) })
        let documentTypes = try await RegistryClient(try clients.client(Registry.service), actor: partner.partner)
            .listDocumentTypes(ListDocumentTypesRequest()).documentTypes
        documentTypeNames = Dictionary(uniqueKeysWithValues: documentTypes.map { ($0.id, $0.name) })
        feed.documentTypeNames = documentTypeNames
        // The timeline starts after the seeding: its thousands of registry records are summed up instead.
        for source in [Registry.service, Opportunities.service, Broadcast.service] { try await feed.skip(source) }
    }

    // MARK: Clients per role

    var partnerActor: Actor { partner.partner }
    var registry: RegistryClient {
        get throws { RegistryClient(try clients.client(Registry.service), actor: partnerActor) }
    }
    var matching: MatchingClient {
        get throws {
            MatchingClient(
                try clients.client(Matching.service), actor: partnerActor, options: CallOptions(timeout: .seconds(20)))
        }
    }
    var broadcast: BroadcastClient {
        get throws {
            BroadcastClient(
                try clients.client(Broadcast.service), actor: partnerActor, options: CallOptions(timeout: .seconds(20)))
        }
    }
    func opportunities(as actor: Actor? = nil) throws -> OpportunitiesClient {
        OpportunitiesClient(
            try clients.client(Opportunities.service), actor: actor ?? partnerActor,
            options: CallOptions(timeout: .seconds(20)))
    }
    func customer(_ key: String) -> Actor {
        Actor(role: .customer, partnerId: partnerActor.partnerId, id: partner.customers[key]!.id)
    }
    func provider(_ id: String) -> Actor {
        Actor(role: .provider, partnerId: partnerActor.partnerId, id: id)
    }
    func name(_ providerId: String) -> String { partner.names[providerId] ?? providerId }

    // MARK: The timeline

    /// Starts a scene.
    func scene(_ title: String) { timeline.beginScene(title, at: clock.now) }

    /// Prints a line of the demo's own (an action it takes, or what a reply said), with `data` for JSON.
    func record(_ kind: DemoEntry.Kind, _ text: String, data: (any Encodable)? = nil) {
        timeline.emit(DemoEntry(kind: kind, scene: timeline.scene, at: clock.now, text: text, data: data.flatMap(json)))
    }

    /// Prints what the services recorded since the last call.
    func drain() async throws {
        timeline.emit(try await feed.drain(scene: timeline.scene))
    }

    /// A value as JSON, for an entry's `data`.
    func json(_ value: any Encodable) -> JSONValue? {
        try? WireCoding.decode(JSONValue.self, from: WireCoding.encode(value))
    }

    /// Moves every clock, then prints what the timers did.
    func advanceClock(to date: Date, _ why: String) async throws {
        let from = clock.now
        try await clock.set(date)
        let hours = date.timeIntervalSince(from) / 3600
        record(
            .clock,
            "the clocks move \(hours >= 48 ? String(format: "%.1f days", hours / 24) : String(format: "%.0f h", hours)) on: \(why)",
            data: ["from": from, "to": date])
        try await drain()
        try await options.pause(0.5)
    }

    // MARK: Requests and broadcasts

    /// Creates a request as `actor` and labels it `label` in the timeline.
    func createRequest(_ label: String, as actor: Actor, _ body: CreateRequestRequest) async throws -> RequestRecord {
        let reply = try await opportunities(as: actor).createRequest(body)
        let request = reply.request
        requests[label] = request
        feed.requestLabels[request.id] = label
        let names = Dictionary(uniqueKeysWithValues: partner.qualifications.values.map { ($0.id, $0.name) })
        let required = request.requiredQualificationIds.map { names[$0] ?? $0 }
        let preferred = request.preferredQualificationIds.map { names[$0] ?? $0 }
        let place = request.remote ? "remote" : "on site"
        let hours = request.startsAt.timeIntervalSince(clock.now) / 3600
        record(
            .request,
            "\(actor.role.rawValue) creates \(label) (\(request.id)): \(request.providerType), \(place), "
                + "team of \(request.teamSize), starts in \(hours >= 72 ? String(format: "%.0f days", hours / 24) : String(format: "%.0f h", hours)), "
                + "required [\(required.joined(separator: ", "))], preferred [\(preferred.joined(separator: ", "))] "
                + "(customer defaults merged), decided by the \(request.decision.decider.rawValue) "
                + "(\(request.decision.mode.rawValue))",
            data: reply)
        return request
    }

    /// The broadcast of `requestId` once `condition` holds (broadcast works in the background).
    @discardableResult
    func waitForBroadcast(
        _ requestId: String, _ what: String, until condition: (BroadcastDetail) -> Bool
    ) async throws -> BroadcastDetail {
        let deadline = ContinuousClock.now + .seconds(30)
        var last: BroadcastDetail?
        while ContinuousClock.now < deadline {
            if let detail = try? await broadcast.get(BroadcastRequestId(requestId: requestId)) {
                if condition(detail) { return detail }
                last = detail
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DemoError(
            "the broadcast of \(feed.requestLabels[requestId] ?? requestId) never \(what) within 30 s; it is "
                + "\(last.map { "\($0.state.rawValue), wave \($0.currentWave), \($0.lastError ?? "no error")" } ?? "unreadable")"
        )
    }

    /// How a simulated provider treats an offer.
    enum Behaviour {
        case decline, ignore, interested
    }

    /// The providers offered `requestId` since last time answer in contact order, one behaviour each
    /// from `behaviours` (silence for those past its end), through `opportunities.Respond` as
    /// themselves; returns the interested providers' opportunities. Waits until broadcast has
    /// recorded every answer.
    @discardableResult
    func answerOffers(_ requestId: String, _ behaviours: [Behaviour]) async throws -> [(String, Opportunity)] {
        let detail = try await broadcast.get(BroadcastRequestId(requestId: requestId))
        let offered = detail.attempts.filter {
            $0.status == .sent && $0.opportunityId != nil && !handled.contains($0.id)
        }
        var interested: [(String, Opportunity)] = []
        var answered: Set<String> = []
        // The silent are printed together, after those who answered.
        var silent: [DemoEntry] = []
        for (index, attempt) in offered.enumerated() {
            handled.insert(attempt.id)
            let behaviour = index < behaviours.count ? behaviours[index] : .ignore
            let who = name(attempt.providerId)
            guard behaviour != .ignore else {
                silent.append(
                    DemoEntry(
                        kind: .provider, scene: timeline.scene, at: clock.now,
                        text: "(simulated) \(who) does not answer",
                        data: json(["providerId": attempt.providerId, "attemptId": attempt.id, "behaviour": "ignore"]),
                        group: DemoEntry.Group(
                            key: "ignore/\(requestId)", label: "(simulated) no answer from", subject: who)))
                continue
            }
            let wants = behaviour == .interested
            record(
                .provider, "(simulated) \(who) \(wants ? "is interested" : "declines")",
                data: [
                    "providerId": attempt.providerId, "attemptId": attempt.id,
                    "behaviour": wants ? "interested" : "decline",
                ])
            do {
                let opportunity = try await opportunities(as: provider(attempt.providerId)).respond(
                    RespondRequest(opportunityId: attempt.opportunityId!, interested: wants)
                ).opportunity
                answered.insert(attempt.id)
                if wants { interested.append((attempt.providerId, opportunity)) }
            } catch let error as RPCError {
                // Too late is an answer the system gives; the timeline shows it as it came.
                record(.provider, "  opportunities refused \(who)'s answer: \(error)")
            }
        }
        timeline.emit(silent)
        if !answered.isEmpty {
            try await waitForBroadcast(requestId, "recorded the answers") { detail in
                detail.attempts.filter { answered.contains($0.id) }.allSatisfy { $0.disposition != nil }
            }
        }
        try await drain()
        try await options.pause(0.3)
        return interested
    }

    /// The decider assigns `opportunity`'s provider (or turns it down).
    @discardableResult
    func decide(
        _ opportunity: Opportunity, assign: Bool = true, as actor: Actor? = nil, reason: String? = nil
    ) async throws -> Opportunity {
        let actor = actor ?? partnerActor
        record(
            .decision,
            "the \(actor.role.rawValue) \(assign ? "assigns" : "turns down") \(name(opportunity.providerId))"
                + (reason.map { " (\($0))" } ?? ""),
            data: [
                "opportunityId": opportunity.id, "providerId": opportunity.providerId, "assign": assign ? "yes" : "no",
            ])
        let decided = try await opportunities(as: actor).decide(
            DecideRequest(opportunityId: opportunity.id, assign: assign, reason: reason)
        ).opportunity
        return decided
    }

    /// `opportunityId` as the customer, the partner and its provider each see it.
    func views(_ opportunityId: String, customer customerKey: String, providerId: String) async throws -> (
        customer: Opportunity, partner: Opportunity, provider: Opportunity
    ) {
        let id = IdRequest(id: opportunityId)
        return (
            try await opportunities(as: customer(customerKey)).getOpportunity(id).opportunity,
            try await opportunities().getOpportunity(id).opportunity,
            try await opportunities(as: provider(providerId)).getOpportunity(id).opportunity
        )
    }
}
