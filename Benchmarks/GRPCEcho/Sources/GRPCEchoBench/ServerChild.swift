import Foundation

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The echo server running in a child process of this benchmark (this same executable, started
/// with the `server` subcommand), so that its CPU time can be read apart from the client's.
///
/// It is stopped (SIGTERM, then SIGKILL) by `stop()`, which every exit path of `run` calls; the
/// child also exits by itself when this process disappears or its `--max-seconds` run out.
final class ServerChild: @unchecked Sendable {
    let pid: Int32
    let port: Int
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    private init(process: Process, port: Int) {
        self.process = process
        self.pid = process.processIdentifier
        self.port = port
    }

    /// Starts `<this executable> server --port 0 --parent-pid <our pid> --max-seconds …` and
    /// waits (at most `startTimeout` seconds) for the line `LISTENING <port>` on its stdout.
    static func start(maxSeconds: Double, startTimeout: Double = 30) throws -> ServerChild {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "server", "--port", "0", "--parent-pid", String(getpid()),
            "--max-seconds", String(Int(maxSeconds.rounded(.up))),
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        // The child's standard error is ours: its diagnostics reach the terminal, never stdout.
        try process.run()

        let line: String
        do {
            line = try readLine(from: output.fileHandleForReading.fileDescriptor, timeoutSeconds: startTimeout)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }
        let parts = line.split(separator: " ")
        guard parts.count == 2, parts[0] == "LISTENING", let port = Int(parts[1]), port > 0 else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw BenchError("server child said \(line.debugDescription) instead of LISTENING <port>")
        }
        return ServerChild(process: process, port: port)
    }

    /// Throws if the child has exited.
    func checkAlive() throws {
        if !process.isRunning {
            throw BenchError("server child \(pid) exited with status \(process.terminationStatus)")
        }
    }

    /// CPU time (utime + stime, every thread) the child has used so far, in nanoseconds.
    func cpuNanos() -> UInt64 { processCPUNanos(pid: pid) }

    /// SIGTERM, up to two seconds' grace, then SIGKILL; reaps the child. Safe to call more than
    /// once and from several threads: every caller returns only once the child is gone.
    func stop() {
        lock.withLock {
            guard !stopped else { return }
            defer { stopped = true }
            guard process.isRunning else { return }
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
    }
}

/// Reads one `\n`-terminated line from `fd`, giving up after `timeoutSeconds`.
func readLine(from fd: Int32, timeoutSeconds: Double) throws -> String {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    var bytes: [UInt8] = []
    while true {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { throw BenchError("server child did not report its port within \(timeoutSeconds) s") }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 1000).rounded(.up)))
        if ready < 0 && errno != EINTR { throw BenchError("poll failed: errno \(errno)") }
        guard ready > 0 else { continue }
        var byte: UInt8 = 0
        let count = read(fd, &byte, 1)
        if count < 0 && errno == EINTR { continue }
        guard count == 1 else { throw BenchError("server child closed its output before reporting its port") }
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
}

/// utime + stime of a process from /proc/PID/stat, in nanoseconds (clock-tick resolution).
func processCPUNanos(pid: Int32) -> UInt64 {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    // After "pid (comm)" comes field 3 (state); utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
    let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    return (user + system) * 1_000_000_000 / ticks
}

/// CPU time (user + system, every thread) this process has used so far, from getrusage.
func ownCPUNanos() -> UInt64 {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func nanos(_ time: timeval) -> UInt64 { UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000 }
    return nanos(usage.ru_utime) + nanos(usage.ru_stime)
}
