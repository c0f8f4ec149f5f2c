import ZeroMQ

/// The client public keys the bus accepts (its `authorized_keys` file), each with the name it is
/// known by: the user id the ZAP handler reports.
public struct AuthorizedKeys: Sendable, Equatable {
    /// Z85 key → name.
    private var names: [String: String]

    /// The keys of `entries`; a key listed twice is an error naming its second line.
    public init(_ entries: [CurveKeyFile.Entry], path: String) throws(CurveKeyFileError) {
        var names: [String: String] = [:]
        for entry in entries {
            guard names[entry.key] == nil else {
                throw CurveKeyFileError(path: path, line: entry.line, reason: "this key is listed twice")
            }
            names[entry.key] = entry.name ?? entry.key
        }
        guard !names.isEmpty else {
            throw CurveKeyFileError(path: path, reason: "holds no key: the bus would accept no one")
        }
        self.names = names
    }

    /// Reads and checks the file at `path`.
    public static func read(_ path: String) throws(CurveKeyFileError) -> AuthorizedKeys {
        try AuthorizedKeys(try CurveKeyFile.read(path), path: path)
    }

    /// How many keys are listed.
    public var count: Int { names.count }

    /// The name of the raw 32-byte public key a ZAP request carries, nil when it is not listed.
    public func name(ofRawKey raw: [UInt8]) -> String? {
        guard let key = CurveKeyPair.z85(raw) else { return nil }
        return names[key]
    }
}
