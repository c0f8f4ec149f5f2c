import ArgumentParser
import Foundation
import Logging
import Store
import Transport
import Wire
import ZeroMQ

/// Everything a service process is configured with.
public struct ServiceConfiguration: Sendable {
    /// `registry`, `matching`, `broadcast` or `opportunities`.
    public var service: String
    /// Where the bus is.
    public var endpoints: BusEndpoints
    /// Folder holding the service's SQLite file (`<service>.sqlite`).
    public var dataDirectory: String
    public var logLevel: Logger.Level
    /// Requests handled at once before `RESOURCE_EXHAUSTED`.
    public var maxInFlight: Int
    /// Largest accepted JSON payload.
    public var maxMessageBytes: Int
    /// Whether `SetClock` may move the clock (tests, demo).
    public var manualClock: Bool
    /// Names this process in `Health` and logs.
    public var instance: String
    /// How long shutdown waits for in-flight calls.
    public var drainTimeout: Duration
    /// How long without events before a subscriber asks its sources for anything it missed.
    public var eventCatchUpInterval: Duration
    /// How often the worker and the bus exchange heartbeats (the bus must use the same).
    public var heartbeatInterval: Duration
    /// How long an `idempotencyKey` is honoured (by the service clock).
    public var idempotencyRetention: Duration
    /// CURVE credentials for the bus; `ServiceRunner` gives them to the process's context, so that
    /// every socket to the bus presents them. Nil: no security (loopback).
    public var curve: CurveClientKeys?

    public init(
        service: String, endpoints: BusEndpoints = .tcp(), dataDirectory: String = "data",
        logLevel: Logger.Level = .info,
        maxInFlight: Int = 64, maxMessageBytes: Int = LengthPrefixedFrame.defaultMaxMessageBytes,
        manualClock: Bool = false,
        instance: String? = nil, drainTimeout: Duration = .seconds(10), eventCatchUpInterval: Duration = .seconds(5),
        heartbeatInterval: Duration = WorkerProtocol.defaultHeartbeatInterval,
        idempotencyRetention: Duration = ServiceDatabase.defaultIdempotencyRetention, curve: CurveClientKeys? = nil
    ) {
        self.service = service
        self.endpoints = endpoints
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.maxInFlight = maxInFlight
        self.maxMessageBytes = maxMessageBytes
        self.manualClock = manualClock
        self.instance =
            instance ?? "\(service)-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        self.drainTimeout = drainTimeout
        self.eventCatchUpInterval = eventCatchUpInterval
        self.heartbeatInterval = heartbeatInterval
        self.idempotencyRetention = idempotencyRetention
        self.curve = curve
    }

    /// The service's SQLite file.
    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("\(service).sqlite") }
}

/// Reads `OCTOO_*` variables, failing with the variable named when a value does not parse.
public struct Environment: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) { self.values = values }

    public func string(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError("\(name)=\(text) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func flag(_ name: String) throws -> Bool? {
        guard let text = string(name)?.lowercased() else { return nil }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValidationError("\(name)=\(text) must be true or false")
        }
    }
}

/// Where the bus is: flags, else `OCTOO_*` variables, else PROTOCOL §1's defaults.
public struct BusOptions: ParsableArguments, Sendable {
    @Option(help: "Host of the bus (env OCTOO_BUS_HOST; default 127.0.0.1).")
    public var busHost: String?
    @Option(help: "Bus port publishers connect to (env OCTOO_EVENTS_PUBLISH_PORT; default 7100).")
    public var eventsPublishPort: Int?
    @Option(help: "Bus port subscribers connect to (env OCTOO_EVENTS_SUBSCRIBE_PORT; default 7200).")
    public var eventsSubscribePort: Int?
    @Option(help: "Registry client port (env OCTOO_REGISTRY_PORT; default 7101).")
    public var registryPort: Int?
    @Option(help: "Registry worker port (env OCTOO_REGISTRY_WORKER_PORT; default 7201).")
    public var registryWorkerPort: Int?
    @Option(help: "Matching client port (env OCTOO_MATCHING_PORT; default 7102).")
    public var matchingPort: Int?
    @Option(help: "Matching worker port (env OCTOO_MATCHING_WORKER_PORT; default 7202).")
    public var matchingWorkerPort: Int?
    @Option(help: "Broadcast client port (env OCTOO_BROADCAST_PORT; default 7103).")
    public var broadcastPort: Int?
    @Option(help: "Broadcast worker port (env OCTOO_BROADCAST_WORKER_PORT; default 7203).")
    public var broadcastWorkerPort: Int?
    @Option(help: "Opportunities client port (env OCTOO_OPPORTUNITIES_PORT; default 7104).")
    public var opportunitiesPort: Int?
    @Option(help: "Opportunities worker port (env OCTOO_OPPORTUNITIES_WORKER_PORT; default 7204).")
    public var opportunitiesWorkerPort: Int?

    public init() {}

