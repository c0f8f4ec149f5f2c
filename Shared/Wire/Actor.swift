/// Who is acting, from the request's `actor`: PROTOCOL §3.
public struct Actor: Sendable, Hashable, Codable {
    /// The four roles a caller can act in.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case partner, customer, provider, service
    }

    /// The role the caller acts in.
    public var role: Role
    /// The tenant. Required for every role except `service`.
    public var partnerId: String?
    /// The acting user, customer or provider id, when there is one.
    public var id: String?

    public init(role: Role, partnerId: String? = nil, id: String? = nil) {
        self.role = role
        self.partnerId = partnerId
        self.id = id
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let roleText = try container.decode(String.self, forKey: .role)
        guard let role = Role(rawValue: roleText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .role, in: container,
                debugDescription: "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.role = role
        partnerId = try container.decodeIfPresent(String.self, forKey: .partnerId)
        id = try container.decodeIfPresent(String.self, forKey: .id)
    }

    /// A service acting for itself (event catch-up, timers).
    public static let system = Actor(role: .service, partnerId: nil, id: nil)
}
