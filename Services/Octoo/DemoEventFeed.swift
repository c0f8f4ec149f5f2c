import Contracts
import Foundation
import Transport
import Wire

/// What the services did, read back from their own events (`<service>.ReadEvents` as the
/// partner) and turned into timeline entries: the timeline shows what the system recorded, never
/// what the demo expected it to do.
struct DemoEventFeed {
    let clients: BusClients
    let partner: Actor
    /// Provider names and request labels, for readable lines.
    var names: [String: String] = [:]
    var requestLabels: [String: String] = [:]
    var qualificationNames: [String: String] = [:]
    var documentTypeNames: [String: String] = [:]
    /// The last `seq` read per source.
    private var cursors: [String: Int64] = [:]

    init(clients: BusClients, partner: Actor) {
        self.clients = clients
        self.partner = partner
    }

    /// Skips what `source` recorded so far (the seeding), so the timeline starts after it.
    mutating func skip(_ source: String) async throws {
        cursors[source] = try await clients.client(source).readEvents(source, afterSeq: 0, limit: 1, actor: partner)
            .lastSeq
    }

    /// Every event since the last call, as entries of scene `scene`, in the order the services
    /// recorded them (by time, then broadcast's waves, opportunities' changes, broadcast's
    /// dispositions and states, the registry's expiries).
    mutating func drain(scene: Int) async throws -> [DemoEntry] {
        var read: [(rank: Int, event: Event)] = []
        for source in [Broadcast.service, Opportunities.service, Registry.service] {
            while true {
                let page = try await clients.client(source).readEvents(
                    source, afterSeq: cursors[source] ?? 0, limit: 500, actor: partner)
                for event in page.events { read.append((Self.rank(event), event)) }
                guard let last = page.events.last else { break }
                cursors[source] = last.seq
                if page.events.count < 500 { break }
            }
        }
        read.sort { ($0.event.occurredAt, $0.rank, $0.event.seq) < ($1.event.occurredAt, $1.rank, $1.event.seq) }
        return try read.compactMap { try entry($0.event, scene: scene) }
    }

    /// Where an event goes among those recorded at the same moment: what caused the others first
    /// (a request created, a broadcast starting or resuming, a wave closing and the next sent), then
    /// the opportunities' changes, then broadcast's reactions to them, then the registry's.
    private static func rank(_ event: Event) -> Int {
        switch (event.source, event.type) {
        case (Opportunities.service, Opportunities.EventType.requestCreated): return 0
        case (Broadcast.service, Broadcast.EventType.stateChanged):
            let change = try? WireCoding.decode(BroadcastStateChanged.self, from: try WireCoding.encode(event.data))
            return change?.to == .running && (change?.from == nil || change?.from == .waiting) ? 1 : 5
        case (Broadcast.service, Broadcast.EventType.attemptDispositioned):
            let attempt = try? WireCoding.decode(AttemptReply.self, from: try WireCoding.encode(event.data)).attempt
            return attempt?.disposition == "NO_RESPONSE" ? 2 : 5
        case (Broadcast.service, Broadcast.EventType.waveSent): return 3
        case (Opportunities.service, _): return 4
        case (Broadcast.service, _): return 5
        default: return 6
        }
    }

    private func name(_ providerId: String) -> String { names[providerId] ?? providerId }
    private func label(_ requestId: String) -> String { requestLabels[requestId] ?? requestId }

    private func decode<T: Decodable>(_ type: T.Type, _ event: Event) throws -> T {
        try WireCoding.decode(T.self, from: try WireCoding.encode(event.data))
    }

