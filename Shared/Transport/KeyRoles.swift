import Wire

/// What one key listed in the bus's `authorized_keys` may do (PROTOCOL §9). Each is a word after
/// the key on its line:
/// - `client` or `client:<role>,<role>…`: send requests on client ports, claiming only the actor
///   roles listed (`client` alone: only methods that need no actor, such as `Health`);
/// - `worker:<service>`: serve that service on its worker port;
/// - `publisher:<source>`: publish events whose topic starts with `<source>.`;
/// - `subscriber`: subscribe to the event port.
public struct KeyRoles: Sendable, Equatable {
    /// The actor roles it may claim; nil when it is no client.
    public var client: Set<Actor.Role>?
    /// The services it may serve.
    public var workerOf: Set<String> = []
    /// The sources whose events it may publish.
    public var publisherOf: Set<String> = []
    /// Whether it may subscribe to events.
    public var subscriber = false

    public init(
        client: Set<Actor.Role>? = nil, workerOf: Set<String> = [], publisherOf: Set<String> = [],
        subscriber: Bool = false
    ) {
        self.client = client
        self.workerOf = workerOf
        self.publisherOf = publisherOf
        self.subscriber = subscriber
    }

    /// Reads the role words of one line; the error says which word is wrong and why.
    public init(words: [String]) throws(RoleError) {
        guard !words.isEmpty else { throw RoleError("lists no roles (client, worker:<service>, …)") }
        for word in words {
            let (kind, value) = Self.split(word)
            switch kind {
            case "client":
                var roles = client ?? []
                for name in value.map({ $0.split(separator: ",").map(String.init) }) ?? [] {
                    guard let role = Actor.Role(rawValue: name) else {
                        throw RoleError(
                            "'\(word)': \(name) is not an actor role (partner, customer, provider, service)")
                    }
                    roles.insert(role)
                }
                client = roles
            case "worker", "publisher":
                guard let value, Self.isName(value) else { throw RoleError("'\(word)' needs a service name") }
                if kind == "worker" { workerOf.insert(value) } else { publisherOf.insert(value) }
            case "subscriber" where value == nil:
                subscriber = true
            default:
                throw RoleError("'\(word)' is not a role (client, worker:<service>, publisher:<source>, subscriber)")
            }
        }
    }

    /// The role words, in a fixed order, as `octoo keys` writes them.
    public var words: [String] {
        var words: [String] = []
        if let client {
            let names = Actor.Role.allCases.filter(client.contains).map(\.rawValue)
            words.append(names.isEmpty ? "client" : "client:" + names.joined(separator: ","))
        }
        words += workerOf.sorted().map { "worker:\($0)" }
        words += publisherOf.sorted().map { "publisher:\($0)" }
        if subscriber { words.append("subscriber") }
        return words
    }

    /// Whether it may publish an event on `topic` (`<source>.<type>`).
    public func mayPublish(topic: some Sequence<UInt8>) -> Bool {
        let source = String(decoding: Array(topic.prefix { $0 != UInt8(ascii: ".") }), as: UTF8.self)
        return publisherOf.contains(source)
    }

    public static func split(_ word: String) -> (String, String?) {
        guard let colon = word.firstIndex(of: ":") else { return (word, nil) }
        return (String(word[..<colon]), String(word[word.index(after: colon)...]))
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy {
                $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || ($0 >= 0x30 && $0 <= 0x39)
                    || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
            }
    }

    /// Why a line's roles cannot be read.
    public struct RoleError: Error, Sendable, Equatable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
