import Foundation
import Transport
import Wire
import ZeroMQ

/// Sends the fuzzer's messages through one DEALER per service port, many in flight, and checks
/// every reply as it comes: well-formed, the request's id when readable, the routing frames sent
/// in front of the payload returned unchanged, and the code a mutation alone decides. The
/// messages depend only on the seed; the order the system answers them in does not matter.
struct FuzzPump {
    let seed: UInt64
    let frameCount: Int
    let corpus: FuzzCorpus
    let endpoints: [String: String]
    /// Requests in flight per port: under the bus's queue limit, over the worker's credit.
    var window = 250
    /// How long without any reply means something stopped answering.
    var stallTimeout: Duration = .seconds(60)

    /// What a run found.
    struct Outcome: Sendable {
        var sent = 0
        var answered = 0
        var codes: [String: Int] = [:]
        var problems: [String] = []
        var problemCount = 0
        /// Every string in requests that were answered `OK` by a method that may write: the
        /// tenants a new event may belong to.
        var writtenBy: Set<String> = []
        var okWrites = 0
        /// The code each frame was answered with, by frame.
        var answers: [Int: String] = [:]
        /// What was done to each frame, by frame.
        var mutations: [Int: [String]] = [:]
        var duration: Duration = .zero

        mutating func problem(_ text: String) {
            problemCount += 1
            if problems.count < 25 { problems.append(text) }
        }
    }

    struct Pending {
        var index: Int
        var routing: [[UInt8]]
        var payload: [UInt8]
        var expectedId: String?
        var expectedCode: StatusCode?
        var mutations: [String]
    }

