import Foundation
import GRDB
import Logging
import OctooTesting
import ServiceKit
import ServiceLifecycle
@_spi(RawDatabase) import Store
import Testing

@Suite("Durable timers (the shared TimerService)")
struct TimerServiceTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A database with a table the timers' handler writes to.
    static func database() throws -> ServiceDatabase {
        let path = (TestDirectories.make("timers") as NSString).appendingPathComponent("timers.sqlite")
        return try ServiceDatabase(
            path: path, source: "timers", durability: .normal,
            migrations: { migrator in
                migrator.registerMigration("test.v1.fired") { db in
                    try db.create(table: "fired") { table in
                        table.column("key", .text).notNull()
                    }
                }
            })
    }

    static func service(_ database: ServiceDatabase, clock: any ServiceClock) -> TimerService {
        TimerService(
            database: database, clock: clock,
            handlers: [
                "test.ping": { db, timer in
                    try db.execute(sql: "INSERT INTO fired (key) VALUES (?)", arguments: [timer.key])
                }
            ],
            logger: Logger(label: "test.timers"))
    }

    static func fired(_ database: ServiceDatabase) throws -> [String] {
        try database.pool.read { try String.fetchAll($0, sql: "SELECT key FROM fired ORDER BY rowid") }
    }

    @Test func setClockFiresWhatFellDueOnceAndInOrder() async throws {
        let database = try Self.database()
        let clock = ManualClock(start: Self.start)
        let timers = Self.service(database, clock: clock)
        try await database.pool.write { db in
            try DurableTimer.schedule(
                db, DurableTimer(kind: "test.ping", key: "b", dueAt: Self.start.addingTimeInterval(120)))
            try DurableTimer.schedule(
                db, DurableTimer(kind: "test.ping", key: "a", dueAt: Self.start.addingTimeInterval(60)))
            try DurableTimer.schedule(
                db, DurableTimer(kind: "test.ping", key: "c", dueAt: Self.start.addingTimeInterval(3600)))
        }
        try await clock.set(Self.start.addingTimeInterval(150))
        #expect(try Self.fired(database) == ["a", "b"])
        #expect(try await timers.fireDue(now: clock.now) == 0)
        #expect(try await database.pool.read { try DurableTimer.fetchCount($0) } == 1)
    }

    @Test func aTimerThatFellDueWhileDownFiresAtStartUp() async throws {
        let database = try Self.database()
        try await database.pool.write { db in
            try DurableTimer.schedule(
                db, DurableTimer(kind: "test.ping", key: "late", dueAt: Date().addingTimeInterval(-3600)))
        }
        let timers = Self.service(database, clock: SystemClock())
        let running = Task { try await timers.run() }
        try await eventually("the late timer fired") { try !Self.fired(database).isEmpty }
        #expect(try Self.fired(database) == ["late"])
        timers.stop()
        try await running.value
    }

    @Test func aSiblingThatThrowsEndsTheGroupAndTheLoopStopsTurning() async throws {
        struct Boom: Error {}
        struct Failing: Service {
            func run() async throws {
                try await Task.sleep(for: .milliseconds(100))
                throw Boom()
            }
        }
        let database = try Self.database()
        let timers = Self.service(database, clock: SystemClock())
        var logger = Logger(label: "test.group")
        logger.logLevel = .critical
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: timers), .init(service: Failing())], logger: logger))
        await #expect(throws: Boom.self) { try await group.run() }
        let turns = timers.loopTurns
        // Nothing to wait for here: a window in which a loop left running would turn.
        try await Task.sleep(for: .milliseconds(300))
        #expect(timers.loopTurns == turns, "the timer loop kept turning after the group ended")
    }
}

@Suite("One database file opened by several replicas at once")
struct SharedDatabaseFileTests {
    @Test func replicasOpeningTheSameNewFileTogetherAllMigrateCleanly() async throws {
        let path = (TestDirectories.make("replicas") as NSString).appendingPathComponent("matching.sqlite")
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    do {
                        let database = try ServiceDatabase(path: path, source: "matching", durability: .normal)
                        try database.pool.close()
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failures: [String] = []
            for await outcome in group { if let outcome { failures.append(outcome) } }
            return failures
        }
        #expect(outcomes.isEmpty, "\(outcomes)")
    }
}
