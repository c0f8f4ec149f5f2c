import Foundation
import Testing
import Wire

@testable import Contracts

/// `docs/api.md` is what the contracts declare: regenerated, never edited by hand.
@Suite("API reference")
struct APIReferenceTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/api.md")

    @Test("docs/api.md is up to date with the contracts")
    func theReferenceIsCurrent() throws {
        let committed = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(
            committed == APIReference.markdown(),
            "docs/api.md is stale: run `swift run octoo api-docs --out docs/api.md` and commit it")
    }

    @Test("every method and every field of every service appears in the reference")
    func everyMethodIsListed() {
        let text = APIReference.markdown()
        for service in APIReference.described {
            for method in service.methods where !APIReference.isCommon(method.name) {
                #expect(text.contains("### `\(method.name)`"), "\(method.name) is missing")
                for field in APIReference.fields(method.request) {
                    #expect(text.contains("| `\(field.path)` |"), "\(method.name): \(field.path) is missing")
                }
            }
        }
    }
}
