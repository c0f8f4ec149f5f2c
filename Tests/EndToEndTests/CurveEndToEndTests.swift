import Contracts
import Foundation
import OctooTesting
import Testing
import Transport
import Wire
import ZeroMQ

/// CURVE end to end with the real executables: keys from `octoo keys`, the bus admitting only the
/// keys its authorized_keys lists, and what a listed, an unlisted and a plain peer each get.
@Suite("CURVE and the bus's allow-list", .serialized)
struct CurveEndToEndTests {
    /// Keys written by `octoo keys` into a folder.
    struct Keys {
        let folder: String

        /// Runs `octoo keys --out folder` (with `components`, when given).
        static func generate(in folder: String, components: [String]? = nil) async throws -> Keys {
            let arguments =
                ["keys", "--out", folder] + (components.map { ["--components", $0.joined(separator: ",")] } ?? [])
            let outcome = try await DemoEndToEndTests.octoo(arguments, timeout: .seconds(60))
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return Keys(folder: folder)
        }

        func path(_ file: String) -> String { (folder as NSString).appendingPathComponent(file) }

        /// What a client named `name` presents to the bus whose keys are in `bus`.
        func client(_ name: String, bus: Keys) throws -> CurveClientKeys {
            CurveClientKeys(
                serverKey: try CurveKeyFile.readPublicKey(bus.path("bus.pub")),
                keyPair: try CurveKeyFile.readSecretKey(path("\(name).key")))
        }

        /// The bus's flags, with `authorizedKeys` instead of the folder's own list when given.
        func busArguments(authorizedKeys: String? = nil) -> [String] {
            [
                "--curve-secret-key-file", path("bus.key"), "--curve-authorized-keys",
                authorizedKeys ?? path("authorized_keys"), "--log-level", "info",
            ]
        }

        /// A client's flags: the bus's public key from `bus`, its own secret key from this folder.
        func clientArguments(_ name: String, bus: Keys) -> [String] {
            ["--curve-server-key-file", bus.path("bus.pub"), "--curve-secret-key-file", path("\(name).key")]
        }
    }

    /// A client of `service` on its own context, presenting `curve` (nil: no CURVE at all).
    static func client(_ system: ExecutableSystem, _ service: String, curve: CurveClientKeys?) throws -> RPCClient {
        try RPCClient(
            context: try ZeroMQ.Context(curveClient: curve), endpoint: system.endpoints.client(service),
            defaultOptions: .patient())
    }

    /// A short, bounded call that a peer without service cannot complete.
    static let refusedCall = CallOptions(timeout: .milliseconds(1500), retry: .none)

    static func code(_ call: () async throws -> Void) async -> StatusCode? {
        do {
            try await call()
            return .ok
        } catch let error as RPCError {
            return error.code
        } catch {
            return nil
        }
    }

    /// Polls `name`'s log until it holds `text` `count` times, within a generous bound.
    static func waitForLog(
        _ system: ExecutableSystem, _ name: String, _ text: String, count: Int = 1
    ) async throws -> Bool {
        do {
            try await eventually("\(count) × \(text) in the log of \(name)") {
                system.log(name).components(separatedBy: text).count - 1 >= count
            }
            return true
        } catch {
            return false
        }
    }

    static func registryCounters(_ client: RPCClient) async throws -> BusServiceStatus {
        let status = try await client.busStatus(options: .patient(retry: .none))
        return try #require(status.services.first { $0.service == "registry" })
    }

    @Test func listedKeysAreServedAndAnUnlistedOrAPlainClientGetsNothing() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let rogue = try await Keys.generate(in: scratch + "/rogue", components: ["rogue"])
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus(arguments: keys.busArguments())
            try system.start("registry", arguments: keys.clientArguments("registry", bus: keys))
            // The listed service serves and the listed client (cli.key) is answered.
            try await system.waitUntilServing("registry")
            let listed = try system.client("registry")
            defer { listed.close() }
            #expect(try await listed.health("registry").status == .serving)
            let before = try await Self.registryCounters(listed)

