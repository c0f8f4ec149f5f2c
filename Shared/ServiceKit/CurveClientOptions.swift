import ArgumentParser
import Transport
import ZeroMQ

/// A client's CURVE options, for the services and the `octoo` CLI: the bus's public key and the
/// client's own secret key, both or neither. Given, every connection to the bus uses CURVE.
public struct CurveClientOptions: ParsableArguments, Sendable {
    @Option(
        help: """
            The bus's CURVE public key file (octoo keys writes bus.pub); with --curve-secret-key-file, every \
            connection to the bus uses CURVE (env OCTOO_CURVE_SERVER_KEY_FILE).
            """)
    public var curveServerKeyFile: String?
    @Option(
        help: """
            This component's own CURVE secret key file (octoo keys writes <name>.key), its public key listed \
            in the bus's authorized_keys (env OCTOO_CURVE_SECRET_KEY_FILE).
            """)
    public var curveSecretKeyFile: String?

    public init() {}

    /// The keys these options and `environment` name; nil when neither file is given. A file
    /// that cannot be read or parsed is an error naming it (and the line), never a silent
    /// fallback to no security.
    public func keys(_ environment: Environment = Environment()) throws -> CurveClientKeys? {
        let serverPath = curveServerKeyFile ?? environment.string("OCTOO_CURVE_SERVER_KEY_FILE")
        let secretPath = curveSecretKeyFile ?? environment.string("OCTOO_CURVE_SECRET_KEY_FILE")
        switch (serverPath, secretPath) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw ValidationError(
                "--curve-server-key-file needs --curve-secret-key-file (env OCTOO_CURVE_SECRET_KEY_FILE)")
        case (nil, .some):
            throw ValidationError(
                "--curve-secret-key-file needs --curve-server-key-file (env OCTOO_CURVE_SERVER_KEY_FILE)")
        case (.some(let serverPath), .some(let secretPath)):
            return CurveClientKeys(
                serverKey: try CurveKeyFile.readPublicKey(serverPath),
                keyPair: try CurveKeyFile.readSecretKey(secretPath))
        }
    }
}
