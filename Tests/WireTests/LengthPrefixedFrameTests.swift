import Testing

@testable import Wire

@Suite("Length-prefixed frames (PROTOCOL §2)")
struct LengthPrefixedFrameTests {
    @Test func roundTrips() throws {
        let json = Array(#"{"id":"1"}"#.utf8)
        let frame = LengthPrefixedFrame.encode(json)
        #expect(frame.prefix(4) == [0, 0, 0, UInt8(json.count)])
        #expect(try LengthPrefixedFrame.decode(frame).get() == json[...])
    }

    @Test func bigEndianPrefix() {
        let json = [UInt8](repeating: 32, count: 0x0102)
        #expect(LengthPrefixedFrame.encode(json).prefix(4) == [0, 0, 1, 2])
    }

    @Test(
        arguments: [
            ([], StatusCode.invalidArgument),
            ([0, 0, 0], .invalidArgument),
            ([0, 0, 0, 5, 123], .invalidArgument),  // N larger than the frame
            ([0, 0, 0, 1, 123, 125], .invalidArgument),  // trailing bytes
            ([0, 0x20, 0, 0], .resourceExhausted),  // N = 2 MiB, over the limit
        ] as [([UInt8], StatusCode)])
    func rejectsMalformedFrames(frame: [UInt8], code: StatusCode) {
        guard case .failure(let error) = LengthPrefixedFrame.decode(frame) else {
            Issue.record("frame \(frame) was accepted")
            return
        }
        #expect(error.code == code)
    }

    @Test func limitIsConfigurable() {
        let frame = LengthPrefixedFrame.encode(Array(#"{"id":"1234567890"}"#.utf8))
        guard case .failure(let error) = LengthPrefixedFrame.decode(frame, maxMessageBytes: 10) else {
            Issue.record("accepted over the limit")
            return
        }
        #expect(error.code == .resourceExhausted)
        #expect((try? LengthPrefixedFrame.decode(frame, maxMessageBytes: 19).get()) != nil)
    }
}
