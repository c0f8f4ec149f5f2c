import BenchmarkSupport
import Contracts
import Foundation
import Histogram
import Synchronization
import Transport
import Wire

/// One stretch of steady load: requests created open-loop at `rate` per second (each sent at its
/// due time whether or not earlier ones were answered), then timed from the moment each
/// `CreateRequest` was sent to its reply, its first `OFFERED` event and its first contact.
struct LoadPhase: Sendable {
    let name: String
    let rate: Double
    let seconds: Double
    /// Where this phase's request numbers start (so two phases never repeat a request body).
    let firstIndex: Int
    /// How long to wait, after the last request, for the stragglers' offers and contacts.
    let drainSeconds: Double

    /// A request as sent and answered.
    struct Sent: Sendable {
        var requestId: String
        var sentAt: UInt64
        var answeredAt: UInt64
    }

    func run(
        client: OpportunitiesClient, partner: LoadPartner, tracker: ArrivalTracker, probes: [ProcessProbe]
    ) async -> PhaseResult {
        let count = Int(rate * seconds)
        let collected = Collected()
        let cpuBefore = probes.map(\.cpuSeconds)
        var worstLagNanos: UInt64 = 0
        let begin = nowNanos()
        await withTaskGroup(of: Void.self) { group in
            for offset in 0..<count {
                let due = begin + UInt64(Double(offset) / rate * 1e9)
                let now = nowNanos()
                if due > now { try? await Task.sleep(nanoseconds: due - now) }
                worstLagNanos = max(worstLagNanos, nowNanos() &- due)
                let body = partner.request(firstIndex + offset, now: Date())
                group.addTask {
                    let sentAt = nowNanos()
                    do throws(RPCError) {
                        let reply = try await client.createRequest(body)
                        let answeredAt = nowNanos()
                        collected.sent.withLock {
                            $0.append(Sent(requestId: reply.request.id, sentAt: sentAt, answeredAt: answeredAt))
                        }
                    } catch {
                        collected.failures.withLock { $0["\(error.code.name): \(error.message)", default: 0] += 1 }
                    }
                }
            }
        }
        let requests = collected.sent.withLock { $0 }
        let drainUntil = nowNanos() + UInt64(drainSeconds * 1e9)
        while nowNanos() < drainUntil {
            let arrivals = tracker.snapshot
            if requests.allSatisfy({ arrivals.offered[$0.requestId] != nil && arrivals.contacted[$0.requestId] != nil })
            {
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let arrivals = tracker.snapshot
        var create = makeHistogram()
        var offer = makeHistogram()
        var contact = makeHistogram()
        for request in requests {
            create.record(microseconds(request.answeredAt - request.sentAt))
            if let at = arrivals.offered[request.requestId] { offer.record(microseconds(at &- request.sentAt)) }
            if let at = arrivals.contacted[request.requestId] { contact.record(microseconds(at &- request.sentAt)) }
        }
        // The rate the calls went out at: from the first send to the last.
        let sends = requests.map(\.sentAt)
        let span = Double((sends.max() ?? begin) - (sends.min() ?? begin)) / 1e9
        return PhaseResult(
            name: name, targetRate: rate, seconds: seconds, sent: count, created: requests.count,
            achievedRate: requests.count > 1 ? Double(requests.count - 1) / max(span, 0.001) : 0,
            errors: collected.failures.withLock { $0 }, withoutOffer: requests.count - Int(offer.totalCount),
            withoutContact: requests.count - Int(contact.totalCount), createRequest: LatencySummary(create),
            toOffer: LatencySummary(offer), toFirstContact: LatencySummary(contact),
            worstSendLagMs: Double(worstLagNanos) / 1e6,
            cpuSeconds: Dictionary(
                uniqueKeysWithValues: zip(probes, cpuBefore).map { ($0.name, $0.cpuSeconds - $1) }))
    }
}

/// What the phase's calls report back, from many tasks at once.
private final class Collected: Sendable {
    let sent = Mutex<[LoadPhase.Sent]>([])
    let failures = Mutex<[String: Int]>([:])
}

/// p50/p90/p99/max of one latency, in milliseconds.
struct LatencySummary: Codable, Sendable {
    var count: Int
    var p50Ms: Double
    var p90Ms: Double
    var p99Ms: Double
    var maxMs: Double

    init(_ histogram: Histogram<UInt64>) {
        count = Int(histogram.totalCount)
        func ms(_ micros: UInt64) -> Double { (Double(micros) / 100).rounded() / 10 }
        p50Ms = count == 0 ? 0 : ms(histogram.valueAtPercentile(50))
        p90Ms = count == 0 ? 0 : ms(histogram.valueAtPercentile(90))
        p99Ms = count == 0 ? 0 : ms(histogram.valueAtPercentile(99))
        maxMs = count == 0 ? 0 : ms(histogram.max)
    }
}

/// What one phase measured.
struct PhaseResult: Codable, Sendable {
    var name: String
    var targetRate: Double
    var seconds: Double
    var sent: Int
    var created: Int
    var achievedRate: Double
    /// Refusals and failures by code and message (a healthy run has none).
    var errors: [String: Int]
    var withoutOffer: Int
    var withoutContact: Int
    var createRequest: LatencySummary
    var toOffer: LatencySummary
    var toFirstContact: LatencySummary
    /// How late the generator sent its most late request (open loop: should stay near 0).
    var worstSendLagMs: Double
    /// CPU seconds each process used during the phase.
    var cpuSeconds: [String: Double]
}
