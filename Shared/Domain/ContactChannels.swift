import Contracts
import Foundation

/// docs/design.md, "Reachability", as pure functions shared by the registry (which keeps the
/// marks), matching (which filters the unreachable) and broadcast (which picks the channel).
///
/// A provider's channels are its email, then its phone (SMS), each usable while it is set and
/// not marked invalid. A mark lasts while its channel holds the value it was set on: changing the
/// email clears the email's mark, and only it.
public enum ContactChannels {
    /// The provider's usable channels, in order of preference (email, then phone).
    public static func usable(_ provider: Provider) -> [InvalidChannel.Channel] {
        let marked = Set((provider.invalidChannels ?? []).map(\.channel))
        return InvalidChannel.Channel.allCases.filter { channel in
            !marked.contains(channel) && !(value(of: channel, in: provider) ?? "").isEmpty
        }
    }

    /// The channels marked invalid that the provider still has.
    public static func invalid(_ provider: Provider) -> [InvalidChannel.Channel] {
        let marked = Set((provider.invalidChannels ?? []).map(\.channel))
        return InvalidChannel.Channel.allCases.filter { marked.contains($0) }
    }

    /// The channel's value on the provider (its email or phone).
    public static func value(of channel: InvalidChannel.Channel, in provider: Provider) -> String? {
        switch channel {
        case .email: provider.email
        case .phone: provider.phone
        }
    }

    /// The marks `updated` keeps from `existing`: those whose channel still holds the same value
    /// (nil when none is left).
    public static func marksKept(from existing: Provider, to updated: Provider) -> [InvalidChannel]? {
        let kept = (existing.invalidChannels ?? []).filter { mark in
            let value = value(of: mark.channel, in: updated)
            return value != nil && value == Self.value(of: mark.channel, in: existing)
        }
        return kept.isEmpty ? nil : kept
    }

    /// `provider` with `channel` marked invalid, or nil when nothing changes: it is marked already,
    /// or it holds no value, or another than `address` (found wrong, but changed since).
    public static func marking(
        _ provider: Provider, _ channel: InvalidChannel.Channel, address: String?, reason: String, attemptId: String?,
        at now: Date
    ) -> Provider? {
        guard let current = value(of: channel, in: provider), !current.isEmpty,
            address == nil || address == current,
            !(provider.invalidChannels ?? []).contains(where: { $0.channel == channel })
        else { return nil }
        var marked = provider
        let mark = InvalidChannel(channel: channel, reason: reason, attemptId: attemptId, markedAt: now)
        marked.invalidChannels = ((provider.invalidChannels ?? []) + [mark]).sorted {
            $0.channel.rawValue < $1.channel.rawValue
        }
        return marked
    }

    /// Why a provider with no usable channel cannot be reached, each channel in turn: `no email`,
    /// `phone marked invalid`.
    public static func whyUnreachable(invalid: some Collection<String>) -> String {
        let parts = InvalidChannel.Channel.allCases.map { channel in
            invalid.contains(channel.rawValue) ? "\(channel.rawValue) marked invalid" : "no \(channel.rawValue)"
        }
        return "no usable contact channel: " + parts.joined(separator: ", ")
    }
}