    /// One event as a timeline entry, or nil for those the timeline leaves out (contacts sent,
    /// the seeding's registry records).
    private func entry(_ event: Event, scene: Int) throws -> DemoEntry? {
        func make(_ kind: DemoEntry.Kind, _ text: String, group: DemoEntry.Group? = nil) -> DemoEntry {
            var data = event.data
            if case .object(var fields) = data {
                fields["event"] = .string("\(event.source).\(event.type)")
                data = .object(fields)
            }
            return DemoEntry(kind: kind, scene: scene, at: event.occurredAt, text: text, data: data, group: group)
        }
        switch (event.source, event.type) {
        case (Broadcast.service, Broadcast.EventType.waveSent):
            let sent = try decode(WaveSent.self, event)
            let wave = sent.wave
            let size =
                wave.waveSize == 0 ? "everyone left" : "\(wave.waveSize) every \(Self.minutes(wave.intervalMinutes))"
            let to = wave.providerIds.map(name).joined(separator: ", ")
            return make(
                .wave,
                "broadcast \(label(sent.requestId)): wave \(wave.number) sent to \(wave.providerIds.count) "
                    + "(\(Self.hours(wave.leadHours)) before the job: \(size)): \(to)")
        case (Broadcast.service, Broadcast.EventType.attemptDispositioned):
            let attempt = try decode(AttemptReply.self, event).attempt
            guard let code = attempt.disposition else { return nil }
            let late = attempt.late ? " (late)" : ""
            let by = attempt.dispositionBy.map { " by \($0)" } ?? ""
            return make(
                .disposition,
                "broadcast \(label(attempt.requestId)): \(name(attempt.providerId))'s contact → \(code)\(late)\(by)",
                group: DemoEntry.Group(
                    key: "disposition/\(attempt.requestId)/\(code)",
                    label: "broadcast \(label(attempt.requestId)): contacts → \(code)",
                    subject: name(attempt.providerId)))
        case (Broadcast.service, Broadcast.EventType.stateChanged):
            let change = try decode(BroadcastStateChanged.self, event)
            let from = change.from?.rawValue ?? "new"
            let waiting = change.waitingFor.map { " (for \($0.rawValue))" } ?? ""
            let reason = change.reason.map { ": \($0)" } ?? ""
            return make(
                .broadcast, "broadcast \(label(change.requestId)): \(from) → \(change.to.rawValue)\(waiting)\(reason)")
        case (Opportunities.service, Opportunities.EventType.replacementSought):
            // Published with the opportunity.changed of the same transition, for broadcast to reopen a slot.
            let change = try decode(OpportunityChanged.self, event)
            let seekers = (change.replacementSeekers ?? []).joined(separator: " and ")
            return make(
                .opportunity,
                "opportunities \(label(change.requestId)): replacement sought for \(name(change.providerId))"
                    + (seekers.isEmpty ? "" : " by the \(seekers)"))
        case (Opportunities.service, Opportunities.EventType.opportunityChanged):
            let change = try decode(OpportunityChanged.self, event)
            let from = change.from?.rawValue ?? "new"
            var details = ["\(change.action) by \(change.actorRole)"]
            if let percent = change.billablePercent { details.append("\(percent)% billable") }
            if let seekers = change.replacementSeekers, !seekers.isEmpty {
                details.append("sought by \(seekers.joined(separator: " and "))")
            }
            if let reason = change.reason { details.append(reason) }
            let what = "\(from) → \(change.to.rawValue)"
            return make(
                .opportunity,
                "opportunities \(label(change.requestId)): \(name(change.providerId)) \(what) "
                    + "(\(details.joined(separator: "; ")))",
                group: DemoEntry.Group(
                    key: "opportunity/\(change.requestId)/\(what)/\(details.joined())",
                    label: "opportunities \(label(change.requestId)): \(what) (\(details.joined(separator: "; ")))",
                    subject: name(change.providerId)))
        case (Opportunities.service, _):
            let change = try decode(RequestChanged.self, event)
            let request = change.request
            var text =
                "opportunities \(label(request.id)): request \(event.type.replacingOccurrences(of: "request.", with: ""))"
            if let held = change.slotsHeld { text += ", \(held) of \(request.teamSize) slots held" }
            if let reason = change.reopenReason { text += " (\(reason))" }
            return make(.requestChanged, text)
        case (Registry.service, Registry.EventType.documentExpired):
            let expired = try decode(DocumentExpired.self, event)
            let document = expired.document
            let lapsed = expired.lapsedQualificationIds.map { qualificationNames[$0] ?? $0 }
            let type = documentTypeNames[document.documentTypeId] ?? document.documentTypeId
            return make(
                .lapse,
                "registry: \(name(document.providerId))'s \(type) expired"
                    + (lapsed.isEmpty ? "" : "; no longer in effect: \(lapsed.joined(separator: ", "))"))
        default:
            return nil
        }
    }

    /// `8 h`, `30 min`, `1 day`.
    static func minutes(_ minutes: Int) -> String {
        minutes % 1440 == 0
            ? "\(minutes / 1440) day\(minutes == 1440 ? "" : "s")"
            : minutes % 60 == 0
                ? "\(minutes / 60) h" : "\(minutes) min"
    }

    /// `112 h` or `29.9 days`.
    static func hours(_ hours: Double) -> String {
        hours >= 72 ? String(format: "%.1f days", hours / 24) : String(format: "%.0f h", hours)
    }
}
