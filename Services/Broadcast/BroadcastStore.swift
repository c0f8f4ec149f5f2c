import Contracts
import Foundation
import GRDB
import ServiceKit
import Store
import Transport
import Wire

/// Broadcast's database, the one way in: handlers read and change it one tenant per transaction
/// through a `TenantStore` of `BroadcastReader`s and `BroadcastWriter`s; the wave sender also
/// finds, across tenants, the broadcasts with work for it. The pool stays private.
typealias BroadcastStore = TenantStore<BroadcastReader, BroadcastWriter>

extension BroadcastStore {
    /// Broadcast's store over `database`. Every write transaction settles the broadcasts it
    /// touched before it commits (`SettleOnCommit`), and wakes the wave sender through `wakeup`
    /// once committed if one of them has a wave due.
    init(_ database: ServiceDatabase, wakeup: AsyncWakeup) {
        self.init(
            database, reader: { db, partnerId, _ in BroadcastReader(db: db, partnerId: partnerId) },
            writer: { db, partnerId, outbox in
                BroadcastWriter(db: db, partnerId: partnerId, outbox: outbox, touched: TouchedBroadcasts())
            },
            beforeCommit: { writer in
                if try writer.settleBeforeCommit() { writer.db.afterNextTransaction { _ in wakeup.signal() } }
            })
    }

    /// Running broadcasts, of every tenant, whose next wave is due or whose wave has contacts not
    /// sent yet, oldest first.
    func pendingWork() async throws -> [BroadcastKey] {
        try await readAcrossTenants { db in
            let due = try BroadcastRow.all().waveDue().fetchAll(db).map { BroadcastKey($0.partnerId, $0.requestId) }
            let unsent = try AttemptRow.all().unsent().order(AttemptRow.Columns.plannedAt).fetchAll(db)
            var keys = due
            for attempt in unsent where !keys.contains(BroadcastKey(attempt.partnerId, attempt.requestId)) {
                let key = BroadcastKey(attempt.partnerId, attempt.requestId)
                let running = try BroadcastRow.all().inTenant(key.partnerId).ofRequest(key.requestId)
                    .inState(.running).fetchCount(db)
                if running > 0 { keys.append(key) }
            }
            return keys
        }
    }
}

/// One broadcast, by tenant and request.
struct BroadcastKey: Hashable, Sendable, CustomStringConvertible {
    var partnerId: String
    var requestId: String
    init(_ partnerId: String, _ requestId: String) {
        self.partnerId = partnerId
        self.requestId = requestId
    }
    var description: String { "\(partnerId)/\(requestId)" }
}

/// What every transaction of the store can read, within one tenant.
protocol BroadcastQueries {
    var db: Database { get }
    var partnerId: String { get }
}

/// A read transaction.
struct BroadcastReader: BroadcastQueries {
    let db: Database
    let partnerId: String
}

/// A write transaction: its reads, and the writes in `BroadcastWriter.swift` and `Scheduler.swift`.
struct BroadcastWriter: BroadcastQueries {
    let db: Database
    let partnerId: String
    let outbox: Outbox
    /// What the advance rule must look at before the transaction commits.
    let touched: TouchedBroadcasts
}

extension BroadcastQueries {
    /// The request as last announced, if broadcast has heard of it.
    func job(_ requestId: String) throws -> JobRow? {
        try JobRow.all().inTenant(partnerId).ofRequest(requestId).fetchOne(db)
    }

    /// The request's broadcast, if it has one.
    func existingBroadcast(_ requestId: String) throws -> BroadcastRow? {
        try BroadcastRow.all().inTenant(partnerId).ofRequest(requestId).fetchOne(db)
    }

    /// The request's broadcast, or `NOT_FOUND` naming `field`.
    func broadcast(_ requestId: String, field: String) throws -> BroadcastRow {
        guard let row = try existingBroadcast(requestId) else {
            throw BroadcastError.notFound(kind: "broadcast", id: requestId, field: field)
        }
        return row
    }

    /// The request's job and broadcast, or `NOT_FOUND` naming `field`.
    func jobAndBroadcast(_ requestId: String, field: String) throws -> (JobRow, BroadcastRow) {
        let broadcast = try broadcast(requestId, field: field)
        guard let job = try job(requestId) else {
            throw BroadcastError.notFound(kind: "request", id: requestId, field: field)
        }
        return (job, broadcast)
    }

    /// Every attempt on the request, in wave and contact order.
    func attempts(onRequest requestId: String) throws -> [AttemptRow] {
        try AttemptRow.all().inTenant(partnerId).ofRequest(requestId).inOrder().fetchAll(db)
    }

    /// The attempt `id`, or `NOT_FOUND` naming `field`.
    func attempt(_ id: String, field: String) throws -> AttemptRow {
        guard let row = try AttemptRow.all().inTenant(partnerId).withId(id).fetchOne(db) else {
            throw BroadcastError.notFound(kind: "attempt", id: id, field: field)
        }
        return row
    }

    /// The request's waves in order.
    func waves(onRequest requestId: String) throws -> [WaveRow] {
        try WaveRow.all().inTenant(partnerId).ofRequest(requestId).inOrder().fetchAll(db)
    }

    /// Wave `number` of the request.
    func wave(_ number: Int, onRequest requestId: String) throws -> WaveRow? {
        try WaveRow.all().inTenant(partnerId).ofRequest(requestId).filter(Column("number") == number).fetchOne(db)
    }

    /// The request's last ranking.
    func considered(_ requestId: String) throws -> ConsideredListRow? {
        try ConsideredListRow.all().inTenant(partnerId).ofRequest(requestId).fetchOne(db)
    }

    /// Each provider's opportunity state on the request.
    func offerStates(_ requestId: String) throws -> [OfferStateRow] {
        try OfferStateRow.all().inTenant(partnerId).ofRequest(requestId).fetchAll(db)
    }

    /// Openings (slots nobody holds; a slot whose holder seeks a replacement is open) and the
    /// interest awaiting a decision, from the opportunity states.
    func slots(of job: JobRow) throws -> (openings: Int, pending: Int) {
        let states = try offerStates(job.requestId).map(\.state)
        let held = states.filter { $0 == .contingent || $0 == .assigned }.count
        return (max(0, job.teamSize &- held), states.filter { $0 == .pending }.count)
    }

    /// The partner's dispositions by code.
    func catalogue() throws -> [String: DispositionDefinition] {
        Dispositions.catalogue(stored: try DispositionRow.all().inTenant(partnerId).fetchAll(db).map(\.wire))
    }

    /// How many attempts carry `code`.
    func uses(of code: String) throws -> Int {
        try AttemptRow.all().inTenant(partnerId).withDisposition(code).fetchCount(db)
    }

    /// The block entries that apply to a customer's requests.
    func blocks(forCustomer customerId: String) throws -> [BlockRow] {
        try BlockRow.all().inTenant(partnerId).applying(toCustomer: customerId).inOrder().fetchAll(db)
    }

    /// Each provider blocked for a customer's requests, with why.
    func blocked(forCustomer customerId: String) throws -> [String: String] {
        var blocked: [String: String] = [:]
        for block in try blocks(forCustomer: customerId) where blocked[block.providerId] == nil {
            blocked[block.providerId] = block.why
        }
        return blocked
    }

    /// The partner's wave policy, the standard one until it sets its own.
    func policy() throws -> BroadcastPolicy {
        try PolicyRow.all().inTenant(partnerId).fetchOne(db)?.wire ?? .standard
    }
}
