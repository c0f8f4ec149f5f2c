import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `matching.Status`: where the read model stands with each source, and how far behind it is
/// (each source's last `seq` read from it now).
struct StatusHandlers: MatchingStatusHandling {
    let environment: ServiceEnvironment
    let store: MatchingStore

    func status(_ request: StatusRequest, _ context: CallerContext) async throws -> MatchingStatus {
        let store = store
        let (resets, providers) = try await store.readAcrossTenants { db in
            (try store.resets(db), try store.providerCount(db))
        }
        let subscriber = Dictionary(
            environment.eventSources().map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first })
        var sources: [ReadModelSourceStatus] = []
        for source in Matching.sources {
            let status = subscriber[source]
            let applied = status?.appliedSeq ?? 0
            var lastSeq: Int64?
            var lag: Int64?
            var lastError = status?.lastError
            do {
                let client = try environment.client(source)
                let options = CallOptions(timeout: min(.seconds(1), context.downstreamOptions().timeout), retry: .none)
                let page = try await client.readEvents(source, afterSeq: applied, limit: 1, options: options)
                lastSeq = page.lastSeq
                if page.epoch == nil || page.epoch == status?.epoch {
                    let (difference, overflow) = page.lastSeq.subtractingReportingOverflow(applied)
                    lag = overflow ? nil : difference
                }
            } catch {
                lastError = lastError ?? "\(source).ReadEvents: \(error)"
            }
            let reset = resets[source]
            sources.append(
                ReadModelSourceStatus(
                    source: source, appliedSeq: applied, epoch: status?.epoch,
                    state: status?.state.rawValue ?? "catchingUp",
                    lastSeq: lastSeq, lag: lag, rebuilds: reset?.count ?? 0, lastRebuildAt: reset?.lastAt,
                    lastError: lastError))
        }
        return MatchingStatus(instance: environment.configuration.instance, sources: sources, providers: providers)
    }
}
