import Foundation
import Transport
import Wire

// Broadcast's handler protocols and typed client: what its service implements and what others
// call. Every method of `Broadcast` is in exactly one protocol below, and `Broadcast.methods`
// binds them all, so a described method cannot go unimplemented.

/// Broadcasts: started, read, listed, paused, resumed, stopped.
public protocol BroadcastLifecycleHandling: Sendable {
    /// `broadcast.Start`.
    func start(_ request: StartRequest, _ context: CallerContext) async throws -> BroadcastDetail
    /// `broadcast.Get`.
    func get(_ request: BroadcastRequestId, _ context: CallerContext) async throws -> BroadcastDetail
    /// `broadcast.List`.
    func list(_ request: ListBroadcastsRequest, _ context: CallerContext) async throws -> ListBroadcastsResponse
    /// `broadcast.Pause`.
    func pause(_ request: BroadcastActionRequest, _ context: CallerContext) async throws -> BroadcastDetail
    /// `broadcast.Resume`.
    func resume(_ request: BroadcastActionRequest, _ context: CallerContext) async throws -> BroadcastDetail
    /// `broadcast.Stop`.
    func stop(_ request: BroadcastActionRequest, _ context: CallerContext) async throws -> BroadcastDetail
}

/// Who is contacted: the partner's overrides of the considered list, and recycling.
public protocol BroadcastRotationHandling: Sendable {
    /// `broadcast.Override`.
    func override(_ request: OverrideRequest, _ context: CallerContext) async throws -> BroadcastDetail
    /// `broadcast.Recycle`.
    func recycle(_ request: RecycleRequest, _ context: CallerContext) async throws -> RecycleResponse
}

/// Contact attempts: qualified by the partner, delivery reported.
public protocol BroadcastAttemptHandling: Sendable {
    /// `broadcast.SetDisposition`.
    func setDisposition(_ request: SetDispositionRequest, _ context: CallerContext) async throws -> AttemptReply
    /// `broadcast.ReportDelivery`.
    func reportDelivery(_ request: ReportDeliveryRequest, _ context: CallerContext) async throws -> AttemptReply
}

/// Contacts across requests: found by disposition and the rest of the filter, recycled and
/// blocked in bulk.
public protocol BroadcastContactHandling: Sendable {
    /// `broadcast.SearchAttempts`.
    func searchAttempts(_ request: SearchAttemptsRequest, _ context: CallerContext) async throws
        -> SearchAttemptsResponse
    /// `broadcast.BulkRecycle`.
    func bulkRecycle(_ request: BulkRecycleRequest, _ context: CallerContext) async throws -> BulkRecycleResponse
    /// `broadcast.BulkBlock`.
    func bulkBlock(_ request: BulkBlockRequest, _ context: CallerContext) async throws -> BulkBlockResponse
}

/// The partner's dispositions and their recycle rules.
public protocol BroadcastDispositionHandling: Sendable {
    /// `broadcast.DefineDisposition`.
    func defineDisposition(_ request: DefineDispositionRequest, _ context: CallerContext) async throws
        -> DispositionReply
    /// `broadcast.ArchiveDisposition`.
    func archiveDisposition(_ request: DispositionCodeRequest, _ context: CallerContext) async throws
        -> DispositionReply
    /// `broadcast.DeleteDisposition`.
    func deleteDisposition(_ request: DispositionCodeRequest, _ context: CallerContext) async throws
        -> DeleteDispositionResponse
    /// `broadcast.ListDispositions`.
    func listDispositions(_ request: ListDispositionsRequest, _ context: CallerContext) async throws
        -> ListDispositionsResponse
}

/// The block list.
public protocol BroadcastBlockHandling: Sendable {
    /// `broadcast.Block`.
    func block(_ request: BlockRequest, _ context: CallerContext) async throws -> BlockReply
    /// `broadcast.Unblock`.
    func unblock(_ request: UnblockRequest, _ context: CallerContext) async throws -> BlockReply
    /// `broadcast.ListBlocks`.
    func listBlocks(_ request: ListBlocksRequest, _ context: CallerContext) async throws -> ListBlocksResponse
}

/// The wave policy.
public protocol BroadcastPolicyHandling: Sendable {
    /// `broadcast.SetPolicy`.
    func setPolicy(_ request: SetPolicyRequest, _ context: CallerContext) async throws -> PolicyReply
    /// `broadcast.GetPolicy`.
    func getPolicy(_ request: GetPolicyRequest, _ context: CallerContext) async throws -> PolicyReply
}

