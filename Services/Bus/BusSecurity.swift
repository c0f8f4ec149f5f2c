import Synchronization
import Transport
import ZeroMQ

/// The bus's CURVE side (PROTOCOL §9): its own secret key, which makes every socket it binds a
/// CURVE server, and the client keys its ZAP handler accepts.
public struct BusSecurity: Sendable, Equatable {
    /// The bus's secret key (Z85); clients are given the public key derived from it.
    public var secretKey: String
    /// The client public keys accepted.
    public var authorizedKeys: AuthorizedKeys
    /// Which socket a peer connects to, as its ZAP domain tells the ZAP handler: what a key's
    /// roles must allow for the handshake to succeed.
    enum Domain: Equatable {
        /// A service's client port: any client key.
        case client(String)
        /// A service's worker port: a key that may serve that service.
        case worker(String)
        /// The event publishing port: a key that publishes some source's events.
        case publish
        /// The event subscribing port: a subscriber key.
        case subscribe

        init?(_ text: String) {
            let (kind, value) = KeyRoles.split(text)
            switch (kind, value) {
            case ("client", let service?): self = .client(service)
            case ("worker", let service?): self = .worker(service)
            case ("publish", nil): self = .publish
            case ("subscribe", nil): self = .subscribe
            default: return nil
            }
        }

        /// The text libzmq carries.
        var text: String {
            switch self {
            case .client(let service): "client:\(service)"
            case .worker(let service): "worker:\(service)"
            case .publish: "publish"
            case .subscribe: "subscribe"
            }
        }

        /// Whether `roles` let a key connect here.
        func permits(_ roles: KeyRoles) -> Bool {
            switch self {
            case .client: roles.client != nil
            case .worker(let service): roles.workerOf.contains(service)
            case .publish: !roles.publisherOf.isEmpty
            case .subscribe: roles.subscriber
            }
        }
    }

    public init(secretKey: String, authorizedKeys: AuthorizedKeys) {
        self.secretKey = secretKey
        self.authorizedKeys = authorizedKeys
    }

    /// Makes `socket` a CURVE server whose peers the ZAP handler vets for `domain`; before it binds.
    func apply(to socket: Socket, domain: Domain) throws {
        try socket.makeCurveServer(secretKey: secretKey)
        try socket.setZAPDomain(domain.text)
    }
}

/// The keys in force and their roles, shared by the ZAP handler (which vets connections) and the
/// brokers and event relay (which check each message against its sender's roles). SIGHUP
/// replaces them.
final class KeyBook: Sendable {
    private let keys: Mutex<AuthorizedKeys>

    init(_ keys: AuthorizedKeys) { self.keys = Mutex(keys) }

    /// The keys in force.
    var current: AuthorizedKeys { keys.withLock { $0 } }

    /// Replaces the keys in force.
    func replace(_ keys: AuthorizedKeys) { self.keys.withLock { $0 = keys } }

    /// The roles of the connection a frame came from, by its ZAP user id (the key); nil for a key
    /// no longer listed, or a frame from no CURVE connection.
    func roles(of frame: Message) -> KeyRoles? {
        guard let key = frame.property("User-Id") else { return nil }
        return keys.withLock { $0.listing(ofKey: key)?.roles }
    }
}
