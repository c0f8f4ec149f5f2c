import Contracts
import Domain
import Foundation
import Testing

/// docs/design.md, "Reachability": which of a provider's channels are usable, how a mark is set,
/// and that it lasts exactly until its channel changes.
@Suite("Contact channels and their marks")
struct ContactChannelsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func provider(
        email: String? = "ana@example.org", phone: String? = "+1 312 555 0100", invalid: [InvalidChannel.Channel] = []
    ) -> Provider {
        Provider(
            partnerId: "p", id: "pr", name: "Ana", providerType: "asl", email: email, phone: phone, location: nil,
            travelRadiusKm: nil, zones: [], active: true, version: 1, createdAt: now, updatedAt: now,
            invalidChannels: invalid.isEmpty
                ? nil : invalid.map { InvalidChannel(channel: $0, reason: "WRONG_CONTACT_DETAILS", markedAt: now) })
    }

    struct UsableCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var provider: Provider
        var usable: [InvalidChannel.Channel]
        var why: String
    }

    static let usableCases: [UsableCase] = [
        UsableCase(testDescription: "both", provider: provider(), usable: [.email, .phone], why: ""),
        UsableCase(testDescription: "email only", provider: provider(phone: nil), usable: [.email], why: ""),
        UsableCase(testDescription: "phone only", provider: provider(email: nil), usable: [.phone], why: ""),
        UsableCase(
            testDescription: "email marked", provider: provider(invalid: [.email]), usable: [.phone], why: ""),
        UsableCase(
            testDescription: "neither", provider: provider(email: nil, phone: nil), usable: [],
            why: "no usable contact channel: no email, no phone"),
        UsableCase(
            testDescription: "the only one marked", provider: provider(phone: nil, invalid: [.email]), usable: [],
            why: "no usable contact channel: email marked invalid, no phone"),
        UsableCase(
            testDescription: "both marked", provider: provider(invalid: [.email, .phone]), usable: [],
            why: "no usable contact channel: email marked invalid, phone marked invalid"),
    ]

    @Test(arguments: usableCases)
    func usableChannels(_ row: UsableCase) {
        #expect(ContactChannels.usable(row.provider) == row.usable)
        if row.usable.isEmpty {
            let invalid = ContactChannels.invalid(row.provider).map(\.rawValue)
            #expect(ContactChannels.whyUnreachable(invalid: invalid) == row.why)
        }
    }

    @Test func markingNamesTheAttemptAndChangesNothingTwiceNorAnotherAddress() throws {
        let marked = try #require(
            ContactChannels.marking(
                Self.provider(), .email, address: "ana@example.org", reason: "WRONG_CONTACT_DETAILS",
                attemptId: "at-1", at: Self.now))
        #expect(
            marked.invalidChannels
                == [
                    InvalidChannel(
                        channel: .email, reason: "WRONG_CONTACT_DETAILS", attemptId: "at-1", markedAt: Self.now)
                ])
        #expect(ContactChannels.usable(marked) == [.phone])
        // Marked already, an address changed since, a channel the provider has not: nothing to do.
        #expect(ContactChannels.marking(marked, .email, address: nil, reason: "x", attemptId: nil, at: Self.now) == nil)
        #expect(
            ContactChannels.marking(
                Self.provider(), .email, address: "old@example.org", reason: "x", attemptId: nil, at: Self.now) == nil)
        #expect(
            ContactChannels.marking(
                Self.provider(phone: nil), .phone, address: nil, reason: "x", attemptId: nil, at: Self.now) == nil)
    }

    @Test func aMarkLastsUntilItsChannelChanges() {
        let marked = Self.provider(invalid: [.email, .phone])
        // The same values: both marks stay.
        #expect(ContactChannels.marksKept(from: marked, to: marked)?.map(\.channel) == [.email, .phone])
        // A new email clears the email's mark only.
        var updated = marked
        updated.email = "ana@new.example.org"
        #expect(ContactChannels.marksKept(from: marked, to: updated)?.map(\.channel) == [.phone])
        // The phone removed, the email changed: none is left.
        updated.phone = nil
        #expect(ContactChannels.marksKept(from: marked, to: updated) == nil)
    }
}
