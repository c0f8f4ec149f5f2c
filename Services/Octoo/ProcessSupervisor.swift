import Foundation

/// Starts the bus and the services as child processes, logs each to its own file, and stops
/// them in reverse order (services first, bus last) with SIGTERM, then SIGKILL after a grace period.
final class ProcessSupervisor: @unchecked Sendable {
    struct Child {
        let name: String
        let process: Process
        let logPath: String
    }

    /// Why the supervisor should stop.
    enum StopReason: Sendable {
        case signal(Int32)
        case childExited(name: String, status: Int32)
    }

    private(set) var children: [Child] = []
    private let lock = NSLock()
    private var stopping = false
    let reasons: AsyncStream<StopReason>
    private let reasonSink: AsyncStream<StopReason>.Continuation
    private var signalSources: [any DispatchSourceSignal] = []

    init() {
        (reasons, reasonSink) = AsyncStream.makeStream(of: StopReason.self)
    }

    /// Routes SIGINT and SIGTERM to `reasons` instead of killing this process.
    func trapSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [reasonSink] in reasonSink.yield(.signal(number)) }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Starts `executable` with `arguments`, its output appended to `logPath`.
    func start(name: String, executable: URL, arguments: [String], environment: [String: String], logPath: String) throws {
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw SupervisorError("cannot write the log file \(logPath)")
        }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self, reasonSink] process in
            guard let self else { return }
            let expected = self.lock.withLock { self.stopping }
            if !expected { reasonSink.yield(.childExited(name: name, status: process.terminationStatus)) }
        }
        try process.run()
        lock.withLock { children.append(Child(name: name, process: process, logPath: logPath)) }
    }

    /// Stops every child, newest first; returns the names of those that did not exit cleanly.
    func stopAll(grace: TimeInterval = 15) -> [String] {
        let running = lock.withLock { () -> [Child] in
            stopping = true
            return children.reversed()
        }
        var unclean: [String] = []
        for child in running {
            if child.process.isRunning { kill(child.process.processIdentifier, SIGTERM) }
            let deadline = Date().addingTimeInterval(grace)
            while child.process.isRunning && Date() < deadline { usleep(20_000) }
            if child.process.isRunning {
                kill(child.process.processIdentifier, SIGKILL)
                child.process.waitUntilExit()
                unclean.append("\(child.name) (killed after \(Int(grace))s)")
            } else if child.process.terminationStatus != 0 {
                unclean.append("\(child.name) (exit \(child.process.terminationStatus))")
            }
        }
        return unclean
    }
}

struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
