import Contracts
import Foundation
import SyntheticData

/// A realistic partner made up from a seed, as the registry and opportunities would publish it:
/// providers around real cities, ~30 qualifications (some document-backed, scoped or archived),
/// documents with expiries, availability, six months of job history and a month of booked work,
/// customers with defaults and lists. The same seed makes the same partner. For matching's
/// benchmark and its tests; events are handed out one at a time, never all held at once.
public struct SyntheticPartner: Sendable {
    public let partnerId: String
    public let providers: Int
    public let seed: UInt64
    /// The moment the history leads up to.
    public let now: Date

    /// A city: where providers live and jobs happen, and its zone (a state code).
    public typealias City = SyntheticCity

    public static let cities = SyntheticCity.all

    static let types: [(code: String, share: Double)] = [("asl", 0.6), ("cart", 0.25), ("spoken", 0.15)]
    static let qualificationCount = 30
    static let documentTypeCount = 5
    static let day: TimeInterval = 86_400

    public init(partnerId: String = "p-bench", providers: Int, seed: UInt64 = 42, now: Date) {
        self.partnerId = partnerId
        self.providers = providers
        self.seed = seed
        self.now = now
    }

    public var customers: Int { max(20, providers / 50) }

    /// A source's event: its type and its `data`.
    public typealias Emit = (_ source: String, _ type: String, _ data: any Encodable & Sendable) throws -> Void

    /// Every event, registry's first, then opportunities', in the order the services would write them.
    public func generate(_ emit: Emit) throws {
        var random = SplitMix64(seed: seed)
        try generateRegistry(&random, emit)
        try generateHistory(&random, emit)
    }

    // MARK: Shapes every part agrees on

    func providerId(_ index: Int) -> String { String(format: "pr-%06d", index) }
    func customerId(_ index: Int) -> String { String(format: "cu-%05d", index) }
    func qualificationId(_ index: Int) -> String { String(format: "q-%02d", index) }
    func documentTypeId(_ index: Int) -> String { "dt-\(index)" }

    /// Provider types a qualification is limited to (empty: all).
    func qualificationTypes(_ index: Int) -> [String] {
        index % 4 == 1 ? ["asl"] : index % 4 == 2 ? ["asl", "cart"] : []
    }
    func qualificationArchived(_ index: Int) -> Bool { index > Self.qualificationCount - 2 }
    func qualificationZones(_ index: Int) -> [String] {
        index % 10 == 7 ? [Self.cities[index % Self.cities.count].zone] : []
    }

    /// The city of provider or customer `index`, drawn the same way every time.
    func city(of index: Int, salt: UInt64) -> City {
        var random = SplitMix64(seed: seed &+ salt &+ UInt64(index) &* 0x9E37_79B9)
        return Self.pickCity(&random)
    }

    static func pickCity(_ random: inout SplitMix64) -> City { SyntheticCity.pick(&random) }

    static func pickType(_ random: inout SplitMix64) -> String { SyntheticProvider.pickType(types, &random) }

    // MARK: Requests to rank

    /// `count` jobs as customers would ask for them over the next month: mostly on-site in a
    /// city, some remote in its zone, with the customer's defaults and a few more qualifications.
    public func jobs(count: Int, seed requestSeed: UInt64 = 7) -> [JobDescription] {
        var random = SplitMix64(seed: requestSeed)
        var byCity: [String: [Int]] = [:]
        for index in 0..<customers { byCity[city(of: index, salt: 2).name, default: []].append(index) }
        return (0..<count).map { _ in
            let city = Self.pickCity(&random)
            let customer = byCity[city.name]?.randomElement(using: &random) ?? 0
            let day = Double(Int.random(in: 1...30, using: &random))
            let hour = Double(Int.random(in: 8...16, using: &random))
            let start = Calendar.utc.startOfDay(for: now).addingTimeInterval(day * Self.day + hour * 3600)
            let remote = Double.random(in: 0..<1, using: &random) < 0.2
            let place = GeoPoint(
                lat: city.location.lat + Double.random(in: -0.1...0.1, using: &random),
                lon: city.location.lon + Double.random(in: -0.1...0.1, using: &random))
            let live = (1...(Self.qualificationCount - 2)).filter { qualificationZones($0).isEmpty }
            let required =
                Double.random(in: 0..<1, using: &random) < 0.3
                ? [qualificationId(live.randomElement(using: &random)!)] : []
            let preferred = (0..<Int.random(in: 0...2, using: &random)).map { _ in
                qualificationId(live.randomElement(using: &random)!)
            }
            return JobDescription(
                customerId: customerId(customer), providerType: Self.pickType(&random), startsAt: start,
                endsAt: start.addingTimeInterval(2 * 3600), remote: remote, location: remote ? nil : place,
                zone: city.zone,
                requiredQualificationIds: required,
                preferredQualificationIds: Array(Set(preferred).subtracting(required)).sorted())
        }
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
