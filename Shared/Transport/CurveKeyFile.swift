import Foundation
import ZeroMQ

/// Why a key file cannot be used: the file, the line at fault when there is one, and what is wrong.
public struct CurveKeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// 1-based; nil when the fault is the file as a whole (missing, unreadable, no key).
    public let line: Int?
    public let reason: String

    public init(path: String, line: Int? = nil, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}

/// Octoo's CURVE key files: UTF-8 text, one key per line as 40 Z85 characters, optionally followed
/// by spaces and `# name`. Blank lines and lines starting with `#` are comments: `#` is a Z85
/// character, but never a key's first (a 5-character group's first digit is at most 82 of 0…84).
///
/// `<name>.key` holds one secret key (mode 0600), `<name>.pub` one public key with its name (a
/// line that can be appended to `authorized_keys` as it is), `authorized_keys` the client public
/// keys the bus accepts.
public enum CurveKeyFile {
    /// One key line.
    public struct Entry: Sendable, Equatable {
        /// The key, in Z85.
        public var key: String
        /// What follows `#` on the line, trimmed; nil when the line names nothing.
        public var name: String?
        /// Its 1-based line number.
        public var line: Int
        /// The words between the key and `#`: in `authorized_keys`, what the key may do.
        public var words: [String]

        public init(key: String, name: String?, line: Int, words: [String] = []) {
            self.key = key
            self.name = name
            self.line = line
            self.words = words
        }
    }

    /// The key lines of `text`, read from `path` (named in errors).
    public static func parse(_ text: String, path: String) throws(CurveKeyFileError) -> [Entry] {
        var entries: [Entry] = []
        // `isNewline`, not "\n": a CRLF is one Character in Swift, so splitting on "\n" would miss it.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let number = index + 1
            let token = String(line.prefix { $0 != " " && $0 != "\t" })
            guard token.utf8.count == 40, CurveKeyPair.rawKey(token) != nil else {
                throw CurveKeyFileError(
                    path: path, line: number,
                    // Never echoed: the line may be a secret key mistyped.
                    reason: "is not a key: a key is 40 Z85 characters, this line starts with \(token.count)")
            }
            let rest = line.dropFirst(token.count).trimmingCharacters(in: .whitespaces)
            // Words (roles, in authorized_keys) up to `#`, then the name.
            let comment = rest.firstIndex(of: "#")
            let words = rest[..<(comment ?? rest.endIndex)].split(whereSeparator: { $0 == " " || $0 == "\t" })
                .map(String.init)
            guard words.allSatisfy({ word in word.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 } }) else {
                throw CurveKeyFileError(
                    path: path, line: number, reason: "after the key only words and '# name' may follow")
            }
            var name: String?
            if let comment {
                let text = rest[rest.index(after: comment)...].trimmingCharacters(in: .whitespaces)
                name = text.isEmpty ? nil : text
            }
            entries.append(Entry(key: token, name: name, line: number, words: words))
        }
        return entries
    }

    /// The key lines of the file at `path`.
    public static func read(_ path: String) throws(CurveKeyFileError) -> [Entry] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CurveKeyFileError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CurveKeyFileError(path: path, reason: "is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// The one key a `.key` or `.pub` file holds.
    public static func readSingleKey(_ path: String) throws(CurveKeyFileError) -> Entry {
        let entries = try read(path)
        guard let entry = entries.first else { throw CurveKeyFileError(path: path, reason: "holds no key") }
        guard entries.count == 1 else {
            throw CurveKeyFileError(path: path, line: entries[1].line, reason: "a key file holds one key, not several")
        }
        guard entry.words.isEmpty else {
            throw CurveKeyFileError(path: path, line: entry.line, reason: "a key file holds the key and '# name' only")
        }
        return entry
    }

    /// A secret key file's key pair, its public key derived from the secret.
    public static func readSecretKey(_ path: String) throws(CurveKeyFileError) -> CurveKeyPair {
        let entry = try readSingleKey(path)
        do {
            return CurveKeyPair(
                publicKey: try CurveKeyPair.publicKey(ofSecretKey: entry.key), secretKey: entry.key)
        } catch {
            throw CurveKeyFileError(path: path, line: entry.line, reason: "no public key derives from it (\(error))")
        }
    }

    /// A public key file's key.
    public static func readPublicKey(_ path: String) throws(CurveKeyFileError) -> String {
        try readSingleKey(path).key
    }

    /// The text of `name`'s secret key file.
    public static func secretKeyText(_ keyPair: CurveKeyPair, name: String) -> String {
        "# Octoo CURVE secret key of \(name): keep it private, give it to \(name) alone.\n\(keyPair.secretKey)\n"
    }

    /// The text of `name`'s public key file: one line, in `authorized_keys` form with `roles`.
    public static func publicKeyText(_ publicKey: String, name: String, roles: [String] = []) -> String {
        ([publicKey] + roles + ["# \(name)"]).joined(separator: " ") + "\n"
    }
}
