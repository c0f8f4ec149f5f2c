import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// An eventfd that other threads signal to wake a socket-owning thread out of `zmq_poll`.
///
/// Signalling is lock-free and safe from any thread; only the owning thread clears it.
public final class WakeupSignal: Sendable {
    /// The descriptor to add to a `Poller`.
    public let fileDescriptor: Int32

    public init() throws {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        if fd < 0 { throw ZMQError(code: errno, message: String(cString: strerror(errno)), operation: "eventfd") }
        fileDescriptor = fd
    }

    deinit { Glibc.close(fileDescriptor) }

    /// Wakes the owning thread.
    public func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(fileDescriptor, $0.baseAddress, 8) }
    }

    /// Clears pending signals (owning thread only).
    public func clear() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(fileDescriptor, $0.baseAddress, 8) }
    }
}
