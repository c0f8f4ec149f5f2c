import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// The ZeroMQ socket types this project uses.
public enum SocketType: Sendable {
    case dealer, router, pub, sub, xpub, xsub, pair, rep, req, push, pull

    var raw: Int32 {
        switch self {
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .pair: ZMQ_PAIR
        case .rep: ZMQ_REP
        case .req: ZMQ_REQ
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        }
    }
}

/// A libzmq socket, confined to the thread that created it.
///
/// The type is deliberately not `Sendable`: libzmq sockets must never be touched by two threads
/// (a mutex is not enough), so each one lives inside the loop of the thread that owns it.
public final class Socket {
    /// The raw socket handle, for `zmq_poll` and `zmq_proxy`.
    public private(set) var handle: UnsafeMutableRawPointer?
    /// The context is kept alive for as long as the socket is open.
    public let context: Context
    /// The socket's type.
    public let type: SocketType
    // One message struct per socket, reused for every receive: never copied by value.
    private let message: UnsafeMutablePointer<zmq_msg_t>

    /// Opens a socket of `type` on `context`.
    public init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.raw) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        self.context = context
        self.type = type
        self.message = .allocate(capacity: 1)
    }

    deinit {
        close()
        message.deallocate()
    }

    private func requireOpen(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, message: "socket is closed", operation: operation) }
        return handle
    }

    /// Binds to `endpoint` (e.g. `tcp://*:7101`, `inproc://bus`).
    public func bind(_ endpoint: String) throws {
        if zmq_bind(try requireOpen("zmq_bind"), endpoint) != 0 { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    /// Connects to `endpoint`; libzmq reconnects on its own if the peer goes away. Over TCP or IPC
    /// the socket first takes the context's CURVE client credentials, if it has any (`inproc://`
    /// has no security handshake in libzmq).
    public func connect(_ endpoint: String) throws {
        if let keys = context.curveClient, !endpoint.hasPrefix("inproc://") {
            try makeCurveClient(
                publicKey: keys.keyPair.publicKey, secretKey: keys.keyPair.secretKey, serverKey: keys.serverKey)
        }
        if zmq_connect(try requireOpen("zmq_connect"), endpoint) != 0 {
            throw ZMQError.last("zmq_connect(\(endpoint))")
        }
    }

    /// Undoes `connect(endpoint)`.
    public func disconnect(_ endpoint: String) throws {
        if zmq_disconnect(try requireOpen("zmq_disconnect"), endpoint) != 0 {
            throw ZMQError.last("zmq_disconnect(\(endpoint))")
        }
    }

    /// Closes the socket, after giving unsent messages `linger` milliseconds when given.
    public func close(lingerMs: Int32? = nil) {
        guard let handle else { return }
        if let lingerMs { try? setOption(ZMQ_LINGER, lingerMs) }
        zmq_close(handle)
        self.handle = nil
    }

    // MARK: Options

    /// Sets an integer option.
    public func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        if zmq_setsockopt(try requireOpen("zmq_setsockopt"), option, &value, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a 64-bit integer option.
    public func setOption(_ option: Int32, _ value: Int64) throws {
        var value = value
        if zmq_setsockopt(try requireOpen("zmq_setsockopt"), option, &value, MemoryLayout<Int64>.size) != 0 {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    /// Sets a binary option.
    public func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let handle = try requireOpen("zmq_setsockopt")
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    /// Reads an integer option.
    public func option(_ option: Int32) throws -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(try requireOpen("zmq_getsockopt"), option, &value, &size) != 0 {
            throw ZMQError.last("zmq_getsockopt(\(option))")
        }
        return value
    }

    /// How long unsent messages may delay `close` (milliseconds, -1 forever).
    public func setLinger(ms: Int32) throws { try setOption(ZMQ_LINGER, ms) }
    /// Messages queued per peer before sends block or drop.
    public func setSendHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_SNDHWM, messages) }
    /// Messages queued per peer on receive.
    public func setReceiveHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_RCVHWM, messages) }
    /// How long a blocking send may wait (milliseconds, -1 forever).
    public func setSendTimeout(ms: Int32) throws { try setOption(ZMQ_SNDTIMEO, ms) }
    /// How long a blocking receive may wait (milliseconds, -1 forever).
    public func setReceiveTimeout(ms: Int32) throws { try setOption(ZMQ_RCVTIMEO, ms) }
    /// libzmq refuses (and disconnects) peers sending a message larger than this (bytes, -1 no limit).
    public func setMaxMessageSize(_ bytes: Int64) throws { try setOption(ZMQ_MAXMSGSIZE, bytes) }
    /// Subscribes a SUB socket to topics starting with `prefix`.
    public func subscribe(prefix: String) throws { try setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8)) }
    /// Sets the identity (routing id) a DEALER presents to a ROUTER.
    public func setRoutingId(_ id: [UInt8]) throws { try setOption(ZMQ_ROUTING_ID, bytes: id) }

    /// Makes this socket a CURVE server with `secretKey` (Z85).
    public func makeCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, Int32(1))
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8) + [0])
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey` (all Z85).
    public func makeCurveClient(publicKey: String, secretKey: String, serverKey: String) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8) + [0])
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8) + [0])
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8) + [0])
    }

    /// Sets the ZAP domain, which makes libzmq consult the ZAP handler for this socket's peers.
    public func setZAPDomain(_ domain: String) throws { try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8)) }

    /// The security mechanism the socket uses (`ZMQ_NULL`, `ZMQ_PLAIN` or `ZMQ_CURVE`).
    public func mechanism() throws -> Int32 { try option(ZMQ_MECHANISM) }

    // MARK: Send and receive

    /// Sends a multi-frame message. Returns false when `dontWait` is set and it would block
    /// (or a send timeout expired); throws on any other error.
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
        let handle = try requireOpen("zmq_send")
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = zmq_errno()
                if error == EINTR { continue }
                // libzmq sends multi-part messages atomically: EAGAIN can only happen on the first frame.
                if error == EAGAIN { return false }
                throw ZMQError.last("zmq_send")
            }
        }
        return true
    }

    /// Receives one whole multi-frame message, or nil when `dontWait` is set and none is waiting
    /// (or a receive timeout expired).
    public func receive(dontWait: Bool = false) throws -> [[UInt8]]? {
        let handle = try requireOpen("zmq_msg_recv")
        var frames: [[UInt8]] = []
        while true {
            zmq_msg_init(message)
            defer { zmq_msg_close(message) }
            let flags: Int32 = (dontWait && frames.isEmpty) ? ZMQ_DONTWAIT : 0
            let rc = zmq_msg_recv(message, handle, flags)
            if rc < 0 {
                let error = zmq_errno()
                if error == EINTR { continue }
                if error == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError.last("zmq_msg_recv")
            }
            let size = zmq_msg_size(message)
            if size == 0 {
                frames.append([])
            } else {
                let data = zmq_msg_data(message)!
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            }
            if zmq_msg_more(message) == 0 { return frames }
        }
    }
}

extension Socket {
    /// The endpoint last bound (resolves `tcp://127.0.0.1:*` to the port the system chose).
    public func lastEndpoint() throws -> String {
        guard let handle else {
            throw ZMQError(code: ENOTSOCK, message: "socket is closed", operation: "zmq_getsockopt")
        }
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        if zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) != 0 {
            throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
