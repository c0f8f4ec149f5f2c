import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire

/// Contacts by disposition across requests, through the bus: `SearchAttempts` (filters, paging),
/// and `BulkRecycle` and `BulkBlock` acting on every match, with what they skipped and why.
@Suite("Broadcast through the bus: contacts across requests", .serialized)
struct ContactsAcrossRequestsTests {
    static let hour: TimeInterval = 3600

    /// Every page of a search, read with `pageSize`.
    static func everyPage(_ world: BroadcastWorld, _ request: SearchAttemptsRequest) async throws -> [AttemptSummary] {
        var request = request
        var all: [AttemptSummary] = []
        repeat {
            let page = try await world.broadcast.searchAttempts(request)
            all += page.attempts
            request.pageToken = page.nextPageToken
        } while request.pageToken != nil
        return all
    }

    @Test func searchAttemptsFindsContactsByDispositionAcrossRequests() async throws {
        try await BroadcastWorld.with { world in
            let start = world.clock.now
            let first = try await world.create(days: 5)
            let second = try await world.create(days: 6)
            let one = try await world.wave(1, of: first.id)
            let two = try await world.wave(1, of: second.id)
            #expect(world.providers(ofWave: 1, one) == ["aa-01", "aa-02"])
            #expect(world.providers(ofWave: 1, two) == ["aa-01", "aa-02"])
            _ = try await world.respond("aa-01", interested: false, one)
            _ = try await world.respond("aa-01", interested: false, two)
            _ = try await world.respond("aa-02", interested: true, two)
            try await world.detail(second.id, "both answers") { $0.attempts.allSatisfy { $0.disposition != nil } }
            try await world.detail(first.id, "aa-01's answer") { $0.attempts.first?.disposition == "DECLINED" }
            // Eight hours on, the first request's silent aa-02 gets NO_RESPONSE and wave 2 goes out.
            try await world.advance(by: 8 * Self.hour + 60)
            try await world.wave(2, of: first.id)

            let declined = try await world.broadcast.searchAttempts(SearchAttemptsRequest(dispositions: ["DECLINED"]))
            #expect(declined.nextPageToken == nil)
            #expect(Set(declined.attempts.map(\.requestId)) == [first.id, second.id])
            for attempt in declined.attempts {
                #expect(attempt.providerId == "aa-01" && attempt.customerId == world.school.id && attempt.wave == 1)
                #expect(attempt.dispositionLabel == "Declined" && attempt.dispositionBy == "provider")
                #expect(attempt.dispositionAt != nil && attempt.sentAt != nil && attempt.opportunityId != nil)
            }
            let others = try await world.broadcast.searchAttempts(
                SearchAttemptsRequest(dispositions: ["NO_RESPONSE", "INTERESTED"]))
            #expect(
                Set(others.attempts.map { "\($0.requestId) \($0.providerId) \($0.disposition!) \($0.dispositionBy!)" })
                    == ["\(first.id) aa-02 NO_RESPONSE system", "\(second.id) aa-02 INTERESTED provider"])
            let ofProvider = try await world.broadcast.searchAttempts(SearchAttemptsRequest(providerId: "aa-01"))
            #expect(ofProvider.attempts.count == 2)
            let ofRequest = try await world.broadcast.searchAttempts(SearchAttemptsRequest(requestId: first.id))
            // Plan order, then ids: a wave's contacts are planned at the same time.
            #expect(ofRequest.attempts.map(\.wave) == [1, 1, 2, 2])
            #expect(Set(ofRequest.attempts.map(\.providerId)) == ["aa-01", "aa-02", "aa-03", "aa-04"])
            // The period is when the attempts were planned: wave 2, eight hours in.
            let later = try await world.broadcast.searchAttempts(
                SearchAttemptsRequest(from: start.addingTimeInterval(Self.hour)))
            #expect(Set(later.attempts.map(\.providerId)) == ["aa-03", "aa-04"] && later.attempts.count == 2)
            #expect(later.attempts.allSatisfy { $0.disposition == nil && $0.wave == 2 })
            let earlier = try await world.broadcast.searchAttempts(
                SearchAttemptsRequest(requestId: first.id, to: start.addingTimeInterval(Self.hour)))
            #expect(Set(earlier.attempts.map(\.providerId)) == ["aa-01", "aa-02"] && earlier.attempts.count == 2)
            let clinic = try await world.broadcast.searchAttempts(
                SearchAttemptsRequest(customerId: world.fixture.customers["Clinic"]!.id))
            #expect(clinic.attempts.isEmpty)
            let school = try await world.broadcast.searchAttempts(SearchAttemptsRequest(customerId: world.school.id))
            #expect(school.attempts.count == 6)

            // Every page, one attempt at a time, is the whole list in plan order.
            let all = try await world.broadcast.searchAttempts(SearchAttemptsRequest())
            #expect(all.attempts.count == 6)
            #expect(all.attempts.map(\.plannedAt) == all.attempts.map(\.plannedAt).sorted())
            let paged = try await Self.everyPage(world, SearchAttemptsRequest(pageSize: 1))
            #expect(paged.map(\.id) == all.attempts.map(\.id))
            let page = try await world.broadcast.searchAttempts(SearchAttemptsRequest(pageSize: 2))
            let token = try #require(page.nextPageToken)
            try await Self.expectRefusal(
                world, SearchAttemptsRequest(providerId: "aa-01", pageToken: token), .invalidArgument, "body.pageToken")
            try await Self.expectRefusal(
                world, SearchAttemptsRequest(dispositions: ["NOT_A_CODE"]), .notFound, "body.dispositions[0]")
            try await Self.expectRefusal(
                world, SearchAttemptsRequest(dispositions: ["declined"]), .invalidArgument, "body.dispositions[0]")
            try await Self.expectRefusal(
                world, SearchAttemptsRequest(from: start, to: start), .invalidArgument, "body.to")
            try await Self.expectRefusal(
                world, SearchAttemptsRequest(dispositions: []), .invalidArgument, "body.dispositions")

            // Another partner finds none of them.
            let other = BroadcastClient(world.rpc, actor: Actor(role: .partner, partnerId: "p-other", id: "someone"))
            #expect(try await other.searchAttempts(SearchAttemptsRequest(providerId: "aa-01")).attempts.isEmpty)
        }
    }

    static func expectRefusal(
        _ world: BroadcastWorld, _ request: SearchAttemptsRequest, _ code: StatusCode, _ field: String
    ) async throws {
        do {
            _ = try await world.broadcast.searchAttempts(request)
            Issue.record("\(request) was answered")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.details.map(\.field) == [field], "\(error)")
        }
    }

    @Test func bulkRecycleRecyclesEveryMatchWhoseRequestStillBroadcasts() async throws {
        try await BroadcastWorld.with { world in
            let filled = try await world.create(days: 5)
            let running = try await world.create(days: 6)
            let one = try await world.wave(1, of: filled.id)
            var two = try await world.wave(1, of: running.id)
            _ = try await world.respond("aa-02", interested: false, one)
            let interest = try await world.respond("aa-01", interested: true, one)
            _ = try await world.opportunities.decide(DecideRequest(opportunityId: interest.id, assign: true))
            try await world.detail(filled.id, "filled") { $0.state == .filled }
            _ = try await world.respond("aa-01", interested: false, two)
            _ = try await world.respond("aa-02", interested: false, two)
            two = try await world.wave(2, of: running.id)
            #expect(world.providers(ofWave: 2, two) == ["aa-03", "aa-04"])

            // Three DECLINED: the filled request's is left; the running one takes two back.
            let recycled = try await world.broadcast.bulkRecycle(BulkRecycleRequest(dispositions: ["DECLINED"]))
            #expect(
                recycled
                    == BulkRecycleResponse(
                        matched: 3, recycled: 2, broadcasts: 1, skipped: [BulkSkip(reason: .broadcastEnded, count: 1)]))
            let again = try await world.broadcast.bulkRecycle(BulkRecycleRequest(dispositions: ["DECLINED"]))
            #expect(
                again
                    == BulkRecycleResponse(
                        matched: 3, recycled: 0, broadcasts: 0,
                        skipped: [
                            BulkSkip(reason: .broadcastEnded, count: 1), BulkSkip(reason: .alreadyRecycled, count: 2),
                        ]
                    ))
            // Back in rotation: once wave 2 is answered, wave 3 contacts them again.
            _ = try await world.respond("aa-03", interested: false, two)
            _ = try await world.respond("aa-04", interested: false, two)
            let three = try await world.wave(3, of: running.id)
            #expect(Set(world.providers(ofWave: 3, three)) == ["aa-01", "aa-02"])
            #expect(try world.attempt("aa-02", wave: 3, three).attemptNumber == 2)

            // One request: two answers superseded, two open attempts, two recycled now.
            let rest = try await world.broadcast.bulkRecycle(BulkRecycleRequest(requestId: running.id))
            #expect(
                rest
                    == BulkRecycleResponse(
                        matched: 6, recycled: 2, broadcasts: 1,
                        skipped: [BulkSkip(reason: .superseded, count: 2), BulkSkip(reason: .open, count: 2)]))
            do {
                _ = try await world.broadcast.bulkRecycle(BulkRecycleRequest())
                Issue.record("a bulk recycle without a filter was answered")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.details.map(\.field) == ["body"], "\(error)")
            }
        }
    }

    @Test func bulkBlockBlocksTheProvidersOfEveryMatch() async throws {
        try await BroadcastWorld.with { world in
            let request = try await world.create(days: 5)
            var detail = try await world.wave(1, of: request.id)
            _ = try await world.broadcast.block(
                BlockRequest(providerId: "aa-02", customerId: world.school.id, reason: "earlier"))
            _ = try await world.respond("aa-01", interested: false, detail)
            _ = try await world.respond("aa-02", interested: false, detail)
            detail = try await world.wave(2, of: request.id)

            let blocked = try await world.broadcast.bulkBlock(
                BulkBlockRequest(dispositions: ["DECLINED"], reason: "declined at short notice"))
            #expect(
                blocked
                    == BulkBlockResponse(
                        matched: 2, providers: 2, blocked: 1, skipped: [BulkSkip(reason: .alreadyBlocked, count: 1)]))
            let entries = try await world.broadcast.listBlocks().blocks
            #expect(
                entries.map { "\($0.providerId) \($0.customerId ?? "-") \($0.reason ?? "-")" } == [
                    "aa-01 \(world.school.id) declined at short notice", "aa-02 \(world.school.id) earlier",
                ])
            let everywhere = try await world.broadcast.bulkBlock(
                BulkBlockRequest(providerId: "aa-01", reason: "for every customer", blockAllCustomers: true))
            #expect(everywhere == BulkBlockResponse(matched: 1, providers: 1, blocked: 1, skipped: []))
            let twice = try await world.broadcast.bulkBlock(
                BulkBlockRequest(providerId: "aa-01", reason: "again", blockAllCustomers: true))
            #expect(twice.blocked == 0 && twice.skipped == [BulkSkip(reason: .alreadyBlocked, count: 1)])
            #expect(try await world.events(Broadcast.EventType.blockAdded).count == 3)

            // Recycled by hand, they stay out: the next ranking filters them with the blocks' reasons.
            _ = try await world.broadcast.recycle(RecycleRequest(requestId: request.id, codes: ["DECLINED"]))
            _ = try await world.respond("aa-03", interested: false, detail)
            _ = try await world.respond("aa-04", interested: false, detail)
            detail = try await world.wave(3, of: request.id)
            #expect(world.providers(ofWave: 3, detail) == ["aa-05", "aa-06"])
            let reasons = detail.considered.first { $0.providerId == "aa-01" }?.reasons.map(\.detail) ?? []
            #expect(reasons.contains("blocked for every customer: for every customer"), "\(reasons)")

            for (body, field) in [
                (BulkBlockRequest(dispositions: ["DECLINED"], reason: " "), "body.reason"),
                (BulkBlockRequest(reason: "everyone"), "body"),
            ] {
                do {
                    _ = try await world.broadcast.bulkBlock(body)
                    Issue.record("\(body) was answered")
                } catch let error as RPCError {
                    #expect(error.code == .invalidArgument && error.details.map(\.field) == [field], "\(error)")
                }
            }
        }
    }
}
