import Foundation
import ZeroMQ

/// Where and when the numbers were taken.
public struct MachineInfo: Codable, Sendable {
    public var architecture: String
    public var processors: Int
    public var cpuModel: String
    public var kernel: String
    public var libzmq: String
    public var date: String
    public var loadAverageAtStart: String

    /// This machine, now.
    public static func current() -> MachineInfo {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        let date = ISO8601DateFormatter().string(from: Date())
        let load =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
        return MachineInfo(
            architecture: field(names.machine), processors: ProcessInfo.processInfo.activeProcessorCount,
            cpuModel: cpuModel(), kernel: "\(field(names.sysname)) \(field(names.release))",
            libzmq: ZeroMQ.Context.libraryVersion, date: date, loadAverageAtStart: load)
    }

    /// The first `model name` of /proc/cpuinfo (ARM kernels may only give `CPU part` or `Hardware`).
    public static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for key in ["model name", "Hardware", "CPU part"] {
            for line in text.split(separator: "\n") where line.hasPrefix(key) {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return "unknown"
    }
}
