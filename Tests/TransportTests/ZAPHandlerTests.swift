import Foundation
import Logging
import Testing
import Transport
import ZeroMQ

@testable import OctooBus

@Suite("The bus's ZAP decisions")
struct ZAPAuthenticatorTests {
    let listed = try! CurveKeyPair.generate()
    let unlisted = try! CurveKeyPair.generate()
    var keys: AuthorizedKeys {
        try! AuthorizedKeys(
            CurveKeyFile.parse(
                "\(listed.publicKey) client:service worker:registry publisher:registry # registry\n", path: "keys"),
            path: "keys")
    }

    /// A ZAP 1.0 request as libzmq sends it, after the REP envelope, for a socket of `domain`.
    static func request(
        version: String = "1.0", id: String = "7", domain: String = "client:registry", mechanism: String = "CURVE",
        credentials: [[UInt8]]
    ) -> [[UInt8]] {
        [version, id, domain, "127.0.0.1", "", mechanism].map { Array($0.utf8) } + credentials
    }

    static func text(_ frames: [[UInt8]]) -> [String] { frames.map { String(decoding: $0, as: UTF8.self) } }

    @Test(arguments: ["client:registry", "client:matching", "worker:registry", "publish"])
    func aListedKeyIsAcceptedWhereItsRolesAllowWithItsKeyAsUserId(domain: String) {
        let (reply, verdict) = ZAPAuthenticator.answer(
            Self.request(domain: domain, credentials: [CurveKeyPair.rawKey(listed.publicKey)!]), keys: keys)
        #expect(verdict == .allowed(name: "registry"))
        #expect(Self.text(reply) == ["1.0", "7", "200", "OK", listed.publicKey, ""])
    }

    @Test(arguments: ["worker:matching", "subscribe", "octoo", "", "client", "worker:"])
    func aListedKeyIsRefusedWhereItsRolesDoNotReach(domain: String) {
        let (reply, verdict) = ZAPAuthenticator.answer(
            Self.request(domain: domain, credentials: [CurveKeyPair.rawKey(listed.publicKey)!]), keys: keys)
        #expect(verdict == .notPermitted(name: "registry", domain: domain))
        #expect(Self.text(reply)[2] == "400")
        #expect(Self.text(reply)[4] == "")
    }

    @Test func anUnlistedKeyIsRefusedAndTheRequestIdEchoed() {
        let (reply, verdict) = ZAPAuthenticator.answer(
            Self.request(id: "42", credentials: [CurveKeyPair.rawKey(unlisted.publicKey)!]), keys: keys)
        #expect(verdict == .unlisted(key: unlisted.publicKey))
        #expect(Self.text(reply) == ["1.0", "42", "400", "key not authorized", "", ""])
    }

    @Test(arguments: [("NULL", [[UInt8]]()), ("PLAIN", [Array("user".utf8), Array("password".utf8)])])
    func anyOtherMechanismIsRefused(mechanism: String, credentials: [[UInt8]]) {
        let (reply, verdict) = ZAPAuthenticator.answer(
            Self.request(mechanism: mechanism, credentials: credentials), keys: keys)
        #expect(verdict == .wrongMechanism(mechanism))
        #expect(Self.text(reply)[2] == "400")
    }

    @Test func malformedRequestsAreRefused() {
        let key = CurveKeyPair.rawKey(listed.publicKey)!
        let cases: [[[UInt8]]] = [
            Self.request(version: "2.0", credentials: [key]),
            [Array("1.0".utf8), Array("9".utf8), Array("client:registry".utf8)],
            Self.request(credentials: [Array(key.prefix(31))]),
            Self.request(credentials: [key, key]),
            [],
        ]
        for request in cases {
            let (reply, verdict) = ZAPAuthenticator.answer(request, keys: keys)
            guard case .malformed = verdict else {
                Issue.record("\(request.count) frames: \(verdict)")
                continue
            }
            #expect(reply.count == 6)
            #expect(Self.text(reply)[2] == "400")
            #expect(reply[1] == (request.count > 1 ? request[1] : []))
        }
    }

    @Test func eachRefusalIsLoggedOnceUpToTheLimit() {
        var log = RefusalLog(capacity: 2)
        #expect(log.note("a") == .log)
        #expect(log.note("a") == .none)
        #expect(log.note("b") == .log)
        #expect(log.note("c") == .logLimitReached)
        #expect(log.note("d") == .none)
        #expect(log.note("b") == .none)
    }
}

@Suite("The bus's ZAP handler on its socket")
struct ZAPHandlerTests {
    @Test func itAnswersAtTheZAPEndpointFollowsAReloadAndStops() throws {
        let context = try ZeroMQ.Context()
        let first = try CurveKeyPair.generate()
        let second = try CurveKeyPair.generate()
        func keys(_ pairs: [CurveKeyPair]) throws -> AuthorizedKeys {
            let text = pairs.map {
                CurveKeyFile.publicKeyText($0.publicKey, name: "k\($0.publicKey.prefix(4))", roles: ["client"])
            }
            return try AuthorizedKeys(CurveKeyFile.parse(text.joined(), path: "keys"), path: "keys")
        }
        let handler = try ZAPHandler(
            context: context, keys: KeyBook(try keys([first])), logger: Logger(label: "zap"))
        try handler.start { error in Issue.record("ZAP handler failed: \(error)") }
        let client = try Socket(context: context, type: .req)
        defer { client.close(lingerMs: 0) }
        try client.setReceiveTimeout(ms: 10_000)
        try client.connect(ZAPHandler.endpoint)
        func status(of pair: CurveKeyPair) throws -> String? {
            try client.send(ZAPAuthenticatorTests.request(credentials: [CurveKeyPair.rawKey(pair.publicKey)!]))
            return try client.receive().map { ZAPAuthenticatorTests.text($0)[2] }
        }
        #expect(try status(of: first) == "200")
        #expect(try status(of: second) == "400")
        handler.replace(try keys([second]))
        #expect(try status(of: first) == "400")
        #expect(try status(of: second) == "200")
        #expect(handler.stop(timeout: 10))
    }
}
