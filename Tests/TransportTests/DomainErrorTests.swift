import Logging
import Testing
import Wire

@testable import Transport

@Suite("Domain errors become statuses, keeping their cause for the log")
struct DomainErrorTests {
    let context = RequestContext(
        requestId: "r-1", method: "registry.UpdateQualification", actor: nil, deadline: nil, idempotencyKey: nil,
        logger: Logger(label: "test"))

    @Test func aDomainErrorIsConvertedAndKeptAsTheCause() throws {
        let stale = StaleVersion(kind: "qualification", id: "q-1", expected: 2, actual: 3)
        let status = RPCRouter.status(for: stale, context: context)
        #expect(status.code == .aborted)
        #expect(status.details.first?.field == "body.expectedVersion")
        #expect(status.cause as? StaleVersion == stale)
        #expect(throws: stale) { try StaleVersion.check(2, actual: 3, kind: "qualification", id: "q-1") }
    }

    @Test func anUnknownErrorIsInternalWithItsCauseOnlyInTheLog() {
        struct DiskOnFire: Error {}
        let status = RPCRouter.status(for: DiskOnFire(), context: context)
        #expect(status == RPCError(.internal, "internal error"))
        #expect(status.cause is DiskOnFire)
        #expect(!status.message.contains("DiskOnFire"))
    }
}
