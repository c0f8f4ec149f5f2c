/// Every Octoo process besides the bus and the CLI, in one place: its name (the executable's,
/// the service's on the bus and in events, its key file's), how it takes part in the bus, and
/// whether several may run at once. Ports, keys, `octoo up`, the test systems and the bus's
/// brokers come from here; tests check Package.swift's `services` and compose's file against it.
/// Adding a service is one entry here plus its folder under `Services/`.
public enum ServiceCatalogue {
    /// One process of the catalogue.
    public struct Entry: Sendable, Equatable {
        /// How a process takes part in the bus.
        public enum Role: Sendable, Equatable {
            /// A worker behind the bus: clients call it on `ports.client`, it connects to `ports.worker`.
            case busWorker(ports: BusEndpoints.RPCPorts)
            /// Calls services and consumes their events, but takes no calls (a gateway, a notifier).
            case clientOnly
        }

        /// The executable's name, and the service's on the bus and in events.
        public var name: String
        public var role: Role
        /// Whether several may run at once, each with its own database (the bus shares calls
        /// among a service's workers).
        public var replicable: Bool

        public init(name: String, role: Role, replicable: Bool = false) {
            self.name = name
            self.role = role
            self.replicable = replicable
        }

        /// A bus worker's default ports (nil for a client-only process).
        public var ports: BusEndpoints.RPCPorts? {
            guard case .busWorker(let ports) = role else { return nil }
            return ports
        }
    }

    /// Every entry, in port order (PROTOCOL §1: 7101–7104 for clients, 7201–7204 for workers).
    public static let entries: [Entry] = [
        Entry(name: "registry", role: .busWorker(ports: .init(client: 7101, worker: 7201))),
        // A read model fed only by events: replicas answer alike.
        Entry(name: "matching", role: .busWorker(ports: .init(client: 7102, worker: 7202)), replicable: true),
        Entry(name: "broadcast", role: .busWorker(ports: .init(client: 7103, worker: 7203))),
        Entry(name: "opportunities", role: .busWorker(ports: .init(client: 7104, worker: 7204))),
    ]

    /// The bus workers, in port order: the bus runs a broker for each.
    public static var busWorkers: [Entry] { entries.filter { $0.ports != nil } }

    /// The entry named `name`, if there is one.
    public static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
}
