import Transport
import ZeroMQ

/// The bus's CURVE side (PROTOCOL §9): its own secret key, which makes every socket it binds a
/// CURVE server, and the client keys its ZAP handler accepts.
public struct BusSecurity: Sendable, Equatable {
    /// The bus's secret key (Z85); clients are given the public key derived from it.
    public var secretKey: String
    /// The client public keys accepted.
    public var authorizedKeys: AuthorizedKeys
    /// The ZAP domain of the bus's sockets, which libzmq passes on to the ZAP handler.
    public static let zapDomain = "octoo"

    public init(secretKey: String, authorizedKeys: AuthorizedKeys) {
        self.secretKey = secretKey
        self.authorizedKeys = authorizedKeys
    }

    /// Makes `socket` a CURVE server whose peers the ZAP handler vets; before it binds.
    func apply(to socket: Socket) throws {
        try socket.makeCurveServer(secretKey: secretKey)
        try socket.setZAPDomain(Self.zapDomain)
    }
}
