import Contracts

/// A made-up provider's profile: type, home around a city, reach, zones, phone and activity,
/// drawn the same way for matching's benchmark partner and for the demo's.
public struct SyntheticProvider: Sendable, Equatable {
    public var providerType: String
    public var location: GeoPoint
    /// Absent for about one provider in twenty (no limit).
    public var travelRadiusKm: Double?
    /// The city's zone, and for about one in five a second, neighbouring one.
    public var zones: [String]
    /// About seven in ten have a phone as well as an email.
    public var hasPhone: Bool
    /// About one in twenty is inactive.
    public var active: Bool

    public init(
        providerType: String, location: GeoPoint, travelRadiusKm: Double?, zones: [String], hasPhone: Bool,
        active: Bool
    ) {
        self.providerType = providerType
        self.location = location
        self.travelRadiusKm = travelRadiusKm
        self.zones = zones
        self.hasPhone = hasPhone
        self.active = active
    }

    /// Draws one provider living around `city`, of a type drawn by `types`' shares (which add up to 1).
    public static func draw(
        around city: SyntheticCity, types: [(code: String, share: Double)], using random: inout SplitMix64
    ) -> SyntheticProvider {
        let type = pickType(types, &random)
        let neighbour = SyntheticCity.all.randomElement(using: &random)!.zone
        let zones =
            Double.random(in: 0..<1, using: &random) < 0.2 && neighbour != city.zone
            ? [city.zone, neighbour] : [city.zone]
        let hasPhone = Double.random(in: 0..<1, using: &random) < 0.7
        let location = GeoPoint(
            lat: city.location.lat + Double.random(in: -0.3...0.3, using: &random),
            lon: city.location.lon + Double.random(in: -0.35...0.35, using: &random))
        let radius: Double? =
            Double.random(in: 0..<1, using: &random) < 0.05 ? nil : Double(Int.random(in: 15...100, using: &random))
        let active = Double.random(in: 0..<1, using: &random) < 0.95
        return SyntheticProvider(
            providerType: type, location: location, travelRadiusKm: radius, zones: zones, hasPhone: hasPhone,
            active: active)
    }

    /// A type drawn by share; the first when the shares fall short of the draw.
    public static func pickType(_ types: [(code: String, share: Double)], _ random: inout SplitMix64) -> String {
        var point = Double.random(in: 0..<1, using: &random)
        for (type, share) in types {
            point -= share
            if point < 0 { return type }
        }
        return types[0].code
    }
}
