import Foundation
import Transport
import Wire

/// Typed calls of the methods every service has (PROTOCOL §5). Each service's own contract
/// (`Registry.swift`, …) sits beside this file with its messages and typed calls. Without
/// `options`, a call takes the client's `defaultOptions`.
extension RPCClient {
    /// `<service>.Health`.
    public func health(_ service: String, options: CallOptions? = nil) async throws(RPCError) -> HealthResponse {
        try await call(CommonMethods.health(service), Empty(), actor: nil, options: options)
    }

    /// `<service>.Describe`.
    public func describe(_ service: String, options: CallOptions? = nil) async throws(RPCError)
        -> DescribeResponse
    {
        try await call(CommonMethods.describe(service), Empty(), actor: nil, options: options)
    }

    /// `<service>.ReadEvents`.
    public func readEvents(
        _ service: String, afterSeq: Int64, limit: Int = 500, actor: Actor = .system,
        options: CallOptions? = nil
    ) async throws(RPCError) -> ReadEventsResponse {
        try await call(
            CommonMethods.readEvents(service), ReadEventsRequest(afterSeq: afterSeq, limit: limit), actor: actor,
            options: options)
    }

    /// `<service>.SetClock`.
    public func setClock(_ service: String, to now: Date, actor: Actor = .system, options: CallOptions? = nil)
        async throws(RPCError) -> SetClockResponse
    {
        try await call(CommonMethods.setClock(service), SetClockRequest(now: now), actor: actor, options: options)
    }
}
