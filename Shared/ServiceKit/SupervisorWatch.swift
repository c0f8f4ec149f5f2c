import Foundation
import Logging

/// Ends a child process gracefully when the `octoo up` that started it is gone, so a killed
/// supervisor never leaves orphans holding the ports. `octoo up` passes its pid in
/// `OCTOO_SUPERVISOR_PID`; without it, this does nothing.
public enum SupervisorWatch {
    /// The supervisor's pid from the environment, if any.
    public static var supervisorPID: Int32? {
        ProcessInfo.processInfo.environment["OCTOO_SUPERVISOR_PID"].flatMap { Int32($0) }
    }

    /// Waits until the supervisor has gone (this process was re-parented), or forever when there
    /// is none; returns early only on cancellation.
    public static func waitForSupervisorExit() async {
        guard let supervisor = supervisorPID else {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        while !Task.isCancelled {
            if getppid() != supervisor { return }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Runs `onExit` when the supervisor goes away, for as long as the calling task lives.
    public static func watch(logger: Logger, onExit: @escaping @Sendable () async -> Void) -> Task<Void, Never>? {
        guard supervisorPID != nil else { return nil }
        return Task {
            await waitForSupervisorExit()
            guard !Task.isCancelled else { return }
            logger.warning("the supervising octoo process is gone; shutting down")
            await onExit()
        }
    }
}
