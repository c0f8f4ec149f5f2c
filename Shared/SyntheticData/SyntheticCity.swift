import Contracts

/// A real city: where made-up providers live and jobs happen, and its zone (a state code).
public struct SyntheticCity: Sendable {
    public var name: String
    public var location: GeoPoint
    public var zone: String
    /// How many providers and customers it gets, relative to the others.
    public var weight: Double

    /// Twenty US cities, weighted roughly by size.
    public static let all: [SyntheticCity] = [
        ("New York", 40.7128, -74.0060, "NY", 3), ("Los Angeles", 34.0522, -118.2437, "CA", 2.5),
        ("Chicago", 41.8781, -87.6298, "IL", 2), ("Houston", 29.7604, -95.3698, "TX", 1.5),
        ("Phoenix", 33.4484, -112.0740, "AZ", 1), ("Philadelphia", 39.9526, -75.1652, "PA", 1),
        ("San Antonio", 29.4241, -98.4936, "TX", 1), ("San Diego", 32.7157, -117.1611, "CA", 1),
        ("Dallas", 32.7767, -96.7970, "TX", 1), ("Austin", 30.2672, -97.7431, "TX", 1),
        ("Seattle", 47.6062, -122.3321, "WA", 1), ("Denver", 39.7392, -104.9903, "CO", 1),
        ("Boston", 42.3601, -71.0589, "MA", 1), ("Atlanta", 33.7490, -84.3880, "GA", 1),
        ("Miami", 25.7617, -80.1918, "FL", 1), ("Minneapolis", 44.9778, -93.2650, "MN", 1),
        ("Albuquerque", 35.0844, -106.6504, "NM", 0.5), ("Portland", 45.5152, -122.6784, "OR", 1),
        ("Washington", 38.9072, -77.0369, "DC", 1), ("Milwaukee", 43.0389, -87.9065, "WI", 0.7),
    ].map { SyntheticCity(name: $0.0, location: GeoPoint(lat: $0.1, lon: $0.2), zone: $0.3, weight: $0.4) }

    /// The city called `name`, if it is one of `all`.
    public static func named(_ name: String) -> SyntheticCity? {
        all.first { $0.name == name }
    }

    /// A city drawn by weight.
    public static func pick(_ random: inout SplitMix64) -> SyntheticCity {
        let total = all.reduce(0) { $0 + $1.weight }
        var point = Double.random(in: 0..<total, using: &random)
        for city in all {
            point -= city.weight
            if point < 0 { return city }
        }
        return all[all.count - 1]
    }
}
