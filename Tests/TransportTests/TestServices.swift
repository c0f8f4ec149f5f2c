import Foundation
import GRDB
import ServiceKit
@_spi(RawDatabase) import Store
import Synchronization
import Transport
import Wire

/// Requests and replies of the test services' methods.
struct SleepRequest: Codable, Sendable { var ms: Int }
struct EchoMessage: Codable, Sendable, Equatable {
    var text: String
    var n: Int
}
struct FlakyRequest: Codable, Sendable {
    var key: String
    var failures: Int
}
struct EmitRequest: Codable, Sendable, Equatable {
    var count: Int
    var label: String
}
struct EmitResponse: Codable, Sendable, Equatable {
    var firstSeq: Int64
    var lastSeq: Int64
}
struct BlobRequest: Codable, Sendable { var bytes: Int }
struct BlobResponse: Codable, Sendable { var text: String }
struct SpinRequest: Codable, Sendable { var ms: Int }
struct BudgetResponse: Codable, Sendable { var remainingMs: Int64? }

/// What the test services observed, for assertions.
final class Observations: Sendable {
    let cancellations = Atomic<Int>(0)
    let sleepsStarted = Atomic<Int>(0)
    let sleepsRunning = Atomic<Int>(0)
    /// The most `Sleep` calls that ran at once.
    let sleepsAtOnce = Atomic<Int>(0)
    let spinsStarted = Atomic<Int>(0)
    let flakyAttempts = Mutex<[String: Int]>([:])
    /// When each `Flaky` attempt reached the handler, per key.
    let flakyArrivals = Mutex<[String: [ContinuousClock.Instant]]>([:])
    let holdsStarted = Atomic<Int>(0)
    let holdsRunning = Atomic<Int>(0)
    /// The most `Hold` calls that ran at once.
    let holdsAtOnce = Atomic<Int>(0)
    /// Ends every `Hold`, and every `Spin` or `Yielder` before its time: the test decides when a
    /// call in flight finishes, instead of guessing how long it takes to look.
    let released = Atomic<Bool>(false)

    func release() { released.store(true, ordering: .releasing) }
}

/// Method descriptors of a test service named `service` (it takes over that service's ports).
enum TestMethods {
    static func sleep(_ service: String) -> MethodDescriptor<SleepRequest, Empty> {
        MethodDescriptor(
            "\(service).Sleep", idempotent: true, roles: nil, summary: "Sleeps ms.", request: JSONSchema.any,
            response: JSONSchema.empty)
    }
    static func hold(_ service: String) -> MethodDescriptor<Empty, Empty> {
        MethodDescriptor(
            "\(service).Hold", idempotent: true, roles: nil, summary: "Answers once the test releases it.",
            request: JSONSchema.any, response: JSONSchema.empty)
    }
    static func echo(_ service: String) -> MethodDescriptor<EchoMessage, EchoMessage> {
        MethodDescriptor(
            "\(service).Echo", idempotent: true, roles: nil, summary: "Echoes.", request: JSONSchema.any,
            response: JSONSchema.any)
    }
    static func flaky(_ service: String) -> MethodDescriptor<FlakyRequest, Empty> {
        MethodDescriptor(
            "\(service).Flaky", idempotent: false, roles: nil, summary: "Fails UNAVAILABLE `failures` times per key.",
            request: JSONSchema.any, response: JSONSchema.empty)
    }
    static func crash(_ service: String) -> MethodDescriptor<Empty, Empty> {
        MethodDescriptor(
            "\(service).Crash", idempotent: false, roles: nil, summary: "Throws a non-RPC error.",
            request: JSONSchema.any, response: JSONSchema.empty)
    }
    static func blob(_ service: String) -> MethodDescriptor<BlobRequest, BlobResponse> {
        MethodDescriptor(
            "\(service).Blob", idempotent: true, roles: nil, summary: "A reply of `bytes` characters.",
            request: JSONSchema.any, response: JSONSchema.any)
    }
    static func spin(_ service: String) -> MethodDescriptor<SpinRequest, Empty> {
        MethodDescriptor(
            "\(service).Spin", idempotent: true, roles: nil,
            summary: "Computes for ms, or until released (off the I/O thread).",
            request: JSONSchema.any, response: JSONSchema.empty)
    }
    static func yielder(_ service: String) -> MethodDescriptor<SpinRequest, Empty> {
        MethodDescriptor(
            "\(service).Yielder", idempotent: true, roles: nil, summary: "Yields in a loop for ms on the I/O thread.",
            request: JSONSchema.any, response: JSONSchema.empty)
    }
    static func budget(_ service: String) -> MethodDescriptor<Empty, BudgetResponse> {
        MethodDescriptor(
            "\(service).Budget", idempotent: true, roles: nil,
            summary: "The caller's remaining budget as the handler sees it.", request: JSONSchema.any,
            response: JSONSchema.any)
    }
    static func emit(_ service: String) -> MethodDescriptor<EmitRequest, EmitResponse> {
        MethodDescriptor(
            "\(service).Emit", idempotent: false, roles: [.partner, .service], summary: "Appends events.",
            request: JSONSchema.any, response: JSONSchema.any)
    }
}

