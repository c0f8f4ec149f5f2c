import Foundation
import Wire

/// The worker side of the bus (`Shared/PROTOCOL.md` §7): how a service's worker, a DEALER
/// connected to the service's back port, announces itself, takes requests within its credit,
/// answers them and exchanges heartbeats with the bus.
///
/// Every message starts with the `OCTOO-W1` tag frame and a command frame:
///
/// | direction | frames after the tag and command |
/// |---|---|
/// | worker → bus `READY` | JSON `{"service", "instance", "credit"}` |
/// | worker → bus `CREDIT` | JSON `{"credit"}` (0 drains the worker) |
/// | worker → bus `REPLY` | token, reply payload |
/// | worker → bus `HEARTBEAT`, `DISCONNECT` | none |
/// | bus → worker `REQUEST` | token, budget (decimal milliseconds, or empty), request payload |
/// | bus → worker `HEARTBEAT` | none |
/// | bus → worker `DISCONNECT` | reason (UTF-8): announce yourself again with `READY` |
public enum WorkerProtocol {
    /// The first frame of every worker-protocol message.
    public static let tag = "OCTOO-W1"

    /// The second frame.
    public enum Command: String, Sendable, CaseIterable {
        case ready = "READY"
        case credit = "CREDIT"
        case heartbeat = "HEARTBEAT"
        case request = "REQUEST"
        case reply = "REPLY"
        case disconnect = "DISCONNECT"
    }

    /// How often each side sends a heartbeat by default.
    public static let defaultHeartbeatInterval: Duration = .seconds(1)
    /// Heartbeat intervals of silence after which a peer is taken for gone.
    public static let defaultLiveness = 3

    /// `READY`'s body: who the worker is and how many requests it takes at once.
    public struct Ready: Codable, Sendable, Equatable {
        public var service: String
        public var instance: String
        public var credit: Int

        public init(service: String, instance: String, credit: Int) {
            self.service = service
            self.instance = instance
            self.credit = credit
        }
    }

    /// `CREDIT`'s body: the new total credit.
    public struct Credit: Codable, Sendable, Equatable {
        public var credit: Int

        public init(credit: Int) { self.credit = credit }
    }

    /// Encodes a token (the bus's handle on one dispatched request) as its 8-byte frame.
    public static func tokenFrame(_ token: UInt64) -> [UInt8] {
        withUnsafeBytes(of: token.bigEndian) { Array($0) }
    }

    /// Reads a token frame; nil when it is not 8 bytes.
    public static func token(_ frame: UnsafeRawBufferPointer) -> UInt64? {
        guard frame.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in frame { value = value << 8 | UInt64(byte) }
        return value
    }

    /// The largest budget a `REQUEST` carries: 18 digits, all `budgetMs` reads (31 million years).
    public static let maxBudgetMs: Int64 = 999_999_999_999_999_999

    /// What is left of a caller's deadline, as the whole milliseconds of a budget frame: capped
    /// at `maxBudgetMs`, since a `deadlineMs` near `Int64.max` leaves more than an `Int64` holds
    /// once converted through floating point.
    public static func budgetMs(remaining: Duration) -> Int64 {
        let (seconds, attoseconds) = remaining.components
        guard seconds < maxBudgetMs / 1000 else { return maxBudgetMs }
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Reads a budget frame: milliseconds as ASCII digits, nil when empty or unreadable.
    public static func budgetMs(_ frame: UnsafeRawBufferPointer) -> Int64? {
        guard !frame.isEmpty, frame.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in frame {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
