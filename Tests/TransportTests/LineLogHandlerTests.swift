import Logging
import ServiceKit
import Synchronization
import Testing

/// Log lines keep values from requests and events on their own line.
@Suite("Log lines escape control characters")
struct LineLogHandlerTests {
    @Test(arguments: [
        ("plain", "plain"), ("two\nlines", "two\\nlines"), ("cr\r", "cr\\r"), ("tab\t", "tab\\t"),
        ("bell\u{7}", "bell\\u{7}"), ("del\u{7F}", "del\\u{7f}"), ("nel\u{85}", "nel\\u{85}"),
        ("sep\u{2028}", "sep\\u{2028}"), ("ünïcode ✓", "ünïcode ✓"),
    ])
    func escapes(text: String, expected: String) {
        #expect(LineLogHandler.escape(text) == expected)
    }

    @Test func aForgedEntryInAValueStaysInsideOneLine() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "octoo.test") { label in
            LineLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger.logLevel = .debug
        logger[metadataKey: "service"] = "registry"
        logger.warning(
            "refused \("x\n2031-01-01T00:00:00.000Z critical bus: FORGED LINE")",
            metadata: ["reason": "a\nb", "evil\nkey": "v"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        #expect(written.first?.filter { $0 == "\n" }.count == 1)
        #expect(written.first?.hasSuffix("\n") == true)
        #expect(written.first?.contains("reason=a\\nb") == true)
        #expect(written.first?.contains("service=registry") == true)
        #expect(written.first?.contains("x\\n2031") == true)
    }
}
