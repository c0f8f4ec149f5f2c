import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// A set of sockets and file descriptors waited on together with `zmq_poll`.
///
/// Owned by one thread, like the sockets in it.
public struct Poller {
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds a socket to wait on for input; returns its index in `poll`'s result.
    @discardableResult
    public mutating func add(_ socket: Socket) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Adds a file descriptor (e.g. a `WakeupSignal`) to wait on for input.
    @discardableResult
    public mutating func add(fileDescriptor: Int32) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Waits up to `timeoutMs` (-1 forever) and returns which items are readable, by index.
    /// An interrupted wait (EINTR) returns with nothing readable.
    public mutating func poll(timeoutMs: Int) throws -> [Bool] {
        let count = Int32(items.count)
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, count, timeoutMs) }
        if rc < 0 {
            if zmq_errno() == EINTR { return Array(repeating: false, count: items.count) }
            throw ZMQError.last("zmq_poll")
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