            let unlisted = try Self.client(system, "registry", curve: try rogue.client("rogue", bus: keys))
            defer { unlisted.close() }
            #expect(
                await Self.code { _ = try await unlisted.health("registry", options: Self.refusedCall) }
                    == .deadlineExceeded)
            let plain = try Self.client(system, "registry", curve: nil)
            defer { plain.close() }
            #expect(
                await Self.code { _ = try await plain.health("registry", options: Self.refusedCall) }
                    == .deadlineExceeded)

            // The bus never took their requests: nothing more was dispatched or queued.
            let after = try await Self.registryCounters(listed)
            #expect(after.dispatched == before.dispatched)
            #expect(after.queueDepth == 0 && after.expiredInQueue == before.expiredInQueue)
            // The ZAP handler refused the unlisted key, and said so once however often it retried.
            let rogueKey = try CurveKeyFile.readPublicKey(rogue.path("rogue.pub"))
            #expect(try await Self.waitForLog(system, "octoo-bus", rogueKey))
            #expect(system.log("octoo-bus").components(separatedBy: rogueKey).count - 1 == 1)
            #expect(!system.log("octoo-bus").contains("non-loopback"))

            // The CLI's health checks, as a container runs them: 0 with listed keys, 1 without.
            let common = system.commonArguments + ["--timeout-ms", "1500"]
            let healthy = try await DemoEndToEndTests.octoo(
                ["health", "--service", "registry"] + common + keys.clientArguments("cli", bus: keys),
                timeout: .seconds(60))
            #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
            let refused = try await DemoEndToEndTests.octoo(
                ["health", "--service", "registry"] + common + rogue.clientArguments("rogue", bus: keys),
                timeout: .seconds(60))
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            let busStatus = try await DemoEndToEndTests.octoo(
                ["bus"] + common + keys.clientArguments("cli", bus: keys), timeout: .seconds(60))
            #expect(busStatus.status == 0, "\(busStatus.stdout)\(busStatus.stderr)")
            let plainBusStatus = try await DemoEndToEndTests.octoo(["bus"] + common, timeout: .seconds(60))
            #expect(plainBusStatus.status == 1)
            #expect(await system.terminate("registry") == 0)
            #expect(await system.terminate("octoo-bus") == 0, "\(system.log("octoo-bus"))")
        }
    }

    @Test func aWorkerWithAnUnlistedKeyNeverGetsARequest() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let rogue = try await Keys.generate(in: scratch + "/rogue", components: ["rogue"])
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus(arguments: keys.busArguments())
            try system.start(
                "registry", as: "rogue-registry",
                arguments: ["--data-dir", scratch + "/rogue-data", "--instance", "rogue-registry"]
                    + rogue.clientArguments("rogue", bus: keys))
            // It tried, and the bus refused it.
            let rogueKey = try CurveKeyFile.readPublicKey(rogue.path("rogue.pub"))
            #expect(try await Self.waitForLog(system, "octoo-bus", rogueKey))
            let client = try system.client("registry")
            defer { client.close() }
            #expect(
                await Self.code { _ = try await client.health("registry", options: Self.refusedCall) }
                    == .deadlineExceeded)
            let counters = try await Self.registryCounters(client)
            #expect(counters.workers.isEmpty)
            #expect(counters.dispatched == 0)

            // A listed worker beside it gets every request.
            try system.start(
                "registry", as: "listed-registry",
                arguments: ["--instance", "listed-registry"] + keys.clientArguments("registry", bus: keys))
            try await system.waitUntilServing("registry")
            for _ in 0..<10 { #expect(try await client.health("registry").instance == "listed-registry") }
            #expect(try await Self.registryCounters(client).workers.map(\.instance) == ["listed-registry"])
        }
    }

    @Test func aListedKeyServesOnlyTheServiceItsRolesName() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus(arguments: keys.busArguments())
            // The CLI's key and matching's key are listed, but neither may serve the registry.
            for name in ["cli", "matching"] {
                try system.start(
                    "registry", as: "\(name)-registry",
                    arguments: ["--data-dir", scratch + "/\(name)-data", "--instance", "\(name)-registry"]
                        + keys.clientArguments(name, bus: keys))
            }
            #expect(try await Self.waitForLog(system, "octoo-bus", "roles do not allow this socket", count: 2))
            let client = try system.client("registry")
            defer { client.close() }
            #expect(
                await Self.code { _ = try await client.health("registry", options: Self.refusedCall) }
                    == .deadlineExceeded)
            #expect(try await Self.registryCounters(client).workers.isEmpty)
        }
    }

    @Test func aKeyClaimsOnlyTheActorRolesItWasGiven() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus(arguments: keys.busArguments())
            try system.start("registry", arguments: keys.clientArguments("registry", bus: keys))
            try await system.waitUntilServing("registry")
            let partner = Actor(role: .partner, partnerId: "p-roles")
            let body = ListProvidersRequest()
            // Matching's key calls other services as `service`, never as a partner.
            let matching = try Self.client(system, "registry", curve: try keys.client("matching", bus: keys))
            defer { matching.close() }
            #expect(
                await Self.code {
                    _ = try await matching.call(Registry.listProviders, body, actor: partner)
                } == .permissionDenied)
            #expect(
                await Self.code {
                    _ = try await matching.call(
                        Registry.listProviders, body, actor: Actor(role: .service, partnerId: "p-roles"))
                } == .ok)
            // The registry's own key calls only what needs no actor (its health check).
            let registry = try Self.client(system, "registry", curve: try keys.client("registry", bus: keys))
            defer { registry.close() }
            #expect(try await registry.health("registry").status == .serving)
            #expect(
                await Self.code {
                    _ = try await registry.call(Registry.listProviders, body, actor: Actor(role: .service))
                } == .permissionDenied)
            // An actor written so the bus's quick scan cannot read it is read in full, and refused alike.
            let raw =
                #"{"id":"e1","method":"registry.ListProviders","actor":{"role":"\u0070artner","partnerId":"p"},"body":{}}"#
            let replies = try await ExecutablesTests.raw(
                try ZeroMQ.Context(curveClient: try keys.client("matching", bus: keys)),
                endpoint: system.endpoints.client("registry"), frames: [LengthPrefixedFrame.encode(Array(raw.utf8))])
            #expect(replies.map(\.code) == ["PERMISSION_DENIED"])
            // The operator's key may act as a partner.
            #expect(
                await Self.code {
                    _ = try await system.client("registry").call(Registry.listProviders, body, actor: partner)
                } == .ok)
        }
    }

    @Test func eventsPassOnlyFromTheirSourcesKeyAndOnlyToSubscribers() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            try system.startBus(arguments: keys.busArguments())
            func socket(_ type: SocketType, _ name: String) throws -> (Socket, ZeroMQ.Context) {
                let context = try ZeroMQ.Context(curveClient: try keys.client(name, bus: keys))
                let socket = try Socket(context: context, type: type)
                try socket.setLinger(ms: 0)
                return (socket, context)
            }
            let (publisher, publisherContext) = try socket(.pub, "registry")
            try publisher.connect(system.endpoints.eventsPublish)
            let (subscriber, subscriberContext) = try socket(.sub, "cli")
            try subscriber.subscribe(prefix: "")
            try subscriber.connect(system.endpoints.eventsSubscribe)
            // The registry's key is no subscriber: its subscription never completes.
            let (outsider, outsiderContext) = try socket(.sub, "registry")
            try outsider.subscribe(prefix: "")
            try outsider.connect(system.endpoints.eventsSubscribe)
            defer {
                for socket in [publisher, subscriber, outsider] { socket.close(lingerMs: 0) }
                _ = (publisherContext, subscriberContext, outsiderContext)
            }
            // Each round sends a forged matching event, then one of the registry's own, on one
            // connection: the bus keeps their order, so once the registry's arrives, the forged
            // one would have been seen before it had it been let through.
            var received: [String] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while !received.contains("registry.provider.upserted"), ContinuousClock.now < deadline {
                _ = try publisher.send([Array("matching.settings.set".utf8), Array("{}".utf8)])
                _ = try publisher.send([Array("registry.provider.upserted".utf8), Array("{}".utf8)])
                try await Task.sleep(for: .milliseconds(20))
                while let frames = try subscriber.receive(dontWait: true) {
                    received.append(String(decoding: frames[0], as: UTF8.self))
                }
            }
            #expect(received.contains("registry.provider.upserted"))
            #expect(!received.contains("matching.settings.set"), "\(received)")
            #expect(try outsider.receive(dontWait: true) == nil)
            #expect(try await Self.waitForLog(system, "octoo-bus", "may not publish"))
        }
    }

    @Test func sighupRereadsTheAllowListAndKeepsItWhenTheNewOneIsBad() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let rogue = try await Keys.generate(in: scratch + "/rogue", components: ["rogue"])
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            let list = scratch + "/authorized_keys"
            let original = try String(contentsOfFile: keys.path("authorized_keys"), encoding: .utf8)
            try original.write(toFile: list, atomically: true, encoding: .utf8)
            let bus = try system.start("octoo-bus", arguments: keys.busArguments(authorizedKeys: list), service: false)
            try system.start("registry", arguments: keys.clientArguments("registry", bus: keys))
            try await system.waitUntilServing("registry")
            let rogueKeys = try rogue.client("rogue", bus: keys)
            /// What a new connection with the rogue key gets.
            func rogueCall(_ options: CallOptions) async throws -> StatusCode? {
                let client = try Self.client(system, "registry", curve: rogueKeys)
                defer { client.close() }
                return await Self.code { _ = try await client.health("registry", options: options) }
            }
            #expect(try await rogueCall(Self.refusedCall) == .deadlineExceeded)

            let rogueLine = try String(contentsOfFile: rogue.path("rogue.pub"), encoding: .utf8)
                .replacingOccurrences(of: " #", with: " client #")
            try (original + rogueLine).write(toFile: list, atomically: true, encoding: .utf8)
            kill(bus.processIdentifier, SIGHUP)
            #expect(try await Self.waitForLog(system, "octoo-bus", "authorized keys reloaded"))
            #expect(try await rogueCall(.patient()) == .ok)

            // A list that no longer parses is refused; the one in force stays.
            try (original + "not a key\n").write(toFile: list, atomically: true, encoding: .utf8)
            kill(bus.processIdentifier, SIGHUP)
            #expect(try await Self.waitForLog(system, "octoo-bus", "not reloaded"))
            #expect(system.log("octoo-bus").contains("\(list):\(original.split(separator: "\n").count + 1)"))
            #expect(try await rogueCall(.patient()) == .ok)

            try original.write(toFile: list, atomically: true, encoding: .utf8)
            kill(bus.processIdentifier, SIGHUP)
            #expect(try await Self.waitForLog(system, "octoo-bus", "authorized keys reloaded", count: 2))
            #expect(try await rogueCall(Self.refusedCall) == .deadlineExceeded)
            #expect(try await system.client("registry").health("registry").status == .serving)
        }
    }

    @Test func aBadKeyFileStopsTheProcessAtStartNamingTheFile() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let system = try ExecutableSystem()
        try await tearingDown(teardown: system.shutdown) {
            let list = scratch + "/authorized_keys"
            let original = try String(contentsOfFile: keys.path("authorized_keys"), encoding: .utf8)
            try ("garbage\n" + original).write(toFile: list, atomically: true, encoding: .utf8)
            let missing = scratch + "/missing.key"
            let cases: [(name: String, executable: String, arguments: [String], says: String)] = [
                ("bad-list", "octoo-bus", keys.busArguments(authorizedKeys: list), "\(list):1:"),
                (
                    "half-bus", "octoo-bus", ["--curve-secret-key-file", keys.path("bus.key")],
                    "--curve-authorized-keys"
                ),
                (
                    "no-secret", "registry",
                    ["--curve-server-key-file", keys.path("bus.pub"), "--curve-secret-key-file", missing], missing
                ),
                (
                    "half-client", "registry", ["--curve-server-key-file", keys.path("bus.pub")],
                    "--curve-secret-key-file"
                ),
            ]
            for item in cases {
                let process = try system.start(
                    item.executable, as: item.name, arguments: item.arguments, service: item.executable != "octoo-bus")
                _ = try? await eventually("\(item.name) exited") { !process.isRunning }
                #expect(!process.isRunning, "\(item.name) still runs")
                #expect(process.isRunning || process.terminationStatus != 0, "\(item.name)")
                #expect(system.log(item.name).contains(item.says), "\(item.name): \(system.log(item.name))")
            }
        }
    }

    @Test func upWithAKeysFolderRunsEverythingOverCurve() async throws {
        let scratch = TestDirectories.make("curve")
        let keys = try await Keys.generate(in: scratch + "/keys")
        let system = try ExecutableSystem(curve: try keys.client("cli", bus: keys))
        try await tearingDown(teardown: system.shutdown) {
            let up = try RunningOctoo(
                ["up", "--keys", keys.folder, "--data-dir", system.dataDirectory] + system.commonArguments)
            defer { up.kill() }
            // octoo up itself reached every service's Health through the bus with cli.key.
            try #require(await up.waitFor("octoo: ready"), "\(up.output)")
            let listed = try system.client("matching")
            defer { listed.close() }
            #expect(try await listed.health("matching").status == .serving)
            let plain = try Self.client(system, "matching", curve: nil)
            defer { plain.close() }
            #expect(
                await Self.code { _ = try await plain.health("matching", options: Self.refusedCall) }
                    == .deadlineExceeded)
            #expect(kill(up.process.processIdentifier, SIGTERM) == 0)
            #expect(await up.waitForExit(timeout: .seconds(60)) == 0, "\(up.output)")
        }
    }

    @Test func keysAreNotOverwrittenWithoutForce() async throws {
        let folder = TestDirectories.make("curve") + "/keys"
        _ = try await Keys.generate(in: folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(
            files == [
                "authorized_keys", "broadcast.key", "broadcast.pub", "bus.key", "bus.pub", "cli.key", "cli.pub",
                "health.key", "health.pub", "matching.key", "matching.pub", "opportunities.key", "opportunities.pub",
                "registry.key", "registry.pub",
            ])
        let secret = try FileManager.default.attributesOfItem(atPath: folder + "/bus.key")
        #expect((secret[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Every client is listed, the bus (the server) is not.
        let listed = try CurveKeyFile.read(folder + "/authorized_keys").compactMap(\.name)
        #expect(listed == ["registry", "matching", "broadcast", "opportunities", "cli", "health"])
        let before = try String(contentsOfFile: folder + "/bus.key", encoding: .utf8)

        let again = try await DemoEndToEndTests.octoo(["keys", "--out", folder], timeout: .seconds(60))
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exist"))
        #expect(try String(contentsOfFile: folder + "/bus.key", encoding: .utf8) == before)

        let forced = try await DemoEndToEndTests.octoo(["keys", "--out", folder, "--force"], timeout: .seconds(60))
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: folder + "/bus.key", encoding: .utf8) != before)
    }

    @Test func aPlantedLinkNeverReceivesASecretKey() async throws {
        let scratch = TestDirectories.make("curve")
        let folder = scratch + "/keys"
        _ = try await Keys.generate(in: folder)
        let target = scratch + "/stolen"
        try "".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder + "/registry.key")
        try FileManager.default.createSymbolicLink(atPath: folder + "/registry.key", withDestinationPath: target)
        let forced = try await DemoEndToEndTests.octoo(["keys", "--out", folder, "--force"], timeout: .seconds(60))
        #expect(forced.status == 0, "\(forced.stderr)")
        // The link was replaced by a file of its own; its target got nothing.
        #expect(try String(contentsOfFile: target, encoding: .utf8).isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/registry.key")
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aFolderOthersCanWriteToIsRefused() async throws {
        let folder = TestDirectories.make("curve") + "/open"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o777)
        let result = try await DemoEndToEndTests.octoo(["keys", "--out", folder], timeout: .seconds(60))
        #expect(result.status != 0)
        #expect(result.stderr.contains("writable by others"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        let linked = (folder as NSString).deletingLastPathComponent + "/linked"
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: folder)
        chmod(folder, 0o700)
        let viaLink = try await DemoEndToEndTests.octoo(["keys", "--out", linked], timeout: .seconds(60))
        #expect(viaLink.status != 0)
        #expect(viaLink.stderr.contains("is not a folder"))
    }
}
