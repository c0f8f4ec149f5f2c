import Contracts
import Foundation

/// Distances on the Earth, and the boxes the R*Tree keeps for them.
enum Geo {
    /// The mean Earth radius (IUGG), in kilometres.
    static let earthRadiusKm = 6371.0088
    /// Kilometres per degree of latitude on that sphere.
    static let kmPerDegree = earthRadiusKm * .pi / 180

    /// The great-circle distance between two points, in kilometres (haversine).
    static func distanceKm(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let (lat1, lat2) = (a.lat * .pi / 180, b.lat * .pi / 180)
        let dLat = lat2 - lat1
        let dLon = (b.lon - a.lon) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(lat1) * cos(lat2) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * earthRadiusKm * asin(min(1, sqrt(h)))
    }

    /// A box (degrees) holding every point within `radiusKm` of `center`: never too small, so the
    /// R*Tree lookup only ever keeps too many, which the exact distance then removes. A box that
    /// would reach a pole or cross the antimeridian takes every longitude.
    static func reachBox(around center: GeoPoint, radiusKm: Double?) -> ReachBox {
        guard let radiusKm else { return ReachBox(minLat: -90, maxLat: 90, minLon: -180, maxLon: 180) }
        // The widest longitude within the angle is asin(sin(angle) / cos(lat)) (exact on a
        // sphere); a little extra covers rounding and the R*Tree's 32-bit floats.
        let angle = radiusKm / earthRadiusKm
        let margin = 1.001
        let dLat = angle * 180 / .pi * margin + 1e-4
        let minLat = max(-90, center.lat - dLat)
        let maxLat = min(90, center.lat + dLat)
        let ratio = sin(min(angle, .pi / 2)) / cos(center.lat * .pi / 180)
        guard minLat > -90, maxLat < 90, ratio < 1 else {
            return ReachBox(minLat: minLat, maxLat: maxLat, minLon: -180, maxLon: 180)
        }
        let dLon = asin(ratio) * 180 / .pi * margin + 1e-4
        guard center.lon - dLon >= -180, center.lon + dLon <= 180 else {
            return ReachBox(minLat: minLat, maxLat: maxLat, minLon: -180, maxLon: 180)
        }
        return ReachBox(minLat: minLat, maxLat: maxLat, minLon: center.lon - dLon, maxLon: center.lon + dLon)
    }
}

/// A latitude and longitude range, in degrees.
struct ReachBox: Equatable, Sendable {
    var minLat: Double
    var maxLat: Double
    var minLon: Double
    var maxLon: Double

    func contains(_ point: GeoPoint) -> Bool {
        (minLat...maxLat).contains(point.lat) && (minLon...maxLon).contains(point.lon)
    }
}
