import Foundation
import Testing

@testable import Wire

@Suite("Status codes")
struct StatusCodeTests {
    @Test func encodesAsGRPCNames() throws {
        let json = try JSONEncoder().encode(Status(RPCError.invalidArgument(field: "body.x", "is required")))
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""code":"INVALID_ARGUMENT""#))
        #expect(text.contains(#""field":"body.x""#))
    }

    @Test func unknownCodesSurviveDecoding() throws {
        let status = try JSONDecoder().decode(Status.self, from: Data(#"{"code":"SOMETHING_NEW"}"#.utf8))
        #expect(status.code.name == "SOMETHING_NEW")
        #expect(status.error?.code == StatusCode("SOMETHING_NEW"))
    }

    @Test func protocolListsSeventeenCodes() {
        #expect(Set(StatusCode.all.map(\.name)).count == 17)
    }
}
