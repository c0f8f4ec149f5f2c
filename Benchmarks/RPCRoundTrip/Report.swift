import BenchmarkSupport
import Foundation

struct ResultKey: Hashable, Sendable {
    var path: CallPath
    var inFlight: Int
}

/// Everything measured, and the ways to print it.
struct Report: Sendable {
    var machine: MachineInfo
    var command: String
    var calls: Int
    var warmup: Int
    var rounds: Int
    var requestFrameBytes: Int
    var proxyIoThreads: Int
    var measuringSeconds: Double
    var levels: [Int]
    var results: [ResultKey: Measurement]
    /// Peer stacks measured in the same run, one row per round and level.
    var peers: [PeerRow] = []

    /// The targets set for the RPC path.
    static let maxLatencyRatio = 1.25
    static let minCallsPerSecond = 30_000.0
    static let targetInFlight = 16
    /// The broker's CPU per call against zmq_proxy's.
    static let maxBrokerCPURatio = 1.5

    struct Row: Codable, Sendable {
        var path: CallPath
        var label: String
        var inFlight: Int
        var calls: Int
        var errors: Int
        var p50Microseconds: UInt64
        var p90Microseconds: UInt64
        var p99Microseconds: UInt64
        var maxMicroseconds: UInt64
        var callsPerSecond: Double
        /// This path's p50 over the raw echo's at the same in-flight level.
        var p50VersusRaw: Double?
        /// This path's throughput over the raw echo's.
        var callsPerSecondVersusRaw: Double?
        /// CPU time per call (µs) of the client process, the proxy and the worker during the measurement.
        var clientCPUMicroseconds: Double
        var proxyCPUMicroseconds: Double
        var workerCPUMicroseconds: Double
    }

    struct Check: Codable, Sendable {
        var description: String
        var measured: String
        var met: Bool
    }

    var rows: [Row] {
        var rows: [Row] = []
        for level in levels {
            let raw = results[ResultKey(path: .rawEcho, inFlight: level)]
            for path in CallPath.allCases {
                guard let m = results[ResultKey(path: path, inFlight: level)] else { continue }
                let p50 = m.histogram.valueAtPercentile(50)
                var row = Row(
                    path: path, label: path.label, inFlight: level, calls: m.calls, errors: m.errors,
                    p50Microseconds: p50, p90Microseconds: m.histogram.valueAtPercentile(90),
                    p99Microseconds: m.histogram.valueAtPercentile(99), maxMicroseconds: m.histogram.max,
                    callsPerSecond: m.callsPerSecond,
                    clientCPUMicroseconds: Double(m.cpu.clientNanos) / 1000 / Double(max(1, m.calls)),
                    proxyCPUMicroseconds: Double(m.cpu.proxyNanos) / 1000 / Double(max(1, m.calls)),
                    workerCPUMicroseconds: Double(m.cpu.workerNanos) / 1000 / Double(max(1, m.calls)))
                if let raw, path != .rawEcho {
                    row.p50VersusRaw = Double(p50) / Double(max(1, raw.histogram.valueAtPercentile(50)))
                    row.callsPerSecondVersusRaw = m.callsPerSecond / max(1, raw.callsPerSecond)
                }
                rows.append(row)
            }
        }
        return rows
    }

    var checks: [Check] {
        var checks: [Check] = []
        let all = rows
        for row in all where row.path == .brokerRawEcho {
            guard let proxy = all.first(where: { $0.path == .rawEcho && $0.inFlight == row.inFlight }) else { continue }
            let ratio = row.proxyCPUMicroseconds / max(0.001, proxy.proxyCPUMicroseconds)
            checks.append(
                Check(
                    description:
                        "broker CPU per call ≤ \(Self.maxBrokerCPURatio)× zmq_proxy's, in-flight \(row.inFlight)",
                    measured: String(
                        format: "%.1f vs %.1f µs = %.2f×", row.proxyCPUMicroseconds, proxy.proxyCPUMicroseconds, ratio),
                    met: ratio <= Self.maxBrokerCPURatio))
        }
        for row in all where row.path == .serviceRawFrames || row.path == .serviceTyped {
            if let ratio = row.p50VersusRaw {
                checks.append(
                    Check(
                        description: "\(row.label), in-flight \(row.inFlight): p50 ≤ \(Self.maxLatencyRatio)× raw echo",
                        measured: String(format: "%.2f×", ratio), met: ratio <= Self.maxLatencyRatio))
            }
            if row.inFlight == Self.targetInFlight {
                checks.append(
                    Check(
                        description:
                            "\(row.label), in-flight \(row.inFlight): ≥ \(Int(Self.minCallsPerSecond)) calls/s",
                        measured: "\(Int(row.callsPerSecond.rounded())) calls/s",
                        met: row.callsPerSecond >= Self.minCallsPerSecond))
            }
        }
        return checks
    }

    private var header: [String] {
        [
            "machine: \(machine.architecture), \(machine.processors) CPUs, \(machine.cpuModel); \(machine.kernel)",
            "libzmq \(machine.libzmq); date \(machine.date); load average at start \(machine.loadAverageAtStart)",
            "command: \(command)",
            "\(calls) measured calls (+\(warmup) warm-up) per path and level per round, \(rounds) round(s), interleaved; "
                + "request frame \(requestFrameBytes) bytes; proxy I/O threads \(proxyIoThreads); measuring took \(String(format: "%.1f", measuringSeconds)) s",
            "topology: client DEALER → zmq_proxy_steerable ROUTER/DEALER, or the Octoo broker ROUTER/ROUTER (own process) → worker DEALER (own process) → back",
            "CPU µs/call: CPU time (user + system, all threads) each process used during the measured calls, over the calls; client = the `run` process; bus = the proxy or broker",
        ]
    }

