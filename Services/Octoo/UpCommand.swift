import ArgumentParser
import Foundation
import ServiceKit
import Transport

/// `octoo up`: the whole system in the foreground, restarting a child that dies, until Ctrl-C.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the bus and every service as child processes until Ctrl-C or SIGTERM.",
        discussion: """
            A child that exits on its own is restarted after 0.5 s, doubling to 10 s while it keeps \
            exiting within 30 s of starting. One that exits 5 times within 60 s stops everything (exit 1).
            """)

    @Option(help: "Folder for the SQLite files and logs (env OCTOO_DATA_DIR; default ./data).")
    var dataDir: String?
    @Flag(help: "Start every service on the settable clock (<service>.SetClock); --demo implies it.")
    var manualClock = false
    @Flag(help: "Run the demo once everything is up.")
    var demo = false
    @Flag(help: "Stop everything after the demo instead of waiting for Ctrl-C (for scripts).")
    var stopAfterDemo = false
    @OptionGroup var demoOptions: DemoOptions
    @Option(help: "Log level for every process (env OCTOO_LOG_LEVEL; default info).")
    var logLevel: String?
    @Option(help: "Seconds to wait for every service to answer Health.")
    var readyTimeout: Int = 60
    @OptionGroup var bus: BusOptions
    @Option(
        help: """
            Folder of keys from octoo keys: CURVE on every connection, the bus taking bus.key and \
            authorized_keys, each service bus.pub and <service>.key, octoo itself cli.key (env OCTOO_KEYS_DIR).
            """)
    var keys: String?

    func validate() throws {
        if stopAfterDemo && !demo { throw ValidationError("--stop-after-demo needs --demo") }
    }

    func run() async throws {
        let environment = Environment()
        let dataDirectory = URL(fileURLWithPath: dataDir ?? environment.string("OCTOO_DATA_DIR") ?? "data")
            .standardizedFileURL.path
        // The demo's JSON log owns standard output; octoo's own lines move to standard error.
        let json = demo && demoOptions.json
        let system = LocalSystem(
            endpoints: try bus.endpoints(environment), dataDirectory: dataDirectory,
            manualClock: manualClock || demo, logLevel: logLevel, readyTimeout: readyTimeout,
            keysDirectory: (keys ?? environment.string("OCTOO_KEYS_DIR")).map {
                URL(fileURLWithPath: $0).standardizedFileURL.path
            },
            report: reporter(json: json))
        let options = demoOptions
        try await system.run(
            work: demo ? { clients in try await Demo(clients: clients, options: options).run() } : nil,
            stopAfterWork: stopAfterDemo)
    }
}
