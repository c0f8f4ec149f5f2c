import Foundation
import Synchronization

/// Reads a child's pipe to its end on a thread of its own. A blocking read on one of Swift
/// concurrency's few cooperative threads (two on a 2-core machine) would starve every other test
/// in the process for as long as the child runs.
public final class PipeReader: Sendable {
    private struct Read {
        var data = Data()
        var ended = false
    }

    private let read = Mutex(Read())

    /// Starts reading `pipe` at once.
    public init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                guard !chunk.isEmpty else { break }
                read.withLock { $0.data.append(chunk) }
            }
            read.withLock { $0.ended = true }
        }
        thread.name = "pipe-reader"
        thread.start()
    }

    /// Everything the child wrote, once every writer has closed the pipe; a grandchild that
    /// inherited it and lives on gets `timeout`, then the text so far is returned, saying so.
    public func text(within timeout: Duration = Patience.condition) async -> String {
        let ended = (try? await eventually("the pipe's end", timeout: timeout) { read.withLock { $0.ended } }) != nil
        let data = read.withLock { $0.data }
        let text = String(decoding: data, as: UTF8.self)
        return ended ? text : text + "\n[the pipe was still open after \(timeout)]"
    }

    /// Everything the child wrote (`text(within:)` with `Patience.condition`).
    public var text: String {
        get async { await text() }
    }
}

extension Process {
    /// Waits, without blocking a thread, until the process has exited; one still running after
    /// `timeout` is killed (SIGKILL, which nothing ignores) so that its status can be read.
    /// Returns whether it exited by itself.
    @discardableResult
    public func exited(within timeout: Duration = Patience.condition) async -> Bool {
        if (try? await eventually("pid \(processIdentifier) exited", timeout: timeout) { !isRunning }) != nil {
            return true
        }
        kill(processIdentifier, SIGKILL)
        // A stopped process still dies of SIGKILL; it only has to be scheduled.
        _ = try? await eventually("pid \(processIdentifier) killed") { !isRunning }
        return false
    }
}
