import Testing
@testable import Wire

@Suite("EnvelopePeek: the I/O threads' quick look")
struct EnvelopePeekTests {
    func scan(_ text: String) -> EnvelopePeek? { EnvelopePeek.scan(Array(text.utf8)[...]) }

    @Test func readsIdMethodAndDeadlineWhereverTheyStand() {
        let peek = scan(#"{"body":{"id":"inner","list":[1,{"method":"x"}],"s":"}\"{"},"deadlineMs": 250 ,"method":"registry.Health","id":"a-1"}"#)
        #expect(peek == EnvelopePeek(id: "a-1", method: "registry.Health", deadlineMs: 250))
        #expect(scan("{}") == EnvelopePeek())
        #expect(scan(#" { "id" : "x" } "#)?.id == "x")
    }

    /// Anything unusual is left to the full decoder, never guessed.
    @Test(arguments: [
        "", "[]", "{", #"{"id":"a""#, #"{"id":1}"#, #"{"id":"a",}"#, #"{"id":"a"} x"#,
        #"{"id":"a\"b"}"#, #"{"deadlineMs":-1}"#, #"{"deadlineMs":1.5}"#, #"{"deadlineMs":"5"}"#,
        #"{"method":null}"#, #"{"a":[1,2}"#,
    ])
    func givesUpOnAnythingUnusual(text: String) {
        #expect(scan(text) == nil)
    }

    @Test func agreesWithTheFullDecoder() throws {
        let json = Array(#"{"id":"r1","method":"a.B","deadlineMs":10,"actor":{"role":"service"},"body":{}}"#.utf8)[...]
        let header = try Envelope.parseHeader(json).get()
        let peek = try #require(EnvelopePeek.scan(json))
        #expect(peek.id == header.id && peek.method == header.method && peek.deadlineMs == header.deadlineMs)
    }
}
