import Contracts
import Foundation
import GRDB
import OctooTesting
import OpportunitiesService
import Store
import Transport
import Wire

/// What must hold of the whole system once it is quiet, however it was killed on the way: each
/// check reads the services over the wire (or, for the files, after the processes stopped) and
/// returns every violation it finds, each a sentence naming what broke.
struct SystemInvariants {
    let system: ExecutableSystem
    let partner: Actor
    let opportunitiesRPC: RPCClient
    let broadcastRPC: RPCClient

    var opportunities: OpportunitiesClient {
        OpportunitiesClient(opportunitiesRPC, actor: partner, options: .patient())
    }
    var broadcast: BroadcastClient {
        BroadcastClient(broadcastRPC, actor: partner, options: .patient())
    }

    /// One request as both services tell it.
    struct RequestStory: Sendable {
        var request: RequestRecord
        var opportunities: [Opportunity]
        var broadcast: BroadcastDetail
        var histories: [String: [Transition]]
    }

    /// Every request, its opportunities with their full histories, and its broadcast.
    func stories(_ requestIds: [String]) async throws -> [RequestStory] {
        try await withThrowingTaskGroup(of: RequestStory.self) { group in
            var stories: [RequestStory] = []
            for (index, requestId) in requestIds.enumerated() {
                if index >= 8, let story = try await group.next() { stories.append(story) }
                group.addTask { try await story(requestId) }
            }
            for try await story in group { stories.append(story) }
            return stories
        }
    }

    private func story(_ requestId: String) async throws -> RequestStory {
        let found = try await opportunities.getRequest(GetRequestRequest(id: requestId))
        let detail = try await broadcast.get(BroadcastRequestId(requestId: requestId))
        var histories: [String: [Transition]] = [:]
        for opportunity in found.opportunities {
            var transitions: [Transition] = []
            var token: String?
            repeat {
                let page = try await opportunities.history(
                    HistoryRequest(id: opportunity.id, pageSize: 1000, pageToken: token))
                transitions += page.transitions
                token = page.nextPageToken
            } while token != nil
            histories[opportunity.id] = transitions
        }
        return RequestStory(
            request: found.request, opportunities: found.opportunities, broadcast: detail, histories: histories)
    }

    // MARK: Final states

    /// Every request is filled, or its broadcast ended in a state that says why: `exhausted`
    /// with every ranked provider tried and every attempt dispositioned, or `stopped` with a
    /// reason. The two services agree on which.
    static func finalStates(_ stories: [RequestStory]) -> [String] {
        var problems: [String] = []
        for story in stories {
            let id = story.request.id
            let held = story.opportunities.filter { OpportunityStateMachine.holdsSlot.contains($0.state) }.count
            let detail = story.broadcast
            switch detail.state {
            case .filled:
                if story.request.status != .filled || held != story.request.teamSize {
                    problems.append(
                        "\(id): broadcast filled, but the request is \(story.request.status) with \(held) of "
                            + "\(story.request.teamSize) slots held")
                }
                let open = story.opportunities.filter { [.offered, .pending].contains($0.state) }
                if !open.isEmpty { problems.append("\(id): filled with offers still open: \(open.map(\.providerId))") }
            case .exhausted:
                if story.request.status == .filled { problems.append("\(id): exhausted, yet the request is filled") }
                let untried = detail.considered.filter { $0.rank != nil && $0.attempts == 0 }.map(\.providerId)
                if !untried.isEmpty {
                    problems.append("\(id): exhausted with ranked providers never tried: \(untried)")
                }
                let open = detail.attempts.filter { $0.disposition == nil }.map(\.id)
                if !open.isEmpty { problems.append("\(id): exhausted with attempts still open: \(open)") }
            case .stopped:
                if detail.stopReason == nil { problems.append("\(id): stopped without a reason") }
            default:
                let wave = detail.waves.last
                let open = detail.attempts.filter { $0.disposition == nil }.count
                problems.append(
                    "\(id): broadcast still \(detail.state.rawValue) (waiting for "
                        + "\(detail.waitingFor?.rawValue ?? "-"), wave \(detail.currentWave) closing at "
                        + "\(wave?.closesAt.map(Timestamp.format) ?? "-"), \(open) attempts open, updated "
                        + "\(Timestamp.format(detail.updatedAt)), last error \(detail.lastError ?? "none"))")
            }
            if story.request.status == .filled && detail.state != .filled {
                problems.append("\(id): the request is filled but its broadcast is \(detail.state.rawValue)")
            }
            if held > story.request.teamSize {
                problems.append("\(id): \(held) slots held of \(story.request.teamSize)")
            }
            let providers = story.opportunities.map(\.providerId)
            if Set(providers).count != providers.count { problems.append("\(id): a provider has two opportunities") }
        }
        return problems
    }

    // MARK: Histories

