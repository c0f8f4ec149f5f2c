import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// libzmq's built-in `zmq_proxy_steerable`: shuttles messages between two sockets until told
/// to stop through a control socket. Nothing of the forwarding is hand-written.
public enum Proxy {
    /// Runs the proxy on the calling thread until `TERMINATE` arrives on `control` or the context
    /// is shut down. All three sockets must belong to the calling thread.
    public static func run(frontend: Socket, backend: Socket, control: Socket) throws {
        let rc = zmq_proxy_steerable(frontend.handle, backend.handle, nil, control.handle)
        if rc != 0 {
            let error = ZMQError.last("zmq_proxy_steerable")
            if error.isContextTerminated { return }
            throw error
        }
    }

    /// The message that makes a steerable proxy return.
    public static let terminateCommand: [UInt8] = Array("TERMINATE".utf8)
}
