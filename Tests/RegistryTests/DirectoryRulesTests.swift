import Contracts
import ServiceKit
import Testing

@testable import RegistryService

/// A customer's lists are checked in one pass, whatever their size.
@Suite("Directory rules on large lists")
struct DirectoryRulesTests {
    @Test func tenThousandDistinctEntriesAreAccepted() {
        var validator = Validator()
        let lists = (0..<DirectoryRules.maxListEntries).map {
            CustomerListEntry(providerId: "pr-\($0 / 2)", kind: $0 % 2 == 0 ? .preferred : .restricted)
        }
        DirectoryRules.validate(lists, into: &validator)
        #expect(validator.violations.isEmpty)
    }

    @Test func aRepeatIsNamedOnceAgainstTheFirstEntry() {
        var validator = Validator()
        let lists = (0..<5).map { _ in CustomerListEntry(providerId: "pr-1", kind: .preferred) }
        DirectoryRules.validate(lists, into: &validator)
        #expect(validator.violations.map(\.field) == (1..<5).map { "body.lists[\($0)]" })
        #expect(validator.violations.allSatisfy { $0.description == "repeats lists[0]" })
    }

    @Test func aFloodOfFaultsIsNamedUpToTheLimit() {
        var validator = Validator()
        let lists = (0..<DirectoryRules.maxListEntries).map { _ in
            CustomerListEntry(providerId: "pr-1", kind: .preferred)
        }
        DirectoryRules.validate(lists, into: &validator)
        #expect(validator.violations.count == DirectoryRules.maxFaultsNamed)
    }
}