    /// Every opportunity's history, replayed through the state machine from nothing, ends in its
    /// state: each transition starts where the last ended and is one the table allows for the
    /// action and the role that took it (under some facts); the version counts the transitions.
    static func historiesReplay(_ stories: [RequestStory]) -> [String] {
        var problems: [String] = []
        for story in stories {
            for opportunity in story.opportunities {
                let transitions = story.histories[opportunity.id] ?? []
                if let problem = replay(transitions, to: opportunity.state) {
                    problems.append("\(opportunity.id) (\(story.request.id), \(opportunity.providerId)): \(problem)")
                } else if transitions.count != opportunity.version {
                    problems.append(
                        "\(opportunity.id): version \(opportunity.version) after \(transitions.count) transitions")
                }
            }
        }
        return problems
    }

    /// Facts a transition may have been taken under: the table's verdict varies only with these.
    static let everyFacts: [TransitionFacts] = [false, true].flatMap { started in
        [false, true].flatMap { completesTeam in
            [false, true].flatMap { teamOpen in
                [0, 50].map {
                    TransitionFacts(
                        billablePercent: $0, started: started, completesTeam: completesTeam, teamOpen: teamOpen)
                }
            }
        }
    }

    /// Why `transitions` do not replay to `state`, or nil when they do.
    static func replay(_ transitions: [Transition], to state: OpportunityState) -> String? {
        var current: OpportunityState?
        for (index, transition) in transitions.enumerated() {
            if transition.seq != index + 1 { return "transition \(index + 1) is numbered \(transition.seq)" }
            if transition.from != current {
                return "transition \(transition.seq) starts from \(transition.from?.rawValue ?? "nothing"), "
                    + "not \(current?.rawValue ?? "nothing")"
            }
            if let from = current {
                guard let action = OpportunityAction(rawValue: transition.action),
                    let role = Actor.Role(rawValue: transition.actorRole)
                else { return "transition \(transition.seq): unknown action or role \(transition.action)" }
                let allowed = everyFacts.compactMap {
                    try? OpportunityStateMachine.next(from, action, role: role, facts: $0).get()
                }
                if !allowed.contains(transition.to) {
                    return "transition \(transition.seq): \(from.rawValue) --\(action.rawValue) by \(role.rawValue)--> "
                        + "\(transition.to.rawValue) is not in the state machine"
                }
            } else if transition.to != .offered || transition.action != "offer" {
                return "the first transition is \(transition.action) to \(transition.to.rawValue), not an offer"
            }
            current = transition.to
        }
        return current == state ? nil : "the history ends in \(current?.rawValue ?? "nothing"), the state is \(state)"
    }

    // MARK: Offers

    /// No provider was offered a request twice in one contact attempt: in each opportunity's
    /// history at most one transition into OFFERED per attempt, and each names an attempt
    /// broadcast made of that provider on that request; each attempt broadcast sent names that
    /// provider's opportunity; each attempt was announced (`contact.sent`) at most once.
    static func noDoubleOffers(_ stories: [RequestStory], announced: [ContactSent]) -> [String] {
        var problems: [String] = []
        let announcements = Dictionary(grouping: announced, by: \.attemptId)
        for (attemptId, sent) in announcements where sent.count > 1 {
            problems.append("attempt \(attemptId) announced \(sent.count) times")
        }
        for story in stories {
            let attempts = Dictionary(uniqueKeysWithValues: story.broadcast.attempts.map { ($0.id, $0) })
            for opportunity in story.opportunities {
                let offers = (story.histories[opportunity.id] ?? []).filter { $0.to == .offered }
                for (attemptId, same) in Dictionary(grouping: offers, by: { $0.attemptId ?? "none" }) {
                    if same.count > 1 {
                        problems.append(
                            "\(opportunity.providerId) offered \(story.request.id) \(same.count) times in attempt "
                                + attemptId)
                    }
                    if attempts[attemptId]?.providerId != opportunity.providerId {
                        problems.append(
                            "\(opportunity.id): offered in attempt \(attemptId), which broadcast did not make of "
                                + opportunity.providerId)
                    }
                }
            }
            let byProvider = Dictionary(grouping: story.opportunities, by: \.providerId)
            for attempt in story.broadcast.attempts where attempt.status == .sent {
                if attempt.opportunityId == nil || byProvider[attempt.providerId]?.first?.id != attempt.opportunityId {
                    problems.append("attempt \(attempt.id) was sent without \(attempt.providerId)'s opportunity")
                }
                if announcements[attempt.id] == nil { problems.append("attempt \(attempt.id) was sent unannounced") }
            }
            for wave in story.broadcast.waves where Set(wave.providerIds).count != wave.providerIds.count {
                problems.append("\(story.request.id) wave \(wave.number) holds a provider twice")
            }
        }
        return problems
    }

