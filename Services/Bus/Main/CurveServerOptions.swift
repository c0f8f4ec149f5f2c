import ArgumentParser
import Foundation
import Logging
import OctooBus
import ServiceKit
import Transport

/// The bus's CURVE options: both files, or neither (no security, for loopback).
struct CurveServerOptions: ParsableArguments {
    @Option(
        help: """
            The bus's own CURVE secret key file (octoo keys writes bus.key); with --curve-authorized-keys, \
            every bus socket is a CURVE server (env OCTOO_CURVE_SECRET_KEY_FILE).
            """)
    var curveSecretKeyFile: String?
    @Option(
        help: """
            File of the client public keys the bus accepts, one per line (octoo keys writes authorized_keys); \
            reread on SIGHUP (env OCTOO_CURVE_AUTHORIZED_KEYS).
            """)
    var curveAuthorizedKeys: String?

    /// Where the allow-list is read from, when CURVE is on.
    func authorizedKeysPath(_ environment: Environment) -> String? {
        curveAuthorizedKeys ?? environment.string("OCTOO_CURVE_AUTHORIZED_KEYS")
    }

    /// The security these options describe; nil when neither file is given. A file that cannot
    /// be read or parsed fails the start, naming the file and line: the bus never runs open by mistake.
    func security(_ environment: Environment) throws -> BusSecurity? {
        let secretPath = curveSecretKeyFile ?? environment.string("OCTOO_CURVE_SECRET_KEY_FILE")
        let keysPath = authorizedKeysPath(environment)
        switch (secretPath, keysPath) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw ValidationError(
                "--curve-secret-key-file needs --curve-authorized-keys (env OCTOO_CURVE_AUTHORIZED_KEYS)")
        case (nil, .some):
            throw ValidationError(
                "--curve-authorized-keys needs --curve-secret-key-file (env OCTOO_CURVE_SECRET_KEY_FILE)")
        case (.some(let secretPath), .some(let keysPath)):
            return BusSecurity(
                secretKey: try CurveKeyFile.readSecretKey(secretPath).secretKey,
                authorizedKeys: try AuthorizedKeys.read(keysPath))
        }
    }
}

/// Rereads the allow-list on SIGHUP; a file that no longer parses is refused and the previous
/// list stays. Without CURVE, SIGHUP is ignored rather than ending the bus.
enum AuthorizedKeysReload {
    static func watch(bus: Bus, path: String?, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            guard let path else {
                logger.info("SIGHUP ignored: CURVE is off, there is no allow-list to reload")
                return
            }
            do {
                bus.reloadAuthorizedKeys(try AuthorizedKeys.read(path))
            } catch {
                logger.error(
                    "authorized keys not reloaded; the previous list stays", metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}
