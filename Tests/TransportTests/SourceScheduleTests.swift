import Testing

@testable import Transport

/// `SourceSchedule` as a table: what happened to a source, and when; what it calls for now; when
/// the subscriber tries next. Pauses are at the top of their jitter (the full bound), idle 5 s,
/// backoff 100 ms doubling to 5 s.
@Suite("When a subscriber tries a source next")
struct SourceScheduleTests {
    /// What happened, at a time in milliseconds.
    enum Happening {
        case caughtUp(Int, behind: Bool = false)
        case catchUpFailed(Int)
        case applyFailed(Int)
        case recovered
    }

    /// What the schedule says, at milliseconds from the start.
    enum Expected: Equatable {
        case catchUp
        case wait(Int)
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var happened: [Happening]
        var at: Int
        var situation = SourceSchedule.Situation()
        var expected: Expected
        var testDescription: String { name }
    }

    static let gap = SourceSchedule.Situation(gap: true)
    static let failingInBuffer = SourceSchedule.Situation(failing: true, failingBuffered: true)
    static let failingOutOfBuffer = SourceSchedule.Situation(failing: true)

    static let rows: [Row] = [
        Row(name: "never caught up: now", happened: [], at: 0, expected: .catchUp),
        Row(name: "caught up, quiet: on the idle tick", happened: [.caughtUp(0)], at: 1000, expected: .wait(5000)),
        Row(name: "caught up, idle tick reached", happened: [.caughtUp(0)], at: 5000, expected: .catchUp),
        Row(name: "caught up, then a gap: now", happened: [.caughtUp(0)], at: 1000, situation: gap, expected: .catchUp),
        Row(
            name: "a drop or another epoch: now", happened: [.caughtUp(0)], at: 1,
            situation: SourceSchedule.Situation(wanted: true), expected: .catchUp),
        Row(
            name: "still behind after one: backs off", happened: [.caughtUp(0, behind: true)], at: 1,
            expected: .wait(100)),
        Row(name: "still behind, backoff over", happened: [.caughtUp(0, behind: true)], at: 100, expected: .catchUp),
        Row(
            name: "a gap during the backoff waits for it", happened: [.caughtUp(0, behind: true)], at: 50,
            situation: gap, expected: .wait(100)),
        Row(
            name: "three failed catch-ups: 400 ms",
            happened: [.catchUpFailed(0), .catchUpFailed(100), .catchUpFailed(300)], at: 301, expected: .wait(700)),
        Row(
            name: "the pause stops growing at 5 s", happened: (0..<10).map { _ in .catchUpFailed(0) }, at: 1,
            expected: .wait(5000)),
        Row(
            name: "caught up again: the count starts over",
            happened: [.catchUpFailed(0), .catchUpFailed(100), .caughtUp(300), .catchUpFailed(400)], at: 401,
            expected: .wait(500)),
        Row(
            name: "a failing event in the buffer: no idle tick, its own backoff",
            happened: [.caughtUp(0), .applyFailed(10_000)], at: 10_001, situation: failingInBuffer,
            expected: .wait(10_100)),
        Row(
            name: "a failing event not in the buffer waits out its backoff",
            happened: [.caughtUp(0), .applyFailed(10_000)], at: 10_050, situation: failingOutOfBuffer,
            expected: .wait(10_100)),
        Row(
            name: "a failing event not in the buffer: caught up after its backoff",
            happened: [.caughtUp(0), .applyFailed(10_000)], at: 10_100, situation: failingOutOfBuffer,
            expected: .catchUp),
        Row(
            name: "recovered: on the idle tick again", happened: [.caughtUp(0), .applyFailed(1000), .recovered],
            at: 1001, expected: .wait(5000)),
        Row(
            name: "a nudge goes through the backoff", happened: [.catchUpFailed(0)], at: 1,
            situation: SourceSchedule.Situation(forced: true), expected: .catchUp),
    ]

    @Test(arguments: rows)
    func theNextTryFollowsWhatHappened(_ row: Row) {
        let start = ContinuousClock.now
        func at(_ ms: Int) -> ContinuousClock.Instant { start + .milliseconds(ms) }
        var schedule = SourceSchedule(idleCatchUp: .seconds(5), backoff: .standard)
        schedule.jitter = { 1 }
        for happening in row.happened {
            switch happening {
            case .caughtUp(let ms, let behind):
                schedule.catchingUp(at: at(ms))
                schedule.caughtUp(at: at(ms), behind: behind)
            case .catchUpFailed(let ms):
                schedule.catchingUp(at: at(ms))
                schedule.catchUpFailed(at: at(ms))
            case .applyFailed(let ms):
                schedule.applyFailed(at: at(ms))
            case .recovered:
                schedule.recovered()
            }
        }
        let expected: SourceSchedule.Step =
            switch row.expected {
            case .catchUp: .catchUp
            case .wait(let ms): .wait(until: at(ms))
            }
        #expect(schedule.next(at: at(row.at), row.situation) == expected)
    }

    @Test func aFailingEventWaitsOutItsBackoffBeforeTheBufferIsAppliedAgain() {
        let start = ContinuousClock.now
        var schedule = SourceSchedule(idleCatchUp: .seconds(5), backoff: .standard)
        schedule.jitter = { 1 }
        #expect(schedule.applyFailed(at: start) == 1)
        #expect(!schedule.mayApply(at: start + .milliseconds(99)))
        #expect(schedule.mayApply(at: start + .milliseconds(100)))
        #expect(schedule.applyFailed(at: start + .milliseconds(100)) == 2)
        #expect(!schedule.mayApply(at: start + .milliseconds(299)))
        schedule.recovered()
        #expect(schedule.mayApply(at: start + .milliseconds(101)))
    }
}
