import Contracts
import Foundation
import Testing

@testable import BroadcastService

/// docs/design.md, "Contacts across requests", as tables, against the pure `BulkActions`: what
/// `BulkRecycle` does with each match (the first reason that applies is the one counted), which
/// entries `BulkBlock` adds, and how skips are counted.
@Suite("Bulk actions")
struct BulkActionsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let catalogue = Dispositions.catalogue(stored: [])

    static func attempt(_ disposition: String?, recycled: Bool = false) -> ContactAttempt {
        ContactAttempt(
            id: "at-1", requestId: "rq-1", providerId: "pr-1", wave: 1, attemptNumber: 1, status: .sent,
            plannedAt: now, disposition: disposition, dispositionAt: disposition.map { _ in now },
            recycledAt: recycled ? now : nil)
    }

    struct RecycleCase: Sendable, CustomTestStringConvertible {
        var name: String
        var disposition: String?
        var recycled = false
        var isLatest = true
        var broadcast: BroadcastState? = .running
        var named: [String]? = nil
        var verdict: BulkActions.RecycleVerdict
        var testDescription: String { name }
    }

    static let recycleCases: [RecycleCase] = [
        RecycleCase(name: "a decline, running", disposition: "DECLINED", verdict: .recycle),
        RecycleCase(name: "paused still broadcasts", disposition: "NO_RESPONSE", broadcast: .paused, verdict: .recycle),
        RecycleCase(name: "exhausted takes it back", disposition: "SKIPPED", broadcast: .exhausted, verdict: .recycle),
        RecycleCase(name: "waiting", disposition: "WITHDRAWN", broadcast: .waiting, verdict: .recycle),
        RecycleCase(
            name: "a later attempt", disposition: "DECLINED", isLatest: false, broadcast: .filled,
            verdict: .skip(.superseded)),
        RecycleCase(name: "filled", disposition: "DECLINED", broadcast: .filled, verdict: .skip(.broadcastEnded)),
        RecycleCase(name: "stopped", disposition: nil, broadcast: .stopped, verdict: .skip(.broadcastEnded)),
        RecycleCase(name: "never started", disposition: "DECLINED", broadcast: nil, verdict: .skip(.broadcastEnded)),
        RecycleCase(name: "open", disposition: nil, verdict: .skip(.open)),
        RecycleCase(name: "recycled", disposition: "DECLINED", recycled: true, verdict: .skip(.alreadyRecycled)),
        RecycleCase(name: "interested", disposition: "INTERESTED", verdict: .skip(.notRecyclable)),
        RecycleCase(name: "final and blocking", disposition: "DO_NOT_CONTACT", verdict: .skip(.notRecyclable)),
        RecycleCase(
            name: "final, named", disposition: "DO_NOT_CONTACT", named: ["DO_NOT_CONTACT"], verdict: .recycle),
        RecycleCase(
            name: "not among the named", disposition: "DECLINED", named: ["NO_RESPONSE"],
            verdict: .skip(.notRecyclable)),
    ]

    @Test(arguments: recycleCases)
    func recycleVerdict(_ row: RecycleCase) {
        let verdict = BulkActions.recycle(
            Self.attempt(row.disposition, recycled: row.recycled), isLatest: row.isLatest, broadcast: row.broadcast,
            named: row.named, catalogue: Self.catalogue)
        #expect(verdict == row.verdict)
    }

    @Test func blockTargetsOncePerProviderAndCustomerAndWhatIsBlockedAlready() {
        let matches = [("a", "c1"), ("a", "c1"), ("a", "c2"), ("b", "c1")].map { (providerId: $0, customerId: $1) }
        let targets = BulkActions.blockTargets(matches, allCustomers: false)
        #expect(targets.map { "\($0.providerId)/\($0.customerId ?? "*")" } == ["a/c1", "a/c2", "b/c1"])
        let everywhere = BulkActions.blockTargets(matches, allCustomers: true)
        #expect(everywhere.map { "\($0.providerId)/\($0.customerId ?? "*")" } == ["a/*", "b/*"])
        let existing: Set = [BulkActions.BlockTarget(providerId: "b", customerId: nil)]
        #expect(BulkActions.isBlocked(BulkActions.BlockTarget(providerId: "b", customerId: "c1"), existing: existing))
        #expect(!BulkActions.isBlocked(BulkActions.BlockTarget(providerId: "a", customerId: "c1"), existing: existing))
        #expect(
            BulkActions.counts([.open, .superseded, .open, .alreadyBlocked]) == [
                BulkSkip(reason: .superseded, count: 1), BulkSkip(reason: .open, count: 2),
                BulkSkip(reason: .alreadyBlocked, count: 1),
            ])
    }
}
