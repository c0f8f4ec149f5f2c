import Foundation
import Synchronization

/// Starts the bus and the services as child processes, logs each to its own file, restarts a child
/// that exits on its own (after `RestartPolicy`'s delay, with the same arguments, environment and log),
/// and stops them in reverse order (services first, bus last) with SIGTERM, then SIGKILL after a grace period.
final class ProcessSupervisor: Sendable {
    /// How to start one child; a restart reuses it unchanged.
    struct ChildSpec: Sendable {
        let name: String
        let executable: URL
        let arguments: [String]
        let environment: [String: String]
        let logPath: String
    }

    /// Why the supervisor should stop.
    enum StopReason: Sendable, Equatable {
        case signal(Int32)
        /// `name` exited `exits` times within the policy's window; `lastExit` says how it ended last.
        case gaveUp(name: String, exits: Int, lastExit: String, logPath: String)
    }

    /// One child: its spec, its running process if any, and its past runs.
    private struct Slot {
        let spec: ChildSpec
        var process: Process?
        var started: ContinuousClock.Instant
        var runs: [RestartPolicy.Run] = []
        var pendingRestart: Task<Void, Never>?
    }

    /// Everything the termination handlers, the restart tasks and `stopAll` share.
    private struct State {
        var slots: [Slot] = []
        var stopping = false
        var stopRequest: StopReason?
    }

    let policy: RestartPolicy
    let reasons: AsyncStream<StopReason>
    private let reasonSink: AsyncStream<StopReason>.Continuation
    private let report: @Sendable (String) -> Void
    private let state = Mutex(State())
    /// Held while a child is launched and while stopping begins, so no launch can start after a stop
    /// has begun. Termination handlers never take it, so a launch holding it cannot deadlock with them.
    private let launches = Mutex(())
    private let signalSources = Mutex<[any DispatchSourceSignal]>([])

    init(policy: RestartPolicy = RestartPolicy(), report: @escaping @Sendable (String) -> Void) {
        self.policy = policy
        self.report = report
        (reasons, reasonSink) = AsyncStream.makeStream(of: StopReason.self)
    }

    /// The first reason to stop, once there is one (the same value `reasons` delivered first).
    var stopRequest: StopReason? {
        state.withLock { $0.stopRequest }
    }

    /// The pid of `name`'s running process, if it runs.
    func pid(of name: String) -> Int32? {
        state.withLock { state in
            state.slots.first { $0.spec.name == name }?.process.map(\.processIdentifier)
        }
    }

    /// Routes SIGINT and SIGTERM to `reasons` instead of killing this process.
    func trapSignals() {
        let stop: @Sendable (Int32) -> Void = { [weak self] number in self?.requestStop(.signal(number)) }
        // Kept for the supervisor's lifetime: a released source would stop delivering.
        signalSources.withLock { sources in
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stop(number) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Starts a child described by `spec`; it is restarted whenever it exits before `stopAll`.
    func start(_ spec: ChildSpec) throws {
        try launches.withLock { _ in
            guard !state.withLock({ $0.stopping }) else { throw SupervisorError("stopping: \(spec.name) not started") }
            state.withLock { $0.slots.append(Slot(spec: spec, process: nil, started: .now)) }
            try launch(spec)
        }
    }

    /// Stops every child, newest first; returns the names of those that did not exit cleanly.
    /// A child waiting to be restarted is not restarted, and does not count: its exit was reported.
    func stopAll(grace: TimeInterval = 15) -> [String] {
        let running = launches.withLock { _ in
            state.withLock { state -> [(name: String, process: Process)] in
                state.stopping = true
                for index in state.slots.indices {
                    state.slots[index].pendingRestart?.cancel()
                    state.slots[index].pendingRestart = nil
                }
                return state.slots.reversed().compactMap { slot in slot.process.map { (slot.spec.name, $0) } }
            }
        }
        var unclean: [String] = []
        for (name, process) in running {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                unclean.append("\(name) (killed after \(Int(grace))s)")
            } else if process.terminationReason == .uncaughtSignal || process.terminationStatus != 0 {
                unclean.append("\(name) (\(Self.describeExit(process)))")
            }
        }
        return unclean
    }

    /// Launches `spec` and records the process in its slot; the caller holds `launches`.
    private func launch(_ spec: ChildSpec) throws {
        if !FileManager.default.fileExists(atPath: spec.logPath) {
            _ = FileManager.default.createFile(atPath: spec.logPath, contents: nil)
        }
        guard let log = FileHandle(forWritingAtPath: spec.logPath) else {
            throw SupervisorError("cannot write the log file \(spec.logPath)")
        }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = spec.executable
        process.arguments = spec.arguments
        process.environment = ProcessInfo.processInfo.environment.merging(spec.environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] process in self?.exited(spec.name, process) }
        // In the slot before it runs: a child that dies at once finds itself there in its handler.
        state.withLock { state in
            guard let index = state.slots.firstIndex(where: { $0.spec.name == spec.name }) else { return }
            state.slots[index].process = process
            state.slots[index].started = .now
        }
        do {
            try process.run()
        } catch {
            state.withLock { state in
                guard let index = state.slots.firstIndex(where: { $0.spec.name == spec.name }) else { return }
                state.slots[index].process = nil
            }
            throw error
        }
    }

