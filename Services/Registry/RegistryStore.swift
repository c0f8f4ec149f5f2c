import Foundation
import GRDB
import ServiceKit
import Store
import Transport

/// The registry's database (a `TenantStore` whose transactions are `RegistryTransaction`s).
typealias RegistryStore = TenantStore<RegistryTransaction, RegistryTransaction>

extension TenantStore where Reader == RegistryTransaction, Writer == RegistryTransaction {
    /// The registry's store over `database`.
    init(_ database: ServiceDatabase) {
        self.init(database, reader: RegistryTransaction.init, writer: RegistryTransaction.init)
    }

    /// What firing each kind of the registry's durable timers does, for `TimerService` (which
    /// deletes the timer in the same transaction); events are stamped with `clock`'s time then.
    func timerHandlers(clock: any ServiceClock) -> [String: TimerService.Handler] {
        [
            DocumentExpiry.timerKind: { [self] db, timer in
                // A key the registry did not write names no document: dropping the timer is all there is to do.
                guard let (partnerId, documentId) = DocumentExpiry.document(of: timer) else { return }
                try within(db, partnerId: partnerId) {
                    try $0.expire(documentId, at: timer.dueAt, recordedAt: clock.now)
                }
            }
        ]
    }
}
