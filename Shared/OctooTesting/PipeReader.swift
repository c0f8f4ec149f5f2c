import Foundation
import Synchronization

/// Reads a child's pipe to its end on a thread of its own. A blocking read on one of Swift
/// concurrency's few cooperative threads (two on a 2-core machine) would starve every other test
/// in the process for as long as the child runs.
public final class PipeReader: Sendable {
    private let result = Mutex<String?>(nil)

    /// Starts reading `pipe` at once.
    public init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            result.withLock { $0 = text }
        }
        thread.name = "pipe-reader"
        thread.start()
    }

    /// Everything the child wrote, once it has closed the pipe (exited).
    public var text: String {
        get async {
            while true {
                if let text = result.withLock({ $0 }) { return text }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}

extension Process {
    /// Waits, without blocking a thread, until the process has exited.
    public func exited() async {
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
