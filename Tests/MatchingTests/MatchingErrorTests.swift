import Contracts
import Testing
import Wire

@testable import MatchingService

/// Each domain error's wire form: the status code, message and named fields callers see.
@Suite("Matching errors on the wire")
struct MatchingErrorTests {
    static let late = FieldViolation(field: "body.minSeq.registry", description: "applied up to 3, not yet 5")
    static let table: [(MatchingError, StatusCode, String, [String])] = [
        (
            .notFound(kind: "customer", id: "c-2", field: "body.request.customerId"), .notFound,
            "customer c-2 not found",
            ["body.request.customerId"]
        ),
        (
            .invalidSettings([
                FieldViolation(field: "body.travelBufferMinutes", description: "must be from 0 to 1440"),
                FieldViolation(field: "body.workloadWindowDays", description: "must be from 1 to 365"),
            ]), .invalidArgument,
            "body.travelBufferMinutes must be from 0 to 1440; body.workloadWindowDays must be from 1 to 365",
            ["body.travelBufferMinutes", "body.workloadWindowDays"]
        ),
        (.notCaughtUp([late]), .unavailable, "the read model has not caught up yet; retry", ["body.minSeq.registry"]),
    ]

    @Test(arguments: table.indices)
    func eachCaseKeepsItsWireForm(_ index: Int) {
        let (error, code, message, fields) = Self.table[index]
        #expect(error.rpcError.code == code)
        #expect(error.rpcError.message == message)
        #expect(error.rpcError.details.map(\.field) == fields)
    }

    @Test func settingsOutOfRangeNameEveryField() {
        #expect(
            throws: MatchingError.invalidSettings([
                FieldViolation(field: "body.travelBufferMinutes", description: "must be from 0 to 1440")
            ])
        ) {
            try SettingsRules.apply(
                .init(travelBufferMinutes: 2000), to: .init(partnerId: "p-1"))
        }
    }

    @Test func settingsFromElsewhereOverTheHighestVersionAreRefused() {
        var settings = RankingSettings(partnerId: "p-1", version: RankingSettings.maxVersion)
        #expect(SettingsRules.violations(of: settings).isEmpty)
        for version in [RankingSettings.maxVersion + 1, Int.max, -1] {
            settings.version = version
            #expect(SettingsRules.violations(of: settings).map(\.field) == ["version"], "version \(version)")
        }
    }
}
