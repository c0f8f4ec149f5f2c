import Foundation
import GRDB
import Logging
import OctooTesting
@_spi(RawDatabase) import Store
import Synchronization
import Transport
import Wire
import ZeroMQ

/// A stand-in source on the bus: its outbox is a list the test writes, its `ReadEvents` serves
/// that list (or fails, or serves only a prefix), and it publishes what the test tells it to.
final class ScriptedSource: Sendable {
    enum ReadMode: Sendable {
        /// Serves the log up to `upTo` (everything when nil) and reports that as its last seq.
        case serve(upTo: Int64?)
        case fail
    }

    /// What the source's handlers and the test share.
    final class Script: Sendable {
        let epoch = Mutex(UUID().uuidString.lowercased())
        let log = Mutex<[Event]>([])
        let mode = Mutex(ReadMode.serve(upTo: nil))
        let reads = Atomic<Int>(0)
    }

    let name: String
    let script = Script()
    private let server: RPCServer
    private let serverTask: Task<Void, any Error>
    /// Its PUB socket on the bus.
    let publisher: Publisher

    init(_ system: InProcessSystem, name: String) async throws {
        self.name = name
        var router = RPCRouter(service: name)
        let script = self.script
        router.register(CommonMethods.health(name)) { _, _ in
            HealthResponse(status: .serving, service: name, instance: "scripted", version: "0", uptimeSeconds: 0)
        }
        router.register(CommonMethods.readEvents(name)) { request, _ in
            script.reads.add(1, ordering: .relaxed)
            guard case .serve(let upTo) = script.mode.withLock({ $0 }) else {
                throw RPCError(.unavailable, "scripted failure")
            }
            let events = script.log.withLock { $0 }.filter { $0.seq <= upTo ?? .max }
            return ReadEventsResponse(
                events: Array(events.filter { $0.seq > request.afterSeq }.prefix(request.limit)),
                lastSeq: events.last?.seq ?? 0, epoch: script.epoch.withLock { $0 })
        }
        var logger = Logger(label: "octoo.test.scripted")
        logger.logLevel = .warning
        let server = try RPCServer(
            context: system.context, configuration: RPCServerConfiguration(endpoint: system.endpoints.worker(name)),
            router: router, logger: logger)
        self.server = server
        serverTask = Task { try await server.run() }
        publisher = try Publisher(context: system.context, endpoint: system.endpoints.eventsPublish)
        try await system.waitUntilServing(name)
    }

    /// How many `ReadEvents` calls it has answered (or failed).
    var reads: Int { script.reads.load(ordering: .relaxed) }

    /// Sets how `ReadEvents` answers from now on.
    func setMode(_ mode: ReadMode) {
        script.mode.withLock { $0 = mode }
    }

    /// Appends `count` events to the log (in its current epoch) and returns them.
    @discardableResult
    func append(_ count: Int) -> [Event] {
        let epoch = script.epoch.withLock { $0 }
        return script.log.withLock { log in
            let first = (log.last?.seq ?? 0) + 1
            let events = (first..<first + Int64(count)).map {
                Event(
                    source: name, seq: $0, type: "thing.happened", occurredAt: Date(), partnerId: "p-1",
                    data: .object(["n": .integer($0)]), epoch: epoch)
            }
            log += events
            return events
        }
    }

    /// The logged events with `seq` in `range`.
    func events(_ range: ClosedRange<Int64>) -> [Event] {
        script.log.withLock { $0 }.filter { range.contains($0.seq) }
    }

    /// Publishes `events` until `condition` holds: PUB/SUB drops whatever it sends before the
    /// subscription has reached it, so a test that needs the fast path repeats itself.
    func publish(_ events: [Event], _ what: String, until condition: () throws -> Bool) async throws {
        try await eventually("\(what), publishing events \(events.first?.seq ?? 0)…", every: .milliseconds(100)) {
            if try condition() { return true }
            try publisher.send(events)
            return false
        }
    }

    func stop() async {
        server.shutdown()
        _ = try? await serverTask.value
        publisher.close()
    }
}

/// A PUB socket connected to the bus, usable from any task (one at a time).
final class Publisher: @unchecked Sendable {
    private let lock = NSLock()
    private let socket: Socket

    init(context: ZeroMQ.Context, endpoint: String) throws {
        socket = try Socket(context: context, type: .pub)
        try socket.setLinger(ms: 0)
        try socket.connect(endpoint)
    }

    func send(_ events: [Event]) throws {
        try lock.withLock {
            for event in events {
                _ = try socket.send([Array(event.topic.utf8), LengthPrefixedFrame.encode(try WireCoding.encode(event))])
            }
        }
    }

    func close() {
        lock.withLock { socket.close(lingerMs: 0) }
    }
}

/// An `EventSubscriber` under test, with its own database whose `applied` table records every
/// event applied, in order.
final class SubscriberFixture: Sendable {
    let subscriber: EventSubscriber
    let database: ServiceDatabase
    let clients: [RPCClient]
    private let task: Task<Void, Never>

    init(
        _ system: InProcessSystem, sources: [String], idleCatchUp: Duration = .seconds(3600),
        bufferSize: Int = 10_000, bufferBytes: Int = 32 << 20, trust: PublishedEventTrust = .publisherChecked,
        backoff: EventRetryBackoff = EventRetryBackoff(initial: .milliseconds(10)),
        reset: EventSubscriber.Reset? = nil, apply: EventSubscriber.Apply? = nil
    ) throws {
        let path = (system.dataDirectory as NSString).appendingPathComponent("consumer-\(UUID().uuidString).sqlite")
        database = try ServiceDatabase(
            path: path, source: "matching", durability: .normal,
            migrations: { migrator in
                migrator.registerMigration("test.v1.applied") { db in
                    try db.create(table: "applied") { table in
                        table.autoIncrementedPrimaryKey("rowid")
                        table.column("source", .text).notNull()
                        table.column("seq", .integer).notNull()
                    }
                }
            })
        clients = try sources.map { try system.client($0) }
        var logger = Logger(label: "octoo.test.subscriber")
        logger.logLevel = .critical
        let record: EventSubscriber.Apply = { db, event in
            try apply?(db, event)
            try db.execute(
                sql: "INSERT INTO applied (source, seq) VALUES (?, ?)", arguments: [event.source, event.seq])
        }
        let subscriber = try EventSubscriber(
            context: system.context, endpoint: system.endpoints.eventsSubscribe,
            sources: Dictionary(uniqueKeysWithValues: zip(sources, clients)), database: database,
            idleCatchUp: idleCatchUp, bufferSize: bufferSize, bufferBytes: bufferBytes, trust: trust,
            backoff: backoff, logger: logger, reset: reset, apply: record)
        self.subscriber = subscriber
        task = Task { await subscriber.run() }
    }

    /// The seqs applied from `source`, in the order they were applied.
    func applied(_ source: String) throws -> [Int64] {
        try database.pool.read {
            try Int64.fetchAll($0, sql: "SELECT seq FROM applied WHERE source = ? ORDER BY rowid", arguments: [source])
        }
    }

    func status(_ source: String) -> EventSourceStatus? {
        subscriber.status().first { $0.source == source }
    }

    /// Stops the subscriber and waits for `run()` to return.
    func stop() async {
        subscriber.stop()
        await task.value
        for client in clients { client.close() }
    }
}
