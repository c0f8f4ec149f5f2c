import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo demo`: the whole product on a seeded agency, against the system running at the given
/// ports, or on one it starts itself when none answers there.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole product: a seeded agency's requests ranked, broadcast in waves and assigned.",
        discussion: """
            When every service answers at the given ports, the demo runs against that system (which must \
            run with --manual-clock: the demo moves the clocks). When none answers, it starts the bus and \
            the services itself, as octoo up --demo --stop-after-demo would, in --data-dir or a new \
            temporary folder, and stops them afterwards.
            """)

    @Option(help: "Folder for the SQLite files and logs of the system the demo starts (default: a new temporary one).")
    var dataDir: String?
    @OptionGroup var demoOptions: DemoOptions
    @Option(help: "Log level for the processes the demo starts (default warning).")
    var logLevel: String = "warning"
    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions

    func run() async throws {
        let endpoints = try bus.endpoints()
        let report = reporter(json: demoOptions.json)
        let clients = try BusClients(endpoints: endpoints, curve: try curve.keys())
        let rows = await HealthCommand.check(clients, timeout: .seconds(1))
        if rows.allSatisfy({ $0.status == "SERVING" }) {
            defer { clients.close() }
            report("octoo: a system answers at \(endpoints.client("registry")) …: running the demo against it")
            do {
                try await Demo(clients: clients, options: demoOptions).run()
            } catch {
                report("octoo: demo failed: \(error)")
                throw ExitCode(1)
            }
            return
        }
        clients.close()
        guard rows.allSatisfy({ $0.status == "UNREACHABLE" }) else {
            report("octoo: some services answer at these ports and some do not; the demo needs all or none:")
            report(HealthCommand.table(rows))
            throw ExitCode(1)
        }
        let dataDirectory =
            dataDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "octoo-demo-\(UUID().uuidString.prefix(8))"
            )
            .path
        let system = LocalSystem(
            endpoints: endpoints, dataDirectory: dataDirectory, manualClock: true, logLevel: logLevel,
            readyTimeout: 60, keysDirectory: nil, report: report)
        let options = demoOptions
        try await system.run(
            work: { clients in try await Demo(clients: clients, options: options).run() }, stopAfterWork: true)
    }
}

/// How the demo plays, for `octoo demo` and `octoo up --demo`.
struct DemoOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How fast the demo plays: its pauses between scenes and steps are divided by N; 0 means no pauses.",
            valueName: "N"))
    var speed: Double = 1
    @Flag(help: "Print the demo's timeline as JSON on standard output, one object per line.")
    var json = false

    func validate() throws {
        guard !speed.isNaN, speed == 0 || (0.001...1_000_000).contains(speed) else {
            throw ValidationError("--speed must be 0 (no pauses) or from 0.001 to 1000000, not \(speed)")
        }
    }

    /// The pause after a scene or a step, at this speed.
    func pause(_ seconds: Double) async throws {
        guard speed > 0, seconds / speed >= 0.001 else { return }
        try await Task.sleep(for: .seconds(seconds / speed))
    }
}

/// The demo: the system checked, an agency seeded, then its requests through the whole product on
/// the services' manual clocks. Every line it prints comes from a service's reply or event.
struct Demo {
    let clients: BusClients
    let options: DemoOptions

    static let scenes = [
        "The system", "An agency in Chicago", "An on-site job at the hospital, five days out",
        "A team of two captioners for a remote meeting", "An urgent job: a Spanish interpreter in three hours",
        "A court hearing six weeks out", "Eight hours later", "Three days in", "Fifteen days in",
        "Statistics",
    ]

    func run() async throws {
        let timeline = DemoTimeline(json: options.json, sceneCount: Self.scenes.count)
        defer { timeline.finish() }
        var clock = try await DemoClock.start(clients)
        timeline.origin = clock.now
        timeline.beginScene(Self.scenes[0], at: clock.now)
        try await checkSystem(timeline, at: clock.now)
        try await options.pause(1)

        timeline.beginScene(Self.scenes[1], at: clock.now)
        let partnerId = "demo-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let started = ContinuousClock.now
        let partner = try await DemoPartner.seed(clients, partnerId: partnerId, now: clock.now)
        let run = try await DemoRun(
            clients: clients, timeline: timeline, clock: clock, partner: partner, options: options)
        try await run.seeded(took: ContinuousClock.now - started)
        try await options.pause(1)

        try await run.hospitalJob(Self.scenes[2])
        try await run.teamOfTwo(Self.scenes[3])
        try await run.urgentJob(Self.scenes[4])
        try await run.farFuture(Self.scenes[5])
        try await run.eightHoursLater(Self.scenes[6])
        try await run.threeDaysIn(Self.scenes[7])
        try await run.fifteenDaysIn(Self.scenes[8])
        try await run.statistics(Self.scenes[9])
        clock = run.clock
        timeline.emit(
            DemoEntry(
                kind: .done, scene: timeline.scene, at: clock.now,
                text: "demo done: partner \(partnerId), \(Self.scenes.count) scenes"))
    }

    /// Every service answers the common methods, and bad input gets a clear error.
    private func checkSystem(_ timeline: DemoTimeline, at now: Date) async throws {
        var entries: [DemoEntry] = []
        for service in BusEndpoints.services {
            let client = try clients.client(service)
            let health = try await client.health(service)
            let described = try await client.describe(service)
            entries.append(
                DemoEntry(
                    kind: .note, scene: timeline.scene, at: now,
                    text: "\(service): \(health.status.rawValue), protocol v\(described.protocolVersion), "
                        + "\(described.methods.count) methods, clock set to the demo's start"))
        }
        do {
            _ = try await clients.client("registry").callJSON(
                method: "registry.ReadEvents", body: .object(["limit": .string("many")]), actor: .system)
        } catch let error as RPCError {
            entries.append(
                DemoEntry(
                    kind: .note, scene: timeline.scene, at: now,
                    text: "bad input: registry.ReadEvents {\"limit\": \"many\"} → \(error)"))
        }
        timeline.emit(entries)
    }
}
