import Foundation

/// When `octoo up` restarts a child that exited on its own, and when it gives up: a pure function
/// of the child's recent runs, so the rule is tested without killing anything.
struct RestartPolicy: Sendable {
    /// One run of a child, from its start to its exit.
    struct Run: Sendable, Equatable {
        var started: ContinuousClock.Instant
        var exited: ContinuousClock.Instant
    }

    /// What to do about the child whose last run just ended.
    enum Decision: Sendable, Equatable {
        case restart(after: Duration)
        case giveUp
    }

    /// The delay before the first restart of a streak of short runs.
    var initialDelay: Duration = .milliseconds(500)
    /// The longest delay the doubling reaches.
    var maximumDelay: Duration = .seconds(10)
    /// A run at least this long counts as healthy: the next restart waits `initialDelay` again.
    var stableUptime: Duration = .seconds(30)
    /// This many exits within `window` (the last one included) means the child keeps dying.
    var maximumExits = 5
    /// The span in which `maximumExits` exits make `octoo up` give up.
    var window: Duration = .seconds(60)

    /// How many of `runs` (oldest first) ended within `window` before the last one, the last included.
    func recentExits(_ runs: [Run]) -> Int {
        guard let last = runs.last else { return 0 }
        return runs.filter { last.exited - $0.exited < window }.count
    }

    /// Whether, and after how long, to restart the child whose last run is `runs.last` (oldest first).
    func decide(_ runs: [Run]) -> Decision {
        if recentExits(runs) >= maximumExits { return .giveUp }
        // Each short run in a row doubles the wait, so a child failing at startup does not spin.
        let shortRuns = runs.reversed().prefix { $0.exited - $0.started < stableUptime }.count
        var delay = initialDelay
        for _ in 1..<max(shortRuns, 1) where delay < maximumDelay { delay = min(delay * 2, maximumDelay) }
        return .restart(after: delay)
    }

    /// `runs` without those too old to change a decision, so a child restarted for weeks keeps a short history.
    func trimmed(_ runs: [Run]) -> [Run] {
        // Enough short runs in a row to reach the maximum delay, and enough to count toward giving up.
        var doublings = 1
        var delay = initialDelay
        while delay < maximumDelay && doublings < 64 {
            delay = delay * 2
            doublings += 1
        }
        return Array(runs.suffix(max(maximumExits, doublings)))
    }
}

extension Duration {
    /// Seconds as people read them: `0.5s`, `2s`, `10s`.
    var secondsText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return String(format: "%gs", seconds)
    }
}
