import Logging
import Transport
import ZeroMQ

/// The event relay with CURVE on: libzmq's proxy, but every published event is checked against
/// its publisher's key first, so a key publishes only its own sources' events (a forged
/// `registry.provider.upserted` from any other key is dropped at the bus). Subscriptions flow
/// upstream unchecked: who may subscribe at all is settled when the subscriber connects.
struct CheckedEventRelay {
    let publishers: Socket
    let subscribers: Socket
    let control: Socket
    let keys: KeyBook
    let logger: Logger
    private var dropped = 0

    init(publishers: Socket, subscribers: Socket, control: Socket, keys: KeyBook, logger: Logger) {
        self.publishers = publishers
        self.subscribers = subscribers
        self.control = control
        self.keys = keys
        self.logger = logger
    }

    /// Relays until `TERMINATE` arrives on the control socket.
    mutating func run() throws {
        var poller = Poller()
        poller.add(publishers)
        poller.add(subscribers)
        poller.add(control)
        while true {
            let ready = try poller.poll(timeoutMs: -1)
            if ready[2], let command = try control.receive(dontWait: true), command.first == Proxy.terminateCommand {
                return
            }
            if ready[0] { try relayEvents() }
            if ready[1] {
                while let subscription = try subscribers.receiveMessages(dontWait: true) {
                    _ = try publishers.send(messages: subscription, dontWait: true)
                }
            }
        }
    }

    /// Forwards what publishers sent, dropping each event whose topic its key may not publish.
    private mutating func relayEvents() throws {
        while let frames = try publishers.receiveMessages(dontWait: true) {
            guard let topic = frames.first, keys.roles(of: topic)?.mayPublish(topic: topic.bytes) == true else {
                dropped += 1
                if dropped <= 10 || dropped % 1000 == 0 {
                    logger.warning(
                        "dropped an event its publisher's key may not publish",
                        metadata: [
                            "topic":
                                "\(frames.first.map { String(decoding: $0.bytes.prefix(80), as: UTF8.self) } ?? "")",
                            "dropped": "\(dropped)",
                        ])
                }
                continue
            }
            _ = try subscribers.send(messages: frames, dontWait: true)
        }
    }
}
