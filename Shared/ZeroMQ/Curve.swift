import CZeroMQ

/// A CURVE key pair in Z85 text (40 characters each).
public struct CurveKeyPair: Sendable, Equatable, Codable {
    public let publicKey: String
    public let secretKey: String

    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Generates a new key pair with libzmq (requires a CURVE-enabled libzmq).
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&publicKey, &secretKey) != 0 { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: decode(publicKey), secretKey: decode(secretKey))
    }

    /// Derives the public key of a Z85 secret key.
    public static func publicKey(ofSecretKey secretKey: String) throws -> String {
        var publicKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_public(&publicKey, secretKey) != 0 { throw ZMQError.last("zmq_curve_public") }
        return decode(publicKey)
    }

    /// Decodes a Z85 key to its 32 raw bytes (the form ZAP hands to an authenticator).
    public static func rawKey(_ z85: String) -> [UInt8]? {
        guard z85.utf8.count == 40 else { return nil }
        var raw = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&raw, z85) == nil ? nil : raw
    }

    /// Encodes 32 raw key bytes as Z85.
    public static func z85(_ raw: [UInt8]) -> String? {
        guard raw.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        return zmq_z85_encode(&text, raw, 32) == nil ? nil : decode(text)
    }

    private static func decode(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What a CURVE client presents to its server: its own key pair and the server's public key (Z85).
public struct CurveClientKeys: Sendable, Equatable {
    /// The server's public key.
    public var serverKey: String
    /// The client's own key pair.
    public var keyPair: CurveKeyPair

    public init(serverKey: String, keyPair: CurveKeyPair) {
        self.serverKey = serverKey
        self.keyPair = keyPair
    }
}