    /// The endpoints these options and `environment` describe.
    public func endpoints(_ environment: Environment = Environment()) throws -> BusEndpoints {
        func port(_ flag: Int?, _ variable: String, _ fallback: Int) throws -> Int {
            if let flag {
                guard (1...65535).contains(flag) else { throw ValidationError("port \(flag) must be from 1 to 65535") }
                return flag
            }
            return try environment.integer(variable, in: 1...65535) ?? fallback
        }
        let host = busHost ?? environment.string("OCTOO_BUS_HOST") ?? "127.0.0.1"
        var rpc: [String: BusEndpoints.RPCPorts] = [:]
        // A service without flags of its own here still takes its OCTOO_<NAME>_PORT variables.
        let flags: [String: (client: Int?, worker: Int?)] = [
            "registry": (registryPort, registryWorkerPort), "matching": (matchingPort, matchingWorkerPort),
            "broadcast": (broadcastPort, broadcastWorkerPort),
            "opportunities": (opportunitiesPort, opportunitiesWorkerPort),
        ]
        for entry in ServiceCatalogue.busWorkers {
            guard let defaults = entry.ports else { continue }
            let (service, upper) = (entry.name, entry.name.uppercased())
            rpc[service] = BusEndpoints.RPCPorts(
                client: try port(flags[service]?.client, "OCTOO_\(upper)_PORT", defaults.client),
                worker: try port(flags[service]?.worker, "OCTOO_\(upper)_WORKER_PORT", defaults.worker))
        }
        return BusEndpoints(
            kind: .tcp(host: host),
            eventsPublishPort: try port(eventsPublishPort, "OCTOO_EVENTS_PUBLISH_PORT", 7100),
            eventsSubscribePort: try port(eventsSubscribePort, "OCTOO_EVENTS_SUBSCRIBE_PORT", 7200),
            rpc: rpc)
    }
}

extension ServiceOptions {
    /// `--heartbeat-ms`, else `OCTOO_HEARTBEAT_MS`, else 1000: shared by the bus and the workers.
    public static func heartbeatMs(_ flag: Int?, _ environment: Environment) throws -> Int {
        let range = 50...60_000
        if let flag {
            guard range.contains(flag) else { throw ValidationError("--heartbeat-ms must be from 50 to 60000") }
            return flag
        }
        return try environment.integer("OCTOO_HEARTBEAT_MS", in: range) ?? 1000
    }
}

/// A service process's options: flags, else `OCTOO_*` variables, else defaults.
public struct ServiceOptions: ParsableArguments, Sendable {
    @OptionGroup public var bus: BusOptions
    @Option(help: "Folder for the SQLite file (env OCTOO_DATA_DIR; default ./data).")
    public var dataDir: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (env OCTOO_LOG_LEVEL; default info).")
    public var logLevel: String?
    @Option(help: "Requests handled at once before RESOURCE_EXHAUSTED (env OCTOO_MAX_IN_FLIGHT; default 64).")
    public var maxInFlight: Int?
    @Option(help: "Largest accepted JSON payload in bytes (env OCTOO_MAX_MESSAGE_BYTES; default 1048576).")
    public var maxMessageBytes: Int?
    @Flag(help: "Let <service>.SetClock move this service's clock (env OCTOO_MANUAL_CLOCK=1; tests and demo only).")
    public var manualClock = false
    @Option(help: "Instance name shown by Health (env OCTOO_INSTANCE; default service-host-pid).")
    public var instance: String?
    @Option(
        help: "Heartbeat interval with the bus in ms, the same as the bus's (env OCTOO_HEARTBEAT_MS; default 1000).")
    public var heartbeatMs: Int?
    @Option(help: "Hours an idempotency key is honoured (env OCTOO_IDEMPOTENCY_RETENTION_HOURS; default 168).")
    public var idempotencyRetentionHours: Int?
    @OptionGroup public var curve: CurveClientOptions

    /// The range `--idempotency-retention-hours` takes: an hour to ten years.
    static let idempotencyRetentionHoursRange = 1...87_600

    public init() {}

    /// The configuration of `service` these options and `environment` describe.
    public func configuration(service: String, _ environment: Environment = Environment()) throws
        -> ServiceConfiguration
    {
        let levelText = logLevel ?? environment.string("OCTOO_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError(
                "log level \(levelText) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let maxInFlight, !(1...100_000).contains(maxInFlight) {
            throw ValidationError("--max-in-flight must be from 1 to 100000")
        }
        if let maxMessageBytes, !(64...(256 << 20)).contains(maxMessageBytes) {
            throw ValidationError("--max-message-bytes must be from 64 to \(256 << 20)")
        }
        let retentionRange = Self.idempotencyRetentionHoursRange
        if let idempotencyRetentionHours, !retentionRange.contains(idempotencyRetentionHours) {
            let (lowest, highest) = (retentionRange.lowerBound, retentionRange.upperBound)
            throw ValidationError("--idempotency-retention-hours must be from \(lowest) to \(highest)")
        }
        let retentionHours =
            try idempotencyRetentionHours
            ?? environment.integer("OCTOO_IDEMPOTENCY_RETENTION_HOURS", in: retentionRange) ?? 168
        return ServiceConfiguration(
            service: service,
            endpoints: try bus.endpoints(environment),
            dataDirectory: dataDir ?? environment.string("OCTOO_DATA_DIR") ?? "data",
            logLevel: level,
            maxInFlight: try maxInFlight ?? environment.integer("OCTOO_MAX_IN_FLIGHT", in: 1...100_000) ?? 64,
            maxMessageBytes: try maxMessageBytes ?? environment.integer("OCTOO_MAX_MESSAGE_BYTES", in: 64...(256 << 20))
                ?? LengthPrefixedFrame.defaultMaxMessageBytes,
            manualClock: try manualClock || (environment.flag("OCTOO_MANUAL_CLOCK") ?? false),
            instance: instance ?? environment.string("OCTOO_INSTANCE"),
            heartbeatInterval: .milliseconds(try Self.heartbeatMs(heartbeatMs, environment)),
            idempotencyRetention: .seconds(retentionHours * 3600),
            curve: try curve.keys(environment))
    }
}
