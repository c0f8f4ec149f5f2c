import Contracts
import Foundation
import GRDB
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Synchronization
import Testing
import Transport
import Wire

@testable import BroadcastService

/// The transactional half of broadcast on a database in a temporary file, without a bus:
/// opportunities' events applied as the subscriber applies them, waves planned from a given
/// ranking, contacts taken through their steps, timers fired by the shared `TimerService`.
@Suite("Broadcast store")
struct BroadcastStoreTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    /// A broadcast database and what the tests do to it.
    final class World: Sendable {
        let database: ServiceDatabase
        let store: BroadcastStore
        let wakeup: AsyncWakeup
        let seq = Mutex<Int64>(0)

        init(_ database: ServiceDatabase) {
            self.database = database
            let wakeup = AsyncWakeup()
            self.wakeup = wakeup
            store = BroadcastStore(database, wakeup: wakeup)
        }

        /// Applies an opportunities event as the subscriber would.
        func event(_ type: String, _ data: some Encodable, partner: String = "p-1", at now: Date = now) async throws {
            let seq = self.seq.withLock { seq in
                seq += 1
                return seq
            }
            let value = try WireCoding.decode(JSONValue.self, from: try WireCoding.encode(data))
            let event = Event(
                source: Opportunities.service, seq: seq, type: type, occurredAt: now, partnerId: partner, data: value)
            try await database.pool.write { [store] db in
                try BroadcastEvents.apply(db, event, store: store, now: now)
            }
        }

        /// A provider's opportunity moved.
        func change(
            _ provider: String, _ from: OpportunityState?, _ to: OpportunityState, action: String,
            request: String = "rq-1", at now: Date = now
        ) async throws {
            try await event(
                Opportunities.EventType.opportunityChanged,
                OpportunityChanged(
                    opportunityId: "op-\(provider)", requestId: request, providerId: provider, customerId: "cu-1",
                    from: from, to: to, action: action, actorRole: "provider", startsAt: now, endsAt: now),
                at: now)
        }

        /// Plans the due wave from a ranking of `providers`, in that order.
        @discardableResult
        func plan(_ providers: [String], request: String = "rq-1", at now: Date = now) async throws -> Bool {
            let ranking = RankResponse(
                ranked: providers.enumerated().map {
                    RankedProvider(providerId: $0.element, rank: $0.offset + 1, score: 10, criteria: [])
                }, filtered: [], counts: RankCounts(considered: providers.count, ranked: providers.count, filtered: 0),
                positions: [], settings: RankingSettings(partnerId: "p-1"))
            return try await store.write("p-1") { try $0.planWave(request, ranking: ranking, at: now) }
        }

        /// Takes every unsent attempt of the request through its steps (as offered).
        func sendAll(request: String = "rq-1", at now: Date = now) async throws {
            let unsent = try await store.read("p-1") { try $0.attempts(onRequest: request).filter(\.isUnsent) }
            for attempt in unsent {
                try await store.write("p-1") { writer in
                    _ = try writer.markSending(attempt.id, channel: ContactChannel(kind: .email, address: "x@y"))
                    _ = try writer.markSent(
                        attempt.id, opportunityId: "op-\(attempt.providerId)",
                        message: ContactMessage(subject: "s", text: "t"), at: now)
                }
            }
        }

        func detail(_ request: String = "rq-1") async throws -> BroadcastDetail {
            try await store.read("p-1") { try $0.detail(request) }
        }

        func timer(_ request: String = "rq-1") async throws -> DurableTimer? {
            try await database.pool.read { db in
                try DurableTimer.fetchOne(db, key: ["kind": Scheduler.timerKind, "key": "p-1/\(request)"])
            }
        }

        func eventTypes() async throws -> [String] {
            try await database.pool.read { [database] db in
                try database.outbox.read(db, afterSeq: 0, limit: 10_000).map(\.type)
            }
        }

        /// Fires every broadcast timer due at `now`, through the shared timer service.
        func fire(at now: Date) async throws -> Int {
            let clock = ManualClock(start: now)
            let timers = TimerService(
                database: database, clock: clock,
                handlers: Scheduler.timerHandlers(store: store, clock: clock),
                logger: .init(label: "test"))
            return try await timers.fireDue(now: now)
        }
    }

    static func request(
        _ id: String = "rq-1", startsIn lead: TimeInterval = 5 * day, teamSize: Int = 1,
        status: RequestRecord.Status = .open, version: Int = 1
    ) -> RequestRecord {
        RequestRecord(
            partnerId: "p-1", id: id, customerId: "cu-1", providerType: "asl", startsAt: now.addingTimeInterval(lead),
            endsAt: now.addingTimeInterval(lead + 2 * hour), remote: true, teamSize: teamSize,
            requiredQualificationIds: [], preferredQualificationIds: [], preferredProviderIds: [],
            decision: DecisionPolicy(), status: status, version: version, createdAt: now, updatedAt: now)
    }

    static func withWorld<Result>(_ body: (World) async throws -> Result) async throws -> Result {
        let directory = TestDirectories.make("broadcast-store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ServiceDatabase(
            path: "\(directory)/broadcast.sqlite", source: Broadcast.service, durability: .normal,
            migrations: BroadcastMigrations.register(in:))
        let result = try await body(World(database))
        try database.pool.close()
        return result
    }

    @Test func aCreatedRequestStartsAndItsFirstWaveFollowsTheBand() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            var detail = try await world.detail()
            #expect(detail.state == .running && detail.currentWave == 0)
            #expect(try await world.plan(["a", "b", "c", "d"]))
            detail = try await world.detail()
            #expect(detail.waves.map(\.providerIds) == [["a", "b"]])
            #expect(detail.attempts.map(\.status) == [.planned, .planned])
            // Nothing is out yet: the timer only waits for the job's start.
            #expect(try await world.timer()?.dueAt == detail.startsAt)

            try await world.sendAll()
            detail = try await world.detail()
            #expect(detail.attempts.map(\.status) == [.sent, .sent])
            #expect(detail.waves[0].closesAt == Self.now.addingTimeInterval(8 * Self.hour))
            #expect(try await world.timer()?.dueAt == Self.now.addingTimeInterval(8 * Self.hour))
            let types = try await world.eventTypes()
            #expect(types.filter { $0 == "contact.sent" }.count == 2 && types.contains("wave.sent"))
        }
    }

    @Test(arguments: [0, -1, Int.min, 51, Int.max])
    func anEventWithATeamSizeNoRequestCouldHaveIsRefusedAndChangesNothing(_ teamSize: Int) async throws {
        try await Self.withWorld { world in
            await #expect(throws: RPCError.self) {
                try await world.event(Opportunities.EventType.requestCreated, Self.request(teamSize: teamSize))
            }
            #expect(try await world.eventTypes().isEmpty)
            let broadcasts = try await world.store.read("p-1") { try $0.existingBroadcast("rq-1") }
            #expect(broadcasts == nil)
        }
    }

    @Test func theWholeWaveAnsweredAdvancesAtOnce() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            try await world.plan(["a", "b", "c", "d"])
            try await world.sendAll()
            try await world.change("a", .offered, .declined, action: "respondDeclined")
            var detail = try await world.detail()
            #expect(detail.attempts.map(\.disposition) == ["DECLINED", nil])
            #expect(try await world.plan(["a", "b", "c", "d"]) == false)  // b has not answered: no wave due
            try await world.change("b", .offered, .declined, action: "respondDeclined")
            detail = try await world.detail()
            #expect(detail.waves[0].closedAt == Self.now)
            #expect(try await world.plan(["a", "b", "c", "d"]))
            detail = try await world.detail()
            #expect(detail.waves.map(\.providerIds) == [["a", "b"], ["c", "d"]])
        }
    }

    @Test func aChangeFromAnyWriteSettlesItsBroadcastBeforeCommitAndWakesTheSender() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            try await world.plan(["a", "b", "c", "d"])
            try await world.sendAll()
            _ = await world.wakeup.wait(until: .now)
            // Both answers in one write no handler made: the wave is fully answered only at its end.
            try await world.store.write("p-1") { writer in
                for var attempt in try writer.attempts(onRequest: "rq-1") {
                    try writer.setDisposition(&attempt, "DECLINED", by: "partner", at: Self.now)
                }
            }
            #expect(try await world.detail().waves[0].closedAt == Self.now)
            #expect(try await world.store.read("p-1") { try $0.existingBroadcast("rq-1")?.isWaveDue } == true)
            #expect(await world.wakeup.wait(until: .now), "the wave sender was not woken")
        }
    }

    @Test func anIntervalPassedGivesTheSilentNoResponseAndTheNextWave() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            try await world.plan(["a", "b", "c", "d", "e"])
            try await world.sendAll()
            try await world.change("a", .offered, .declined, action: "respondDeclined")
            #expect(try await world.fire(at: Self.now.addingTimeInterval(8 * Self.hour - 1)) == 0)
            let later = Self.now.addingTimeInterval(8 * Self.hour)
            #expect(try await world.fire(at: later) == 1)
            var detail = try await world.detail()
            #expect(detail.attempts.map(\.disposition) == ["DECLINED", "NO_RESPONSE"])
            #expect(try await world.plan(["a", "b", "c", "d", "e"], at: later))
            detail = try await world.detail()
            // 4 days 16 hours out: still 2 every 8 h; b is back only after 2 h.
            #expect(detail.waves.last?.providerIds == ["c", "d"])
            // A late answer still counts, marked late.
            try await world.change("b", .offered, .pending, action: "respondInterested", at: later)
            detail = try await world.detail()
            #expect(detail.attempts[1].disposition == "INTERESTED" && detail.attempts[1].late)
        }
    }

    @Test func pendingInterestCoveringTheOpeningsWaitsUntilTurnedDown() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            try await world.plan(["a", "b", "c"])
            try await world.sendAll()
            try await world.change("a", .offered, .pending, action: "respondInterested")
            try await world.change("b", .offered, .declined, action: "respondDeclined")
            var detail = try await world.detail()
            #expect(detail.state == .waiting && detail.waitingFor == .interest && detail.pendingInterest == 1)
            try await world.change("a", .pending, .declined, action: "decideDecline")
            detail = try await world.detail()
            #expect(detail.state == .running)
            try await world.plan(["a", "b", "c"])
            // a and b answered; c is next.
            #expect(try await world.detail().waves.last?.providerIds == ["c"])
        }
    }

    @Test func filledWithdrawsOpenAttemptsAndAReopenedSlotSendsAgain() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            try await world.plan(["a", "b", "c"])
            try await world.sendAll()
            try await world.change("a", .offered, .pending, action: "respondInterested")
            try await world.change("a", .pending, .assigned, action: "decideAssign")
            try await world.event(Opportunities.EventType.requestFilled, Self.request(status: .filled, version: 2))
            var detail = try await world.detail()
            #expect(detail.state == .filled && detail.openings == 0)
            #expect(detail.attempts.map(\.disposition) == ["INTERESTED", "WITHDRAWN"])
            #expect(try await world.timer() == nil)
            // The assigned provider leaves: one slot again, the departing one never re-contacted.
            try await world.change("a", .assigned, .cancelled, action: "cancel")
            try await world.event(Opportunities.EventType.requestReopened, Self.request(version: 3))
            detail = try await world.detail()
            #expect(detail.state == .running && detail.openings == 1)
            try await world.plan(["a", "b", "c"])
            // b's offer was withdrawn (back at once), after c, never contacted.
            #expect(try await world.detail().waves.last?.providerIds == ["c", "b"])
        }
    }

    @Test func aWaveAndItsTimerCommitTogetherOrNotAtAll() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            struct Crash: Error {}
            let ranking = RankResponse(
                ranked: [RankedProvider(providerId: "a", rank: 1, score: 1, criteria: [])], filtered: [],
                counts: RankCounts(considered: 1, ranked: 1, filtered: 0), positions: [],
                settings: RankingSettings(partnerId: "p-1"))
            await #expect(throws: Crash.self) {
                try await world.store.write("p-1") { writer in
                    try writer.planWave("rq-1", ranking: ranking, at: Self.now)
                    throw Crash()
                }
            }
            let detail = try await world.detail()
            #expect(detail.waves.isEmpty && detail.attempts.isEmpty && detail.currentWave == 0)
            #expect(try await world.store.read("p-1") { try $0.existingBroadcast("rq-1")?.waveDue } == true)
        }
    }

    @Test func theStartWindowAndTheJobsStart() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request(startsIn: 40 * Self.day))
            var detail = try await world.detail()
            let opens = Self.now.addingTimeInterval(10 * Self.day)
            #expect(detail.state == .waiting && detail.waitingFor == .startWindow && detail.nextWaveAt == opens)
            #expect(try await world.timer()?.dueAt == opens)
            #expect(try await world.fire(at: opens) == 1)
            #expect(try await world.detail().state == .running)
            try await world.plan(["a"], at: opens)
            try await world.sendAll(at: opens)
            // Nobody answers, nobody is left: exhausted until the job starts, then stopped.
            _ = try await world.fire(at: opens.addingTimeInterval(Self.day))
            try await world.plan(["a"], at: opens.addingTimeInterval(Self.day))
            detail = try await world.detail()
            #expect(detail.state == .running && detail.waitingFor == .recycle)
            _ = try await world.fire(at: opens.addingTimeInterval(Self.day + 2 * Self.hour))
            try await world.plan(["a"], at: opens.addingTimeInterval(Self.day + 2 * Self.hour))
            try await world.sendAll(at: opens.addingTimeInterval(Self.day + 2 * Self.hour))
            _ = try await world.fire(at: opens.addingTimeInterval(3 * Self.day))
            try await world.plan(["a"], at: opens.addingTimeInterval(3 * Self.day))
            #expect(try await world.detail().state == .exhausted)
            _ = try await world.fire(at: detail.startsAt)
            detail = try await world.detail()
            // Its slot still open: the job started unfilled.
            #expect(detail.state == .stopped && detail.stopReason == StopReason.jobStartedUnfilled)
            #expect(detail.attempts.map(\.disposition) == ["NO_RESPONSE", "NO_RESPONSE"])
        }
    }

    @Test func anotherTenantsRequestIsNotFound() async throws {
        try await Self.withWorld { world in
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            await #expect(throws: BroadcastError.notFound(kind: "broadcast", id: "rq-1", field: "body.requestId")) {
                try await world.store.read("p-2") { try $0.detail("rq-1") }
            }
        }
    }

    @Test func autoStartOffLeavesTheRequestKnownButNotBroadcast() async throws {
        try await Self.withWorld { world in
            try await world.store.write("p-1") { writer in
                try writer.save(
                    BroadcastPolicy(
                        bands: BroadcastPolicy.standard.bands, startWindowDays: 30, autoStart: false, version: 1),
                    at: Self.now)
            }
            try await world.event(Opportunities.EventType.requestCreated, Self.request())
            let (job, broadcast) = try await world.store.read("p-1") {
                (try $0.job("rq-1") != nil, try $0.existingBroadcast("rq-1"))
            }
            #expect(job && broadcast == nil)
        }
    }
}
