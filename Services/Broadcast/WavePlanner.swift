import Contracts
import Foundation

/// docs/design.md, "Waves and bands" and "Advance rules", as pure functions: the band of a lead
/// time, the start window, when a wave closes, the contact order with the partner's overrides,
/// whether a broadcast advances, and the next wave. No clock, no I/O: the store and the scheduler
/// pass in what they know, so table tests cover every rule.
enum WavePlanner {
    /// The band for a job `lead` seconds away: the first (widest) band whose `minLeadHours` it
    /// exceeds; the narrowest for anything less. An edge belongs to the tighter band, so the wave
    /// re-planned at the moment the job crosses an edge (see `closesAt`) is planned by the new one.
    static func band(forLead lead: TimeInterval, in policy: BroadcastPolicy) -> PolicyBand {
        let bands = policy.bands.sorted { $0.minLeadHours > $1.minLeadHours }
        return bands.first { lead > $0.minLeadHours * 3600 } ?? bands.last ?? PolicyBand.everyone
    }

    /// When a job starting at `startsAt` enters the policy's start window.
    static func windowOpens(startsAt: Date, policy: BroadcastPolicy) -> Date {
        startsAt.addingTimeInterval(-Double(policy.startWindowDays) * 86_400)
    }

    /// When a wave sent at `sentAt` closes: after its band's interval, but never after the job
    /// enters a tighter band (the next wave is re-planned then) nor after the job starts.
    static func closesAt(sentAt: Date, startsAt: Date, policy: BroadcastPolicy) -> Date {
        let band = band(forLead: startsAt.timeIntervalSince(sentAt), in: policy)
        var closes = sentAt.addingTimeInterval(Double(band.intervalMinutes) * 60)
        let entersTighterBand = startsAt.addingTimeInterval(-band.minLeadHours * 3600)
        if entersTighterBand > sentAt { closes = min(closes, entersTighterBand) }
        if startsAt > sentAt { closes = min(closes, startsAt) }
        return closes
    }

    /// The order providers are contacted in: the pinned first (in the partner's order), then the
    /// ordered, then everyone else by matching's rank; the excluded never. Only ranked providers
    /// are contacted: a pin does not override a filter.
    static func contactOrder(ranked: [String], overrides: BroadcastOverrides) -> [String] {
        let rankedSet = Set(ranked)
        let excluded = Set(overrides.exclude)
        var order: [String] = []
        var seen: Set<String> = []
        for id in overrides.pin + overrides.order + ranked
        where rankedSet.contains(id) && !excluded.contains(id) && !seen.contains(id) {
            order.append(id)
            seen.insert(id)
        }
        return order
    }

    /// Who may be contacted now, in the order a wave takes them, and the earliest time someone
    /// else may be: never the blocked nor those holding (or deciding on) the job; the rest as
    /// their attempts on the request allow (`Dispositions.eligibility`). Those never contacted
    /// for the request (and those the partner recycled by hand) come first, in contact order;
    /// those back by a recycle rule after them, unless `recycledInRankOrder` keeps everyone in
    /// contact order.
    static func rotation(
        order: [String], blocked: Set<String>, holding: Set<String>, attempts: [String: [ContactAttempt]],
        catalogue: [String: DispositionDefinition], now: Date, recycledInRankOrder: Bool = false
    ) -> (now: [String], next: Date?) {
        var fresh: [String] = []
        var recycled: [String] = []
        var next: Date?
        for providerId in order where !blocked.contains(providerId) && !holding.contains(providerId) {
            let tried = attempts[providerId] ?? []
            switch Dispositions.eligibility(tried, catalogue: catalogue, now: now) {
            case .now:
                let byRule = tried.last.map { $0.recycledAt == nil } ?? false
                if byRule && !recycledInRankOrder { recycled.append(providerId) } else { fresh.append(providerId) }
            case .at(let date): next = min(next ?? date, date)
            case .never: continue
            }
        }
        return (fresh + recycled, next)
    }

    // MARK: Advancing

    /// What a broadcast's advance depends on.
    struct Situation: Equatable {
        var state: BroadcastState
        var requestCancelled: Bool
        /// The request as opportunities last announced it: `unfilled` once its job started with
        /// slots open; `filled` while every slot is held (a holder may seek a replacement).
        var requestStatus: RequestRecord.Status = .open
        /// Slots nobody holds.
        var openings: Int
        /// Interested providers awaiting a decision.
        var pendingInterest: Int
        /// Attempts of the current wave not yet sent.
        var unsent: Int
        /// Attempts sent and not yet answered.
        var awaiting: Int
        var now: Date
        var startsAt: Date
        var policy: BroadcastPolicy
    }

    /// What to do now.
    enum Verdict: Equatable {
        /// Stop for good: the request was cancelled or the job started.
        case stop(reason: String)
        /// Every slot is held.
        case fill
        /// Nothing now: stopped, paused, or the current wave is still out.
        case hold
        /// Pending interest covers the openings: wait until it is turned down.
        case waitForInterest
        /// Beyond the start window: wait until it opens.
        case waitForStartWindow(until: Date)
        /// Rank again and plan the next wave.
        case nextWave
    }

