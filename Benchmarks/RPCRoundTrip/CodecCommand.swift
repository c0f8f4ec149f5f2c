import ArgumentParser
import BenchmarkSupport
import Foundation
import Logging
import ServiceKit
import Transport
import Wire

/// `octoo-bench codec`: the CPU cost of each step a call goes through in the service and in
/// `RPCClient`, in-process and without sockets, to explain the round-trip numbers.
struct CodecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Time the envelope/JSON steps of one bench.Echo call in-process (no sockets).")

    @Option(help: "Iterations per step.") var iterations = 20_000

    func run() async throws {
        LoggingSetup.bootstrap(level: .info)
        let logger = Logger(label: "octoo.bench.codec")
        let frame = try BenchContract.requestFrame(index: 1)
        guard case .success(let request) = LengthPrefixedFrame.decode(frame) else { throw BenchmarkError("bad frame") }
        let reply = try Envelope.encodeReply(id: BenchContract.requestId(1), status: .ok, body: BenchContract.message)
        let header = RequestHeader(
            id: BenchContract.requestId(1), method: BenchContract.echo.name, deadlineMs: 5000,
            actor: BenchContract.actor)
        var router = RPCRouter(service: BenchContract.service)
        router.register(BenchContract.echo) { request, _ in request }
        let bodyOnly = Array(#"{"text":"hello from octoo-bench","n":42}"#.utf8)
        var sink = 0

        print("One bench.Echo call, step by step (\(iterations) iterations each, ns per operation):")
        print("request frame \(frame.count) bytes, reply JSON \(reply.count) bytes\n")
        print("service side (RPCServer + RPCRouter):")
        time("LengthPrefixedFrame.decode", &sink) {
            if case .success(let j) = LengthPrefixedFrame.decode(frame) { $0 += j.count }
        }
        time("Envelope.parseHeader (UTF-8 check + JSONDecoder)", &sink) {
            if case .success(let h) = Envelope.parseHeader(request) { $0 += h.id.count }
        }
        time("Envelope.decodeBody(EchoMessage) (JSONDecoder)", &sink) {
            $0 += try! Envelope.decodeBody(EchoMessage.self, from: request).n
        }
        time("Envelope.encodeReply(EchoMessage) (JSONEncoder)", &sink) {
            $0 += try! Envelope.encodeReply(id: "bench-0000001", status: .ok, body: BenchContract.message).count
        }
        time("LengthPrefixedFrame.encode", &sink) { $0 += LengthPrefixedFrame.encode(reply).count }
        time("EnvelopePeek.scan (the I/O thread's look at id, method, deadlineMs)", &sink) {
            $0 += EnvelopePeek.scan(request)?.id?.count ?? 0
        }
        let peek = EnvelopePeek.scan(request)
        time("Envelope.decodeRequest(EchoMessage) (fast path from the scan)", &sink) {
            $0 += Envelope.decodeRequest(EchoMessage.self, from: request, peek: peek!)?.1.n ?? 0
        }
        time("Envelope.encodeOKReply(EchoMessage) (envelope written directly)", &sink) {
            $0 += try! Envelope.encodeOKReply(id: "bench-0000001", body: BenchContract.message).count
        }
        await timeAsync("RPCRouter.handle, whole (fast path, as the server calls it)", &sink) {
            await router.handle(json: request, peek: peek, receivedAt: .now, logger: logger).count
        }
        print("\nclient side (RPCClient.call):")
        time("Envelope.encodeRequest (JSONEncoder)", &sink) {
            $0 += try! Envelope.encodeRequest(header, body: BenchContract.message).count
        }
        time("Envelope.parseReplyHead (JSONDecoder)", &sink) {
            $0 += try! Envelope.parseReplyHead(reply[...]).id?.count ?? 0
        }
        time("Envelope.decodeBody(EchoMessage) of the reply", &sink) {
            $0 += try! Envelope.decodeBody(EchoMessage.self, from: reply[...]).n
        }
        time("Envelope.decodeReply(EchoMessage) (one-pass status + body)", &sink) {
            $0 += try! Envelope.decodeReply(EchoMessage.self, from: reply[...]).n
        }
        print("\nreference:")
        time("JSONDecoder().decode(EchoMessage) of the bare body", &sink) {
            $0 += try! JSONDecoder().decode(EchoMessage.self, from: Data(bodyOnly)).n
        }
        time("JSONEncoder().encode(EchoMessage)", &sink) {
            $0 += try! JSONEncoder().encode(BenchContract.message).count
        }
        time("JSONSerialization.jsonObject of the request", &sink) {
            $0 += (try! JSONSerialization.jsonObject(with: Data(request)) as? [String: Any])?.count ?? 0
        }
        print("\ncoder settings (the whole request as one Decodable, the reply as one Encodable):")
        let plainDecoder = JSONDecoder()
        let plainEncoder = JSONEncoder()
        let replyValue = CodecReply(id: BenchContract.requestId(1), status: Status.ok, body: BenchContract.message)
        time("default JSONDecoder, whole request", &sink) {
            $0 += try! plainDecoder.decode(CodecRequest.self, from: Data(request)).body.n
        }
        time("WireCoding.decoder, whole request", &sink) {
            $0 += try! WireCoding.decoder.decode(CodecRequest.self, from: Data(request)).body.n
        }
        time("default JSONEncoder, whole reply", &sink) { $0 += try! plainEncoder.encode(replyValue).count }
        time("WireCoding.encoder, whole reply", &sink) { $0 += try! WireCoding.encoder.encode(replyValue).count }
        time("Data(ArraySlice) of the request", &sink) { $0 += Data(request).count }
        time("Data(bytes) via withUnsafeBytes", &sink) { $0 += request.withUnsafeBytes { Data($0) }.count }
        let requestData = request.withUnsafeBytes { Data($0) }
        time("WireCoding.decoder, whole request with optional body", &sink) {
            $0 += try! WireCoding.decoder.decode(CodecRequestOptional.self, from: requestData).body!.n
        }
        if sink == 42 { print("") }
    }

    private func time(_ label: String, _ sink: inout Int, _ body: (inout Int) -> Void) {
        for _ in 0..<min(1000, iterations) { body(&sink) }
        let start = nowNanos()
        for _ in 0..<iterations { body(&sink) }
        report(label, nowNanos() - start)
    }

    private func timeAsync(_ label: String, _ sink: inout Int, _ body: () async -> Int) async {
        for _ in 0..<min(1000, iterations) { sink &+= await body() }
        let start = nowNanos()
        for _ in 0..<iterations { sink &+= await body() }
        report(label, nowNanos() - start)
    }

    private func report(_ label: String, _ nanos: UInt64) {
        print("  \(label.padding(toLength: 58, withPad: " ", startingAt: 0)) \(pad(Int(nanos) / iterations, 7)) ns")
    }
}

/// The request envelope as one plain Decodable, to compare coder settings.
private struct CodecRequest: Decodable {
    var id: String
    var method: String
    var deadlineMs: Int64?
    var actor: Actor?
    var body: EchoMessage
}

/// The reply envelope as one plain Encodable.
private struct CodecReply: Encodable {
    var id: String
    var status: Status
    var body: EchoMessage
}

/// As `CodecRequest` with the body optional and an idempotency key, like the real envelope.
private struct CodecRequestOptional: Decodable {
    var id: String
    var method: String
    var deadlineMs: Int64?
    var idempotencyKey: String?
    var actor: Actor?
    var body: EchoMessage?
}
