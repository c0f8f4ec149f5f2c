import Contracts
import Foundation
import Testing

@testable import BroadcastService

/// docs/design.md, "Waves and bands" and "Advance rules", as tables, against the pure
/// `WavePlanner`: the band of every lead time (at and beside each edge), the start window, when a
/// wave closes as the job approaches, the contact order with overrides, each advance rule, and the
/// wave each band plans.
@Suite("Wave planner")
struct WavePlannerTests {
    static let policy = BroadcastPolicy.standard
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    /// A lead time and the wave size and interval the default policy gives it.
    struct BandCase: Sendable, CustomTestStringConvertible {
        var lead: TimeInterval
        var waveSize: Int
        var intervalMinutes: Int
        var testDescription: String { "\(lead / 3600) h → \(waveSize) every \(intervalMinutes) min" }
    }

    static let bands: [BandCase] = [
        BandCase(lead: 29 * day, waveSize: 1, intervalMinutes: 1440),
        BandCase(lead: 14 * day + 1, waveSize: 1, intervalMinutes: 1440),
        BandCase(lead: 14 * day, waveSize: 2, intervalMinutes: 480),
        BandCase(lead: 3 * day + 1, waveSize: 2, intervalMinutes: 480),
        BandCase(lead: 3 * day, waveSize: 3, intervalMinutes: 120),
        BandCase(lead: 1 * day + 1, waveSize: 3, intervalMinutes: 120),
        BandCase(lead: 1 * day, waveSize: 5, intervalMinutes: 30),
        BandCase(lead: 4 * hour + 1, waveSize: 5, intervalMinutes: 30),
        BandCase(lead: 4 * hour, waveSize: 0, intervalMinutes: 30),
        BandCase(lead: 60, waveSize: 0, intervalMinutes: 30),
        BandCase(lead: 0, waveSize: 0, intervalMinutes: 30),
    ]

    @Test(arguments: bands)
    func bandOfALeadTime(_ row: BandCase) {
        let band = WavePlanner.band(forLead: row.lead, in: Self.policy)
        #expect(band.waveSize == row.waveSize && band.intervalMinutes == row.intervalMinutes)
    }

    @Test func bandsAreFoundWhateverTheirOrder() {
        var policy = Self.policy
        policy.bands.reverse()
        #expect(WavePlanner.band(forLead: 5 * Self.day, in: policy).waveSize == 2)
        #expect(WavePlanner.band(forLead: 15 * Self.day, in: policy).waveSize == 1)
    }

