import Contracts
import Foundation
import GRDB
import OctooTesting
import ServiceKit
@_spi(RawDatabase) import Store
import Wire

/// Writes a synthetic partner's events into the registry's and opportunities' own outboxes, as
/// those services write them (one row per event, `seq` from 1), so the real services serve them
/// through `ReadEvents` and matching rebuilds from them exactly as in production.
enum SourceLoader {
    /// Loads every event of `partner` into `<directory>/registry.sqlite` and
    /// `<directory>/opportunities.sqlite`; returns the events written per source.
    static func load(
        _ partner: SyntheticPartner, into directory: String, definitions: [ServiceDefinition]
    ) throws -> [String: Int64] {
        var databases: [String: ServiceDatabase] = [:]
        for definition in definitions {
            databases[definition.name] = try ServiceDatabase(
                path: (directory as NSString).appendingPathComponent("\(definition.name).sqlite"),
                source: definition.name,
                durability: .normal, migrations: definition.migrations)
        }
        var seqs: [String: Int64] = [:]
        var pending: [String: [(Int64, String, Data)]] = [:]
        let now = partner.now
        func flush(_ source: String) throws {
            guard let rows = pending[source], !rows.isEmpty, let database = databases[source] else { return }
            try database.pool.write { db in
                // Rows straight into the outbox: the same table and columns `Outbox.append` writes.
                let statement = try db.cachedStatement(
                    sql: "INSERT INTO outbox (seq, type, occurredAt, partnerId, data) VALUES (?, ?, ?, ?, ?)")
                for (seq, type, data) in rows {
                    try statement.execute(arguments: [seq, type, now, partner.partnerId, data])
                }
            }
            pending[source] = []
        }
        try partner.generate { source, type, data in
            let seq = (seqs[source] ?? 0) + 1
            seqs[source] = seq
            pending[source, default: []].append((seq, type, Data(try WireCoding.encode(data))))
            if pending[source]!.count >= 5000 { try flush(source) }
        }
        for source in databases.keys { try flush(source) }
        for database in databases.values {
            _ = try database.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try database.pool.close()
        }
        return seqs
    }
}

/// The process's memory, from /proc/self/status.
enum Memory {
    /// Resident set size now, and its peak, in MiB.
    static func resident() -> (now: Double, peak: Double) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            for line in text.split(separator: "\n") where line.hasPrefix(name) {
                let digits = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
                return digits / 1024
            }
            return 0
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }
}

/// Latencies of one path, summarised.
struct Latencies {
    var samples: [Duration] = []

    mutating func record(_ duration: Duration) { samples.append(duration) }

    func percentile(_ fraction: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))].milliseconds
    }

    var p50: Double { percentile(0.5) }
    var p99: Double { percentile(0.99) }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

/// Where and when the numbers were taken.
enum Machine {
    static func describe() -> String {
        let model =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?" }
            ?? "?"
        return "\(ProcessInfo.processInfo.activeProcessorCount) processors (\(model)), load average \(loadAverage())"
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
    }
}

/// CPU time this process has used (user and system), whatever else the machine runs: on a busy
/// machine it shows what a call costs better than the wall clock does.
enum ProcessCPU {
    static func now() -> Duration {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let micros =
            (Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)) * 1_000_000
            + Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
        return .microseconds(micros)
    }
}
