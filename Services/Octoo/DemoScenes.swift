import Contracts
import Foundation
import Transport
import Wire

// The demo's scenes after the seeding, in order. Each acts as a customer, the partner or a
// simulated provider, then prints what the services recorded.

extension DemoRun {
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    /// What was seeded, and matching caught up with it.
    func seeded(took: Duration) async throws {
        let summary = partner.summary
        let types = summary.providersByType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        record(
            .seeded,
            "partner \(partnerActor.partnerId ?? ""): \(summary.documentTypes) document types; "
                + "\(summary.qualificationsWithDocuments) qualifications backed by documents and "
                + "\(summary.qualificationsWithoutDocuments) without; \(summary.providers) providers around "
                + "\(summary.city) (\(types.joined(separator: ", ")); \(summary.inactive) inactive) with "
                + "\(summary.documents) documents, \(summary.badges) badges, \(summary.availabilityWindows) "
                + "availability windows; \(summary.customers) customers; through the registry in "
                + String(format: "%.1f s", Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18),
            data: summary)
        let qualificationNames = Dictionary(
            uniqueKeysWithValues: partner.qualifications.values.map { ($0.id, $0.name) })
        for key in ["hospital", "acme", "school", "court"] {
            let customer = partner.customers[key]!
            var parts: [String] = []
            if !customer.defaultRequiredQualificationIds.isEmpty {
                parts.append(
                    "requires "
                        + customer.defaultRequiredQualificationIds.map { qualificationNames[$0] ?? $0 }.joined(
                            separator: ", "))
            }
            if !customer.defaultPreferredQualificationIds.isEmpty {
                parts.append(
                    "prefers "
                        + customer.defaultPreferredQualificationIds.map { qualificationNames[$0] ?? $0 }.joined(
                            separator: ", "))
            }
            for kind in CustomerListEntry.Kind.allCases {
                let listed = customer.lists.filter { $0.kind == kind }.map { name($0.providerId) }
                if !listed.isEmpty { parts.append("\(kind.rawValue): \(listed.joined(separator: ", "))") }
            }
            let decision = customer.defaultDecision ?? DecisionPolicy()
            parts.append("decided by the \(decision.decider.rawValue) (\(decision.mode.rawValue))")
            record(.seeded, "customer \(customer.name): \(parts.joined(separator: "; "))", data: customer)
        }
        record(
            .seeded,
            "the hospital's cancellation policy: 50% billable within 72 h of the start, 100% within 24 h")
        try await showQualifications(partner.expiring.providerId)
        // Broadcast ranks as soon as a request exists: matching must have read every registry record first.
        let seq = try await clients.client(Registry.service).readEvents(
            Registry.service, afterSeq: 0, limit: 1, actor: partnerActor
        ).lastSeq
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                let probe = JobDescription(
                    customerId: partner.customers["acme"]!.id, providerType: "asl", startsAt: clock.now + Self.day,
                    endsAt: clock.now + Self.day + Self.hour, remote: true, zone: "IL")
                let rank = try await matching.rank(
                    RankRequest(job: probe, limit: 1, minSeq: [Registry.service: seq], pageSize: 1))
                record(.note, "matching has read all \(rank.counts.considered) providers (registry event \(seq))")
                break
            } catch let error as RPCError where error.code == .unavailable && ContinuousClock.now < deadline {
                continue
            }
        }
    }

    /// The provider's qualifications as the registry judges them now.
    func showQualifications(_ providerId: String) async throws {
        let provider = try await registry.getProvider(GetProviderRequest(id: providerId))
        let expiry = provider.documents.compactMap { document -> String? in
            guard let expiresAt = document.expiresAt, expiresAt < clock.now + 30 * Self.day else { return nil }
            let type = documentTypeNames[document.documentTypeId] ?? document.documentTypeId
            return "\(type) \(expiresAt > clock.now ? "expires" : "expired") \(Timestamp.format(expiresAt))"
        }
        let judged = provider.qualifications.map {
            "\($0.name): " + ($0.inEffect ? "in effect" : "NOT in effect (\($0.reasons.joined(separator: "; ")))")
        }
        record(
            .qualification,
            "registry: \(name(providerId)) now: \(judged.joined(separator: ", "))"
                + (expiry.isEmpty ? "" : "; \(expiry.joined(separator: ", "))"),
            data: provider)
    }

    /// Scene: an on-site ASL job at the hospital five days out, ranked with reasons, its first wave
    /// declined and ignored.
    func hospitalJob(_ title: String) async throws {
        scene(title)
        let starts = clock.now + 5 * Self.day
        let request = try await createRequest(
            "hospital", as: customer("hospital"),
            CreateRequestRequest(
                customerId: partner.customers["hospital"]!.id, providerType: "asl", startsAt: starts,
                endsAt: starts + 3 * Self.hour, remote: false, location: DemoPartner.hospital, zone: "IL"))
        try await showRanking(request)
        try await waitForBroadcast(request.id, "sent its first wave") { $0.waves.first?.sentAt != nil }
        try await drain()
        try await answerOffers(request.id, [.decline, .ignore])
        try await options.pause(1)
    }

    /// `matching.Rank` for `request`: the top three with every criterion, and a filtered provider
    /// for each kind of reason.
    func showRanking(_ request: RequestRecord) async throws {
        let rank = try await matching.rank(
            RankRequest(job: request.job, requestId: request.id, limit: 3, pageSize: 1000))
        record(
            .note,
            "matching: \(rank.counts.considered) providers considered, \(rank.counts.ranked) ranked, "
                + "\(rank.counts.filtered) filtered out",
            data: rank.counts)
        for ranked in rank.ranked {
            let criteria = ranked.criteria.filter { $0.contribution != 0 || $0.name == "distanceKm" }.map {
                "\($0.name) \(Self.text($0.value)) (\(String(format: "%+g", $0.contribution)))"
            }
            record(
                .ranked,
                "  #\(ranked.rank) \(name(ranked.providerId)), score \(String(format: "%.3f", ranked.score)): "
                    + criteria.joined(separator: ", "),
                data: ranked)
        }
        let order = [
            "requiredQualification", "doNotConsider", "unavailable", "remoteOnly", "travelRadius", "zone", "inactive",
            "providerType",
        ]
        var shown = 0
        for criterion in order {
            let candidates = rank.filtered.filter { $0.reasons.contains { $0.criterion == criterion } }
            let pick =
                candidates.first { $0.providerId == partner.expiring.providerId }
                ?? candidates.first { $0.reasons.count == 1 } ?? candidates.first
            guard let pick, shown < 6 else { continue }
            shown += 1
            let reasons = pick.reasons.map { "\($0.criterion): \($0.detail)" }
            record(.filtered, "  filtered: \(name(pick.providerId)): \(reasons.joined(separator: "; "))", data: pick)
        }
    }

    /// Scene: a remote team of two CART captioners: both assigned (CONTINGENT, then the team ASSIGNED),
    /// then one seeks a replacement, seen differently by each party, and is replaced.
    func teamOfTwo(_ title: String) async throws {
        scene(title)
        let starts = clock.now + 2 * Self.day
        let request = try await createRequest(
            "team", as: customer("acme"),
            CreateRequestRequest(
                customerId: partner.customers["acme"]!.id, providerType: "cart", startsAt: starts,
                endsAt: starts + 2 * Self.hour, remote: true, zone: "IL", teamSize: 2))
        try await waitForBroadcast(request.id, "sent its first wave") { $0.waves.first?.sentAt != nil }
        try await drain()
        let interested = try await answerOffers(request.id, [.interested, .interested, .decline])
        guard interested.count == 2 else {
            throw DemoError("expected two interested captioners, got \(interested.count)")
        }
        for (_, opportunity) in interested {
            try await decide(opportunity)
            try await drain()
        }
        try await waitForBroadcast(request.id, "filled") { $0.state == .filled }
        try await drain()
        try await options.pause(1)

        let (seekerId, seeking) = interested[0]
        record(.decision, "\(name(seekerId)) asks for a replacement (a family emergency)")
        _ = try await opportunities(as: provider(seekerId)).seekReplacement(
            OpportunityActionRequest(opportunityId: seeking.id, reason: "a family emergency"))
        try await drain()
        let seen = try await views(seeking.id, customer: "acme", providerId: seekerId)
        record(
            .masking,
            "\(name(seekerId))'s slot as each party sees it: the customer \(seen.customer.state.rawValue), "
                + "the partner \(seen.partner.state.rawValue) (sought by \(seen.partner.replacementSoughtBy ?? "nobody")), "
                + "\(name(seekerId)) \(seen.provider.state.rawValue)",
            data: [
                "opportunityId": seeking.id, "providerId": seekerId, "customerSees": seen.customer.state.rawValue,
                "partnerSees": seen.partner.state.rawValue, "providerSees": seen.provider.state.rawValue,
                "soughtBy": seen.partner.replacementSoughtBy ?? "",
            ])
        try await waitForBroadcast(request.id, "sent a wave for the replacement") {
            $0.waves.count >= 2 && $0.waves.last?.sentAt != nil
        }
        try await drain()
        let replacements = try await answerOffers(request.id, [.interested])
        guard let (replacementId, replacement) = replacements.first else {
            throw DemoError("nobody was interested in replacing \(name(seekerId))")
        }
        try await decide(replacement, reason: "replaces \(name(seekerId))")
        try await waitForBroadcast(request.id, "filled again") { $0.state == .filled }
        try await drain()
        let customerView = try await opportunities(as: customer("acme")).getRequest(IdRequest(id: request.id))
        let team = customerView.opportunities.filter { $0.state == .assigned }.map { name($0.providerId) }
        record(
            .masking,
            "the customer now sees its team: \(team.joined(separator: " and ")) ASSIGNED "
                + "(\(name(replacementId)) replaced \(name(seekerId)))",
            data: customerView.opportunities.map { ["providerId": $0.providerId, "state": $0.state.rawValue] })
        try await options.pause(1)
    }

    /// Scene: a Spanish interpreter in three hours: everyone left at once, assigned automatically.
    func urgentJob(_ title: String) async throws {
        scene(title)
        let starts = clock.now + 3 * Self.hour
        let request = try await createRequest(
            "urgent", as: customer("school"),
            CreateRequestRequest(
                customerId: partner.customers["school"]!.id, providerType: "spoken", startsAt: starts,
                endsAt: starts + 2 * Self.hour, remote: false, location: DemoPartner.school, zone: "IL",
                requiredQualificationIds: [partner.qualifications["spanish"]!.id]))
        try await waitForBroadcast(request.id, "sent its wave") { $0.waves.first?.sentAt != nil }
        try await drain()
        let interested = try await answerOffers(request.id, [.decline, .interested, .interested])
        for (providerId, opportunity) in interested where opportunity.state == .pending {
            // The automatic decision left it to the partner, and said why.
            record(
                .note,
                "\(name(providerId)) stays PENDING: \((opportunity.decisionReasons ?? []).joined(separator: "; "))")
            try await decide(opportunity)
            break
        }
        try await waitForBroadcast(request.id, "filled") { $0.state == .filled }
        try await drain()
        try await options.pause(1)
    }

    /// Scene: a court hearing six weeks out: broadcast waits for its 30-day window.
    func farFuture(_ title: String) async throws {
        scene(title)
        let starts = clock.now + 45 * Self.day
        let request = try await createRequest(
            "court", as: customer("court"),
            CreateRequestRequest(
                customerId: partner.customers["court"]!.id, providerType: "asl", startsAt: starts,
                endsAt: starts + 4 * Self.hour, remote: false, location: DemoPartner.court, zone: "IL"))
        let detail = try await waitForBroadcast(request.id, "waited for its start window") {
            $0.state == .waiting && $0.waitingFor == .startWindow
        }
        try await drain()
        if let next = detail.nextWaveAt {
            record(
                .note,
                "broadcast court: nothing is sent yet; the first wave is due "
                    + String(format: "%.0f days", next.timeIntervalSince(clock.now) / Self.day) + " from now",
                data: ["nextWaveAt": next])
        }
        try await options.pause(1)
    }

    /// Scene: the hospital's first wave closes (the silent get NO_RESPONSE), the second goes out,
    /// someone is interested and the partner assigns them.
    func eightHoursLater(_ title: String) async throws {
        scene(title)
        let hospital = requests["hospital"]!
        let detail = try await broadcast.get(BroadcastRequestId(requestId: hospital.id))
        guard let closes = detail.waves.first?.closesAt else {
            throw DemoError("the hospital's first wave has no close")
        }
        try await advanceClock(to: closes, "the hospital's first wave closes")
        try await waitForBroadcast(hospital.id, "sent its second wave") {
            $0.waves.count >= 2 && $0.waves[1].sentAt != nil
        }
        try await drain()
        let interested = try await answerOffers(hospital.id, [.interested, .decline])
        guard let (_, opportunity) = interested.first else { throw DemoError("nobody was interested in the hospital") }
        try await decide(opportunity)
        try await waitForBroadcast(hospital.id, "filled") { $0.state == .filled }
        try await drain()
        try await options.pause(1)
    }

    /// Scene: Ana's certificate expires and her qualification lapses; the hospital cancels its
    /// request inside its cancellation window.
    func threeDaysIn(_ title: String) async throws {
        scene(title)
        let ana = partner.expiring
        try await showQualifications(ana.providerId)
        try await advanceClock(to: ana.document.expiresAt! + Self.hour, "\(name(ana.providerId))'s certificate expires")
        try await showQualifications(ana.providerId)
        let hospital = requests["hospital"]!
        let hours = hospital.startsAt.timeIntervalSince(clock.now) / Self.hour
        record(
            .decision,
            "the hospital cancels its request, " + String(format: "%.0f h", hours) + " before the start")
        _ = try await opportunities(as: customer("hospital")).cancelRequest(
            CancelRequestRequest(id: hospital.id, reason: "the patient was discharged"))
        try await waitForBroadcast(hospital.id, "stopped") { $0.state == .stopped }
        try await drain()
        try await options.pause(1)
    }

    /// Scene: the court's hearing enters its broadcast window; the court itself decides.
    func fifteenDaysIn(_ title: String) async throws {
        scene(title)
        let court = requests["court"]!
        let detail = try await broadcast.get(BroadcastRequestId(requestId: court.id))
        guard let due = detail.nextWaveAt else { throw DemoError("the court's broadcast has no first wave planned") }
        try await advanceClock(to: due, "the court's hearing is 30 days away")
        try await waitForBroadcast(court.id, "sent its first wave") { $0.waves.first?.sentAt != nil }
        try await drain()
        let interested = try await answerOffers(court.id, [.interested])
        guard let (_, opportunity) = interested.first else { throw DemoError("nobody was interested in the court") }
        try await decide(opportunity, as: customer("court"))
        try await waitForBroadcast(court.id, "filled") { $0.state == .filled }
        try await drain()
        try await options.pause(1)
    }

    /// Scene: broadcast's statistics over the demo and per request, and every opportunity by state.
    func statistics(_ title: String) async throws {
        scene(title)
        let all = try await broadcast.stats(StatsRequest(from: timeline.origin - Self.hour, to: clock.now + Self.hour))
        record(.stats, "broadcast, every request: " + Self.describe(all), data: all)
        for label in ["hospital", "team", "urgent", "court"] {
            guard let request = requests[label] else { continue }
            let stats = try await broadcast.stats(StatsRequest(requestId: request.id))
            record(.stats, "broadcast \(label): " + Self.describe(stats), data: stats)
        }
        var byState: [String: Int] = [:]
        for request in requests.values {
            var token: String?
            repeat {
                let page = try await opportunities().listOpportunities(
                    ListOpportunitiesRequest(requestId: request.id, pageSize: 1000, pageToken: token))
                for opportunity in page.opportunities { byState[opportunity.state.rawValue, default: 0] += 1 }
                token = page.nextPageToken
            } while token != nil
        }
        record(
            .stats,
            "opportunities by state: "
                + byState.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            data: byState)
    }

    /// `12 attempts (DECLINED 3, …), first interest after 8 h, filled after 8 h, fill rate 100%`.
    static func describe(_ stats: StatsResponse) -> String {
        var parts = ["\(stats.attempts) attempts"]
        if stats.broadcasts > 1 || stats.requestId == nil {
            parts.insert("\(stats.broadcasts) broadcasts, \(stats.filled) filled", at: 0)
        }
        if !stats.byDisposition.isEmpty {
            parts[parts.count - 1] +=
                " (" + stats.byDisposition.map { "\($0.code) \($0.count)" }.joined(separator: ", ") + ")"
        }
        func duration(_ seconds: Double) -> String {
            seconds >= 2 * day
                ? String(format: "%.1f days", seconds / day)
                : seconds >= hour
                    ? String(format: "%.1f h", seconds / hour) : String(format: "%.0f min", seconds / 60)
        }
        if let first = stats.timeToFirstInterestSeconds { parts.append("first interest after \(duration(first))") }
        if let fill = stats.timeToFillSeconds { parts.append("filled after \(duration(fill))") }
        if let rate = stats.fillRate { parts.append(String(format: "fill rate %.0f%%", rate * 100)) }
        return parts.joined(separator: ", ")
    }

    /// A criterion's value as text.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case .bool(let flag): flag ? "yes" : "no"
        case .integer(let number): "\(number)"
        case .number(let number): String(format: "%.1f", number)
        case .string(let string): string
        case .array(let values): values.map(text).joined(separator: ",")
        case .object: "…"
        }
    }
}
