/// When a subscriber's source task acts next: applying what its buffer holds, and asking the
/// source (`ReadEvents`) for what it missed. Pure: told what happened and when, it says when to
/// try next, so a table test covers every rule without sockets or sleeps.
///
/// The rules: a source is asked on its idle tick (`idleCatchUp` after the last catch-up), and
/// at once when something calls for it (an announced event, a gap, a drop, another epoch, a failing event not in the
/// buffer, a catch-up that failed or left it behind); retries back off (`EventRetryBackoff`),
/// catch-ups and failing events each by their own count of consecutive failures; a failing
/// source is retried at its own pace, not also on the idle tick; a nudge (`catchUpNow`) goes
/// through whatever the backoff says.
struct SourceSchedule {
    /// What the source's state calls for now.
    struct Situation: Equatable, Sendable {
        /// Someone asked for a catch-up now, whatever the backoff.
        var forced = false
        /// The receive thread saw something only a catch-up can settle (a drop, another epoch).
        var wanted = false
        /// The event port announced an event past the checkpoint (events there are only wake-ups).
        var notified = false
        /// The buffer holds events after a missing one.
        var gap = false
        /// An event fails to apply.
        var failing = false
        /// The failing event is in the buffer (so retrying the buffer retries it).
        var failingBuffered = false
    }

    /// What to do next.
    enum Step: Equatable {
        case catchUp
        case wait(until: ContinuousClock.Instant)
    }

    let idleCatchUp: Duration
    let backoff: EventRetryBackoff
    /// Where in the upper half of its bound each pause falls (0...1): random, fixed in tests.
    var jitter: @Sendable () -> Double = { .random(in: 0...1) }

    private(set) var lastCatchUp: ContinuousClock.Instant?
    private(set) var catchUpFailures = 0
    private(set) var nextCatchUp: ContinuousClock.Instant?
    private(set) var applyFailures = 0
    private(set) var nextApply: ContinuousClock.Instant?

    init(idleCatchUp: Duration, backoff: EventRetryBackoff) {
        self.idleCatchUp = idleCatchUp
        self.backoff = backoff
    }

    /// Whether the last catch-up left the source where it should be.
    var isCaughtUp: Bool { catchUpFailures == 0 }

    /// Whether the buffer may be applied now (not while a failing event waits out its backoff).
    func mayApply(at now: ContinuousClock.Instant) -> Bool { nextApply.map { now >= $0 } ?? true }

    /// An event failed to apply: its retry backs off. Returns the consecutive failures.
    @discardableResult
    mutating func applyFailed(at now: ContinuousClock.Instant) -> Int {
        applyFailures += 1
        nextApply = now + backoff.delay(afterFailures: applyFailures, jitter: jitter())
        return applyFailures
    }

    /// The source no longer fails: its next event is applied as soon as it comes.
    mutating func recovered() {
        applyFailures = 0
        nextApply = nil
    }

    /// Whether to catch up now, or how long to wait (a wake-up may come sooner).
    func next(at now: ContinuousClock.Instant, _ situation: Situation) -> Step {
        // A failing source is retried at its own pace, not also on the idle tick.
        let idle = !situation.failing && (lastCatchUp.map { now - $0 >= idleCatchUp } ?? true)
        // A failed catch-up is tried again; so is one that left the source behind.
        let triggered =
            catchUpFailures > 0 || situation.wanted || situation.notified || situation.gap
            || (situation.failing && !situation.failingBuffered)
        let allowed = (nextCatchUp.map { now >= $0 } ?? true) && mayApply(at: now)
        if situation.forced || (allowed && (idle || triggered)) { return .catchUp }
        // Not the idle tick while failing: long past, it would make the wait return at once, over
        // and over, until the failing event's own retry.
        var deadline = situation.failing ? nil : (lastCatchUp ?? now) + idleCatchUp
        if triggered, let nextCatchUp { deadline = min(deadline ?? nextCatchUp, nextCatchUp) }
        if let nextApply { deadline = min(deadline ?? nextApply, nextApply) }
        return .wait(until: deadline ?? now + idleCatchUp)
    }

    /// A catch-up begins: the idle tick counts from here.
    mutating func catchingUp(at now: ContinuousClock.Instant) { lastCatchUp = now }

    /// A catch-up read the source to its end; `behind` when the source was still ahead right
    /// after (a gap, more events), which backs off like a failure.
    mutating func caughtUp(at now: ContinuousClock.Instant, behind: Bool) {
        catchUpFailures = behind ? catchUpFailures + 1 : 0
        nextCatchUp = behind ? now + backoff.delay(afterFailures: catchUpFailures, jitter: jitter()) : nil
    }

    /// A catch-up failed (the source did not answer): it is tried again after a pause. Returns
    /// the consecutive failures.
    @discardableResult
    mutating func catchUpFailed(at now: ContinuousClock.Instant) -> Int {
        catchUpFailures += 1
        nextCatchUp = now + backoff.delay(afterFailures: catchUpFailures, jitter: jitter())
        return catchUpFailures
    }
}

/// Pauses before retrying a source's catch-up or a failing event: doubling from `initial` up to
/// `maximum`, each drawn from the upper half of its bound so retries spread out yet never come
/// back to back.
public struct EventRetryBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// 100 ms doubling to 5 s.
    public static let standard = EventRetryBackoff()

    /// The pause after `failures` consecutive failures (1 or more); `jitter` (0...1) places it
    /// in the upper half of its bound.
    public func delay(afterFailures failures: Int, jitter: Double = .random(in: 0...1)) -> Duration {
        let doublings = min(max(failures - 1, 0), 32)
        let bound = min(initial * (1 << doublings), maximum)
        return bound / 2 + (bound / 2) * min(max(jitter, 0), 1)
    }
}
