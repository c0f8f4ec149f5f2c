/// Where the bus's sockets are: PROTOCOL §1's ports on a host, or in-process names for tests.
public struct BusEndpoints: Sendable, Equatable {
    /// The RPC services (the catalogue's bus workers), in port order.
    public static let services = ServiceCatalogue.busWorkers.map(\.name)

    /// A service's two RPC ports: clients connect to `client`, workers to `worker`.
    public struct RPCPorts: Sendable, Equatable {
        public var client: Int
        public var worker: Int
        public init(client: Int, worker: Int) {
            self.client = client
            self.worker = worker
        }
    }

    /// How endpoints are spelled.
    public enum Kind: Sendable, Equatable {
        /// `tcp://host:port`.
        case tcp(host: String)
        /// `inproc://name-…`, only between sockets of one `Context`.
        case inproc(name: String)
    }

    public var kind: Kind
    /// Publishers connect here (bus XSUB).
    public var eventsPublishPort: Int
    /// Subscribers connect here (bus XPUB).
    public var eventsSubscribePort: Int
    /// Per service.
    public var rpc: [String: RPCPorts]

    public init(
        kind: Kind, eventsPublishPort: Int = 7100, eventsSubscribePort: Int = 7200,
        rpc: [String: RPCPorts] = BusEndpoints.defaultRPCPorts
    ) {
        self.kind = kind
        self.eventsPublishPort = eventsPublishPort
        self.eventsSubscribePort = eventsSubscribePort
        self.rpc = rpc
    }

    /// PROTOCOL §1's defaults, as the catalogue gives them.
    public static let defaultRPCPorts: [String: RPCPorts] = Dictionary(
        uniqueKeysWithValues: ServiceCatalogue.busWorkers.compactMap { entry in entry.ports.map { (entry.name, $0) } })

    /// The defaults on `host`.
    public static func tcp(host: String = "127.0.0.1") -> BusEndpoints { BusEndpoints(kind: .tcp(host: host)) }

    /// In-process endpoints named after `name`.
    public static func inproc(_ name: String) -> BusEndpoints { BusEndpoints(kind: .inproc(name: name)) }

    private func endpoint(_ port: Int, _ label: String) -> String {
        switch kind {
        case .tcp(let host): "tcp://\(host):\(port)"
        case .inproc(let name): "inproc://\(name)-\(label)"
        }
    }

    private func bindEndpoint(_ port: Int, _ label: String, bindHost: String) -> String {
        switch kind {
        case .tcp: "tcp://\(bindHost):\(port)"
        case .inproc(let name): "inproc://\(name)-\(label)"
        }
    }

    private func ports(_ service: String) -> RPCPorts {
        rpc[service] ?? RPCPorts(client: 0, worker: 0)
    }

    /// Where a client of `service` connects.
    public func client(_ service: String) -> String { endpoint(ports(service).client, "\(service)-client") }
    /// Where a worker of `service` connects.
    public func worker(_ service: String) -> String { endpoint(ports(service).worker, "\(service)-worker") }
    /// Where event publishers connect.
    public var eventsPublish: String { endpoint(eventsPublishPort, "events-publish") }
    /// Where event subscribers connect.
    public var eventsSubscribe: String { endpoint(eventsSubscribePort, "events-subscribe") }

    /// What the bus binds for a service's clients.
    public func bindClient(_ service: String, host: String = "*") -> String {
        bindEndpoint(ports(service).client, "\(service)-client", bindHost: host)
    }
    /// What the bus binds for a service's workers.
    public func bindWorker(_ service: String, host: String = "*") -> String {
        bindEndpoint(ports(service).worker, "\(service)-worker", bindHost: host)
    }
    /// What the bus binds for publishers.
    public func bindEventsPublish(host: String = "*") -> String {
        bindEndpoint(eventsPublishPort, "events-publish", bindHost: host)
    }
    /// What the bus binds for subscribers.
    public func bindEventsSubscribe(host: String = "*") -> String {
        bindEndpoint(eventsSubscribePort, "events-subscribe", bindHost: host)
    }
}
