import Contracts
import Foundation
import GRDB
import Logging
import OctooTesting
@_spi(RawDatabase) import Store
import Testing
import Transport
import Wire

@testable import OpportunitiesService
@testable import Store

/// The store without the service: its request extensions on an in-memory database with the
/// service's migrations, and its writes on a temporary `ServiceDatabase` (with outbox).
@Suite("Opportunities store")
struct OpportunitiesStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two tenants that reuse each other's ids, so a query that forgets the tenant shows it.
    static func seeded() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        // As `ServiceDatabase` does: the shared durable timers first (the start timers live there).
        DurableTimerMigrations.register(in: &migrator)
        OpportunitiesMigrations.register(in: &migrator)
        try migrator.migrate(queue)
        try queue.write { db in
            for (partner, id, customer, hours, status) in [
                ("p-1", "rq-a", "cu-1", 48.0, RequestRecord.Status.open), ("p-1", "rq-b", "cu-2", 24, .filled),
                ("p-1", "rq-c", "cu-1", 72, .cancelled), ("p-2", "rq-a", "cu-1", 1, .open),
            ] {
                try request(partner, id, customer: customer, startsIn: hours, status: status).insert(db)
            }
            for (partner, id, request, provider, minute) in [
                ("p-1", "op-2", "rq-a", "pr-2", 1.0), ("p-1", "op-1", "rq-a", "pr-1", 0),
                ("p-1", "op-3", "rq-b", "pr-1", 2), ("p-2", "op-1", "rq-a", "pr-1", 0),
            ] {
                try Opportunity(
                    partnerId: partner, id: id, requestId: request, providerId: provider, state: .offered, version: 1,
                    createdAt: start.addingTimeInterval(minute * 60), updatedAt: start
                ).insert(db)
            }
            let rows = [("p-1", "op-1", 3), ("p-1", "op-1", 1), ("p-1", "op-1", 2), ("p-2", "op-1", 1)]
            for (partner, opportunity, seq) in rows {
                try TransitionRow(
                    partnerId: partner, opportunityId: opportunity, seq: seq, at: start, actorRole: "partner",
                    actorId: nil, action: "offer", from: nil, to: .offered, reason: nil, replacementSoughtBy: nil
                ).insert(db)
            }
            try CancellationPolicy(
                partnerId: "p-1", scope: .customer, subjectId: "cu-1",
                bands: [CancellationBand(hoursBeforeStart: 48, billablePercent: 40)], updatedAt: start
            ).insert(db)
            try CancellationPolicy(
                partnerId: "p-1", scope: .provider, subjectId: "pr-1",
                bands: [CancellationBand(hoursBeforeStart: 24, billablePercent: 90)], updatedAt: start
            ).insert(db)
            try CancellationPolicy(
                partnerId: "p-2", scope: .customer, subjectId: "cu-1",
                bands: [CancellationBand(hoursBeforeStart: 100, billablePercent: 100)], updatedAt: start
            ).insert(db)
        }
        return queue
    }

    static func request(
        _ partner: String, _ id: String, customer: String, startsIn hours: Double, status: RequestRecord.Status,
        teamSize: Int = 1
    ) -> RequestRecord {
        let startsAt = start.addingTimeInterval(hours * 3600)
        return RequestRecord(
            partnerId: partner, id: id, customerId: customer, providerType: "asl", startsAt: startsAt,
            endsAt: startsAt.addingTimeInterval(3600), remote: true, teamSize: teamSize, requiredQualificationIds: [],
            preferredQualificationIds: [], preferredProviderIds: [], decision: DecisionPolicy(), status: status,
            version: 1, createdAt: start, updatedAt: start)
    }

    /// A caller as the router would resolve it.
    static func caller(_ role: Actor.Role, _ id: String? = nil, partner: String = "p-1") throws -> CallerContext {
        try CallerContext(
            RequestContext(
                requestId: "test", method: "opportunities.Test", actor: Actor(role: role, partnerId: partner, id: id),
                deadline: nil, idempotencyKey: nil, logger: Logger(label: "test")))
    }

    // MARK: Request extensions

    @Test func requestsByTenantCustomerStatusAndStart() throws {
        try Self.seeded().read { db throws in
            let inTenant = RequestRecord.all().inTenant("p-1")
            #expect(try inTenant.soonestFirst().fetchAll(db).map(\.id) == ["rq-b", "rq-a", "rq-c"])
            #expect(try inTenant.ofCustomer("cu-1").soonestFirst().fetchAll(db).map(\.id) == ["rq-a", "rq-c"])
            #expect(try inTenant.withStatus(.filled).fetchAll(db).map(\.id) == ["rq-b"])
            #expect(try RequestRecord.all().inTenant("p-2").fetchAll(db).map(\.customerId) == ["cu-1"])
            #expect(try RequestRecord.all().inTenant("p-3").fetchCount(db) == 0)
        }
    }

    @Test func opportunitiesByRequestProviderAndCustomer() throws {
        try Self.seeded().read { db throws in
            let inTenant = Opportunity.all().inTenant("p-1")
            #expect(try inTenant.ofRequest("rq-a").oldestFirst().fetchAll(db).map(\.id) == ["op-1", "op-2"])
            #expect(try inTenant.ofProvider("pr-1").oldestFirst().fetchAll(db).map(\.id) == ["op-1", "op-3"])
            #expect(try inTenant.onRequestsOfCustomer("cu-2").fetchAll(db).map(\.id) == ["op-3"])
            #expect(try inTenant.onRequestsOfCustomer("cu-1").oldestFirst().fetchAll(db).map(\.id) == ["op-1", "op-2"])
            // The join matches the tenant as well as the id: p-2's rq-a is not p-1's.
            let other = try Opportunity.all().inTenant("p-2").onRequestsOfCustomer("cu-1").fetchAll(db)
            #expect(other.map(\.partnerId) == ["p-2"])
            #expect(try Opportunity.all().inTenant("p-2").onRequestsOfCustomer("cu-2").fetchCount(db) == 0)
        }
    }

    @Test func historyInSequenceAndPoliciesBySubject() throws {
        try Self.seeded().read { db throws in
            let history = TransitionRow.all().inTenant("p-1").ofOpportunity("op-1").inSequence()
            #expect(try history.fetchAll(db).map(\.seq) == [1, 2, 3])
            #expect(try TransitionRow.all().inTenant("p-2").ofOpportunity("op-1").fetchCount(db) == 1)
            let policy = try CancellationPolicy.all().inTenant("p-1").ofSubject(.customer, "cu-1").fetchOne(db)
            #expect(policy?.bands.map(\.billablePercent) == [40])
            #expect(try CancellationPolicy.all().inTenant("p-1").ofSubject(.provider, "cu-1").fetchOne(db) == nil)
        }
    }

    // MARK: The store's queries

    @Test func queriesStayInTheirTenant() throws {
        try Self.seeded().read { db throws in
            let reader = OpportunitiesReader(db: db, partnerId: "p-1")
            #expect(try reader.lastSeq(of: "op-1") == 3)
            #expect(try reader.lastSeq(of: "op-2") == 0)
            #expect(try reader.opportunity(onRequest: "rq-a", providerId: "pr-2")?.id == "op-2")
            #expect(try reader.opportunity(onRequest: "rq-b", providerId: "pr-2") == nil)
            let (opportunity, request) = try reader.opportunityAndRequest("op-3", field: "body.id")
            #expect(opportunity.requestId == "rq-b" && request.customerId == "cu-2")
            let missing = #expect(throws: RPCError.self) { try reader.request("rq-z", field: "body.id") }
            #expect(missing?.code == .notFound && missing?.details.map(\.field) == ["body.id"])
            let elsewhere = OpportunitiesReader(db: db, partnerId: "p-2")
            #expect(throws: RPCError.self) { try elsewhere.opportunity("op-2", field: "body.id") }
        }
    }

    @Test func listsShowACallerItsOwnOnly() throws {
        try Self.seeded().read { db throws in
            let reader = OpportunitiesReader(db: db, partnerId: "p-1")
            let partner = try Self.caller(.partner)
            let customer = try Self.caller(.customer, "cu-1")
            let provider = try Self.caller(.provider, "pr-2")
            #expect(try reader.requests(customerId: nil, status: nil, visibleTo: partner).count == 3)
            let own = try reader.requests(customerId: nil, status: nil, visibleTo: customer)
            #expect(own.map(\.id) == ["rq-a", "rq-c"])
            #expect(try reader.requests(customerId: "cu-2", status: nil, visibleTo: customer).isEmpty)
            #expect(try reader.requests(customerId: "cu-1", status: .open, visibleTo: partner).map(\.id) == ["rq-a"])
            let all = try reader.opportunities(requestId: nil, providerId: nil, visibleTo: partner)
            #expect(all.map(\.id) == ["op-1", "op-2", "op-3"])
            let provided = try reader.opportunities(requestId: nil, providerId: nil, visibleTo: provider)
            #expect(provided.map(\.id) == ["op-2"])
            #expect(try reader.opportunities(requestId: "rq-b", providerId: nil, visibleTo: provider).isEmpty)
            let customers = try reader.opportunities(requestId: nil, providerId: "pr-1", visibleTo: customer)
            #expect(customers.map(\.id) == ["op-1"])
        }
    }

    @Test func billingTakesTheStricterOfBothPolicies() throws {
        try Self.seeded().read { db throws in
            let reader = OpportunitiesReader(db: db, partnerId: "p-1")
            let request = try reader.request("rq-a", field: "body.id")  // starts 48 h after `start`
            #expect(try reader.billablePercent(request: request, providerId: "pr-2", at: Self.start) == 40)
            let dayBefore = Self.start.addingTimeInterval(30 * 3600)
            #expect(try reader.billablePercent(request: request, providerId: "pr-1", at: dayBefore) == 90)
            let early = Self.start.addingTimeInterval(-3600)
            #expect(try reader.billablePercent(request: request, providerId: "pr-1", at: early) == 0)
        }
    }

    // MARK: Writes, on a service database with its outbox

    /// A store on a fresh temporary file, removed afterwards.
    static func withStore<Value>(
        _ body: (OpportunitiesStore, ServiceDatabase) async throws -> Value
    ) async throws -> Value {
        let directory = TestDirectories.make("opportunities-store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ServiceDatabase(
            path: (directory as NSString).appendingPathComponent("opportunities.sqlite"), source: "opportunities",
            durability: .full, migrations: OpportunitiesMigrations.register(in:))
        return try await body(OpportunitiesStore(database), database)
    }

    @Test func movesWriteTheStateTheHistoryAndTheEventsTogether() async throws {
        try await Self.withStore { store, database in
            let partner = try Self.caller(.partner, "admin")
            let provider = try Self.caller(.provider, "pr-1")
            let request = Self.request("p-1", "rq-1", customer: "cu-1", startsIn: 48, status: .open)
            let offered = Opportunity(
                partnerId: "p-1", id: "op-1", requestId: "rq-1", providerId: "pr-1", state: .offered, version: 1,
                createdAt: Self.start, updatedAt: Self.start)
            _ = try await store.mutate(partner, IdRequest(id: "1"), at: Self.start) { writer in
                var created = request
                try writer.create(&created, at: Self.start)
                try writer.offer(offered, on: request, by: partner.actor, at: Self.start)
                return Empty()
            }
            let pending = try await store.mutate(provider, IdRequest(id: "2"), at: Self.start) { writer in
                var opportunity = try writer.opportunity("op-1", field: "body.id")
                try writer.move(
                    &opportunity, on: request, action: .respondInterested, by: provider.actor, reason: nil,
                    at: Self.start)
                return opportunity
            }
            #expect(pending.state == .pending && pending.version == 2)
            // A refusal rolls the whole transaction back: no state, no history row, no event.
            let before = try await database.pool.read { try database.outbox.lastSeq($0) }
            await #expect(throws: TransitionError.notAllowedInState(state: .pending, action: .cancel)) {
                try await store.mutate(partner, IdRequest(id: "3"), at: Self.start) { writer in
                    var opportunity = try writer.opportunity("op-1", field: "body.id")
                    try writer.move(
                        &opportunity, on: request, action: .cancel, by: partner.actor, reason: nil, at: Self.start)
                    return opportunity
                }
            }
            let history = try await store.read(partner) { try $0.history(of: "op-1") }
            #expect(history.map(\.seq) == [1, 2] && history.map(\.to) == [.offered, .pending])
            #expect(history.map(\.actorRole) == ["partner", "provider"])
            let events = try await database.pool.read { try database.outbox.read($0, afterSeq: 0, limit: 100) }
            #expect(events.map(\.type) == ["request.created", "opportunity.changed", "opportunity.changed"])
            #expect(events.last?.seq == before)
        }
    }

    @Test func aCompleteTeamTakesNobodyMoreUnlessAReplacementIsSought() async throws {
        try await Self.withStore { store, database in
            let partner = try Self.caller(.partner, "admin")
            let request = Self.request("p-1", "rq-1", customer: "cu-1", startsIn: 48, status: .open, teamSize: 1)
            _ = try await store.mutate(partner, IdRequest(id: "1"), at: Self.start) { writer in
                var created = request
                try writer.create(&created, at: Self.start)
                for (index, provider) in ["pr-1", "pr-2"].enumerated() {
                    var opportunity = Opportunity(
                        partnerId: "p-1", id: "op-\(index + 1)", requestId: "rq-1", providerId: provider,
                        state: .offered, version: 1, createdAt: Self.start, updatedAt: Self.start)
                    try writer.offer(opportunity, on: request, by: partner.actor, at: Self.start)
                    try writer.move(
                        &opportunity, on: request, action: .respondInterested, by: .system, reason: nil, at: Self.start)
                }
                return Empty()
            }
            let filled = try await store.mutate(partner, IdRequest(id: "2"), at: Self.start) { writer in
                var record = try writer.request("rq-1", field: "body.id")
                var first = try writer.opportunity("op-1", field: "body.id")
                try writer.assign(&first, on: &record, by: partner.actor, reason: nil, at: Self.start)
                return record
            }
            #expect(filled.status == .filled)
            // The other interest was declined with the fill, in the same transaction.
            await #expect(throws: TransitionError.notAllowedInState(state: .declined, action: .decideAssign)) {
                try await store.mutate(partner, IdRequest(id: "3"), at: Self.start) { writer in
                    var record = try writer.request("rq-1", field: "body.id")
                    var second = try writer.opportunity("op-2", field: "body.id")
                    try writer.assign(&second, on: &record, by: partner.actor, reason: nil, at: Self.start)
                    return record
                }
            }
            let states = try await store.read(partner) { try $0.opportunities(onRequest: "rq-1").map(\.state) }
            #expect(states == [.assigned, .declined])
            let declined = try await store.read(partner) { try $0.history(of: "op-2") }
            #expect(declined.last?.reason == "the request is filled" && declined.last?.action == "withdrawForRequest")
            let filledEvents = try await database.pool.read { db in
                try database.outbox.read(db, afterSeq: 0, limit: 100).filter { $0.type == "request.filled" }
            }
            #expect(filledEvents.count == 1)
        }
    }

    // MARK: Migrations

    @Test func quotesOfNoShapeAreSetAsideAndRequestsGetTheirWarningTimers() async throws {
        let directory = TestDirectories.make("opportunities-migration")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/opportunities.sqlite"
        let startsAt = Self.start.addingTimeInterval(48 * 3600)
        // A database as the fourth schema left it: quotes were any JSON.
        let before = try ServiceDatabase(
            path: path, source: Opportunities.service, durability: .full,
            migrations: { migrator in
                OpportunitiesMigrations.registerVersion1(in: &migrator)
                OpportunitiesMigrations.registerSeekersOffersAndReasons(in: &migrator)
                OpportunitiesMigrations.registerTransitionAttempts(in: &migrator)
                OpportunitiesMigrations.registerStartTimers(in: &migrator)
            })
        let quotes: [(String, DatabaseValue)] = [
            ("op-shaped", #"{"amount":120,"currency":"USD","per":"hour","note":"evening"}"#.databaseValue),
            ("op-object", #"{"amount":120}"#.databaseValue), ("op-number", 95.5.databaseValue),
            ("op-text", "a hundred".databaseValue), ("op-none", .null),
        ]
        try await before.pool.write { db in
            for (id, status) in [("rq-open", "open"), ("rq-cancelled", "cancelled")] {
                try db.execute(
                    sql: """
                        INSERT INTO request (partnerId, id, customerId, providerType, startsAt, endsAt, remote,
                            teamSize, requiredQualificationIds, preferredQualificationIds, preferredProviderIds, decision, status,
                            version, createdAt, updatedAt)
                        VALUES ('p-1', ?, 'cu-1', 'asl', ?, ?, 1, 1, '[]', '[]', '[]',
                            '{"decider":"partner","mode":"manual"}', ?, 1, ?, ?)
                        """,
                    arguments: [id, startsAt, startsAt.addingTimeInterval(3600), status, Self.start, Self.start])
            }
            for (index, (id, quote)) in quotes.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO opportunity (partnerId, id, requestId, providerId, state, version, quote, createdAt,
                            updatedAt)
                        VALUES ('p-1', ?, 'rq-open', ?, 'PENDING', 2, ?, ?, ?)
                        """,
                    arguments: [id, "pr-\(index)", quote, Self.start, Self.start])
            }
        }
        try before.pool.close()

        let database = try ServiceDatabase(
            path: path, source: Opportunities.service, durability: .full,
            migrations: OpportunitiesMigrations.register(in:))
        let store = OpportunitiesStore(database)
        let read = try await store.read("p-1") { reader in
            Dictionary(uniqueKeysWithValues: try reader.opportunities(onRequest: "rq-open").map { ($0.id, $0.quote) })
        }
        #expect(read["op-shaped"] == Quote(amount: 120, currency: "USD", per: .hour, note: "evening"))
        #expect(["op-object", "op-number", "op-text", "op-none"].allSatisfy { read[$0] == .some(nil) })
        let setAside = try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, legacyQuote FROM opportunity WHERE legacyQuote IS NOT NULL ORDER BY id"
            )
            .map { $0["id"] as String }
        }
        #expect(setAside == ["op-number", "op-object", "op-text"])
        // The open request is warned at the default lead time before its start; the cancelled one never.
        let timers = try await database.pool.read { try DurableTimer.fetchAll($0) }
            .filter { $0.kind == UnfilledRequests.warningKind }
        #expect(timers.map(\.key) == ["p-1/rq-open"])
        #expect(timers.first?.dueAt == startsAt.addingTimeInterval(-24 * 3600))
        let request = try await store.read("p-1") { try $0.request("rq-open", field: "id") }
        #expect(request.unfilledSoonAt == nil && request.status == .open)
        try database.pool.close()
    }
}
