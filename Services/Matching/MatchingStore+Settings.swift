import Contracts
import Foundation
import GRDB
import Store
import Wire

// Ranking settings: facts a partner sets, kept apart from what the sources feed, so no reset or
// rebuild forgets them. Replicas exchange changes as `matching.settings.set` events and keep the
// one that supersedes the others, so every replica settles on the same settings.

extension MatchingStore {
    /// The partner's settings, or the defaults (version 0) when it never set any.
    func settings(_ db: Database, partner: String) throws -> RankingSettings {
        let data = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT settings FROM rankingSettings WHERE partnerId = ?"), arguments: [partner])
        guard let data else { return RankingSettings(partnerId: partner) }
        return try WireCoding.decode(RankingSettings.self, from: data)
    }

    /// Keeps `settings` when it supersedes what is stored; returns whether it did.
    @discardableResult
    func merge(_ db: Database, _ settings: RankingSettings) throws -> Bool {
        let current = try self.settings(db, partner: settings.partnerId)
        guard settings.supersedes(current) else { return false }
        try db.execute(
            sql: "INSERT OR REPLACE INTO rankingSettings (partnerId, version, settings) VALUES (?, ?, ?)",
            arguments: [settings.partnerId, settings.version, Data(try WireCoding.encode(settings))])
        return true
    }

    /// Keeps `settings` when it supersedes what is stored, and then also records it in this
    /// replica's outbox: published to the others now, and read by any replica that starts later.
    @discardableResult
    func merge(_ db: Database, _ settings: RankingSettings, outbox: Outbox, at now: Date) throws -> Bool {
        guard try merge(db, settings) else { return false }
        try outbox.append(
            db, type: Matching.EventType.settingsSet, partnerId: settings.partnerId, occurredAt: now, data: settings)
        return true
    }
}

/// The rules `SetSettings` checks, every faulty field named.
enum SettingsRules {
    /// The settings `change` makes of `current`, or `INVALID_ARGUMENT` naming every bad field.
    static func apply(_ change: SetSettingsRequest, to current: RankingSettings) throws(MatchingError)
        -> RankingSettings
    {
        let violations = Self.violations(
            weights: change.weights?.given ?? [], travelBufferMinutes: change.travelBufferMinutes,
            workloadWindowDays: change.workloadWindowDays, prefix: "body.")
        if !violations.isEmpty { throw .invalidSettings(violations) }
        var next = current
        next.weights = change.weights?.applied(to: current.weights) ?? current.weights
        next.travelBufferMinutes = change.travelBufferMinutes ?? current.travelBufferMinutes
        next.workloadWindowDays = change.workloadWindowDays ?? current.workloadWindowDays
        return next
    }

    /// Whatever breaks these rules in whole settings (as an event from another replica carries
    /// them): a replica keeps none it would have refused from `SetSettings`.
    static func violations(of settings: RankingSettings) -> [FieldViolation] {
        var violations = Self.violations(
            weights: settings.weights.named, travelBufferMinutes: settings.travelBufferMinutes,
            workloadWindowDays: settings.workloadWindowDays, prefix: "")
        if settings.partnerId.isEmpty { violations.append(FieldViolation(field: "partnerId", description: "is empty")) }
        if settings.version < 0 { violations.append(FieldViolation(field: "version", description: "is negative")) }
        // Far beyond any number of changes, and room for the next: SetSettings adds one.
        if settings.version > RankingSettings.maxVersion {
            violations.append(FieldViolation(field: "version", description: "is above \(RankingSettings.maxVersion)"))
        }
        return violations
    }

    static func violations(
        weights: [(name: String, value: Double)], travelBufferMinutes: Int?, workloadWindowDays: Int?, prefix: String
    ) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        for (name, value) in weights where !(value.isFinite && (0...RankingWeights.maximum).contains(value)) {
            violations.append(
                FieldViolation(
                    field: "\(prefix)weights.\(name)", description: "must be from 0 to \(Int(RankingWeights.maximum))"))
        }
        if let buffer = travelBufferMinutes, !(0...1440).contains(buffer) {
            violations.append(
                FieldViolation(field: "\(prefix)travelBufferMinutes", description: "must be from 0 to 1440"))
        }
        if let days = workloadWindowDays, !(1...365).contains(days) {
            violations.append(
                FieldViolation(field: "\(prefix)workloadWindowDays", description: "must be from 1 to 365"))
        }
        return violations
    }
}

extension RankingWeights {
    /// Every weight with its name.
    var named: [(name: String, value: Double)] {
        [
            ("preferredList", preferredList), ("preferredQualification", preferredQualification),
            ("jobsWithCustomer", jobsWithCustomer), ("recentJobWithCustomer", recentJobWithCustomer),
            ("noShow", noShow), ("distancePerKm", distancePerKm), ("availability", availability),
            ("workload", workload),
        ]
    }
}
