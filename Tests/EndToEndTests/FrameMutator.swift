import Wire

/// SplitMix64: a small seeded generator, so a run is replayed exactly from its seed.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One message to send: the frames (routing frames first, the payload last), what was done to
/// the envelope, and the status the protocol prescribes for it when the mutation alone decides it.
struct FuzzMessage: Sendable {
    var frames: [[UInt8]]
    var mutations: [String]
    var expectedCode: StatusCode?
}

/// Mutates valid envelopes into bad (and some still valid) input: the tree (wrong types, edge
/// numbers, missing and repeated keys, deep nesting, other methods and bodies), the bytes (bit
/// flips, truncation, invalid UTF-8, garbage) and the frame (length-prefix lies, empty and extra
/// frames, oversized payloads).
struct FrameMutator {
    var random: SeededGenerator
    let maxMessageBytes: Int

    init(seed: UInt64, maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes) {
        random = SeededGenerator(seed: seed)
        self.maxMessageBytes = maxMessageBytes
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0..<values.count)] }

    /// Numbers at and past every edge a decoder has.
    static let edgeNumbers = [
        "0", "-1", "-0", "1.5", "1e3", "1E-7", "-9223372036854775808", "9223372036854775807", "9223372036854775806",
        "9223372036854775808", "18446744073709551616", "99999999999999999999999999", "1e400", "-1e400", "4294967296",
        "2147483648", "-2147483649", "1e18", "999999999999999999", "0.0000001", "123456789012345678901234567890e-10",
    ]

    /// Strings no field expects.
    static let oddStrings = [
        "", " ", "\u{0}", "null", "💥", "\u{FEFF}id", "a\"b\\c", "\u{202E}reversed", String(repeating: "x", count: 300),
        "2026-13-45T25:61:61Z", "-1", "NaN", "registry.Health", "\u{7F}\u{1F}",
    ]

    /// Method names that are no method, or not this port's.
    static let oddMethods = [
        "", ".", "registry", "registry.", ".Health", "registry.health", "REGISTRY.HEALTH", "registry.Nope",
        "matching.Rank", "broadcast.Start", "opportunities.Offer", "registry.Health.Extra", "bus.Status", "bus.Nope",
        "bus.", "nope.Health", "registry.Describe\u{0}", String(repeating: "m", count: 2000),
    ]

    mutating func anyValue(depth: Int = 0) -> FuzzJSON {
        switch int(0..<(depth > 2 ? 5 : 7)) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2: return .number(pick(Self.edgeNumbers))
        case 3: return .string(pick(Self.oddStrings))
        case 4: return .string(String(repeating: "é", count: int(0..<64)))
        case 5: return .array((0..<int(0..<4)).map { _ in anyValue(depth: depth + 1) })
        default:
            return .object((0..<int(0..<4)).map { index in ("k\(index)", anyValue(depth: depth + 1)) })
        }
    }

    /// `depth` arrays or objects around a number, as bytes (a tree that deep would take a
    /// recursion as deep to write).
    mutating func nested(depth: Int) -> FuzzJSON {
        let (open, close) = chance(0.5) ? (Array(#"{"a":"#.utf8), Array("}".utf8)) : (Array("[".utf8), Array("]".utf8))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(depth * (open.count + close.count) + 1)
        for _ in 0..<depth { bytes += open }
        bytes.append(UInt8(ascii: "1"))
        for _ in 0..<depth { bytes += close }
        return .raw(bytes)
    }

    // MARK: the tree

    mutating func mutateTree(_ envelope: FuzzJSON, bodies: [FuzzJSON], log: inout [String]) -> FuzzJSON {
        let paths = envelope.paths
        let path = pick(paths)[...]
        switch int(0..<12) {
        case 0:
            log.append("wrongType")
            let replacement = anyValue()
            return envelope.updating(path) { _ in replacement } ?? .null
        case 1:
            log.append("edgeNumber")
            let number = FuzzJSON.number(pick(Self.edgeNumbers))
            if chance(0.5) { return envelope.setting("deadlineMs", number) }
            return envelope.updating(path) { _ in number } ?? .null
        case 2:
            log.append("removeKey")
            return envelope.updating(path) { _ in nil } ?? .null
        case 3:
            log.append("duplicateKey")
            guard case .object(var members) = envelope, !members.isEmpty else { return envelope }
            let copied = pick(members)
            members.insert((copied.key, chance(0.5) ? anyValue() : copied.value), at: int(0..<(members.count + 1)))
            return .object(members)
        case 4:
            log.append("deepNesting")
            let depth = pick([10, 100, 255, 256, 257, 511, 512, 513, 1000, 5000, 50_000])
            let deep = nested(depth: depth)
            if chance(0.5), case .object = envelope["body"] {
                return envelope.setting("body", (envelope["body"] ?? .object([])).setting("deep", deep))
            }
            return envelope.updating(path) { _ in deep } ?? .null
        case 5:
            log.append("oddMethod")
            return envelope.setting("method", .string(pick(Self.oddMethods)))
        case 6:
            log.append("otherBody")
            return envelope.setting("body", pick(bodies))
        case 7:
            log.append("oddActor")
            let role = pick(["partner", "customer", "provider", "service", "admin", "", "Partner", "system"])
            var actor: [(key: String, value: FuzzJSON)] = [("role", .string(role))]
            if chance(0.7) { actor.append(("partnerId", chance(0.8) ? .string("p-fuzz") : anyValue())) }
            if chance(0.5) { actor.append(("id", chance(0.8) ? .string("someone") : anyValue())) }
            return envelope.setting("actor", chance(0.9) ? .object(actor) : anyValue())
        case 8:
            log.append("oddId")
            return envelope.setting("id", chance(0.7) ? .string(pick(Self.oddStrings)) : anyValue())
        case 9:
            log.append("unknownKey")
            return envelope.setting("x-\(int(0..<1000))", anyValue())
        case 10:
            log.append("idempotencyKey")
            return envelope.setting(
                "idempotencyKey",
                pick([.string(""), .string(String(repeating: "k", count: 257)), .number("7"), anyValue()]))
        default:
            log.append("oddString")
            let text = FuzzJSON.string(pick(Self.oddStrings))
            return envelope.updating(path) { _ in text } ?? .null
        }
    }

    // MARK: the bytes (the JSON, reframed with its true length)

    mutating func mutateBytes(_ json: [UInt8], log: inout [String], expected: inout StatusCode?) -> [UInt8] {
        var json = json
        switch int(0..<9) {
        case 0:
            let flips = int(1..<9)
            log.append("bitFlip×\(flips)")
            for _ in 0..<flips where !json.isEmpty { json[int(0..<json.count)] ^= UInt8(1) << UInt8(int(0..<8)) }
        case 1:
            log.append("truncate")
            json = Array(json.prefix(int(0..<max(1, json.count))))
        case 2:
            log.append("invalidUTF8")
            let sequences: [[UInt8]] = [
                [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xFF],
            ]
            let bad = pick(sequences)
            json.insert(contentsOf: bad, at: int(0..<(json.count + 1)))
            expected = .invalidArgument
        case 3:
            log.append("loneSurrogateEscape")
            // Valid JSON syntax that names no Unicode scalar: the decoder must refuse it, not trap.
            let escape = Array(pick([#"\ud800"#, #"\udfff"#, #"\ud800\u0041"#, #"\u0000"#]).utf8)
            if let quote = json.indices.filter({ json[$0] == UInt8(ascii: "\"") }).randomElement(using: &random) {
                json.insert(contentsOf: escape, at: quote + 1)
            }
        case 4:
            log.append("garbage")
            let junk = pick(["}", "]", " x", "{}", ",", "\u{0}", "\"", ":", "\\", "/*", "\r\n", "tru", "-", "1e"])
            json.insert(contentsOf: Array(junk.utf8), at: int(0..<(json.count + 1)))
        case 5:
            log.append("dropRange")
            guard json.count > 2 else { break }
            let start = int(0..<(json.count - 1))
            json.removeSubrange(start..<min(json.count, start + int(1..<16)))
        case 6:
            log.append("topLevelNotObject")
            json = Array(pick(["[]", "\"x\"", "1", "null", "true", "[{}]", " ", ""]).utf8)
            expected = .invalidArgument
        case 7:
            log.append("whitespace")
            let spaces = [UInt8](repeating: UInt8(ascii: pick([" ", "\n", "\t", "\r"])), count: int(1..<200))
            json = spaces + json + spaces
        default:
            log.append("escapedNames")
            // Names and values spelled with escapes: valid, but the quick scans must hand over.
            let text = String(decoding: json, as: UTF8.self)
            json = Array(
                text.replacingOccurrences(of: "\"method\"", with: #""m\u0065thod""#)
                    .replacingOccurrences(of: "\"id\"", with: #""\u0069d""#).utf8)
        }
        return json
    }

    // MARK: the frame

    mutating func frame(_ json: [UInt8], log: inout [String], expected: inout StatusCode?) -> [UInt8] {
        var frame = LengthPrefixedFrame.encode(json)
        guard chance(0.12) else { return frame }
        switch int(0..<7) {
        case 0:
            log.append("lengthLie")
            let declared = json.count + pick([-1, 1, -json.count, 7, -3, 1000])
            let value = UInt32(clamping: max(0, declared))
            if Int(value) != json.count { expected = .invalidArgument }
            frame.replaceSubrange(0..<4, with: withUnsafeBytes(of: value.bigEndian, Array.init))
        case 1:
            log.append("lengthOverLimit")
            let value = pick([UInt32.max, UInt32(maxMessageBytes + 1), UInt32(Int32.max), 0x8000_0000])
            frame.replaceSubrange(0..<4, with: withUnsafeBytes(of: value.bigEndian, Array.init))
            expected = .resourceExhausted
        case 2:
            log.append("shortFrame")
            frame = Array(frame.prefix(int(0..<4)))
            expected = .invalidArgument
        case 3:
            log.append("prefixBitFlip")
            frame[int(0..<4)] ^= UInt8(1) << UInt8(int(0..<8))
            let declared = frame[0..<4].reduce(0) { $0 << 8 | Int($1) }
            expected = declared > maxMessageBytes ? .resourceExhausted : .invalidArgument
        case 4:
            log.append("frameTruncated")
            frame = Array(frame.prefix(int(4..<max(5, frame.count))))
            if frame.count != json.count + 4 { expected = .invalidArgument }
        case 5:
            log.append("trailingBytes")
            frame += [UInt8](repeating: 0, count: int(1..<9))
            expected = .invalidArgument
        default:
            log.append("emptyFrame")
            frame = []
            expected = .invalidArgument
        }
        return frame
    }

    /// A payload of exactly one byte more than the limit, correctly framed.
    func oversized() -> [UInt8] {
        let json = Array(#"{"id":"big","method":"registry.Health","body":{"pad":""#.utf8)
        let tail = Array(#""}}"#.utf8)
        let padding = [UInt8](repeating: UInt8(ascii: "a"), count: maxMessageBytes + 1 - json.count - tail.count)
        return LengthPrefixedFrame.encode(json + padding + tail)
    }

    /// A message from `envelope`: sometimes as it is, mostly mutated at one to three levels.
    mutating func message(from envelope: FuzzJSON, bodies: [FuzzJSON]) -> FuzzMessage {
        var log: [String] = []
        var expected: StatusCode?
        var tree = envelope
        if chance(0.06) {
            log.append("valid")
        } else {
            for _ in 0..<int(1..<3) where chance(0.7) { tree = mutateTree(tree, bodies: bodies, log: &log) }
        }
        var json = tree.bytes
        if chance(0.45) { json = mutateBytes(json, log: &log, expected: &expected) }
        var frames = [frame(json, log: &log, expected: &expected)]
        if chance(0.0005) {
            log.append("oversized")
            frames = [oversized()]
            expected = .resourceExhausted
        }
        return FuzzMessage(frames: frames, mutations: log, expectedCode: expected)
    }
}
