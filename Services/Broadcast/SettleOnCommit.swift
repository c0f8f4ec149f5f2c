import Foundation
import GRDB
import Transport

// The advance rule (`advance`, in `Scheduler.swift`) runs once per broadcast per transaction,
// wherever the change came from (a call, an event, a timer, the wave sender): the writer's
// changes that the rule reads mark their broadcast, and the store settles every marked one
// before the transaction commits. Nothing has to remember to settle.

/// The broadcasts one write transaction changed in a way the advance rule reads, and those it
/// has settled; it lives as long as the transaction.
final class TouchedBroadcasts {
    /// Each marked request, with the latest `now` it was marked at, in marking order.
    fileprivate var pending: [(requestId: String, at: Date)] = []
    /// Requests settled in this transaction: they are not settled again.
    fileprivate var settled: [String] = []
}

extension BroadcastWriter {
    /// Marks the request's broadcast for the advance rule before this transaction commits.
    func touch(_ requestId: String, at now: Date) {
        guard !touched.settled.contains(requestId) else { return }
        if let index = touched.pending.firstIndex(where: { $0.requestId == requestId }) {
            touched.pending[index].at = max(touched.pending[index].at, now)
        } else {
            touched.pending.append((requestId, now))
        }
    }

    /// Runs the advance rule on every broadcast marked so far, once each; what it changes itself
    /// marks nothing more.
    func settlePending() throws {
        while let (requestId, now) = touched.pending.first {
            touched.pending.removeFirst()
            touched.settled.append(requestId)
            try advance(requestId, at: now)
        }
    }

    /// The request's broadcast once the advance rule has run on what this transaction changed so
    /// far: for a reply, or a plan, that starts from where the rule puts it.
    func settled(_ requestId: String) throws -> BroadcastRow? {
        try settlePending()
        return try existingBroadcast(requestId)
    }

    /// What the store does before every commit: settles what is still marked, and says whether a
    /// broadcast settled here has a wave due (so the wave sender is woken after the commit).
    func settleBeforeCommit() throws -> Bool {
        try settlePending()
        return try touched.settled.contains { try existingBroadcast($0)?.isWaveDue == true }
    }
}

extension BroadcastRow {
    /// Running with its next wave due: work for the wave sender.
    var isWaveDue: Bool { state == .running && waveDue }
}
