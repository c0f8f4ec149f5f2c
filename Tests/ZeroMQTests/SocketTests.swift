import Foundation
import Testing

@testable import ZeroMQ

@Suite("The libzmq layer")
struct SocketTests {
    @Test func multiFrameMessagesKeepTheirFrames() throws {
        let context = try Context()
        let a = try Socket(context: context, type: .pair)
        let b = try Socket(context: context, type: .pair)
        try a.bind("inproc://frames")
        try b.connect("inproc://frames")
        let frames: [[UInt8]] = [[1, 2, 3], [], Array("payload".utf8), [UInt8](repeating: 7, count: 100_000)]
        #expect(try a.send(frames))
        try b.setReceiveTimeout(ms: 2000)
        #expect(try b.receive() == frames)
        #expect(try b.receive(dontWait: true) == nil)
        a.close(lingerMs: 0)
        b.close(lingerMs: 0)
    }

    @Test func errorsCarryLibzmqsText() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .dealer)
        do {
            try socket.connect("nonsense://endpoint")
            Issue.record("connected to nonsense")
        } catch let error as ZMQError {
            #expect(!error.message.isEmpty)
            #expect(error.operation.contains("zmq_connect"))
        }
        socket.close()
        #expect(throws: ZMQError.self) { try socket.bind("inproc://closed") }
    }

    @Test func pollWakesOnAWakeupSignalFromAnotherThread() throws {
        let context = try Context()
        let socket = try Socket(context: context, type: .pull)
        try socket.bind("inproc://poll")
        let wakeup = try WakeupSignal()
        var poller = Poller()
        poller.add(socket)
        poller.add(fileDescriptor: wakeup.fileDescriptor)
        #expect(try poller.poll(timeoutMs: 0) == [false, false])
        Thread { wakeup.signal() }.start()
        let ready = try poller.poll(timeoutMs: 5000)
        #expect(ready == [false, true])
        wakeup.clear()
        #expect(try poller.poll(timeoutMs: 0) == [false, false])
        socket.close(lingerMs: 0)
    }

    @Test func curveKeysRoundTripThroughZ85() throws {
        try #require(Context.has("curve"))
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40)
        #expect(try CurveKeyPair.publicKey(ofSecretKey: pair.secretKey) == pair.publicKey)
        let raw = try #require(CurveKeyPair.rawKey(pair.publicKey))
        #expect(CurveKeyPair.z85(raw) == pair.publicKey)
        #expect(CurveKeyPair.rawKey("short") == nil)
    }

    @Test func curveEncryptedSocketsTalkOnlyWithTheRightServerKey() throws {
        try #require(Context.has("curve"))
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let router = try Socket(context: context, type: .router)
        try router.makeCurveServer(secretKey: server.secretKey)
        try router.setReceiveTimeout(ms: 3000)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()

        let good = try Socket(context: context, type: .dealer)
        try good.makeCurveClient(publicKey: client.publicKey, secretKey: client.secretKey, serverKey: server.publicKey)
        try good.connect(endpoint)
        try good.send([Array("hello".utf8)])
        let received = try #require(try router.receive())
        #expect(received.last == Array("hello".utf8))

        let bad = try Socket(context: context, type: .dealer)
        try bad.makeCurveClient(publicKey: client.publicKey, secretKey: client.secretKey, serverKey: stranger.publicKey)
        try bad.connect(endpoint)
        _ = try bad.send([Array("intruder".utf8)], dontWait: true)
        try router.setReceiveTimeout(ms: 500)
        #expect(try router.receive() == nil)
        for socket in [router, good, bad] { socket.close(lingerMs: 0) }
    }
}
