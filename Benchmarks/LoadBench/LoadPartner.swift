import Contracts
import Foundation
import OctooTesting
import SyntheticData
import Transport
import Wire

/// The partner the load runs against: providers of three types scattered around Chicago, and
/// customers placing on-site and remote requests two to three days out (the 24–72 h band: waves
/// of three).
struct LoadPartner: Sendable {
    static let partnerId = "p-load"
    static let providerTypes = ["asl", "spanish", "captioner"]
    static let city = GeoPoint(lat: 41.88, lon: -87.63)
    let providers: Int
    let seed: UInt64

    var partner: Actor { Actor(role: .partner, partnerId: Self.partnerId, id: Self.partnerId) }
    var customers: Int { max(10, providers / 50) }

    /// Creates every provider and customer, `inFlight` calls at a time.
    func seed(_ registry: RPCClient, inFlight: Int = 16) async throws {
        let client = RegistryClient(registry, actor: partner)
        var random = SplitMix64(seed: seed)
        let bodies = (0..<providers).map { index in
            UpsertProviderRequest(
                id: "pr-\(index)", name: "Provider \(index)", providerType: Self.providerTypes[index % 3],
                // Broadcast reaches a provider by email or phone: one without either is never ranked.
                email: "pr-\(index)@example.org", phone: "+1312555\(String(format: "%04d", index % 10_000))",
                location: Self.near(Self.city, within: 0.4, &random), travelRadiusKm: 60, zones: ["IL"], active: true)
        }
        try await Self.forEach(bodies, inFlight: inFlight) { _ = try await client.upsertProvider($0) }
        try await Self.forEach(Array(0..<customers), inFlight: inFlight) { index in
            _ = try await client.upsertCustomer(UpsertCustomerRequest(id: "cu-\(index)", name: "Customer \(index)"))
        }
    }

    /// The `index`th request: every other one on site near the city, the rest remote.
    func request(_ index: Int, now: Date) -> CreateRequestRequest {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        let startsAt = now.addingTimeInterval(48 * 3600 + Double(random.next() % 20) * 3600)
        let onSite = index % 2 == 0
        return CreateRequestRequest(
            customerId: "cu-\(index % customers)", providerType: Self.providerTypes[index % 3], startsAt: startsAt,
            endsAt: startsAt.addingTimeInterval(2 * 3600), remote: !onSite,
            location: onSite ? Self.near(Self.city, within: 0.2, &random) : nil, zone: "IL")
    }

    /// A point within `degrees` of `center` on each axis.
    static func near(_ center: GeoPoint, within degrees: Double, _ random: inout SplitMix64) -> GeoPoint {
        func offset() -> Double { (Double(random.next() % 10_000) / 10_000 * 2 - 1) * degrees }
        return GeoPoint(lat: center.lat + offset(), lon: center.lon + offset())
    }

    /// Runs `body` for each item, at most `inFlight` at once.
    static func forEach<Item: Sendable>(
        _ items: [Item], inFlight: Int, _ body: @escaping @Sendable (Item) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, item) in items.enumerated() {
                if index >= inFlight { try await group.next() }
                group.addTask { try await body(item) }
            }
            try await group.waitForAll()
        }
    }
}