    /// Runs on a thread of its own (the sockets live there), with room for deep recursion.
    func run(context: ZeroMQ.Context) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try pump(context: context))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.stackSize = 64 << 20
            thread.start()
        }
    }

    func pump(context: ZeroMQ.Context) throws -> Outcome {
        let services = BusEndpoints.services
        var sockets: [Socket] = []
        var poller = Poller()
        defer { for socket in sockets { socket.close(lingerMs: 0) } }
        for service in services {
            let socket = try Socket(context: context, type: .dealer)
            try socket.setSendTimeout(ms: 5000)
            try socket.setReceiveHighWaterMark(0)
            try socket.connect(endpoints[service]!)
            sockets.append(socket)
            poller.add(socket)
        }
        var mutator = FrameMutator(seed: seed)
        var outcome = Outcome()
        var tagged: [[UInt8]: Pending] = [:]
        // Untagged messages can only be told apart by the id their reply carries.
        var untagged: [[String?: [Pending]]] = Array(repeating: [:], count: services.count)
        var inFlight = Array(repeating: 0, count: services.count)
        let started = ContinuousClock.now
        var lastReply = started
        var next: (socket: Int, pending: Pending, frames: [[UInt8]])?
        while outcome.sent < frameCount || inFlight.reduce(0, +) > 0 {
            if next == nil, outcome.sent < frameCount {
                next = makeMessage(outcome.sent, &mutator, services)
            }
            if var message = next, inFlight[message.socket] < window {
                // An untagged reply is matched by its id: two in flight with one id would be
                // ambiguous, so the second is tagged.
                if message.pending.routing.isEmpty, let id = message.pending.expectedId,
                    untagged[message.socket][id] != nil
                {
                    message.pending.routing = [Array("tag:\(message.pending.index)".utf8)]
                    message.frames.insert(message.pending.routing[0], at: 0)
                }
                try sockets[message.socket].send(message.frames)
                inFlight[message.socket] += 1
                outcome.sent += 1
                outcome.mutations[message.pending.index] = message.pending.mutations
                if message.pending.routing.isEmpty {
                    untagged[message.socket][message.pending.expectedId, default: []].append(message.pending)
                } else {
                    tagged[message.pending.routing.last!] = message.pending
                }
                next = nil
                // Keep filling; read replies only when the window is full or every 64 sends.
                if outcome.sent % 64 != 0 { continue }
            }
            let readable = try poller.poll(timeoutMs: next == nil && outcome.sent < frameCount ? 0 : 1000)
            for (socketIndex, isReadable) in readable.enumerated() where isReadable {
                while let frames = try sockets[socketIndex].receive(dontWait: true) {
                    lastReply = .now
                    inFlight[socketIndex] -= 1
                    outcome.answered += 1
                    take(
                        frames, socket: socketIndex, tagged: &tagged, untagged: &untagged[socketIndex],
                        outcome: &outcome)
                }
            }
            if ContinuousClock.now - lastReply > stallTimeout {
                outcome.problem(
                    "no reply for \(stallTimeout) with \(inFlight.reduce(0, +)) requests in flight "
                        + "(per port \(zip(services, inFlight).map { "\($0): \($1)" }))")
                break
            }
        }
        outcome.duration = ContinuousClock.now - started
        return outcome
    }

    /// Message `index` again, from the seed alone (for a report about it).
    func regenerate(_ index: Int) -> [[UInt8]] {
        var mutator = FrameMutator(seed: seed)
        let services = BusEndpoints.services
        for earlier in 0..<index { _ = makeMessage(earlier, &mutator, services) }
        return makeMessage(index, &mutator, services).frames
    }

    /// Message `index`: a base chosen by the seed, mutated, tagged with routing frames mostly.
    func makeMessage(_ index: Int, _ mutator: inout FrameMutator, _ services: [String]) -> (
        socket: Int, pending: Pending, frames: [[UInt8]]
    ) {
        let base = mutator.pick(corpus.bases)
        var message = mutator.message(from: base.make(index), bodies: corpus.bodies)
        var routing: [[UInt8]] = []
        if mutator.chance(0.7) {
            if mutator.chance(0.15) {
                message.mutations.append("extraFrame")
                routing.append(
                    mutator.chance(0.5)
                        ? [] : (0..<mutator.int(1..<40)).map { _ in UInt8.random(in: 0...255, using: &mutator.random) })
            }
            routing.append(Array("tag:\(index)".utf8))
        }
        let payload = message.frames.last!
        let pending = Pending(
            index: index, routing: routing, payload: payload,
            expectedId: ReplyCheck.readableId(payload, maxMessageBytes: mutator.maxMessageBytes),
            expectedCode: message.expectedCode, mutations: message.mutations)
        return (services.firstIndex(of: base.service)!, pending, routing + [payload])
    }

    func take(
        _ frames: [[UInt8]], socket: Int, tagged: inout [[UInt8]: Pending], untagged: inout [String?: [Pending]],
        outcome: inout Outcome
    ) {
        let payload = frames.last ?? []
        let reply: ReplyCheck.Reply
        switch ReplyCheck.parse(payload) {
        case .failure(let malformed):
            outcome.problem("malformed reply (\(malformed)); frames: \(frames.count)")
            return
        case .success(let value): reply = value
        }
        outcome.codes[reply.code, default: 0] += 1
        let pending: Pending
        if frames.count > 1 {
            guard let found = tagged.removeValue(forKey: frames[frames.count - 2]) else {
                outcome.problem("a reply with routing frames no request had: \(frames.dropLast())")
                return
            }
            pending = found
            if Array(frames.dropLast()) != found.routing {
                outcome.problem(describe(found, reply, "routing frames came back changed: \(frames.dropLast())"))
            }
        } else {
            guard var waiting = untagged[reply.id], !waiting.isEmpty else {
                let quoted = Array(FuzzJSON.string(reply.id ?? "").bytes)
                let suspects = untagged.values.joined().filter { pending in
                    pending.payload.indices.contains { pending.payload[$0...].starts(with: quoted) }
                }
                outcome.problem(
                    "a reply whose id (\(reply.id ?? "null")) no untagged request had; code \(reply.code); sent by "
                        + "\(suspects.prefix(2).map { describe($0, reply, "expected id \($0.expectedId ?? "null")") })")
                return
            }
            pending = waiting.removeFirst()
            untagged[reply.id] = waiting.isEmpty ? nil : waiting
        }
        if reply.id != pending.expectedId {
            outcome.problem(
                describe(pending, reply, "id should be \(pending.expectedId.map { "\"\($0)\"" } ?? "null")"))
        }
        outcome.answers[pending.index] = reply.code
        // Untagged replies without an id cannot be told apart: the mutation's code is checked
        // only where the reply is known to be this frame's.
        if !pending.routing.isEmpty || pending.expectedId != nil, let expected = pending.expectedCode,
            expected.name != reply.code
        {
            outcome.problem(describe(pending, reply, "code should be \(expected.name)"))
        }
        if reply.code == StatusCode.ok.name, !isRead(pending.payload) {
            outcome.okWrites += 1
            outcome.writtenBy.formUnion(Self.strings(in: Array(pending.payload.dropFirst(4))))
        }
    }

    /// Whether the payload is a request for a method that writes nothing, read as the service reads it.
    func isRead(_ payload: [UInt8]) -> Bool {
        guard case .success(let json) = LengthPrefixedFrame.decode(payload),
            case .success(let header) = Envelope.parseHeader(json)
        else { return false }
        return FuzzCorpus.isRead(header.method)
    }

    /// Every string literal in `bytes`, escapes undone where JSON can read them.
    static func strings(in bytes: [UInt8]) -> Set<String> {
        var found: Set<String> = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else {
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard end < bytes.count else { break }
            let literal = Array(bytes[index...end])
            if let text = try? JSONDecoder().decode(String.self, from: Data(literal)) { found.insert(text) }
            found.insert(String(decoding: literal.dropFirst().dropLast(), as: UTF8.self))
            index = end + 1
        }
        return found
    }

    func describe(_ pending: Pending, _ reply: ReplyCheck.Reply, _ what: String) -> String {
        let shown = String(decoding: pending.payload.prefix(300), as: UTF8.self).debugDescription
        return
            "frame \(pending.index) (seed \(seed); \(pending.mutations.joined(separator: ", "))): \(what); got "
            + "id \(reply.id.map { "\"\($0)\"" } ?? "null") code \(reply.code); sent \(pending.payload.count) bytes "
            + "\(shown)"
    }
}