    /// Handles the exit of `process`, `name`'s child: nothing while stopping, else a restart or giving up.
    private func exited(_ name: String, _ process: Process) {
        ended(name, process: process, how: Self.describeExit(process))
    }

    /// Records that `name`'s run ended (`how`), then schedules its restart or gives up on it.
    /// `process` is the run that ended, or nil when a restart could not launch at all.
    private func ended(_ name: String, process: Process?, how: String) {
        let outcome = state.withLock { state -> (RestartPolicy.Decision, Int, String)? in
            guard !state.stopping,
                let index = state.slots.firstIndex(where: { $0.spec.name == name }),
                state.slots[index].process === process
            else { return nil }
            var slot = state.slots[index]
            slot.process = nil
            slot.runs = policy.trimmed(slot.runs + [RestartPolicy.Run(started: slot.started, exited: .now)])
            let decision = policy.decide(slot.runs)
            if case .restart(let delay) = decision {
                slot.pendingRestart = Task { [weak self] in
                    try? await Task.sleep(for: delay)
                    guard !Task.isCancelled else { return }
                    self?.restart(name, after: how)
                }
            }
            state.slots[index] = slot
            return (decision, policy.recentExits(slot.runs), slot.spec.logPath)
        }
        guard let outcome else { return }
        let (decision, exits, logPath) = outcome
        let times = exits == 1 ? "1 exit" : "\(exits) exits"
        switch decision {
        case .restart(let delay):
            report(
                "octoo: \(name) \(how); restarting it in \(delay.secondsText) "
                    + "(\(times) in the last \(policy.window.secondsText)); log: \(logPath)")
        case .giveUp:
            requestStop(.gaveUp(name: name, exits: exits, lastExit: how, logPath: logPath))
        }
    }

    /// Launches `name` again, unless a stop has begun meanwhile; a launch that fails counts as an exit.
    private func restart(_ name: String, after how: String) {
        let result: Result<Int32, any Error>? = launches.withLock { _ in
            let spec = state.withLock { state -> ChildSpec? in
                guard !state.stopping,
                    let index = state.slots.firstIndex(where: { $0.spec.name == name })
                else { return nil }
                state.slots[index].pendingRestart = nil
                return state.slots[index].spec
            }
            guard let spec else { return nil }
            Self.appendToLog(spec.logPath, "octoo: restarting \(name) (it \(how))")
            return Result {
                try launch(spec)
                return pid(of: name) ?? 0
            }
        }
        switch result {
        case .success(let pid)?:
            report("octoo: \(name) restarted (pid \(pid))")
        case .failure(let error)?:
            ended(name, process: nil, how: "could not be restarted (\(error))")
        case nil:
            break
        }
    }

    /// Records `reason` as the stop request unless there is one already, and delivers it on `reasons`.
    private func requestStop(_ reason: StopReason) {
        let first = state.withLock { state -> Bool in
            guard state.stopRequest == nil else { return false }
            state.stopRequest = reason
            return true
        }
        // Only the first matters: `octoo up` is stopping once it has read it.
        if first { reasonSink.yield(reason) }
    }

    /// A line in a child's log, so a reader of the appended log sees where one run ends and the next begins.
    private static func appendToLog(_ path: String, _ line: String) {
        guard let log = FileHandle(forWritingAtPath: path) else { return }
        defer { try? log.close() }
        log.seekToEndOfFile()
        log.write(Data("--- \(ISO8601DateFormatter().string(from: Date())) \(line)\n".utf8))
    }

    /// How a child ended, in words: `exited with status 3` or `was killed by signal 9 (SIGKILL)`.
    static func describeExit(_ process: Process) -> String {
        let status = process.terminationStatus
        guard process.terminationReason == .uncaughtSignal else { return "exited with status \(status)" }
        let names: [Int32: String] = [
            SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGSEGV: "SIGSEGV",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGHUP: "SIGHUP",
        ]
        return "was killed by signal \(status)" + (names[status].map { " (\($0))" } ?? "")
    }
}

struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
