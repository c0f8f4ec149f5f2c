import ArgumentParser
import Foundation
import Transport
import ZeroMQ

/// `octoo keys --out DIR`: a CURVE key pair per component, as files, and the bus's allow-list.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate a CURVE key pair per component, and the authorized_keys file the bus reads.",
        discussion: """
            Writes DIR/<name>.key (the secret key, mode 0600: give it to that component alone), \
            DIR/<name>.pub (its public key, as a line of authorized_keys) and DIR/authorized_keys (the \
            public key of every component but the bus). The bus takes bus.key and authorized_keys; every \
            other component takes bus.pub and its own .key. See docs/operations.md, "Keys and CURVE".
            """)

    @Option(help: "Folder to write the keys to (made if missing, mode 0700).")
    var out: String
    @Option(help: "Comma-separated component names; bus is the server, every other one a client.")
    var components: String = KeysCommand.defaultComponents.joined(separator: ",")
    @Flag(help: "Overwrite keys already in the folder (their owners then need the new ones).")
    var force = false

    /// The bus, every process of the catalogue, and the CLI.
    static let defaultComponents = ["bus"] + ServiceCatalogue.entries.map(\.name) + ["cli"]
    static let authorizedKeysFile = "authorized_keys"

    /// The component names, checked: each a plain file name, none twice.
    func names() throws -> [String] {
        let names = components.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
            throw ValidationError("--components must list names separated by commas")
        }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        for name in names {
            guard name.unicodeScalars.allSatisfy(allowed.contains), !name.hasPrefix("."),
                name != Self.authorizedKeysFile
            else {
                throw ValidationError("component name '\(name)' must be letters, digits, '.', '_' or '-'")
            }
        }
        guard Set(names).count == names.count else { throw ValidationError("--components lists a name twice") }
        return names
    }

    func validate() throws { _ = try names() }

    func run() throws {
        guard Context.has("curve") else {
            sayError("octoo keys: this libzmq was built without CURVE")
            throw ExitCode(1)
        }
        let names = try names()
        let folder = URL(fileURLWithPath: out).standardizedFileURL.path
        func path(_ file: String) -> String { (folder as NSString).appendingPathComponent(file) }
        let clients = names.filter { $0 != "bus" }
        let files =
            names.flatMap { [path("\($0).key"), path("\($0).pub")] }
            + (clients.isEmpty ? [] : [path(Self.authorizedKeysFile)])
        let existing = files.filter { FileManager.default.fileExists(atPath: $0) }
        if !existing.isEmpty && !force {
            sayError(
                "octoo keys: \(existing.joined(separator: ", ")) already exist; nothing written "
                    + "(--force replaces them, and every component must then get its new files)")
            throw ExitCode(1)
        }
        do {
            if !FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            var publicKeys: [(name: String, key: String)] = []
            for name in names {
                let pair = try CurveKeyPair.generate()
                try Self.write(CurveKeyFile.secretKeyText(pair, name: name), to: path("\(name).key"), mode: 0o600)
                try Self.write(
                    CurveKeyFile.publicKeyText(pair.publicKey, name: name), to: path("\(name).pub"), mode: 0o644)
                publicKeys.append((name, pair.publicKey))
            }
            if !clients.isEmpty {
                let lines = publicKeys.filter { $0.name != "bus" }.map {
                    CurveKeyFile.publicKeyText($0.key, name: $0.name)
                }
                let header = "# Client public keys the Octoo bus accepts: one per line, '<Z85 key> # <name>'.\n"
                try Self.write(header + lines.joined(), to: path(Self.authorizedKeysFile), mode: 0o644)
            }
        } catch {
            sayError("octoo keys: \(error)")
            throw ExitCode(1)
        }
        say("octoo: keys for \(names.joined(separator: ", ")) in \(folder)")
        if names.contains("bus") {
            say("  bus: --curve-secret-key-file bus.key --curve-authorized-keys \(Self.authorizedKeysFile)")
        }
        for name in clients {
            say("  \(name): --curve-server-key-file bus.pub --curve-secret-key-file \(name).key")
        }
    }

    /// Writes `text` to `path` with `mode` from the first byte on: a secret key is never readable
    /// by others, not even for a moment, and an existing file of wider mode is narrowed.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
    }
}

/// A key file that could not be written.
struct KeysError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
