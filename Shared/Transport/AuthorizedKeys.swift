import ZeroMQ

/// The client public keys the bus accepts (its `authorized_keys` file), each with the name it is
/// known by and what it may do (`KeyRoles`): a line is `<key> <role>… # <name>`.
public struct AuthorizedKeys: Sendable, Equatable {
    /// One listed key.
    public struct Listing: Sendable, Equatable {
        public var name: String
        public var roles: KeyRoles
    }

    /// Z85 key → its listing.
    private var listings: [String: Listing]

    /// The keys of `entries`; a key listed twice, or a line without valid roles, is an error
    /// naming its line.
    public init(_ entries: [CurveKeyFile.Entry], path: String) throws(CurveKeyFileError) {
        var listings: [String: Listing] = [:]
        for entry in entries {
            guard listings[entry.key] == nil else {
                throw CurveKeyFileError(path: path, line: entry.line, reason: "this key is listed twice")
            }
            let roles: KeyRoles
            do {
                roles = try KeyRoles(words: entry.words)
            } catch {
                throw CurveKeyFileError(
                    path: path, line: entry.line,
                    reason: "\(error.reason); each key needs its roles: write them with octoo keys")
            }
            listings[entry.key] = Listing(name: entry.name ?? entry.key, roles: roles)
        }
        guard !listings.isEmpty else {
            throw CurveKeyFileError(path: path, reason: "holds no key: the bus would accept no one")
        }
        self.listings = listings
    }

    /// Reads and checks the file at `path`.
    public static func read(_ path: String) throws(CurveKeyFileError) -> AuthorizedKeys {
        try AuthorizedKeys(try CurveKeyFile.read(path), path: path)
    }

    /// How many keys are listed.
    public var count: Int { listings.count }

    /// The listing of the raw 32-byte public key a ZAP request carries, nil when it is not listed.
    public func listing(ofRawKey raw: [UInt8]) -> Listing? {
        guard let key = CurveKeyPair.z85(raw) else { return nil }
        return listings[key]
    }

    /// The listing of a key in Z85 (the user id the ZAP handler gives each connection).
    public func listing(ofKey key: String) -> Listing? { listings[key] }

    /// The name of the raw 32-byte public key a ZAP request carries, nil when it is not listed.
    public func name(ofRawKey raw: [UInt8]) -> String? { listing(ofRawKey: raw)?.name }
}
