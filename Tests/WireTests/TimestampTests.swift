import Foundation
import Testing

@testable import Wire

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test(arguments: [
        ("2026-11-22T19:00:00Z", 1_795_374_000.0),
        ("2026-11-22T19:00:00.250Z", 1_795_374_000.25),
        ("2026-11-22T20:00:00+01:00", 1_795_374_000.0),
        ("2026-11-22t19:00:00z", 1_795_374_000.0),
    ])
    func parses(text: String, epoch: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.0005)
    }

    @Test(arguments: [
        "", "2026-11-22", "2026-11-22T19:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-22T25:00:00Z", "2026-11-22T19:00:00.Z", "2026-11-22T19:00:00Zjunk", "yesterday",
        "9999-12-31T23:59:59-02:00", "0000-01-01T00:00:00Z",
    ])
    func rejects(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsUTC() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_374_000)) == "2026-11-22T19:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_374_000.5)) == "2026-11-22T19:00:00.500Z")
    }
}