    /// Every `contact.sent` broadcast recorded.
    func announcedContacts() async throws -> [ContactSent] {
        try await events(of: Broadcast.service, through: broadcastRPC).filter {
            $0.type == Broadcast.EventType.contactSent
        }.map { try WireCoding.decode(ContactSent.self, from: try WireCoding.encode($0.data)) }
    }

    /// Every event of `source`, page by page.
    func events(of source: String, through rpc: RPCClient) async throws -> [Event] {
        var all: [Event] = []
        while true {
            let page = try await rpc.readEvents(
                source, afterSeq: all.last?.seq ?? 0, limit: 1000, options: .patient())
            all += page.events
            if page.events.isEmpty || all.last?.seq == page.lastSeq { return all }
        }
    }

    // MARK: Checkpoints

    /// Each subscriber (broadcast; both matching replicas) as `Health` shows it, until every
    /// source it consumes is applied up to the source's last `seq` (read now), or `deadline`.
    /// Returns what still differs then.
    func checkpointsCaughtUp(until deadline: ContinuousClock.Instant) async throws -> [String] {
        var lastSeq: [String: Int64] = [:]
        for source in [Registry.service, Opportunities.service] {
            let rpc = try system.client(source)
            defer { rpc.close() }
            lastSeq[source] = try await rpc.readEvents(source, afterSeq: 0, limit: 1).lastSeq
        }
        var expected = ["broadcast": [Opportunities.service]]
        for replica in WholeSystem.matchingReplicas { expected[replica] = Matching.sources }
        var behind: [String] = []
        let timeout = max(deadline - ContinuousClock.now, .zero)
        _ = try? await eventually("every checkpoint caught up", timeout: timeout, every: .milliseconds(250)) {
            behind = []
            var seen: [String: HealthResponse] = [:]
            for service in [Broadcast.service, Matching.service] {
                let rpc = try system.client(service)
                defer { rpc.close() }
                // The bus hands `Health` to each matching replica in turn; ask until both answered.
                for _ in 0..<10 {
                    if let health = try? await rpc.health(
                        service, options: CallOptions(timeout: .seconds(5), retry: .none))
                    {
                        seen[service == Matching.service ? health.instance : service] = health
                    }
                    if service == Broadcast.service || WholeSystem.matchingReplicas.allSatisfy({ seen[$0] != nil }) {
                        break
                    }
                }
            }
            for (subscriber, sources) in expected.sorted(by: { $0.key < $1.key }) {
                for source in sources {
                    let applied = seen[subscriber]?.events?.first { $0.source == source }
                    if applied?.appliedSeq != lastSeq[source] || applied?.state != .current {
                        behind.append(
                            "\(subscriber) applied \(source) up to \(applied.map { "\($0.appliedSeq)" } ?? "?") "
                                + "(\(applied?.state.rawValue ?? "no answer")), its last seq is \(lastSeq[source]!)")
                    }
                }
            }
            return behind.isEmpty
        }
        return behind
    }

    // MARK: Files

    /// With every process stopped: each SQLite file passes `PRAGMA integrity_check`, and each
    /// subscriber's stored checkpoint is its source's last outbox `seq`, in the source's epoch.
    static func files(of system: ExecutableSystem) throws -> [String] {
        var problems: [String] = []
        var outboxes: [String: (lastSeq: Int64, epoch: String?)] = [:]
        var checkpoints: [String: [EventCheckpoint]] = [:]
        for name in WholeSystem.services {
            guard let path = system.databasePath(name) else { continue }
            var configuration = Configuration()
            configuration.readonly = true
            let database = try DatabaseQueue(path: path, configuration: configuration)
            try database.read { db in
                let verdict = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if verdict != ["ok"] { problems.append("\(name): integrity_check says \(verdict)") }
                let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") ?? 0
                let epoch = try String.fetchOne(db, sql: "SELECT epoch FROM outboxEpoch")
                outboxes[name] = (lastSeq, epoch)
                checkpoints[name] = try EventCheckpoint.fetchAll(db)
            }
            try database.close()
        }
        for (subscriber, sources) in [("broadcast", [Opportunities.service])]
            + WholeSystem.matchingReplicas.map({ ($0, Matching.sources) })
        {
            for source in sources {
                let stored = checkpoints[subscriber]?.first { $0.source == source }
                let outbox = outboxes[source]
                if stored?.lastSeq != outbox?.lastSeq || stored?.epoch != outbox?.epoch {
                    problems.append(
                        "\(subscriber)'s checkpoint of \(source) is \(stored?.lastSeq ?? 0) in epoch "
                            + "\(stored?.epoch ?? "none"); the outbox ends at \(outbox?.lastSeq ?? 0) in epoch "
                            + "\(outbox?.epoch ?? "none")")
                }
            }
        }
        return problems
    }
}
