import Foundation
import Transport
import Wire

// Erasure: a provider's personal data removed from every service that stores it, the provider
// kept under a pseudonym so that counts and histories stay true (docs/design.md, "Erasure").

extension Registry {
    public static let eraseProvider: MethodDescriptor<EraseProviderRequest, EraseProviderResponse> = method(
        "EraseProvider", idempotent: true, roles: writers,
        "Erases a provider's personal data (name, email, phone, location) everywhere, for good: a pseudonym keeps "
            + "counts and histories, and the provider is never ranked or offered again.",
        request: EraseProviderRequest.schema, response: EraseProviderResponse.schema)
}

extension Registry.EventType {
    /// `ProviderErased`: matching and broadcast erase what they keep of the provider.
    public static let providerErased = "provider.erased"
}

public struct EraseProviderRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var reason: String
    public init(providerId: String, reason: String) {
        self.providerId = providerId
        self.reason = reason
    }
    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider whose personal data to erase."),
            "reason": JSONSchema.string(
                description: "Why (e.g. the provider's request and its date), 1 to 4000 characters, kept by the "
                    + "registry with the erasure; put no personal data in it."),
        ], required: ["providerId", "reason"])
}

public struct EraseProviderResponse: Codable, Sendable, Equatable {
    /// The provider as kept: the pseudonym for a name, no contact details or location, inactive.
    public var provider: Provider
    public var reason: String
    /// Who erased it: the actor's role and id.
    public var erasedBy: String
    public init(provider: Provider, reason: String, erasedBy: String) {
        self.provider = provider
        self.reason = reason
        self.erasedBy = erasedBy
    }
    static let schema = JSONSchema.object(
        [
            "provider": Provider.schema.described(
                "The provider as kept: a pseudonym for its name, no email, phone or location, inactive, and "
                    + "erasedAt set."),
            "reason": JSONSchema.string(description: "The reason recorded with the erasure (the first one's)."),
            "erasedBy": JSONSchema.string(description: "Who erased it: the actor's role and id, e.g. partner:u-7."),
        ], required: ["provider", "reason", "erasedBy"])
}

/// `registry.provider.erased`: the provider's personal data is gone from the registry, and its
/// old events carry the pseudonym; every service that keeps any of it erases it too.
public struct ProviderErased: Codable, Sendable, Equatable {
    public var partnerId: String
    public var providerId: String
    /// What the provider is called from now on.
    public var pseudonym: String
    public var erasedAt: Date
    public init(partnerId: String, providerId: String, pseudonym: String, erasedAt: Date) {
        self.partnerId = partnerId
        self.providerId = providerId
        self.pseudonym = pseudonym
        self.erasedAt = erasedAt
    }
}

/// A provider's erasure, applied the same way wherever a provider record is kept (the registry's
/// row, its old events, the replies kept for idempotency keys).
extension Provider {
    /// The provider without its personal data: the pseudonym for a name, no email, phone or
    /// location; its id, type, zones, travel radius, versions and history stay.
    public func withoutPersonalData(pseudonym: String) -> Provider {
        var provider = self
        provider.name = pseudonym
        provider.email = nil
        provider.phone = nil
        provider.location = nil
        return provider
    }

    /// A stored provider record (an event's data, a kept reply) without its personal data, as
    /// `withoutPersonalData` leaves the record: every other field as it was written.
    public static func withoutPersonalData(_ record: JSONValue, pseudonym: String) -> JSONValue {
        guard case .object(var members) = record else { return record }
        members["name"] = .string(pseudonym)
        for field in ["email", "phone", "location"] { members[field] = nil }
        return .object(members)
    }
}