    private static let columns = [
        "in-flight", "path", "p50 µs", "p99 µs", "calls/s", "p50 ×raw", "calls/s ×raw",
        "CPU µs/call: client", "bus", "worker", "errors",
    ]

    private var cells: [[String]] {
        rows.map { row in
            [
                "\(row.inFlight)", row.label, "\(row.p50Microseconds)", "\(row.p99Microseconds)",
                "\(Int(row.callsPerSecond.rounded()))",
                row.p50VersusRaw.map { String(format: "%.2f×", $0) } ?? (row.path == .rawEcho ? "1.00 (base)" : "–"),
                row.callsPerSecondVersusRaw.map { String(format: "%.2f×", $0) }
                    ?? (row.path == .rawEcho ? "1.00 (base)" : "–"),
                String(format: "%.1f", row.clientCPUMicroseconds),
                String(format: "%.1f", row.proxyCPUMicroseconds),
                String(format: "%.1f", row.workerCPUMicroseconds),
                "\(row.errors)",
            ]
        }
    }

    func table() -> String {
        let cells = self.cells
        let widths = Self.columns.indices.map { column in
            ([Self.columns[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { column, value in
                let padding = String(repeating: " ", count: widths[column] - value.count)
                return column == 1 ? value + padding : padding + value
            }.joined(separator: "  ")
        }
        var out = ["Octoo RPC round trip"] + header.map { "  " + $0 } + [""]
        out.append(line(Self.columns))
        out.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        var previousLevel: String?
        for row in cells {
            if let previousLevel, previousLevel != row[0] { out.append("") }
            out.append(line(row))
            previousLevel = row[0]
        }
        out.append("")
        out.append(
            "Targets (p50 ≤ \(Self.maxLatencyRatio)× raw echo; ≥ \(Int(Self.minCallsPerSecond)) calls/s at \(Self.targetInFlight) in flight):"
        )
        for check in checks {
            out.append("  [\(check.met ? "met" : "NOT met")] \(check.description): \(check.measured)")
        }
        out += peerLines()
        return out.joined(separator: "\n")
    }

    private func peerLines() -> [String] {
        guard !peers.isEmpty else { return [] }
        var out = [
            "", "Peer in the same run: grpc-swift-2 unary echo over HTTP/2 (client and server in separate processes):",
        ]
        for row in peers {
            out.append(
                "  in-flight \(pad(row.inFlight, 2))  p50 \(pad(Int(row.p50Micros), 5)) µs  p99 \(pad(Int(row.p99Micros), 6)) µs"
                    + "  \(pad(Int(row.callsPerSecond.rounded()), 7)) calls/s  CPU µs/call client "
                    + "\(String(format: "%.1f", row.clientCPUMicrosPerCall)) server \(String(format: "%.1f", row.serverCPUMicrosPerCall))"
            )
        }
        return out
    }

    func markdown() -> String {
        var out = header.map { $0.hasPrefix("command: ") ? "- command: `\(command)`" : "- " + $0 }
        out.append("")
        out.append("| " + Self.columns.joined(separator: " | ") + " |")
        out.append("|" + Self.columns.indices.map { $0 == 1 ? "---|" : "---:|" }.joined())
        for row in cells { out.append("| " + row.joined(separator: " | ") + " |") }
        out.append("")
        out.append("Targets:")
        out.append("")
        for check in checks {
            out.append("- \(check.met ? "✅ met" : "❌ **not met**"): \(check.description): \(check.measured)")
        }
        if !peers.isEmpty {
            out.append("")
            out.append(
                "Peer in the same run (grpc-swift-2 unary echo, HTTP/2 on loopback, client and server in separate processes):"
            )
            out.append("")
            out.append("| in-flight | peer | p50 µs | p99 µs | calls/s | CPU µs/call: client | server |")
            out.append("|---:|---|---:|---:|---:|---:|---:|")
            for row in peers {
                out.append(
                    "| \(row.inFlight) | \(row.peer) | \(Int(row.p50Micros)) | \(Int(row.p99Micros)) | "
                        + "\(Int(row.callsPerSecond.rounded())) | \(String(format: "%.1f", row.clientCPUMicrosPerCall)) | "
                        + "\(String(format: "%.1f", row.serverCPUMicrosPerCall)) |")
            }
        }
        return out.joined(separator: "\n")
    }

    func json() throws -> String {
        struct Document: Codable {
            var machine: MachineInfo
            var command: String
            var calls: Int
            var warmup: Int
            var rounds: Int
            var requestFrameBytes: Int
            var proxyIoThreads: Int
            var measuringSeconds: Double
            var rows: [Row]
            var targets: [Check]
            var peers: [PeerRow]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = Document(
            machine: machine, command: command, calls: calls, warmup: warmup, rounds: rounds,
            requestFrameBytes: requestFrameBytes, proxyIoThreads: proxyIoThreads, measuringSeconds: measuringSeconds,
            rows: rows, targets: checks, peers: peers)
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}

/// Right-aligns `value` in `width` characters.
func pad<T>(_ value: T, _ width: Int) -> String {
    let text = "\(value)"
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
