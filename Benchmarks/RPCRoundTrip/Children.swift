import Foundation

/// The child processes `run` starts: each logs to its own file; all are stopped (SIGTERM, then
/// SIGKILL) when the run ends, fails, or is interrupted.
final class ChildProcesses: @unchecked Sendable {
    struct Child {
        let name: String
        let process: Process
        let logPath: String
    }

    private let lock = NSLock()
    private var children: [Child] = []
    private var signalSources: [any DispatchSourceSignal] = []
    let logDirectory: String

    init() throws {
        logDirectory = NSTemporaryDirectory() + "octoo-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
    }

    /// This executable, to start the children from.
    static func ownExecutable() throws -> URL {
        URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    }

    /// SIGINT and SIGTERM stop the children before this process exits.
    func trapSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                FileHandle.standardError.write(Data("\noctoo-bench: interrupted; stopping child processes\n".utf8))
                stopAll()
                try? FileManager.default.removeItem(atPath: logDirectory)
                exit(128 + number)
            }
            source.resume()
            lock.withLock { signalSources.append(source) }
        }
    }

    /// Starts this executable with `arguments` (plus `--parent-pid`), output to `<name>.log`.
    /// `launcher` (e.g. `valgrind --tool=callgrind`) runs the child under a profiler.
    func start(name: String, arguments: [String], launcher: [String] = []) throws {
        let logPath = "\(logDirectory)/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw BenchmarkError("cannot write \(logPath)") }
        let process = Process()
        let own = try Self.ownExecutable()
        let childArguments = arguments + ["--parent-pid", String(getpid())]
        if let tool = launcher.first {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = Array(launcher.dropFirst()) + [own.path] + childArguments
        } else {
            process.executableURL = own
            process.arguments = childArguments
        }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.withLock { children.append(Child(name: name, process: process, logPath: logPath)) }
    }

    /// Throws, with the end of its log, if a child has exited.
    func checkAlive() throws {
        let current = lock.withLock { children }
        for child in current where !child.process.isRunning {
            throw BenchmarkError(
                "child \(child.name) exited with status \(child.process.terminationStatus); its log:\n\(Self.tail(child.logPath))"
            )
        }
    }

    /// Stops every child, newest first. Safe to call more than once.
    func stopAll() {
        let running = lock.withLock { () -> [Child] in
            defer { children.removeAll() }
            return children.reversed()
        }
        for child in running where child.process.isRunning {
            Glibc.kill(child.process.processIdentifier, SIGTERM)
        }
        let deadline = Date().addingTimeInterval(3)
        for child in running {
            while child.process.isRunning && Date() < deadline { usleep(10_000) }
            if child.process.isRunning {
                Glibc.kill(child.process.processIdentifier, SIGKILL)
            }
            child.process.waitUntilExit()
        }
    }

    /// Kills the child `name` at once (SIGKILL) and waits for it.
    func kill(_ name: String) {
        guard let child = lock.withLock({ children.first { $0.name == name } }) else { return }
        Glibc.kill(child.process.processIdentifier, SIGKILL)
        child.process.waitUntilExit()
    }

    /// CPU time (user + system, every thread) used so far by the child `name`, from /proc.
    func cpuNanos(_ name: String) -> UInt64 {
        guard let child = lock.withLock({ children.first { $0.name == name } }) else { return 0 }
        return processCPUNanos(pid: child.process.processIdentifier)
    }

    static func tail(_ path: String, lines: Int = 20) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// Whether nothing listens on 127.0.0.1:`port` (checked by binding it for a moment).
func isPortFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var reuse: Int32 = 1
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return rc == 0
}

/// `count` free ports from `base` upwards.
func freePorts(from base: Int, count: Int) throws -> [Int] {
    var ports: [Int] = []
    var candidate = base
    while ports.count < count {
        guard candidate < 65_000 else { throw BenchmarkError("no free ports from \(base)") }
        if isPortFree(candidate) { ports.append(candidate) }
        candidate += 1
    }
    return ports
}

/// utime + stime of a process from /proc/PID/stat, in nanoseconds (clock-tick resolution).
func processCPUNanos(pid: Int32) -> UInt64 {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
    let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    return (user + system) * 1_000_000_000 / ticks
}

/// CPU time used so far by this process (every thread), in nanoseconds.
func ownCPUNanos() -> UInt64 {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func nanos(_ time: timeval) -> UInt64 { UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000 }
    return nanos(usage.ru_utime) + nanos(usage.ru_stime)
}
