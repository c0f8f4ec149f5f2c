import Foundation
import Transport
import Wire

// A provider's contact channels marked invalid: broadcast's `WRONG_CONTACT_DETAILS` (or the
// partner) marks the channel an attempt went out on, and the mark lasts until the channel changes.

extension Registry {
    public static let markChannelInvalid: MethodDescriptor<MarkChannelInvalidRequest, MarkChannelInvalidResponse> =
        method(
            "MarkChannelInvalid", idempotent: true, roles: writers,
            "Marks a provider's email or phone invalid (wrong contact details) until it changes; not when the address given is no longer the provider's.",
            request: MarkChannelInvalidRequest.schema, response: MarkChannelInvalidResponse.schema)
}

/// A provider's channel marked invalid: not used to contact them until the partner changes it.
public struct InvalidChannel: Codable, Sendable, Equatable {
    /// A provider's contact channel, named as its field.
    public enum Channel: String, Codable, Sendable, CaseIterable {
        case email, phone
    }

    public var channel: Channel
    public var reason: String
    /// The broadcast attempt whose disposition marked it, if one did.
    public var attemptId: String?
    public var markedAt: Date

    public init(channel: Channel, reason: String, attemptId: String? = nil, markedAt: Date) {
        self.channel = channel
        self.reason = reason
        self.attemptId = attemptId
        self.markedAt = markedAt
    }

    static let schema = JSONSchema.object(
        [
            "channel": JSONSchema.string(
                values: Channel.allCases.map(\.rawValue), description: "The provider's field: email, or phone (SMS)."),
            "reason": JSONSchema.string(description: "Why, e.g. the disposition WRONG_CONTACT_DETAILS."),
            "attemptId": JSONSchema.string(
                description: "The broadcast attempt whose disposition marked it, if one did."),
            "markedAt": JSONSchema.timestamp(description: "When it was marked."),
        ], required: ["channel", "reason", "markedAt"])
}

/// `registry.MarkChannelInvalid`'s body.
public struct MarkChannelInvalidRequest: Codable, Sendable, Equatable {
    public var providerId: String
    public var channel: InvalidChannel.Channel
    /// The address found wrong: nothing is marked when the provider's channel holds another by now.
    public var address: String?
    public var reason: String?
    public var attemptId: String?

    public init(
        providerId: String, channel: InvalidChannel.Channel, address: String? = nil, reason: String? = nil,
        attemptId: String? = nil
    ) {
        self.providerId = providerId
        self.channel = channel
        self.address = address
        self.reason = reason
        self.attemptId = attemptId
    }

    static let schema = JSONSchema.object(
        [
            "providerId": JSONSchema.string(description: "The provider."),
            "channel": JSONSchema.string(
                values: InvalidChannel.Channel.allCases.map(\.rawValue),
                description: "The channel to mark: email, or phone (SMS)."),
            "address": JSONSchema.string(
                description: "The address or number found wrong; when the provider's channel holds another by now "
                    + "(or none), nothing is marked. Absent: whatever the channel holds."),
            "reason": JSONSchema.string(
                description: "Why, at most 4000 characters (default: wrong contact details)."),
            "attemptId": JSONSchema.string(description: "The broadcast attempt that found it wrong, if one did."),
        ], required: ["providerId", "channel"])
}

/// `registry.MarkChannelInvalid`'s reply.
public struct MarkChannelInvalidResponse: Codable, Sendable, Equatable {
    public var provider: Provider
    /// Whether the channel is marked invalid now (false: the provider has another address, or none).
    public var marked: Bool

    public init(provider: Provider, marked: Bool) {
        self.provider = provider
        self.marked = marked
    }

    static let schema = JSONSchema.object(
        [
            "provider": Provider.schema.described("The provider as it is now."),
            "marked": JSONSchema.boolean(
                description: "Whether the channel is marked invalid now; false when the provider's channel holds "
                    + "another address than the one given, or none."),
        ], required: ["provider", "marked"])
}
