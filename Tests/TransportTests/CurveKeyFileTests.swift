import Foundation
import OctooTesting
import Testing
import Transport
import ZeroMQ

@Suite("CURVE key files")
struct CurveKeyFileTests {
    let first = try! CurveKeyPair.generate()
    let second = try! CurveKeyPair.generate()

    @Test func keysNamesCommentsAndBlankLinesAreRead() throws {
        let text = "# a comment\n\n  \(first.publicKey)   #  registry \r\n#\n\(second.publicKey)\n"
        let entries = try CurveKeyFile.parse(text, path: "keys")
        #expect(
            entries == [
                .init(key: first.publicKey, name: "registry", line: 3),
                .init(key: second.publicKey, name: nil, line: 5),
            ])
    }

    /// `#` is a Z85 character, so a key may hold one, though never as its first character.
    @Test func aHashInsideAKeyIsPartOfTheKey() throws {
        var pair = try CurveKeyPair.generate()
        while !pair.publicKey.dropFirst().contains("#") { pair = try CurveKeyPair.generate() }
        let entries = try CurveKeyFile.parse("#\(pair.publicKey)\n\(pair.publicKey) # cli\n", path: "keys")
        #expect(entries == [.init(key: pair.publicKey, name: "cli", line: 2)])
    }

    /// Why a line starting with `#` is always a comment: no Z85 key starts with `#` (or `$`).
    @Test func noKeyStartsWithAHash() throws {
        for _ in 0..<2000 {
            let key = try CurveKeyPair.generate().publicKey
            #expect(!key.hasPrefix("#") && !key.hasPrefix("$"), "\(key)")
        }
    }

    @Test(arguments: [
        ("# fine\nnot-a-key\n", 2, "is not a key"),
        ("\n\n{KEY}x\n", 3, "is not a key"),
        ("{KEY} régistry\n", 1, "only words and '# name' may follow"),
    ])
    func aBadLineIsNamedWithItsFileAndNumber(text: String, line: Int, reason: String) throws {
        let text = text.replacingOccurrences(of: "{KEY}", with: first.publicKey)
        let error = #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.parse(text, path: "/etc/octoo/keys") }
        #expect(error?.path == "/etc/octoo/keys")
        #expect(error?.line == line)
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("/etc/octoo/keys:\(line): ") == true)
    }

    @Test(arguments: ["{SECRET}x", "{SECRET} ánd more", "{SECRET}{SECRET}"])
    func noErrorEchoesWhatIsOnABadLine(line: String) throws {
        let text = "# mistyped\n" + line.replacingOccurrences(of: "{SECRET}", with: first.secretKey) + "\n"
        let error = #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.parse(text, path: "bus.key") }
        #expect(error?.line == 2)
        let message = String(describing: error)
        #expect(!message.contains(first.secretKey.prefix(8)), "the error shows the secret: \(message)")
    }

    @Test func aSecretKeyFileGivesTheWholePairAndAPublicFileItsKey() throws {
        let folder = try Self.folder()
        let secret = (folder as NSString).appendingPathComponent("bus.key")
        let pub = (folder as NSString).appendingPathComponent("bus.pub")
        try CurveKeyFile.secretKeyText(first, name: "bus").write(toFile: secret, atomically: true, encoding: .utf8)
        try CurveKeyFile.publicKeyText(first.publicKey, name: "bus").write(
            toFile: pub, atomically: true, encoding: .utf8)
        #expect(try CurveKeyFile.readSecretKey(secret) == first)
        #expect(try CurveKeyFile.readPublicKey(pub) == first.publicKey)
        // A .pub line is an authorized_keys line once its roles are added.
        let line = try String(contentsOfFile: pub, encoding: .utf8)
            .replacingOccurrences(of: " #", with: " client #")
        let keys = try AuthorizedKeys(CurveKeyFile.parse(line, path: "keys"), path: "keys")
        #expect(keys.name(ofRawKey: CurveKeyPair.rawKey(first.publicKey)!) == "bus")
    }

    @Test func fileLevelFaultsNameTheFile() throws {
        let folder = try Self.folder()
        let missing = (folder as NSString).appendingPathComponent("missing.key")
        let missingError = #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.readSecretKey(missing) }
        #expect(missingError?.path == missing)
        #expect(missingError?.line == nil)

        let empty = (folder as NSString).appendingPathComponent("empty.key")
        try "# nothing here\n".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(throws: CurveKeyFileError(path: empty, reason: "holds no key")) {
            try CurveKeyFile.readSecretKey(empty)
        }
        let emptyList = #expect(throws: CurveKeyFileError.self) { try AuthorizedKeys.read(empty) }
        #expect(emptyList?.reason.contains("holds no key") == true)

        let two = (folder as NSString).appendingPathComponent("two.key")
        try "\(first.secretKey)\n\(second.secretKey)\n".write(toFile: two, atomically: true, encoding: .utf8)
        #expect(throws: CurveKeyFileError(path: two, line: 2, reason: "a key file holds one key, not several")) {
            try CurveKeyFile.readSecretKey(two)
        }
    }

    @Test func aKeyListedTwiceIsRefusedAtItsSecondLine() {
        let text = "\(first.publicKey) client # a\n\(second.publicKey) client # b\n\(first.publicKey) client # c\n"
        #expect(throws: CurveKeyFileError(path: "keys", line: 3, reason: "this key is listed twice")) {
            try AuthorizedKeys(try CurveKeyFile.parse(text, path: "keys"), path: "keys")
        }
    }

    @Test func aLineWithoutANameIsKnownByItsKey() throws {
        let keys = try AuthorizedKeys(
            CurveKeyFile.parse("\(first.publicKey) subscriber\n", path: "keys"), path: "keys")
        #expect(keys.count == 1)
        #expect(keys.name(ofRawKey: CurveKeyPair.rawKey(first.publicKey)!) == first.publicKey)
        #expect(keys.name(ofRawKey: CurveKeyPair.rawKey(second.publicKey)!) == nil)
    }

    @Test(arguments: [
        ("client", KeyRoles(client: [])),
        ("client:partner,customer", KeyRoles(client: [.partner, .customer])),
        (
            "worker:registry publisher:registry subscriber",
            KeyRoles(workerOf: ["registry"], publisherOf: ["registry"], subscriber: true)
        ),
        (
            "client:service worker:matching worker:broadcast",
            KeyRoles(client: [.service], workerOf: ["matching", "broadcast"])
        ),
    ])
    func rolesAreReadFromTheWordsAfterTheKey(words: String, roles: KeyRoles) throws {
        let keys = try AuthorizedKeys(
            CurveKeyFile.parse("\(first.publicKey) \(words) # k\n", path: "keys"), path: "keys")
        #expect(keys.listing(ofKey: first.publicKey)?.roles == roles)
        #expect(try KeyRoles(words: roles.words) == roles)
    }

    @Test(arguments: [
        ("", "lists no roles"), ("admin", "is not a role"), ("client:root", "is not an actor role"),
        ("worker", "needs a service name"), ("subscriber:x", "is not a role"),
    ])
    func aLineWithoutValidRolesIsRefusedNamingIt(words: String, reason: String) {
        let error = #expect(throws: CurveKeyFileError.self) {
            try AuthorizedKeys(
                CurveKeyFile.parse("# list\n\(first.publicKey) \(words) # k\n", path: "keys"), path: "keys")
        }
        #expect(error?.line == 2)
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    static func folder() throws -> String {
        let folder = TestDirectories.make("keys")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
