import ServiceKit
import Store

/// The `registry` service: the source of truth for providers, qualifications, documents, availability and customers.
public enum RegistryService {
    /// The service's name on the bus and in events.
    public static let name = "registry"

    /// Everything that makes the service what it is, for `ServiceApplication`.
    public static let definition = ServiceDefinition(name: name, durability: .full)
}
