import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Histogram

/// One timed phase of closed-loop callers: each of `inFlight` callers sends its next request
/// as soon as its previous one is answered, until the phase's time is up.
struct Measurement: Sendable {
    let payload: [UInt8]

    struct PhaseResult: Sendable {
        var calls: Int
        var seconds: Double
        /// Round-trip latencies in nanoseconds.
        var histogram: Histogram<UInt64>
    }

    static func emptyHistogram() -> Histogram<UInt64> {
        // 1 ns to 60 s, three significant digits.
        Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    func phase(client: GRPCClient<HTTP2ClientTransport.Posix>, inFlight: Int, seconds: Double) async throws
        -> PhaseResult
    {
        let clock = ContinuousClock()
        let payload = payload
        let options = { () -> CallOptions in
            var options = CallOptions.defaults
            options.timeout = .seconds(10)  // no call can hang the benchmark
            return options
        }()
        let start = clock.now
        let deadline = start + .nanoseconds(Int64(seconds * 1_000_000_000))
        return try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>).self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var histogram = Self.emptyHistogram()
                    var calls = 0
                    while clock.now < deadline {
                        let sent = clock.now
                        let echoed = try await client.unary(
                            request: ClientRequest(message: payload),
                            descriptor: Echo.method,
                            serializer: RawBytesSerializer(),
                            deserializer: RawBytesDeserializer(),
                            options: options
                        ) { response in
                            try response.message.count
                        }
                        let elapsed = sent.duration(to: clock.now)
                        guard echoed == payload.count else {
                            throw BenchError("echo returned \(echoed) bytes for a \(payload.count)-byte request")
                        }
                        histogram.record(UInt64(max(1, nanoseconds(elapsed))))
                        calls += 1
                    }
                    return (calls, histogram)
                }
            }
            var total = Self.emptyHistogram()
            var calls = 0
            for try await (count, histogram) in group {
                calls += count
                total.add(histogram)
            }
            let elapsed = start.duration(to: clock.now)
            return PhaseResult(calls: calls, seconds: Double(nanoseconds(elapsed)) / 1e9, histogram: total)
        }
    }
}

func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
}

/// One JSON line: one in-flight level of one round.
struct Report {
    var inFlight: Int
    var round: Int
    var payloadBytes: Int
    var calls: Int
    var seconds: Double
    var histogram: Histogram<UInt64>
    var clientCPUNanos: UInt64
    /// nil when the server's process is unknown (an external server given without --server-pid).
    var serverCPUNanos: UInt64?

    func json() -> String {
        let perCall = Double(max(1, calls))
        func micros(_ nanos: UInt64) -> String { String(format: "%.1f", Double(nanos) / 1000) }
        func cpu(_ nanos: UInt64?) -> String {
            guard let nanos else { return "null" }
            return String(format: "%.2f", Double(nanos) / 1000 / perCall)
        }
        let fields: [(String, String)] = [
            ("peer", "\"grpc-swift-2\""),
            ("inFlight", String(inFlight)),
            ("calls", String(calls)),
            ("seconds", String(format: "%.3f", seconds)),
            ("callsPerSecond", String(format: "%.1f", Double(calls) / max(seconds, 1e-9))),
            ("p50Micros", micros(histogram.valueAtPercentile(50))),
            ("p99Micros", micros(histogram.valueAtPercentile(99))),
            ("clientCPUMicrosPerCall", cpu(clientCPUNanos)),
            ("serverCPUMicrosPerCall", cpu(serverCPUNanos)),
            ("p90Micros", micros(histogram.valueAtPercentile(90))),
            ("maxMicros", micros(histogram.max)),
            ("payloadBytes", String(payloadBytes)),
            ("round", String(round)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
