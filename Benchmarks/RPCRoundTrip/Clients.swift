import BenchmarkSupport
import Foundation
import Histogram
import Synchronization
import Transport
import Wire
import ZeroMQ

/// One measured batch of calls.
struct Measurement: Sendable {
    var histogram = makeHistogram()
    var calls = 0
    var errors = 0
    var elapsedNanos: UInt64 = 0
    /// CPU used during the measured calls by the client (the `run` process), the proxy and the worker.
    var cpu = CPUUse()

    var callsPerSecond: Double { elapsedNanos == 0 ? 0 : Double(calls) / (Double(elapsedNanos) / 1e9) }

    mutating func add(_ other: Measurement) {
        histogram.add(other.histogram)
        calls += other.calls
        errors += other.errors
        elapsedNanos += other.elapsedNanos
        cpu.add(other.cpu)
    }
}

/// CPU time of the three processes on a call's path.
struct CPUUse: Sendable {
    var clientNanos: UInt64 = 0
    var proxyNanos: UInt64 = 0
    var workerNanos: UInt64 = 0

    mutating func add(_ other: CPUUse) {
        clientNanos += other.clientNanos
        proxyNanos += other.proxyNanos
        workerNanos += other.workerNanos
    }

    static func - (after: CPUUse, before: CPUUse) -> CPUUse {
        CPUUse(
            clientNanos: after.clientNanos &- before.clientNanos, proxyNanos: after.proxyNanos &- before.proxyNanos,
            workerNanos: after.workerNanos &- before.workerNanos)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` on a thread of its own (sockets are confined to one thread) and awaits its result.
func onDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = name
        thread.start()
    }
}

/// What a reply must look like for the call to count as a success.
enum ReplyCheck: Sendable {
    /// The raw echo: the reply is the request frame, byte for byte.
    case identicalToRequest
    /// The service: a reply whose status is OK.
    case statusOK
}

/// The lean client: one DEALER socket driven by one thread, no Swift concurrency. It keeps exactly
/// `inFlight` calls outstanding, sending the next one as soon as a reply arrives, and matches
/// replies to calls by the index encoded in the request id.
final class RawDealerClient {
    let socket: Socket
    /// Send time of each call by index; 0 once answered.
    private var sentAt: [UInt64]
    private let frames: [[UInt8]]
    private let check: ReplyCheck
    private let liveness: @Sendable () throws -> Void

    init(
        context: ZeroMQ.Context, endpoint: String, frames: [[UInt8]], check: ReplyCheck,
        liveness: @escaping @Sendable () throws -> Void
    ) throws {
        socket = try Socket(context: context, type: .dealer)
        try socket.setLinger(ms: 0)
        try socket.setSendHighWaterMark(100_000)
        try socket.setReceiveHighWaterMark(100_000)
        try socket.setReceiveTimeout(ms: 250)
        try socket.connect(endpoint)
        self.frames = frames
        self.check = check
        self.liveness = liveness
        sentAt = Array(repeating: 0, count: frames.count)
    }

    deinit { socket.close(lingerMs: 0) }

    /// Waits until a first call goes all the way through (worker connected and serving).
    func waitReady(timeout: Duration = .seconds(20)) throws {
        _ = try measure(range: 0..<1, inFlight: 1, stallLimit: timeout)
    }

    /// Calls `range` (indices into the frames) keeping `inFlight` outstanding.
    func measure(
        range: Range<Int>, inFlight: Int, stallLimit: Duration = .seconds(10),
        cpu: @Sendable () -> CPUUse = { CPUUse() }
    ) throws -> Measurement {
        var result = Measurement()
        let cpuBefore = cpu()
        var next = range.lowerBound
        var answered = 0
        let stallNanos = UInt64(stallLimit / .nanoseconds(1))
        let start = nowNanos()
        while next < range.upperBound, next - range.lowerBound < inFlight {
            try send(next)
            next += 1
        }
        var lastProgress = nowNanos()
        while answered < range.count {
            guard let message = try socket.receive() else {
                try liveness()
                if nowNanos() - lastProgress > stallNanos {
                    throw BenchmarkError("no reply for \(stallLimit) (\(answered) of \(range.count) answered)")
                }
                continue
            }
            let now = nowNanos()
            guard let payload = message.last, let index = ReplyScan.callIndex(in: payload),
                range.contains(index), sentAt[index] != 0
            else {
                throw BenchmarkError(
                    "a reply names no outstanding call: \(String(decoding: message.last ?? [], as: UTF8.self).prefix(200))"
                )
            }
            result.histogram.record(microseconds(now - sentAt[index]))
            sentAt[index] = 0
            switch check {
            case .identicalToRequest: if payload != frames[index] { result.errors += 1 }
            case .statusOK: if !ReplyScan.isOK(payload) { result.errors += 1 }
            }
            answered += 1
            lastProgress = now
            if next < range.upperBound {
                try send(next)
                next += 1
            }
        }
        result.elapsedNanos = nowNanos() - start
        result.cpu = cpu() - cpuBefore
        result.calls = answered
        return result
    }

    @inline(__always)
    private func send(_ index: Int) throws {
        sentAt[index] = nowNanos()
        guard try socket.send([frames[index]]) else { throw BenchmarkError("the proxy did not take a request") }
    }
}

/// The typed path: `RPCClient.call` from `inFlight` concurrent tasks, each calling again as soon as
/// its reply is decoded, so exactly `inFlight` calls are outstanding.
enum TypedClientRun {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    static func measure(client: RPCClient, calls: Int, inFlight: Int, cpu: @Sendable () -> CPUUse = { CPUUse() }) async
        -> Measurement
    {
        let counter = Counter()
        let cpuBefore = cpu()
        let options = CallOptions(timeout: .milliseconds(BenchContract.timeoutMs), retry: .none)
        let start = nowNanos()
        var total = await withTaskGroup(of: Measurement.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var local = Measurement()
                    while counter.value.wrappingAdd(1, ordering: .relaxed).oldValue < calls {
                        let sent = nowNanos()
                        do {
                            let reply = try await client.call(
                                BenchContract.echo, BenchContract.message, actor: BenchContract.actor, options: options)
                            if reply != BenchContract.message { local.errors += 1 }
                        } catch {
                            local.errors += 1
                        }
                        local.histogram.record(microseconds(nowNanos() - sent))
                        local.calls += 1
                    }
                    return local
                }
            }
            var merged = Measurement()
            for await part in group { merged.add(part) }
            return merged
        }
        total.elapsedNanos = nowNanos() - start
        total.cpu = cpu() - cpuBefore
        return total
    }
}