/// Statistics.
public protocol BroadcastStatsHandling: Sendable {
    /// `broadcast.Stats`.
    func stats(_ request: StatsRequest, _ context: CallerContext) async throws -> StatsResponse
}

extension Broadcast: Contract {
    /// One handler per resource: together they implement every method of the contract.
    public struct Handlers: Sendable {
        public var broadcasts: any BroadcastLifecycleHandling
        public var rotation: any BroadcastRotationHandling
        public var attempts: any BroadcastAttemptHandling
        public var dispositions: any BroadcastDispositionHandling
        public var blocks: any BroadcastBlockHandling
        public var policies: any BroadcastPolicyHandling
        public var stats: any BroadcastStatsHandling
        public var contacts: any BroadcastContactHandling

        public init(
            broadcasts: any BroadcastLifecycleHandling, rotation: any BroadcastRotationHandling,
            attempts: any BroadcastAttemptHandling, dispositions: any BroadcastDispositionHandling,
            blocks: any BroadcastBlockHandling, policies: any BroadcastPolicyHandling,
            stats: any BroadcastStatsHandling, contacts: any BroadcastContactHandling
        ) {
            self.broadcasts = broadcasts
            self.rotation = rotation
            self.attempts = attempts
            self.dispositions = dispositions
            self.blocks = blocks
            self.policies = policies
            self.stats = stats
            self.contacts = contacts
        }
    }

    /// Every domain method, bound to its handler: routing, `methodNames` and `Describe` come from here.
    public static let methods: [ContractMethod<Handlers>] = [
        .init(start) { try await $0.broadcasts.start($1, $2) },
        .init(get) { try await $0.broadcasts.get($1, $2) },
        .init(list) { try await $0.broadcasts.list($1, $2) },
        .init(pause) { try await $0.broadcasts.pause($1, $2) },
        .init(resume) { try await $0.broadcasts.resume($1, $2) },
        .init(stop) { try await $0.broadcasts.stop($1, $2) },
        .init(override) { try await $0.rotation.override($1, $2) },
        .init(recycle) { try await $0.rotation.recycle($1, $2) },
        .init(setDisposition) { try await $0.attempts.setDisposition($1, $2) },
        .init(reportDelivery) { try await $0.attempts.reportDelivery($1, $2) },
        .init(searchAttempts) { try await $0.contacts.searchAttempts($1, $2) },
        .init(bulkRecycle) { try await $0.contacts.bulkRecycle($1, $2) },
        .init(bulkBlock) { try await $0.contacts.bulkBlock($1, $2) },
        .init(defineDisposition) { try await $0.dispositions.defineDisposition($1, $2) },
        .init(archiveDisposition) { try await $0.dispositions.archiveDisposition($1, $2) },
        .init(deleteDisposition) { try await $0.dispositions.deleteDisposition($1, $2) },
        .init(listDispositions) { try await $0.dispositions.listDispositions($1, $2) },
        .init(block) { try await $0.blocks.block($1, $2) },
        .init(unblock) { try await $0.blocks.unblock($1, $2) },
        .init(listBlocks) { try await $0.blocks.listBlocks($1, $2) },
        .init(setPolicy) { try await $0.policies.setPolicy($1, $2) },
        .init(getPolicy) { try await $0.policies.getPolicy($1, $2) },
        .init(stats) { try await $0.stats.stats($1, $2) },
    ]
}

/// A typed client of broadcast: every call carries the actor and stays within the caller's
/// remaining deadline.
public struct BroadcastClient: ContractClient {
    public let caller: ContractCaller

    public init(caller: ContractCaller) { self.caller = caller }

    /// `broadcast.Start`.
    public func start(_ request: StartRequest) async throws(RPCError) -> BroadcastDetail {
        try await caller.call(Broadcast.start, request)
    }

    /// `broadcast.Get`.
    public func get(_ request: BroadcastRequestId) async throws(RPCError) -> BroadcastDetail {
        try await caller.call(Broadcast.get, request)
    }

    /// `broadcast.List`.
    public func list(_ request: ListBroadcastsRequest) async throws(RPCError) -> ListBroadcastsResponse {
        try await caller.call(Broadcast.list, request)
    }