    @Test func theStartWindowOpensThirtyDaysBefore() {
        let startsAt = Self.now.addingTimeInterval(45 * Self.day)
        #expect(
            WavePlanner.windowOpens(startsAt: startsAt, policy: Self.policy)
                == Self.now.addingTimeInterval(15 * Self.day))
    }

    /// A wave sent `lead` before the start, and how long after it closes.
    struct CloseCase: Sendable, CustomTestStringConvertible {
        var name: String
        var lead: TimeInterval
        var closesAfter: TimeInterval
        var testDescription: String { name }
    }

    static let closes: [CloseCase] = [
        CloseCase(name: "20 days out: the full 24 h", lead: 20 * day, closesAfter: day),
        CloseCase(name: "14.5 days out: when it enters 3–14 days (12 h)", lead: 14.5 * day, closesAfter: 12 * hour),
        CloseCase(name: "5 days out: the full 8 h", lead: 5 * day, closesAfter: 8 * hour),
        CloseCase(name: "3 days + 1 h out: when it enters 1–3 days (1 h)", lead: 3 * day + hour, closesAfter: hour),
        CloseCase(name: "2 days out: the full 2 h", lead: 2 * day, closesAfter: 2 * hour),
        CloseCase(name: "25 h out: when it enters 4–24 h (1 h)", lead: 25 * hour, closesAfter: hour),
        CloseCase(name: "10 h out: the full 30 min", lead: 10 * hour, closesAfter: 30 * 60),
        CloseCase(name: "4 h 10 min out: when it enters under 4 h", lead: 4 * hour + 600, closesAfter: 600),
        CloseCase(name: "2 h out: the full 30 min", lead: 2 * hour, closesAfter: 30 * 60),
        CloseCase(name: "10 min out: at the start", lead: 600, closesAfter: 600),
    ]

    @Test(arguments: closes)
    func aWaveClosesByItsBandAndNeverPastATighterOne(_ row: CloseCase) {
        let startsAt = Self.now.addingTimeInterval(row.lead)
        let closesAt = WavePlanner.closesAt(sentAt: Self.now, startsAt: startsAt, policy: Self.policy)
        #expect(closesAt.timeIntervalSince(Self.now) == row.closesAfter)
    }

    @Test func replanningAsTheLeadTimeShrinksTightensEveryWave() {
        // One provider answers nobody, each wave closes on time: sizes and intervals as the job nears.
        let startsAt = Self.now.addingTimeInterval(16 * Self.day)
        var at = Self.now
        var plan: [(size: Int, minutes: Int)] = []
        while at < startsAt, plan.count < 200 {
            let band = WavePlanner.band(forLead: startsAt.timeIntervalSince(at), in: Self.policy)
            plan.append((band.waveSize, band.intervalMinutes))
            at = WavePlanner.closesAt(sentAt: at, startsAt: startsAt, policy: Self.policy)
        }
        let sizes = plan.map(\.size)
        #expect(sizes.prefix(3) == [1, 1, 2])
        #expect(sizes == sizes.sorted { ($0 == 0 ? Int.max : $0) < ($1 == 0 ? Int.max : $1) })
        #expect(Set(sizes) == [1, 2, 3, 5, 0])
        // 2 days at 24 h, 11 days at 8 h, 2 days at 2 h, 20 h at 30 min, 4 h at 30 min: 33 + 24 + 40 + 8.
        #expect(plan.count == 2 + 33 + 24 + 40 + 8)
    }

    /// Rank order and overrides, and the contact order they give.
    struct OrderCase: Sendable, CustomTestStringConvertible {
        var name: String
        var ranked: [String]
        var overrides: BroadcastOverrides
        var order: [String]
        var testDescription: String { name }
    }

    static let orders: [OrderCase] = [
        OrderCase(
            name: "rank order", ranked: ["a", "b", "c"], overrides: BroadcastOverrides(), order: ["a", "b", "c"]),
        OrderCase(
            name: "pinned first, in the partner's order", ranked: ["a", "b", "c", "d"],
            overrides: BroadcastOverrides(pin: ["d", "c"]), order: ["d", "c", "a", "b"]),
        OrderCase(
            name: "ordered after the pinned", ranked: ["a", "b", "c", "d"],
            overrides: BroadcastOverrides(pin: ["c"], order: ["d", "b"]), order: ["c", "d", "b", "a"]),
        OrderCase(
            name: "excluded never, even pinned", ranked: ["a", "b", "c"],
            overrides: BroadcastOverrides(pin: ["b"], exclude: ["b", "c"]), order: ["a"]),
        OrderCase(
            name: "a pin does not override a filter", ranked: ["a"], overrides: BroadcastOverrides(pin: ["z"]),
            order: ["a"]),
    ]

    @Test(arguments: orders)
    func contactOrder(_ row: OrderCase) {
        #expect(WavePlanner.contactOrder(ranked: row.ranked, overrides: row.overrides) == row.order)
    }

    // MARK: Advancing

    static func situation(
        state: BroadcastState = .running, cancelled: Bool = false, status: RequestRecord.Status = .open,
        openings: Int = 1, pending: Int = 0, unsent: Int = 0, awaiting: Int = 0, lead: TimeInterval = 5 * day
    ) -> WavePlanner.Situation {
        WavePlanner.Situation(
            state: state, requestCancelled: cancelled, requestStatus: status, openings: openings,
            pendingInterest: pending, unsent: unsent, awaiting: awaiting, now: now,
            startsAt: now.addingTimeInterval(lead), policy: policy)
    }

    /// A situation and the verdict the advance rules give it.
    struct AdvanceCase: Sendable, CustomTestStringConvertible {
        var name: String
        var situation: WavePlanner.Situation
        var verdict: WavePlanner.Verdict
        var testDescription: String { name }
    }

    static let advances: [AdvanceCase] = [
        AdvanceCase(name: "the whole wave answered: next wave", situation: situation(), verdict: .nextWave),
        AdvanceCase(name: "someone still silent: hold", situation: situation(awaiting: 1), verdict: .hold),
        AdvanceCase(name: "contacts not sent yet: hold", situation: situation(unsent: 2), verdict: .hold),
        AdvanceCase(
            name: "pending interest covers the openings: wait", situation: situation(openings: 2, pending: 2),
            verdict: .waitForInterest),
        AdvanceCase(
            name: "interest covers some openings only: next wave", situation: situation(openings: 2, pending: 1),
            verdict: .nextWave),
        AdvanceCase(
            name: "interest turned down (none pending): next wave", situation: situation(state: .waiting),
            verdict: .nextWave),
        AdvanceCase(name: "no opening: filled", situation: situation(openings: 0, awaiting: 3), verdict: .fill),
        AdvanceCase(
            name: "a filled team that lost a member: next wave", situation: situation(state: .filled, openings: 1),
            verdict: .nextWave),
        AdvanceCase(
            name: "cancelled: stop", situation: situation(cancelled: true, awaiting: 1),
            verdict: .stop(reason: StopReason.requestCancelled)),
        AdvanceCase(
            name: "the job started with a slot open: stop, unfilled", situation: situation(lead: 0),
            verdict: .stop(reason: StopReason.jobStartedUnfilled)),
        AdvanceCase(
            name: "the job started, the team held, a replacement not found: stop",
            situation: situation(status: .filled, lead: 0), verdict: .stop(reason: StopReason.jobStarted)),
        AdvanceCase(
            name: "the request went unfilled: stop", situation: situation(status: .unfilled, awaiting: 1),
            verdict: .stop(reason: StopReason.jobStartedUnfilled)),
        AdvanceCase(name: "paused: hold", situation: situation(state: .paused), verdict: .hold),
        AdvanceCase(name: "paused, filled: filled", situation: situation(state: .paused, openings: 0), verdict: .fill),
        AdvanceCase(
            name: "stopped stays stopped", situation: situation(state: .stopped, cancelled: true), verdict: .hold),
        AdvanceCase(
            name: "beyond the start window: wait for it", situation: situation(lead: 45 * day),
            verdict: .waitForStartWindow(until: now.addingTimeInterval(15 * day))),
        AdvanceCase(
            name: "exactly at the window: next wave", situation: situation(lead: 30 * day), verdict: .nextWave),
        AdvanceCase(
            name: "exhausted, asked again: next wave (rank again)", situation: situation(state: .exhausted),
            verdict: .nextWave),
    ]

    @Test(arguments: advances)
    func advanceRule(_ row: AdvanceCase) {
        #expect(WavePlanner.advance(row.situation) == row.verdict)
    }

    // MARK: Planning

    static let providers = (1...12).map { "pr-\($0)" }

    /// Lead times and the size of the wave planned then (12 providers eligible).
    static let sizes: [(lead: TimeInterval, size: Int)] = [
        (29 * day, 1), (15 * day, 1), (14 * day, 2), (10 * day, 2), (3 * day, 3), (2 * day, 3), (20 * hour, 5),
        (4 * hour, 12), (3 * hour, 12),
    ]

    @Test(arguments: sizes)
    func aWaveHasItsBandsSize(lead: TimeInterval, size: Int) {
        let plan = WavePlanner.plan(
            now: Self.now, startsAt: Self.now.addingTimeInterval(lead), policy: Self.policy,
            eligibleNow: Self.providers, nextEligibleAt: nil)
        guard case .wave(let ids, _, let leadHours) = plan else {
            Issue.record("no wave: \(plan)")
            return
        }
        #expect(ids == Array(Self.providers.prefix(size)))
        #expect(leadHours == lead / 3600)
    }

    @Test func fewerLeftThanTheBandsSize() {
        let plan = WavePlanner.plan(
            now: Self.now, startsAt: Self.now.addingTimeInterval(20 * Self.hour), policy: Self.policy,
            eligibleNow: ["pr-1", "pr-2"], nextEligibleAt: nil)
        #expect(plan == .wave(providerIds: ["pr-1", "pr-2"], band: Self.policy.bands[3], leadHours: 20))
    }

    @Test func nobodyNowButSomeoneRecycledLaterWaits() {
        let later = Self.now.addingTimeInterval(2 * Self.hour)
        let startsAt = Self.now.addingTimeInterval(Self.day)
        #expect(
            WavePlanner.plan(
                now: Self.now, startsAt: startsAt, policy: Self.policy, eligibleNow: [], nextEligibleAt: later)
                == .waitUntil(later))
        #expect(
            WavePlanner.plan(
                now: Self.now, startsAt: startsAt, policy: Self.policy, eligibleNow: [],
                nextEligibleAt: startsAt.addingTimeInterval(1)) == .exhausted)
        #expect(
            WavePlanner.plan(
                now: Self.now, startsAt: startsAt, policy: Self.policy, eligibleNow: [], nextEligibleAt: nil)
                == .exhausted)
        #expect(
            WavePlanner.plan(
                now: startsAt, startsAt: startsAt, policy: Self.policy, eligibleNow: ["pr-1"], nextEligibleAt: nil)
                == .jobStarted)
    }

    @Test func rotationLeavesOutTheBlockedTheHoldersAndTheDispositioned() {
        let catalogue = Dispositions.catalogue(stored: [])
        func attempt(_ provider: String, _ code: String?, at offset: TimeInterval = -3 * Self.hour) -> ContactAttempt {
            ContactAttempt(
                id: "at-\(provider)", requestId: "rq", providerId: provider, wave: 1, attemptNumber: 1, status: .sent,
                plannedAt: Self.now.addingTimeInterval(offset), disposition: code,
                dispositionAt: code == nil ? nil : Self.now.addingTimeInterval(offset))
        }
        let rotation = WavePlanner.rotation(
            order: ["a", "b", "c", "d", "e", "f", "g"], blocked: ["b"], holding: ["c"],
            attempts: [
                "d": [attempt("d", Dispositions.declined)],
                "e": [attempt("e", Dispositions.noResponse)],
                "f": [attempt("f", Dispositions.noResponse, at: -Self.hour)],
                "g": [attempt("g", nil)],
            ], catalogue: catalogue, now: Self.now)
        #expect(rotation.now == ["a", "e"])
        #expect(rotation.next == Self.now.addingTimeInterval(Self.hour))
    }

    /// Wave 1 (a, b, c) went unanswered 3 hours ago and is back by `NO_RESPONSE`'s rule; d was
    /// recycled by hand; e and f were never contacted.
    @Test(arguments: [false, true])
    func theNeverContactedComeBeforeTheRecycled(recycledInRankOrder: Bool) {
        let catalogue = Dispositions.catalogue(stored: [])
        func silent(_ provider: String, recycledByHand: Bool = false) -> [ContactAttempt] {
            [
                ContactAttempt(
                    id: "at-\(provider)", requestId: "rq", providerId: provider, wave: 1, attemptNumber: 1,
                    status: .sent, plannedAt: Self.now.addingTimeInterval(-5 * Self.hour),
                    disposition: Dispositions.noResponse, dispositionAt: Self.now.addingTimeInterval(-3 * Self.hour),
                    recycledAt: recycledByHand ? Self.now.addingTimeInterval(-Self.hour) : nil)
            ]
        }
        let attempts = ["a": silent("a"), "b": silent("b"), "c": silent("c"), "d": silent("d", recycledByHand: true)]
        let rotation = WavePlanner.rotation(
            order: ["a", "b", "c", "d", "e", "f"], blocked: [], holding: [], attempts: attempts, catalogue: catalogue,
            now: Self.now, recycledInRankOrder: recycledInRankOrder)
        #expect(
            rotation.now == (recycledInRankOrder ? ["a", "b", "c", "d", "e", "f"] : ["d", "e", "f", "a", "b", "c"]))
        // A wave of three takes the never contacted (and the recycled by hand) first.
        let plan = WavePlanner.plan(
            now: Self.now, startsAt: Self.now.addingTimeInterval(2 * Self.day), policy: Self.policy,
            eligibleNow: rotation.now, nextEligibleAt: rotation.next)
        guard case .wave(let providerIds, _, _) = plan else {
            Issue.record("no wave: \(plan)")
            return
        }
        #expect(providerIds == (recycledInRankOrder ? ["a", "b", "c"] : ["d", "e", "f"]))
    }

    @Test func policyViolationsNameEveryField() {
        let faults = BroadcastPolicy.violations(
            bands: [
                PolicyBand(minLeadHours: 24, waveSize: -1, intervalMinutes: 0),
                PolicyBand(minLeadHours: 24, waveSize: 2, intervalMinutes: 60),
            ], startWindowDays: 0)
        #expect(
            faults.map(\.field) == [
                "body.bands[0].waveSize", "body.bands[0].intervalMinutes", "body.bands", "body.bands",
                "body.startWindowDays",
            ])
        #expect(BroadcastPolicy.violations(bands: BroadcastPolicy.standard.bands, startWindowDays: 30).isEmpty)
        #expect(BroadcastPolicy.violations(bands: [], startWindowDays: 30).map(\.field) == ["body.bands"])
    }
}
