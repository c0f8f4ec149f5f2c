import Foundation
import Synchronization

/// A thread that binds its sockets first and then runs its loop: starting it returns once the
/// binding is done, throwing the bind's error (with the thread already ended) if it failed. The
/// sockets are made, used and closed on that one thread, as libzmq requires.
enum BoundThread {
    static func start<State>(
        name: String, finished: DispatchSemaphore, setup: @escaping @Sendable () throws -> State,
        run: @escaping @Sendable (State) -> Void
    ) throws {
        let bound = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let thread = Thread {
            defer { finished.signal() }
            let state: State
            do {
                state = try setup()
            } catch {
                failure.withLock { $0 = error }
                bound.signal()
                return
            }
            bound.signal()
            run(state)
        }
        thread.name = name
        thread.start()
        bound.wait()
        if let error = failure.withLock({ $0 }) {
            finished.wait()
            throw error
        }
    }
}
