import Contracts
import Foundation
import Testing
@testable import MatchingService

@Suite("Geo: haversine and the R*Tree's reach boxes")
struct GeoTests {
    @Test func knownDistances() {
        let chicago = GeoPoint(lat: 41.8781, lon: -87.6298)
        let newYork = GeoPoint(lat: 40.7128, lon: -74.0060)
        #expect(abs(Geo.distanceKm(chicago, newYork) - 1145) < 5)
        #expect(Geo.distanceKm(chicago, chicago) == 0)
        #expect(abs(Geo.distanceKm(GeoPoint(lat: 0, lon: 179.9), GeoPoint(lat: 0, lon: -179.9)) - 22.2) < 0.1)
    }

    /// Every point within the radius lies in the box, wherever the centre is (poles and the
    /// antimeridian included): the R*Tree may keep too many, never too few.
    @Test(arguments: [
        (41.88, -87.63, 40.0), (0, 0, 500), (64.8, -147.7, 300), (-33.9, 151.2, 80), (0, 179.95, 50), (89.5, 10, 100),
    ])
    func theBoxHoldsEveryPointInReach(lat: Double, lon: Double, radius: Double) {
        let center = GeoPoint(lat: lat, lon: lon)
        let box = Geo.reachBox(around: center, radiusKm: radius)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // A point at a random bearing, just inside the radius.
            let bearing = Double.random(in: 0..<(2 * .pi), using: &generator)
            let angle = radius * 0.9999 / Geo.earthRadiusKm
            let lat1 = lat * .pi / 180
            let lat2 = asin(sin(lat1) * cos(angle) + cos(lat1) * sin(angle) * cos(bearing))
            var lon2 =
                lon * .pi / 180 + atan2(sin(bearing) * sin(angle) * cos(lat1), cos(angle) - sin(lat1) * sin(lat2))
            lon2 = (lon2 + 3 * .pi).truncatingRemainder(dividingBy: 2 * .pi) - .pi
            let point = GeoPoint(lat: lat2 * 180 / .pi, lon: lon2 * 180 / .pi)
            #expect(Geo.distanceKm(center, point) <= radius)
            #expect(box.contains(point), "\(point) is in reach of \(center) but outside \(box)")
        }
    }

    @Test func noRadiusReachesEverywhere() {
        #expect(
            Geo.reachBox(around: GeoPoint(lat: 10, lon: 10), radiusKm: nil)
                == ReachBox(minLat: -90, maxLat: 90, minLon: -180, maxLon: 180))
    }
}
