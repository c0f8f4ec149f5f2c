import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// A libzmq context. Thread-safe by libzmq's contract, so it may be shared freely.
///
/// Sockets keep their context alive; the context is terminated when the last reference goes away,
/// which libzmq only allows after every socket is closed.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// The CURVE credentials every socket of this context presents when it connects over TCP or
    /// IPC (nil: none). A process's connections all go to one bus, so they are set once, here,
    /// and no socket that connects to the bus can be opened without them.
    public let curveClient: CurveClientKeys?

    /// Creates a context with `ioThreads` libzmq I/O threads, whose connecting sockets are CURVE
    /// clients when `curveClient` is given.
    public init(ioThreads: Int32 = 1, curveClient: CurveClientKeys? = nil) throws {
        if curveClient != nil, !Context.has("curve") {
            throw ZMQError(code: ENOTSUP, message: "this libzmq was built without CURVE", operation: "zmq_has(curve)")
        }
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        self.curveClient = curveClient
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            throw ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS)")
        }
        // Our own code never blocks on SIGINT-interrupted calls without handling EINTR.
        _ = zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
    }

    /// Makes every blocking call on this context's sockets return `ETERM` (used to stop proxies).
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// libzmq's version as "major.minor.patch".
    public static var libraryVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether libzmq was built with `capability` (e.g. "curve").
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
