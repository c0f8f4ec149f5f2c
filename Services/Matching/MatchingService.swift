import ServiceKit
import Store

/// The `matching` service: ranks providers for a request from its read model of the registry and job history.
public enum MatchingService {
    /// The service's name on the bus and in events.
    public static let name = "matching"

    /// Everything that makes the service what it is, for `ServiceApplication`.
    public static let definition = ServiceDefinition(name: name, durability: .normal)
}