    /// `broadcast.Pause`.
    public func pause(_ request: BroadcastActionRequest) async throws(RPCError) -> BroadcastDetail {
        try await caller.call(Broadcast.pause, request)
    }

    /// `broadcast.Resume`.
    public func resume(_ request: BroadcastActionRequest) async throws(RPCError) -> BroadcastDetail {
        try await caller.call(Broadcast.resume, request)
    }

    /// `broadcast.Stop`.
    public func stop(_ request: BroadcastActionRequest) async throws(RPCError) -> BroadcastDetail {
        try await caller.call(Broadcast.stop, request)
    }

    /// `broadcast.Override`.
    public func override(_ request: OverrideRequest) async throws(RPCError) -> BroadcastDetail {
        try await caller.call(Broadcast.override, request)
    }

    /// `broadcast.Recycle`.
    public func recycle(_ request: RecycleRequest) async throws(RPCError) -> RecycleResponse {
        try await caller.call(Broadcast.recycle, request)
    }

    /// `broadcast.SetDisposition`.
    public func setDisposition(_ request: SetDispositionRequest) async throws(RPCError) -> AttemptReply {
        try await caller.call(Broadcast.setDisposition, request)
    }

    /// `broadcast.ReportDelivery`.
    public func reportDelivery(_ request: ReportDeliveryRequest) async throws(RPCError) -> AttemptReply {
        try await caller.call(Broadcast.reportDelivery, request)
    }

    /// `broadcast.SearchAttempts`.
    public func searchAttempts(_ request: SearchAttemptsRequest) async throws(RPCError) -> SearchAttemptsResponse {
        try await caller.call(Broadcast.searchAttempts, request)
    }

    /// `broadcast.BulkRecycle`.
    public func bulkRecycle(_ request: BulkRecycleRequest) async throws(RPCError) -> BulkRecycleResponse {
        try await caller.call(Broadcast.bulkRecycle, request)
    }

    /// `broadcast.BulkBlock`.
    public func bulkBlock(_ request: BulkBlockRequest) async throws(RPCError) -> BulkBlockResponse {
        try await caller.call(Broadcast.bulkBlock, request)
    }

    /// `broadcast.DefineDisposition`.
    public func defineDisposition(_ request: DefineDispositionRequest) async throws(RPCError) -> DispositionReply {
        try await caller.call(Broadcast.defineDisposition, request)
    }

    /// `broadcast.ArchiveDisposition`.
    public func archiveDisposition(_ request: DispositionCodeRequest) async throws(RPCError) -> DispositionReply {
        try await caller.call(Broadcast.archiveDisposition, request)
    }

    /// `broadcast.DeleteDisposition`.
    public func deleteDisposition(_ request: DispositionCodeRequest) async throws(RPCError)
        -> DeleteDispositionResponse
    {
        try await caller.call(Broadcast.deleteDisposition, request)
    }

    /// `broadcast.ListDispositions`.
    public func listDispositions(_ request: ListDispositionsRequest = ListDispositionsRequest()) async throws(RPCError)
        -> ListDispositionsResponse
    {
        try await caller.call(Broadcast.listDispositions, request)
    }

    /// `broadcast.Block`.
    public func block(_ request: BlockRequest) async throws(RPCError) -> BlockReply {
        try await caller.call(Broadcast.block, request)
    }

    /// `broadcast.Unblock`.
    public func unblock(_ request: UnblockRequest) async throws(RPCError) -> BlockReply {
        try await caller.call(Broadcast.unblock, request)
    }

    /// `broadcast.ListBlocks`.
    public func listBlocks(_ request: ListBlocksRequest = ListBlocksRequest()) async throws(RPCError)
        -> ListBlocksResponse
    {
        try await caller.call(Broadcast.listBlocks, request)
    }

    /// `broadcast.SetPolicy`.
    public func setPolicy(_ request: SetPolicyRequest) async throws(RPCError) -> PolicyReply {
        try await caller.call(Broadcast.setPolicy, request)
    }

    /// `broadcast.GetPolicy`.
    public func getPolicy() async throws(RPCError) -> PolicyReply {
        try await caller.call(Broadcast.getPolicy, GetPolicyRequest())
    }

    /// `broadcast.Stats`.
    public func stats(_ request: StatsRequest) async throws(RPCError) -> StatsResponse {
        try await caller.call(Broadcast.stats, request)
    }
}