enum TestServices {
    /// A source of events with assorted test methods.
    static func source(_ name: String = "registry", observations: Observations = Observations()) -> ServiceDefinition {
        ServiceDefinition(name: name, durability: .full) { environment in
            ServiceParts { router in
                router.register(TestMethods.sleep(name)) { request, _ in
                    observations.sleepsStarted.add(1, ordering: .relaxed)
                    let running = observations.sleepsRunning.add(1, ordering: .relaxed).newValue
                    observations.sleepsAtOnce.max(running, ordering: .relaxed)
                    defer { observations.sleepsRunning.subtract(1, ordering: .relaxed) }
                    do {
                        try await Task.sleep(for: .milliseconds(request.ms))
                    } catch {
                        observations.cancellations.add(1, ordering: .relaxed)
                        throw error
                    }
                    return Empty()
                }
                router.register(TestMethods.hold(name)) { _, _ in
                    observations.holdsStarted.add(1, ordering: .relaxed)
                    let running = observations.holdsRunning.add(1, ordering: .relaxed).newValue
                    observations.holdsAtOnce.max(running, ordering: .relaxed)
                    defer { observations.holdsRunning.subtract(1, ordering: .relaxed) }
                    while !observations.released.load(ordering: .acquiring) {
                        do {
                            try await Task.sleep(for: .milliseconds(5))
                        } catch {
                            observations.cancellations.add(1, ordering: .relaxed)
                            throw error
                        }
                    }
                    return Empty()
                }
                router.register(TestMethods.echo(name)) { request, _ in request }
                router.register(TestMethods.blob(name)) { request, _ in
                    BlobResponse(text: String(repeating: "x", count: request.bytes))
                }
                // Blocks its thread on purpose, like a long ranking: it must not be the I/O thread.
                router.register(TestMethods.spin(name), executor: .global) { request, _ in
                    observations.spinsStarted.add(1, ordering: .relaxed)
                    let end = ContinuousClock.now + .milliseconds(request.ms)
                    var spins = 0
                    while ContinuousClock.now < end && !observations.released.load(ordering: .relaxed) { spins &+= 1 }
                    return Empty()
                }
                router.register(TestMethods.yielder(name)) { request, _ in
                    observations.spinsStarted.add(1, ordering: .relaxed)
                    let end = ContinuousClock.now + .milliseconds(request.ms)
                    while ContinuousClock.now < end && !observations.released.load(ordering: .relaxed) {
                        await Task.yield()
                    }
                    return Empty()
                }
                router.register(TestMethods.budget(name)) { _, context in
                    BudgetResponse(
                        remainingMs: context.deadline.map {
                            WorkerProtocol.budgetMs(remaining: $0 - ContinuousClock.now)
                        })
                }
                router.register(TestMethods.flaky(name)) { request, _ in
                    observations.flakyArrivals.withLock { $0[request.key, default: []].append(.now) }
                    let attempt = observations.flakyAttempts.withLock { attempts in
                        attempts[request.key, default: 0] += 1
                        return attempts[request.key]!
                    }
                    if attempt <= request.failures { throw RPCError(.unavailable, "not yet (attempt \(attempt))") }
                    return Empty()
                }
                router.register(TestMethods.crash(name)) { _, _ in
                    struct Boom: Error { let secret = "do not leak" }
                    throw Boom()
                }
                router.register(TestMethods.emit(name)) { request, context in
                    guard request.count > 0 else {
                        throw RPCError.invalidArgument(field: "body.count", "must be positive")
                    }
                    let database = environment.database
                    let now = environment.clock.now
                    let partner = context.actor?.partnerId
                    return try await database.mutate(context, request: request, now: now) { db in
                        var seqs: [Int64] = []
                        for index in 0..<request.count {
                            seqs.append(
                                try database.outbox.append(
                                    db, type: "thing.happened", partnerId: partner ?? "p-1", occurredAt: now,
                                    data: ["label": request.label, "index": "\(index)"]))
                        }
                        return EmitResponse(firstSeq: seqs.first!, lastSeq: seqs.last!)
                    }
                }
            }
        }
    }

    /// A consumer of `source`'s events that records every application in its own table.
    /// - Parameters:
    ///   - rebuilds: whether it has a reset hook (which deletes what it applied from the source).
    ///   - refuses: events it fails to apply (while this says so).
    static func consumer(
        _ name: String = "matching", of source: String = "registry", rebuilds: Bool = false,
        refuses: @escaping @Sendable (Event) -> Bool = { _ in false }
    ) -> ServiceDefinition {
        let reset: EventSubscriber.Reset = { db, source in
            try db.execute(sql: "DELETE FROM applied WHERE source = ?", arguments: [source])
        }
        return ServiceDefinition(
            name: name, durability: .normal, migrations: registerApplied(in:)
        ) { _ in
            ServiceParts(
                routes: { _ in },
                events: EventHandling(sources: [source], reset: rebuilds ? reset : nil) { db, event in
                    if refuses(event) { throw RPCError(.internal, "refused \(event.source) \(event.seq)") }
                    try db.execute(
                        sql: "INSERT INTO applied (source, seq) VALUES (?, ?)", arguments: [event.source, event.seq])
                })
        }
    }

    /// The table a consumer records what it applied in.
    static func registerApplied(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("test.v1.applied") { db in
            try db.create(table: "applied") { table in
                table.autoIncrementedPrimaryKey("rowid")
                table.column("source", .text).notNull()
                table.column("seq", .integer).notNull()
            }
        }
    }

    /// The seqs a consumer applied, in the order it applied them.
    static func applied(_ database: ServiceDatabase) throws -> [Int64] {
        try database.pool.read { try Int64.fetchAll($0, sql: "SELECT seq FROM applied ORDER BY rowid") }
    }
}
