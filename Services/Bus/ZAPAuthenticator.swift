import Transport
import ZeroMQ

/// The ZAP handler's decisions (RFC 27), apart from its socket so that a table test covers them:
/// a peer is accepted only over CURVE, only with a listed public key, and only on a socket its
/// roles allow (the socket's ZAP domain says which: `BusSecurity.Domain`). The user id given to
/// the connection is the key itself, so the bus can look up its roles for every message.
enum ZAPAuthenticator {
    /// The only ZAP version there is.
    static let version = "1.0"

    /// What became of one ZAP request.
    enum Verdict: Sendable, Equatable {
        /// A listed key; `name` is the user id reported.
        case allowed(name: String)
        /// A CURVE key (Z85) not in the list.
        case unlisted(key: String)
        /// A listed key whose roles do not cover the socket it connected to.
        case notPermitted(name: String, domain: String)
        /// A mechanism other than CURVE (NULL, PLAIN).
        case wrongMechanism(String)
        /// Not a ZAP 1.0 request.
        case malformed(String)
    }

    /// The reply to `request` (its frames as the REP socket delivered them) and the verdict.
    static func answer(_ request: [[UInt8]], keys: AuthorizedKeys) -> (reply: [[UInt8]], verdict: Verdict) {
        // Echo the request id whenever there is one, so that libzmq can match the reply.
        let requestId = request.count > 1 ? request[1] : []
        func reply(_ status: String, _ text: String, userId: String = "") -> [[UInt8]] {
            [Array(version.utf8), requestId, Array(status.utf8), Array(text.utf8), Array(userId.utf8), []]
        }
        // version, request id, domain, address, routing id, mechanism, then the credentials.
        guard request.count >= 6, String(decoding: request[0], as: UTF8.self) == version else {
            let why = request.count >= 6 ? "version is not \(version)" : "\(request.count) frames, not 6 or more"
            return (reply("400", "malformed ZAP request"), .malformed(why))
        }
        let mechanism = String(decoding: request[5], as: UTF8.self)
        guard mechanism == "CURVE" else {
            return (reply("400", "only CURVE is accepted"), .wrongMechanism(mechanism))
        }
        guard request.count == 7, request[6].count == 32 else {
            return (reply("400", "malformed ZAP request"), .malformed("CURVE credentials are not one 32-byte key"))
        }
        let key = request[6]
        guard let listing = keys.listing(ofRawKey: key), let z85 = CurveKeyPair.z85(key) else {
            return (reply("400", "key not authorized"), .unlisted(key: CurveKeyPair.z85(key) ?? "?"))
        }
        let domain = String(decoding: request[2], as: UTF8.self)
        guard BusSecurity.Domain(domain)?.permits(listing.roles) == true else {
            return (reply("400", "key not authorized here"), .notPermitted(name: listing.name, domain: domain))
        }
        return (reply("200", "OK", userId: z85), .allowed(name: listing.name))
    }
}

/// Which refusals have been logged: each refused key or mechanism once, and at most `capacity`
/// of them, so that a peer reconnecting in a loop (libzmq retries every 100 ms) writes one line.
struct RefusalLog {
    let capacity: Int
    private var logged: Set<String> = []
    private var saidEnough = false

    /// What to do about one refusal.
    enum Action: Equatable {
        /// Log it: the first refusal of this key.
        case log
        /// Say once that further new refusals go unlogged: `capacity` keys have been logged.
        case logLimitReached
        /// Nothing: already logged, or past the limit.
        case none
    }

    init(capacity: Int = 1000) { self.capacity = capacity }

    /// Notes a refusal of `what` (a key or a mechanism) and says whether to log it.
    mutating func note(_ what: String) -> Action {
        if logged.contains(what) { return .none }
        if logged.count < capacity {
            logged.insert(what)
            return .log
        }
        if saidEnough { return .none }
        saidEnough = true
        return .logLimitReached
    }
}
