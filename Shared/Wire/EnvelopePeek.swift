/// A quick look at the top-level `id`, `method` and `deadlineMs` of a JSON object without
/// decoding it, so the I/O threads can route, time and match messages cheaply. It reads only
/// plain values; anything unusual (escapes in these strings, malformed JSON) gives up and
/// leaves the message to the full decoder, which reports the precise error.
public struct EnvelopePeek: Sendable, Equatable {
    public var id: String?
    public var method: String?
    public var deadlineMs: Int64?
    /// The `idempotencyKey`, when it is a plain string.
    public var idempotencyKey: String?
    /// Where the raw `actor`, `body` and `status` values lie in the scanned bytes.
    public var actor: Range<Int>?
    public var body: Range<Int>?
    public var status: Range<Int>?
    /// False when some value was present but not plainly readable here (e.g. escapes).
    public var isPlain = true

    public init(id: String? = nil, method: String? = nil, deadlineMs: Int64? = nil) {
        self.id = id
        self.method = method
        self.deadlineMs = deadlineMs
    }

    /// Reads an `actor` object of plain strings (`role`, `partnerId`, `id`); nil for anything else,
    /// which the full decoder then judges.
    public static func actor(_ json: ArraySlice<UInt8>) -> Actor? {
        var scanner = Scanner(bytes: json)
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        var role: Actor.Role?
        var partnerId: String?
        var id: String?
        var seen = 0
        if scanner.consume(UInt8(ascii: "}")) { return nil }
        while true {
            let key = scanner.string()
            guard key.ok, let name = key.plain, scanner.consume(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            let value = scanner.string()
            guard value.ok, let plain = value.plain, let text = String(validating: plain, as: UTF8.self) else {
                return nil
            }
            // A repeated key is the full decoder's to judge (it reads the first).
            let slot = ["role", "partnerId", "id"].firstIndex { name.elementsEqual($0.utf8) }
            if let slot {
                guard seen & (1 << slot) == 0 else { return nil }
                seen |= 1 << slot
            }
            if name.elementsEqual("role".utf8) {
                guard let parsed = Actor.Role(rawValue: text) else { return nil }
                role = parsed
            } else if name.elementsEqual("partnerId".utf8) {
                partnerId = text
            } else if name.elementsEqual("id".utf8) {
                id = text
            }
            if scanner.consume(UInt8(ascii: ",")) { continue }
            guard scanner.consume(UInt8(ascii: "}")), let role else { return nil }
            scanner.skipSpace()
            return scanner.index == json.endIndex ? Actor(role: role, partnerId: partnerId, id: id) : nil
        }
    }

    /// Scans `json`; nil when it is not a JSON object this scanner can read plainly.
    public static func scan(_ json: ArraySlice<UInt8>) -> EnvelopePeek? {
        guard String(validating: json, as: UTF8.self) != nil else { return nil }
        var scanner = Scanner(bytes: json)
        return scanner.topLevel()
    }

    private struct Scanner {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        /// Where a bare value (number, true, false, null) ends.
        static func endsValue(_ byte: UInt8) -> Bool {
            isSpace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
        }

        mutating func skipSpace() {
            while index < bytes.endIndex, Self.isSpace(bytes[index]) { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string's raw bytes if it has no escapes (nil for one with escapes). Validates it as
        /// JSON does: no raw control characters, only the escapes JSON defines.
        mutating func string() -> (plain: ArraySlice<UInt8>?, ok: Bool) {
            guard consume(UInt8(ascii: "\"")) else { return (nil, false) }
            let start = index
            var escaped = false
            while index < bytes.endIndex {
                let byte = bytes[index]
                if byte < 0x20 { return (nil, false) }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    index += 1
                    guard index < bytes.endIndex else { return (nil, false) }
                    switch bytes[index] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        guard let unit = hexUnit(at: index + 1) else { return (nil, false) }
                        index += 5
                        // A surrogate names a character only as a high-low pair: the full decoder
                        // refuses a lone one, so this scan must not read past it.
                        if (0xDC00...0xDFFF).contains(unit) { return (nil, false) }
                        if (0xD800...0xDBFF).contains(unit) {
                            guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"),
                                bytes[index + 1] == UInt8(ascii: "u"), let low = hexUnit(at: index + 2),
                                (0xDC00...0xDFFF).contains(low)
                            else { return (nil, false) }
                            index += 6
                        }
                    default:
                        return (nil, false)
                    }
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    let end = index
                    index += 1
                    return (escaped ? nil : bytes[start..<end], true)
                }
                index += 1
            }
            return (nil, false)
        }

        /// The UTF-16 code unit of the four hex digits at `start`, if they are four hex digits.
        func hexUnit(at start: Int) -> UInt16? {
            guard start + 4 <= bytes.endIndex else { return nil }
            var unit: UInt16 = 0
            for byte in bytes[start..<(start + 4)] {
                guard Self.isHexDigit(byte) else { return nil }
                let digit = byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x61 + 10
                unit = unit << 4 | UInt16(digit)
            }
            return unit
        }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

        /// Skips any value, validating it against JSON's grammar (nesting at most 256 deep).
        mutating func skipValue(depth: Int = 0) -> Bool {
            skipSpace()
            guard depth < 256, index < bytes.endIndex else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return string().ok
            case UInt8(ascii: "{"):
                index += 1
                if consume(UInt8(ascii: "}")) { return true }
                while true {
                    guard string().ok, consume(UInt8(ascii: ":")), skipValue(depth: depth + 1) else { return false }
                    if consume(UInt8(ascii: ",")) { continue }
                    return consume(UInt8(ascii: "}"))
                }
            case UInt8(ascii: "["):
                index += 1
                if consume(UInt8(ascii: "]")) { return true }
                while true {
                    guard skipValue(depth: depth + 1) else { return false }
                    if consume(UInt8(ascii: ",")) { continue }
                    return consume(UInt8(ascii: "]"))
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        mutating func literal(_ word: String) -> Bool {
            let count = word.utf8.count
            guard index + count <= bytes.endIndex, bytes[index..<(index + count)].elementsEqual(word.utf8) else {
                return false
            }
            index += count
            return true
        }

        /// A JSON number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
        mutating func number() -> Bool {
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.endIndex, Self.isDigit(bytes[index]) else { return false }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.endIndex, Self.isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < bytes.endIndex, Self.isDigit(bytes[index]) { index += 1 }
                guard index > start else { return false }
            }
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                let start = index
                while index < bytes.endIndex, Self.isDigit(bytes[index]) { index += 1 }
                guard index > start else { return false }
            }
            return index == bytes.endIndex || Self.endsValue(bytes[index])
        }

        mutating func integer() -> Int64? {
            skipSpace()
            // Leading zeros are not JSON: leave "007" to the full decoder to refuse.
            if index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "0"), Self.isDigit(bytes[index + 1]) {
                return nil
            }
            var value: Int64 = 0
            var digits = 0
            while index < bytes.endIndex, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < 18 {
                value = value * 10 + Int64(bytes[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0, index < bytes.endIndex else { return nil }
            // Anything but a plain non-negative integer is for the full decoder to judge.
            guard Self.endsValue(bytes[index]), bytes[index] != UInt8(ascii: "]") else { return nil }
            return value
        }

        /// The top-level keys this scan reads.
        static let envelopeKeys = ["id", "method", "deadlineMs", "idempotencyKey", "actor", "body", "status"]

        mutating func topLevel() -> EnvelopePeek? {
            guard consume(UInt8(ascii: "{")) else { return nil }
            var peek = EnvelopePeek()
            var seen = 0
            if consume(UInt8(ascii: "}")) { return peek }
            while true {
                let key = string()
                guard key.ok, consume(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let name = key.plain else {
                    // A key with escapes might spell one of ours: only the full decoder may judge.
                    peek.isPlain = false
                    guard skipValue() else { return nil }
                    if consume(UInt8(ascii: ",")) { continue }
                    if consume(UInt8(ascii: "}")) {
                        skipSpace()
                        return index == bytes.endIndex ? peek : nil
                    }
                    return nil
                }
                if let known = Self.envelopeKeys.firstIndex(where: { name.elementsEqual($0.utf8) }) {
                    guard seen & (1 << known) == 0 else {
                        // A repeated key: the full decoder reads the first, so this scan must not
                        // read the last; it keeps the first and hands the whole request over.
                        peek.isPlain = false
                        guard skipValue() else { return nil }
                        if consume(UInt8(ascii: ",")) { continue }
                        if consume(UInt8(ascii: "}")) {
                            skipSpace()
                            return index == bytes.endIndex ? peek : nil
                        }
                        return nil
                    }
                    seen |= 1 << known
                }
                if name.elementsEqual("id".utf8) || name.elementsEqual("method".utf8) {
                    let isId = name.count == 2
                    guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { return nil }
                    let value = string()
                    guard value.ok else { return nil }
                    guard let plain = value.plain, let text = String(validating: plain, as: UTF8.self) else {
                        return nil
                    }
                    if isId { peek.id = text } else { peek.method = text }
                } else if name.elementsEqual("deadlineMs".utf8) {
                    guard let value = integer() else { return nil }
                    peek.deadlineMs = value
                } else if name.elementsEqual("idempotencyKey".utf8) {
                    let start = index
                    guard skipValue() else { return nil }
                    var copy = Scanner(bytes: bytes[start..<index])
                    if let plain = copy.string().plain, let text = String(validating: plain, as: UTF8.self) {
                        peek.idempotencyKey = text
                    } else {
                        peek.isPlain = false
                    }
                } else if name.elementsEqual("actor".utf8) || name.elementsEqual("body".utf8)
                    || name.elementsEqual("status".utf8)
                {
                    let start = index
                    guard skipValue() else { return nil }
                    switch name.count {
                    case 5: peek.actor = start..<index
                    case 4: peek.body = start..<index
                    default: peek.status = start..<index
                    }
                } else {
                    guard skipValue() else { return nil }
                }
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) {
                    skipSpace()
                    return index == bytes.endIndex ? peek : nil
                }
                return nil
            }
        }
    }
}
