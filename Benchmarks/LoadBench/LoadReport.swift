import BenchmarkSupport
import Foundation

/// The run's results: each phase, the loaded phase against the baseline as ratios, and memory.
struct LoadReport: Codable, Sendable {
    var machine: MachineInfo
    var providers: Int
    var seed: UInt64
    var phases: [PhaseResult]
    var rssKiBAtStart: [String: Int]
    var rssKiBAtEnd: [String: Int]
    var rssBoundMiB: Int

    /// Processes whose memory grew beyond the bound.
    var rssOverBound: [String] {
        rssKiBAtEnd.keys.sorted().filter { (rssKiBAtEnd[$0] ?? 0) - (rssKiBAtStart[$0] ?? 0) > rssBoundMiB * 1024 }
    }

    /// No error, every request offered and contacted, memory within the bound.
    var passesItsOwnChecks: Bool {
        rssOverBound.isEmpty
            && phases.allSatisfy { $0.errors.isEmpty && $0.withoutOffer == 0 && $0.withoutContact == 0 }
    }

    var text: String {
        var lines = [
            "octoo-load-bench — \(machine.date), \(machine.processors) × \(machine.cpuModel), \(machine.kernel), "
                + "libzmq \(machine.libzmq), load at start \(machine.loadAverageAtStart); \(providers) providers, seed \(seed)",
            "",
            "| phase | rate (target → achieved) | created | errors | no offer | no contact | CreateRequest p50 / p99 | to Offer p50 / p99 | to first contact p50 / p99 | worst send lag |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for phase in phases {
            func pair(_ latency: LatencySummary) -> String { "\(latency.p50Ms) / \(latency.p99Ms) ms" }
            lines.append(
                "| \(phase.name) | \(phase.targetRate) → \(String(format: "%.1f", phase.achievedRate))/s | \(phase.created)/\(phase.sent) "
                    + "| \(phase.errors.values.reduce(0, +)) | \(phase.withoutOffer) | \(phase.withoutContact) "
                    + "| \(pair(phase.createRequest)) | \(pair(phase.toOffer)) | \(pair(phase.toFirstContact)) "
                    + "| \(String(format: "%.1f", phase.worstSendLagMs)) ms |")
        }
        for phase in phases where !phase.errors.isEmpty {
            lines.append(
                "errors in \(phase.name): \(phase.errors.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" })")
        }
        if let baseline = phases.first, let loaded = phases.last, phases.count > 1 {
            func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f×", a / max(b, 0.001)) }
            lines.append("")
            lines.append(
                "loaded ÷ baseline: to first contact p50 \(ratio(loaded.toFirstContact.p50Ms, baseline.toFirstContact.p50Ms)), "
                    + "p99 \(ratio(loaded.toFirstContact.p99Ms, baseline.toFirstContact.p99Ms)); "
                    + "to Offer p50 \(ratio(loaded.toOffer.p50Ms, baseline.toOffer.p50Ms)), "
                    + "p99 \(ratio(loaded.toOffer.p99Ms, baseline.toOffer.p99Ms))")
            let cpu = loaded.cpuSeconds.sorted { $0.key < $1.key }.map {
                "\($0.key) \(String(format: "%.0f", $0.value / loaded.seconds * 100))%"
            }
            lines.append("CPU during the loaded phase (share of one core): \(cpu.joined(separator: ", "))")
        }
        lines.append("")
        let rss = rssKiBAtStart.keys.sorted().map { name in
            "\(name) \((rssKiBAtStart[name] ?? 0) / 1024) → \((rssKiBAtEnd[name] ?? 0) / 1024) MiB"
        }
        lines.append("RSS start → end (bound: +\(rssBoundMiB) MiB): \(rss.joined(separator: ", "))")
        if !rssOverBound.isEmpty { lines.append("over the bound: \(rssOverBound.joined(separator: ", "))") }
        lines.append(passesItsOwnChecks ? "checks: ok" : "checks: FAILED")
        return lines.joined(separator: "\n")
    }
}
