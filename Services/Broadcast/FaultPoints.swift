import Foundation
import Synchronization

/// Crash points for the durability tests: with `OCTOO_FAULT=<point>:<n>` in its environment the
/// process kills itself with SIGKILL (as `kill -9` would) the n-th time it reaches `<point>`, so a
/// test can crash it at the worst moment: `broadcast.after-offer` is after `opportunities.Offer`
/// succeeded and before the attempt is recorded as sent. Unset (always, outside those tests), a
/// point costs one comparison.
enum FaultPoints {
    private static let armed: (point: String, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["OCTOO_FAULT"],
            let colon = value.lastIndex(of: ":"), let count = Int(value[value.index(after: colon)...])
        else { return nil }
        return (String(value[..<colon]), count)
    }()
    private static let hits = Atomic<Int>(0)

    /// Reached `point`: dies here if armed for this hit.
    static func hit(_ point: String) {
        guard let armed, armed.point == point else { return }
        if hits.wrappingAdd(1, ordering: .relaxed).newValue == armed.count { kill(getpid(), SIGKILL) }
    }
}
