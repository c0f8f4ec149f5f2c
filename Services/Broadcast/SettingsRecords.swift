import Contracts
import Foundation
import GRDB

// The partner's settings as rows: custom dispositions (and built-in ones' recycle rules), the
// block list, the wave policy.

/// A custom disposition, or the partner's recycle rule of a built-in one.
struct DispositionRow: Codable, FetchableRecord, PersistableRecord, TenantRecord {
    static let databaseTableName = "disposition"
    var partnerId: String
    var code: String
    var label: String
    var kind: DispositionKind
    var final: Bool
    var blocks: Bool
    var recycleAfterSeconds: Int?
    var maxAttempts: Int?
    var archived: Bool
    var updatedAt: Date?

    init(partnerId: String, _ definition: DispositionDefinition) {
        self.partnerId = partnerId
        code = definition.code
        label = definition.label
        kind = definition.kind
        final = definition.final
        blocks = definition.blocks
        recycleAfterSeconds = definition.recycleAfterSeconds
        maxAttempts = definition.maxAttempts
        archived = definition.archived
        updatedAt = definition.updatedAt
    }

    var wire: DispositionDefinition {
        DispositionDefinition(
            code: code, label: label, kind: kind, final: final, blocks: blocks,
            recycleAfterSeconds: recycleAfterSeconds, maxAttempts: maxAttempts, archived: archived,
            updatedAt: updatedAt)
    }
}

/// An entry of the block list; `customerId` is empty for every customer.
struct BlockRow: Codable, FetchableRecord, PersistableRecord, TenantRecord {
    static let databaseTableName = "blockEntry"
    var partnerId: String
    var providerId: String
    var customerId: String
    var reason: String?
    var attemptId: String?
    var createdAt: Date

    enum Columns {
        static let providerId = Column(CodingKeys.providerId)
        static let customerId = Column(CodingKeys.customerId)
    }

    var wire: BlockEntry {
        BlockEntry(
            providerId: providerId, customerId: customerId.isEmpty ? nil : customerId, reason: reason,
            attemptId: attemptId, createdAt: createdAt)
    }

    /// The reason shown where the entry keeps a provider out.
    var why: String {
        let scope = customerId.isEmpty ? "for every customer" : "for customer \(customerId)"
        return "blocked \(scope)" + (reason.map { ": \($0)" } ?? "")
    }
}

extension DerivableRequest<BlockRow> {
    /// The entries that apply to a customer's requests: its own and those for every customer.
    func applying(toCustomer customerId: String) -> Self {
        filter([customerId, ""].contains(BlockRow.Columns.customerId))
    }

    /// In the order `ListBlocks` pages in.
    func inOrder() -> Self {
        order(BlockRow.Columns.providerId, BlockRow.Columns.customerId)
    }
}

/// A partner's wave policy.
struct PolicyRow: Codable, FetchableRecord, PersistableRecord, TenantRecord {
    static let databaseTableName = "broadcastPolicy"
    var partnerId: String
    var bands: [PolicyBand]
    var startWindowDays: Int
    var autoStart: Bool
    var recycledInRankOrder: Bool
    var version: Int
    var updatedAt: Date?

    var wire: BroadcastPolicy {
        BroadcastPolicy(
            bands: bands, startWindowDays: startWindowDays, autoStart: autoStart,
            recycledInRankOrder: recycledInRankOrder, version: version, updatedAt: updatedAt)
    }
}
