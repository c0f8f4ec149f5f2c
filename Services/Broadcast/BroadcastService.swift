import ServiceKit
import Store

/// The `broadcast` service: contacts ranked providers in well-timed waves.
public enum BroadcastService {
    /// The service's name on the bus and in events.
    public static let name = "broadcast"

    /// Everything that makes the service what it is, for `ServiceApplication`.
    public static let definition = ServiceDefinition(name: name, durability: .full)
}
