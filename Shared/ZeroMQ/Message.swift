import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// One frame as libzmq holds it (`zmq_msg_t`): received and sent again without copying its bytes.
///
/// A broker moves frames from one socket to another with these; sending a message hands its
/// content to libzmq and leaves it empty. Not `Sendable`: it lives on the thread of its sockets.
public final class Message {
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    /// An empty frame.
    public init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    /// A frame holding a copy of `bytes`.
    public init(_ bytes: some Collection<UInt8>) {
        pointer = .allocate(capacity: 1)
        zmq_msg_init_size(pointer, bytes.count)
        if bytes.count > 0 {
            let destination = UnsafeMutableRawBufferPointer(start: zmq_msg_data(pointer), count: bytes.count)
            destination.copyBytes(from: bytes)
        }
    }

    /// A frame holding `value` in decimal ASCII digits.
    public convenience init(decimal value: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var rest = value.magnitude
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 && index > 1
            if value < 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "-")
            }
            return buffer.count - index
        }
        self.init(Swift.withUnsafeBytes(of: &digits) { Array($0.suffix(count)) })
    }

    /// A frame holding `value`'s 8 bytes, most significant first.
    public convenience init(bigEndian value: UInt64) {
        self.init(Swift.withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }

    /// A frame holding `text` as UTF-8.
    public convenience init(_ text: String) {
        self.init(Array(text.utf8))
    }

    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// The frame's size in bytes.
    public var count: Int { zmq_msg_size(pointer) }

    /// A property of the connection the frame came from (`zmq_msg_gets`), such as `User-Id`,
    /// which the ZAP handler set when the peer connected; nil when there is none.
    public func property(_ name: String) -> String? {
        guard let value = zmq_msg_gets(pointer, name) else { return nil }
        return String(cString: value)
    }

    /// Reads the frame's bytes in place.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let size = zmq_msg_size(pointer)
        guard size > 0, let data = zmq_msg_data(pointer) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: data, count: size))
    }

    /// A copy of the frame's bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Whether the frame holds exactly `text`'s UTF-8 bytes.
    public func equals(_ text: StaticString) -> Bool {
        withUnsafeBytes { buffer in
            buffer.count == text.utf8CodeUnitCount
                && (buffer.count == 0 || memcmp(buffer.baseAddress!, text.utf8Start, buffer.count) == 0)
        }
    }
}

/// Why a send did not go out.
public enum SendOutcome: Equatable, Sendable {
    /// Handed to libzmq.
    case sent
    /// The peer's queue is full (high-water mark) and `dontWait` was set: nothing was sent.
    case wouldBlock
    /// A ROUTER with `ZMQ_ROUTER_MANDATORY` has no peer with that routing id: nothing was sent.
    case unroutable
}

extension Socket {
    /// Receives one whole multi-frame message as libzmq frames (no copy), or nil when `dontWait`
    /// is set and none is waiting.
    public func receiveMessages(dontWait: Bool = false) throws -> [Message]? {
        let handle = try requireHandle("zmq_msg_recv")
        var frames: [Message] = []
        while true {
            let frame = Message()
            let flags: Int32 = (dontWait && frames.isEmpty) ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(frame.pointer, handle, flags) < 0 {
                let error = zmq_errno()
                if error == EINTR { continue }
                if error == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError.last("zmq_msg_recv")
            }
            frames.append(frame)
            if zmq_msg_more(frame.pointer) == 0 { return frames }
        }
    }

    /// Sends `frames` as one message, handing each frame's content to libzmq (the messages are
    /// empty afterwards). libzmq sends multi-frame messages atomically, so only the first frame
    /// can fail to go out; then nothing was sent.
    @discardableResult
    public func send(messages frames: [Message], dontWait: Bool = false) throws -> SendOutcome {
        let handle = try requireHandle("zmq_msg_send")
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while zmq_msg_send(frame.pointer, handle, flags) < 0 {
                let error = zmq_errno()
                if error == EINTR { continue }
                if index == 0 && error == EAGAIN { return .wouldBlock }
                if index == 0 && error == EHOSTUNREACH { return .unroutable }
                throw ZMQError.last("zmq_msg_send")
            }
        }
        return .sent
    }

    /// Makes a ROUTER report a send to an unknown peer (`.unroutable`) instead of dropping it.
    public func setRouterMandatory(_ on: Bool) throws { try setOption(ZMQ_ROUTER_MANDATORY, Int32(on ? 1 : 0)) }

    func requireHandle(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, message: "socket is closed", operation: operation) }
        return handle
    }
}
