import ArgumentParser
import Foundation
import Transport
import Wire
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
    /// `health` is the bus container's own client key, for its health check.
    static let defaultComponents = ["bus"] + ServiceCatalogue.entries.map(\.name) + ["cli", "health"]
    static let authorizedKeysFile = "authorized_keys"

    /// What each component's key may do on the bus, and nothing more (PROTOCOL §9): a service
    /// serves and publishes only itself, calls others as `service`, and subscribes when it
    /// consumes events; the CLI (an operator) may act in any role; any other name may only call
    /// methods that need no actor, until its line in authorized_keys says otherwise.
    static func roles(for name: String) -> KeyRoles {
        switch name {
        case "cli":
            return KeyRoles(client: Set(Actor.Role.allCases), subscriber: true)
        case "registry":
            // Calls no one and consumes no events; its health check needs no actor.
            return KeyRoles(client: [], workerOf: [name], publisherOf: [name])
        case _ where BusEndpoints.services.contains(name):
            return KeyRoles(client: [.service], workerOf: [name], publisherOf: [name], subscriber: true)
        default:
            return KeyRoles(client: [])
        }
    }

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
            try Self.checkFolder(folder)
            // A file that exists (only with --force) is removed, not written through: it may be a
            // link planted to receive a secret key elsewhere.
            for file in existing { try Self.remove(file) }
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
                    CurveKeyFile.publicKeyText($0.key, name: $0.name, roles: Self.roles(for: $0.name).words)
                }
                let header =
                    "# Client public keys the Octoo bus accepts, one per line: '<Z85 key> <role>… # <name>'.\n"
                    + "# Roles: client[:<actor roles>], worker:<service>, publisher:<source>, subscriber.\n"
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
    /// The file is created afresh (`O_EXCL`), never through a link (`O_NOFOLLOW`).
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
    }
}

extension KeysCommand {
    /// Refuses a folder that is a link, is not the caller's own, or that others may write to:
    /// whoever can write there can swap a key file for a link or read a secret key.
    static func checkFolder(_ folder: String) throws {
        var info = stat()
        guard lstat(folder, &info) == 0 else { throw KeysError("\(folder): \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw KeysError("\(folder) is not a folder (a link is refused: name the folder itself)")
        }
        guard info.st_uid == geteuid() else {
            throw KeysError("\(folder) belongs to another user; use a folder of your own")
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw KeysError("\(folder) is writable by others; run chmod go-w on it, or use another folder")
        }
    }

    /// Removes `path` itself (a link, never its target); a folder there is refused.
    static func remove(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw KeysError("\(path) is a folder, not a key file") }
        guard unlink(path) == 0 else { throw KeysError("\(path): \(String(cString: strerror(errno)))") }
    }
}

/// A key file that could not be written.
struct KeysError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