    /// The advance rule, in order: a stopped broadcast stays stopped; a cancelled or unfilled
    /// request stops it; no opening fills it; the job's start stops it (unfilled, unless every
    /// slot is held and only a replacement was sought); a paused one holds; the next wave goes
    /// out once every provider of the current one has answered (or got `NO_RESPONSE` when its
    /// interval passed), while openings remain that pending interest does not cover, and once
    /// the job is inside the start window.
    static func advance(_ situation: Situation) -> Verdict {
        if situation.state == .stopped { return .hold }
        if situation.requestCancelled { return .stop(reason: StopReason.requestCancelled) }
        if situation.requestStatus == .unfilled { return .stop(reason: StopReason.jobStartedUnfilled) }
        if situation.openings <= 0 { return .fill }
        if situation.now >= situation.startsAt { return .stop(reason: StopReason.started(situation.requestStatus)) }
        if situation.state == .paused { return .hold }
        if situation.unsent > 0 || situation.awaiting > 0 { return .hold }
        if situation.openings <= situation.pendingInterest { return .waitForInterest }
        let opens = windowOpens(startsAt: situation.startsAt, policy: situation.policy)
        if situation.now < opens { return .waitForStartWindow(until: opens) }
        return .nextWave
    }

    // MARK: Planning

    /// The next wave, or why there is none.
    enum Plan: Equatable {
        /// Contact these providers now, by the band of the current lead time.
        case wave(providerIds: [String], band: PolicyBand, leadHours: Double)
        /// Nobody can be contacted now; someone comes back into rotation at this time.
        case waitUntil(Date)
        /// Nobody is left, and nobody comes back before the job starts.
        case exhausted
        /// The job has started.
        case jobStarted
    }

    /// Plans a wave at `now` from the providers who may be contacted now (in contact order) and
    /// the earliest time another one may be (by a recycle rule).
    static func plan(
        now: Date, startsAt: Date, policy: BroadcastPolicy, eligibleNow: [String], nextEligibleAt: Date?
    ) -> Plan {
        guard now < startsAt else { return .jobStarted }
        guard !eligibleNow.isEmpty else {
            if let next = nextEligibleAt, next < startsAt { return .waitUntil(max(next, now)) }
            return .exhausted
        }
        let lead = startsAt.timeIntervalSince(now)
        let band = band(forLead: lead, in: policy)
        let size = band.waveSize == 0 ? eligibleNow.count : min(band.waveSize, eligibleNow.count)
        return .wave(providerIds: Array(eligibleNow.prefix(size)), band: band, leadHours: lead / 3600)
    }
}

/// Why a broadcast stopped, as `stopReason` says it.
enum StopReason {
    static let requestCancelled = "the request was cancelled"
    static let jobStarted = "the job started"
    static let jobStartedUnfilled = "the job started unfilled"

    /// Why a broadcast stops at its job's start: unfilled, unless every slot is held (a
    /// replacement sought but not found).
    static func started(_ status: RequestRecord.Status) -> String {
        status == .filled ? jobStarted : jobStartedUnfilled
    }

    /// Whether the broadcast stopped because its job started.
    static func isStart(_ reason: String?) -> Bool {
        reason == jobStarted || reason == jobStartedUnfilled
    }
    static let partner = "stopped by the partner"
}

extension PolicyBand {
    /// Everyone left at once: the band of a policy without bands (never stored).
    static let everyone = PolicyBand(minLeadHours: 0, waveSize: 0, intervalMinutes: 30)
}

extension BroadcastPolicy {
    /// Every fault of a policy, by field: at least one band and at most 20, the narrowest from 0
    /// hours, no lead time twice, sizes and intervals in range, a start window of 1 to 365 days.
    static func violations(bands: [PolicyBand], startWindowDays: Int) -> [(field: String, problem: String)] {
        var found: [(String, String)] = []
        if bands.isEmpty || bands.count > 20 { found.append(("body.bands", "must hold 1 to 20 bands")) }
        for (index, band) in bands.enumerated() {
            let field = "body.bands[\(index)]"
            if !(band.minLeadHours >= 0 && band.minLeadHours <= 8760) {
                found.append(("\(field).minLeadHours", "must be from 0 to 8760"))
            }
            if !(0...1000).contains(band.waveSize) { found.append(("\(field).waveSize", "must be from 0 to 1000")) }
            if !(1...43_200).contains(band.intervalMinutes) {
                found.append(("\(field).intervalMinutes", "must be from 1 to 43200"))
            }
        }
        if Set(bands.map(\.minLeadHours)).count != bands.count {
            found.append(("body.bands", "must not repeat minLeadHours"))
        }
        if !bands.isEmpty, !bands.contains(where: { $0.minLeadHours == 0 }) {
            found.append(("body.bands", "must have a band from 0 hours, so every lead time has one"))
        }
        if !(1...365).contains(startWindowDays) { found.append(("body.startWindowDays", "must be from 1 to 365")) }
        return found
    }
}
