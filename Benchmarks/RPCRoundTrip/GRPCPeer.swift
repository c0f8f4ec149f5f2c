import Foundation

/// One measurement of a peer RPC stack in the same run (grpc-swift-2's unary echo over HTTP/2).
struct PeerRow: Codable, Sendable {
    var peer: String
    var inFlight: Int
    var calls: Int
    var seconds: Double
    var callsPerSecond: Double
    var p50Micros: Double
    var p99Micros: Double
    var clientCPUMicrosPerCall: Double
    var serverCPUMicrosPerCall: Double
}

/// Runs `Benchmarks/GRPCEcho`'s `grpc-echo-bench` (its own package, so the product never builds
/// gRPC) once per round and level, and reads the JSON line it prints for each.
struct GRPCPeer {
    let executable: String
    let seconds: Int

    func measure(levels: [Int], rounds: Int) async throws -> [PeerRow] {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            progress(
                "grpc peer: \(executable) is not built; skipped (cd Benchmarks/GRPCEcho && swift build -c release)")
            return []
        }
        var rows: [PeerRow] = []
        for round in 1...rounds {
            for level in levels {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = ["--in-flight", "\(level)", "--seconds", "\(seconds)", "--rounds", "1"]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.standardError
                try process.run()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw BenchmarkError("grpc-echo-bench exited with \(process.terminationStatus)")
                }
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("{") {
                    let row = try JSONDecoder().decode(PeerRow.self, from: Data(line.utf8))
                    progress(
                        "round \(round)  in-flight \(pad(level, 2))  grpc-swift-2 unary echo (HTTP/2)"
                            + "  p50 \(pad(Int(row.p50Micros), 5)) µs  p99 \(pad(Int(row.p99Micros), 6)) µs"
                            + "  \(pad(Int(row.callsPerSecond.rounded()), 7)) calls/s"
                            + "  CPU µs/call client \(String(format: "%.1f", row.clientCPUMicrosPerCall))"
                            + " server \(String(format: "%.1f", row.serverCPUMicrosPerCall))")
                    rows.append(row)
                }
            }
        }
        return rows
    }
}
