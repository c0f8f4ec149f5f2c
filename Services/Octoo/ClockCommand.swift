import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo clock set TIME` and `octoo clock advance DURATION`: every service's manual clock moved
/// at once, as the demo moves them, instead of one `SetClock` per service.
struct ClockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock",
        abstract: "Move every service's manual clock at once (services started with --manual-clock).",
        subcommands: [ClockSetCommand.self, ClockAdvanceCommand.self])
}

/// `octoo clock set TIME`.
struct ClockSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set every service's clock to TIME (RFC 3339), firing every timer that falls due.",
        discussion: "Refused, with nothing moved, when a service runs on the system clock or is already past TIME.")

    @Argument(help: "The time, RFC 3339 in UTC, e.g. 2031-01-01T09:00:00Z.")
    var time: String
    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions
    @Option(help: "How long each service may take to fire what falls due, in milliseconds.")
    var timeoutMs: Int = 60_000

    func validate() throws {
        guard Timestamp.parse(time) != nil else {
            throw ValidationError("TIME \(time) is not an RFC 3339 time such as 2031-01-01T09:00:00Z")
        }
        try ServiceClocks.validate(timeoutMs: timeoutMs)
    }

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints(), curve: try curve.keys())
        defer { clients.close() }
        let clocks = ServiceClocks(clients: clients, timeout: .milliseconds(timeoutMs))
        let target = Timestamp.parse(time)!
        try await clocks.set(to: target, after: try await clocks.read())
    }
}

/// `octoo clock advance DURATION`.
struct ClockAdvanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advance",
        abstract: "Move every service's clock DURATION past the furthest one (2h, 30m, 1d12h, 90s).",
        discussion: "Refused, with nothing moved, when a service runs on the system clock.")

    @Argument(help: "How far: whole numbers with units d, h, m or s, e.g. 8h or 1d12h.")
    var duration: String
    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions
    @Option(help: "How long each service may take to fire what falls due, in milliseconds.")
    var timeoutMs: Int = 60_000

    func validate() throws {
        guard ServiceClocks.seconds(duration) != nil else {
            throw ValidationError(
                "DURATION \(duration) must be whole numbers with units d, h, m or s, e.g. 8h or 1d12h")
        }
        try ServiceClocks.validate(timeoutMs: timeoutMs)
    }

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints(), curve: try curve.keys())
        defer { clients.close() }
        let clocks = ServiceClocks(clients: clients, timeout: .milliseconds(timeoutMs))
        let now = try await clocks.read()
        let furthest = now.values.max()!
        try await clocks.set(to: furthest.addingTimeInterval(ServiceClocks.seconds(duration)!), after: now)
    }
}

/// The four services' manual clocks, read and moved together. Each `SetClock` replies once the
/// durable timers it made due have fired, so the services are moved one after the other: the
/// registry first (documents expire), then matching, opportunities (jobs start) and broadcast
/// last (waves close and go out).
struct ServiceClocks {
    static let order = [Registry.service, Matching.service, Opportunities.service, Broadcast.service]

    let clients: BusClients
    let timeout: Duration

    static func validate(timeoutMs: Int) throws {
        guard (1...86_400_000).contains(timeoutMs) else {
            throw ValidationError("--timeout-ms must be from 1 to 86400000")
        }
    }

    /// Each service's time, from its `Health`; an error naming the service when one does not
    /// answer or runs on the system clock, so that nothing is moved unless every clock can be.
    func read() async throws -> [String: Date] {
        var times: [String: Date] = [:]
        for service in Self.order {
            let health: HealthResponse
            do {
                health = try await clients.client(service).health(
                    service, options: CallOptions(timeout: timeout, retry: .none))
            } catch {
                throw ClockError("\(service) does not answer (\(error)): is the system running on these ports?")
            }
            guard health.clock == .manual, let now = health.now else {
                throw ClockError(
                    "\(service) runs on the system clock: start the services with --manual-clock "
                        + "(octoo up --manual-clock) to move their clocks")
            }
            times[service] = now
        }
        return times
    }

    /// Moves every clock to `date`, refused before anything moves when a clock (as `read` found
    /// them) is already past it; prints where the clocks are.
    func set(to date: Date, after times: [String: Date]) async throws {
        if let (service, ahead) = times.filter({ $0.value > date }).min(by: { $0.key < $1.key }) {
            throw ClockError(
                "\(service)'s clock is at \(Timestamp.format(ahead)), past \(Timestamp.format(date)): "
                    + "a clock only moves forward")
        }
        for service in Self.order {
            do {
                _ = try await clients.client(service).setClock(
                    service, to: date, options: CallOptions(timeout: timeout, retry: .none))
            } catch {
                throw ClockError("\(service) did not move (\(error)); the services before it did")
            }
        }
        say("every clock is at \(Timestamp.format(date))")
    }

    /// A duration such as `8h`, `30m`, `1d12h` or `90s`, in seconds; nil when it does not parse or
    /// is not positive.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
        var total = 0.0
        var digits = ""
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let value = Double(digits), digits.count <= 9 {
                total += value * unit
                digits = ""
            } else {
                return nil
            }
        }
        return digits.isEmpty && total > 0 ? total : nil
    }
}

/// Why the clocks could not be moved, in words.
struct ClockError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
