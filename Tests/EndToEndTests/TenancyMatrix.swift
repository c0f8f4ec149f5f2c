import Wire

/// Partner A's ids, as partner B sends them in the tenancy matrix.
struct TenantIds: Sendable {
    var partnerId: String
    var ada: String
    var ben: String
    var clinic: String
    var school: String
    var certified: String
    var medical: String
    var documentType: String
    var document: String
    var request: String
    var opportunity: String
    var attempt: String
    /// A's custom disposition.
    var disposition: String

    /// Every id and code above: none may appear in a reply to another partner.
    var all: [String] {
        [
            ada, ben, clinic, school, certified, medical, documentType, document, request, opportunity, attempt,
            disposition,
        ]
    }
}

/// The tenancy matrix: for every method of every service, the roles it allows (written out apart
/// from the contracts), and what another partner gets when it sends partner A's ids. The test
/// fails for a described method without a row, so a new method must be added here.
enum TenancyMatrix {
    /// What partner B gets for a call naming partner A's ids.
    enum Expectation: Sendable {
        /// `NOT_FOUND`, naming one of `fields` when given: A's ids are unknown ids to B.
        case notFound(fields: [String])
        /// Exactly `code` (OK for a list or a read of B's own), and none of A's ids in a reply.
        case noneOfA(StatusCode)
        /// Exactly `code`, as an id nobody has gets (an upsert creates with it; a block or a
        /// code is the caller's own), and no id of A's in a reply that the call did not send.
        case likeAnUnknownId(StatusCode)
    }

    struct Row: Sendable {
        /// Allowed roles (empty: no actor needed), written out apart from the contract's descriptors.
        var roles: Set<String>
        var expectation: Expectation
        /// The body, naming A's ids.
        var body: @Sendable (TenantIds) -> String
    }

    static let partnerAndService: Set<String> = ["partner", "service"]
    static let everyone: Set<String> = ["partner", "service", "customer", "provider"]
    static let window = #""from":"2031-03-01T09:00:00Z","to":"2031-03-01T11:00:00Z""#

    static func job(_ ids: TenantIds) -> String {
        #"{"customerId":"\#(ids.school)","providerType":"asl","startsAt":"2031-03-01T09:00:00Z","#
            + #""endsAt":"2031-03-01T11:00:00Z","remote":true,"zone":"IL","requiredQualificationIds":["\#(ids.medical)"]}"#
    }

    static func row(
        _ roles: Set<String>, _ expectation: Expectation, _ body: @escaping @Sendable (TenantIds) -> String
    ) -> Row {
        Row(roles: roles, expectation: expectation, body: body)
    }

    static func notFound(
        _ fields: [String] = [], roles: Set<String> = partnerAndService,
        _ body: @escaping @Sendable (TenantIds) -> String
    ) -> Row {
        row(roles, .notFound(fields: fields), body)
    }

    static func likeAnUnknownId(
        _ code: StatusCode = .ok, _ body: @escaping @Sendable (TenantIds) -> String
    ) -> Row {
        row(partnerAndService, .likeAnUnknownId(code), body)
    }

    static func noneOfA(
        _ roles: Set<String> = partnerAndService, _ code: StatusCode = .ok,
        _ body: @escaping @Sendable (TenantIds) -> String = { _ in "{}" }
    ) -> Row {
        row(roles, .noneOfA(code), body)
    }

    /// Health, Describe, ReadEvents and SetClock (PROTOCOL §5), the same on every service.
    static func common(_ service: String) -> [String: Row] {
        [
            "\(service).Health": noneOfA([]),
            "\(service).Describe": noneOfA([]),
            "\(service).ReadEvents": noneOfA { _ in #"{"afterSeq":0,"limit":1000}"# },
            // The service role alone moves a clock, every tenant's at once; the services under
            // test run on the system clock, so even it may not.
            "\(service).SetClock": noneOfA(["service"], .failedPrecondition) { _ in
                #"{"now":"2031-01-01T00:00:00Z"}"#
            },
        ]
    }

    static let rows: [String: Row] = {
        var rows: [String: Row] = [:]
        for service in ["registry", "matching", "broadcast", "opportunities"] { rows.merge(common(service)) { $1 } }
        rows.merge(registry) { $1 }
        rows.merge(matching) { $1 }
        rows.merge(broadcast) { $1 }
        rows.merge(opportunities) { $1 }
        return rows
    }()

    static let registry: [String: Row] = [
        // A name A uses is free for another tenant.
        "registry.CreateDocumentType": likeAnUnknownId { _ in #"{"name":"cert"}"# },
        "registry.ListDocumentTypes": noneOfA(),
        "registry.CreateQualification": notFound(["body.requiredDocumentTypeIds[0]"]) {
            #"{"name":"Needs A's cert","requiredDocumentTypeIds":["\#($0.documentType)"]}"#
        },
        "registry.UpdateQualification": notFound(["body.id"]) { #"{"id":"\#($0.medical)","name":"Renamed"}"# },
        "registry.ArchiveQualification": notFound(["body.id"]) { #"{"id":"\#($0.medical)"}"# },
        "registry.ListQualifications": noneOfA { _ in #"{"includeArchived":true}"# },
        "registry.UpsertProvider": likeAnUnknownId {
            #"{"id":"\#($0.ada)","name":"Taken over","providerType":"asl"}"#
        },
        "registry.GetProvider": notFound(roles: ["partner", "service", "provider"]) { #"{"id":"\#($0.ada)"}"# },
        "registry.ListProviders": noneOfA(),
        "registry.MarkChannelInvalid": notFound(["body.providerId"]) {
            #"{"providerId":"\#($0.ada)","channel":"email","reason":"not yours"}"#
        },
        "registry.EraseProvider": notFound(["body.providerId"]) {
            #"{"providerId":"\#($0.ada)","reason":"not yours"}"#
        },
        "registry.AddDocument": notFound(["body.providerId"]) {
            #"{"providerId":"\#($0.ada)","documentTypeId":"\#($0.documentType)","issuedAt":"2030-01-01T00:00:00Z"}"#
        },
        "registry.RevokeDocument": notFound(["body.id"]) { #"{"id":"\#($0.document)"}"# },
        "registry.ApplyQualification": notFound(["body.providerId"]) {
            #"{"providerId":"\#($0.ada)","qualificationId":"\#($0.medical)"}"#
        },
        "registry.RemoveQualification": notFound(["body.providerId"]) {
            #"{"providerId":"\#($0.ada)","qualificationId":"\#($0.medical)"}"#
        },
        "registry.CheckQualifications": notFound(["body.providerId"], roles: ["partner", "service", "provider"]) {
            #"{"providerId":"\#($0.ada)",\#(window)}"#
        },
        "registry.SetAvailability": notFound(["body.providerId"], roles: ["partner", "service", "provider"]) {
            #"{"providerId":"\#($0.ada)","windows":[{\#(window),"status":"unavailable"}]}"#
        },
        "registry.ListAvailability": notFound(["body.providerIds[0]"], roles: ["partner", "service", "provider"]) {
            #"{"providerIds":["\#($0.ada)"],\#(window)}"#
        },
        "registry.UpsertCustomer": likeAnUnknownId { #"{"id":"\#($0.school)","name":"Taken over"}"# },
        "registry.GetCustomer": notFound(roles: ["partner", "service", "customer"]) { #"{"id":"\#($0.school)"}"# },
        "registry.ListCustomers": noneOfA(),
        "registry.SetVocabulary": noneOfA { _ in #"{"zones":[{"code":"IL"}]}"# },
        "registry.GetVocabulary": noneOfA(everyone),
    ]

    static let matching: [String: Row] = [
        "matching.Rank": notFound(["body.request.customerId", "body.request.requiredQualificationIds[0]"]) {
            #"{"request":\#(job($0))}"#
        },
        "matching.Check": notFound { #"{"request":\#(job($0)),"providerId":"\#($0.ada)"}"# },
        "matching.GetSettings": noneOfA(),
        "matching.SetSettings": noneOfA { _ in #"{"travelBufferMinutes":45}"# },
        "matching.Status": noneOfA(),
    ]

    static let broadcast: [String: Row] = [
        "broadcast.Start": notFound { #"{"requestId":"\#($0.request)"}"# },
        "broadcast.Get": notFound { #"{"requestId":"\#($0.request)"}"# },
        "broadcast.List": noneOfA(),
        "broadcast.Override": notFound { #"{"requestId":"\#($0.request)","exclude":["\#($0.ada)"]}"# },
        "broadcast.Pause": notFound { #"{"requestId":"\#($0.request)"}"# },
        "broadcast.Resume": notFound { #"{"requestId":"\#($0.request)"}"# },
        "broadcast.Stop": notFound { #"{"requestId":"\#($0.request)"}"# },
        "broadcast.Recycle": notFound { #"{"requestId":"\#($0.request)"}"# },
        "broadcast.SetDisposition": notFound { #"{"attemptId":"\#($0.attempt)","code":"DECLINED"}"# },
        "broadcast.ReportDelivery": notFound { #"{"attemptId":"\#($0.attempt)","delivered":false}"# },
        // A's ids as filters match nothing of another partner's.
        "broadcast.SearchAttempts": noneOfA {
            #"{"providerId":"\#($0.ada)","requestId":"\#($0.request)","customerId":"\#($0.school)"}"#
        },
        "broadcast.BulkRecycle": noneOfA { #"{"requestId":"\#($0.request)","providerId":"\#($0.ada)"}"# },
        "broadcast.BulkBlock": noneOfA { #"{"providerId":"\#($0.ada)","reason":"not yours"}"# },
        "broadcast.DefineDisposition": likeAnUnknownId { #"{"code":"\#($0.disposition)","label":"B's own"}"# },
        "broadcast.ArchiveDisposition": notFound { #"{"code":"\#($0.disposition)"}"# },
        "broadcast.DeleteDisposition": notFound { #"{"code":"\#($0.disposition)"}"# },
        "broadcast.ListDispositions": noneOfA { _ in #"{"includeArchived":true}"# },
        // The partner's own providers and customers only: A's are unknown to B.
        "broadcast.Block": notFound(["body.providerId", "body.customerId"]) {
            #"{"providerId":"\#($0.ben)","customerId":"\#($0.school)"}"#
        },
        "broadcast.Unblock": notFound { #"{"providerId":"\#($0.ben)","customerId":"\#($0.school)"}"# },
        "broadcast.ListBlocks": noneOfA { #"{"providerId":"\#($0.ben)"}"# },
        "broadcast.SetPolicy": noneOfA { _ in
            #"{"bands":[{"minLeadHours":0,"waveSize":0,"intervalMinutes":30}],"autoStart":false}"#
        },
        "broadcast.GetPolicy": noneOfA(),
        "broadcast.Stats": notFound { #"{"requestId":"\#($0.request)"}"# },
    ]

    static let opportunities: [String: Row] = [
        "opportunities.CreateRequest": notFound(
            ["body.customerId", "body.requiredQualificationIds"], roles: ["partner", "service", "customer"]
        ) { job($0) },
        "opportunities.GetRequest": notFound(roles: everyone) { #"{"id":"\#($0.request)"}"# },
        "opportunities.ListRequests": noneOfA(["partner", "service", "customer"]) {
            #"{"customerId":"\#($0.school)"}"#
        },
        "opportunities.CancelRequest": notFound(roles: ["partner", "service", "customer"]) {
            #"{"id":"\#($0.request)"}"#
        },
        "opportunities.Offer": notFound { #"{"requestId":"\#($0.request)","providerId":"\#($0.ben)"}"# },
        "opportunities.Respond": notFound(roles: ["provider", "partner", "service"]) {
            #"{"opportunityId":"\#($0.opportunity)","interested":true}"#
        },
        "opportunities.WithdrawOffer": notFound {
            #"{"opportunityId":"\#($0.opportunity)","reason":"not yours"}"#
        },
        "opportunities.Decide": notFound(roles: ["partner", "service", "customer"]) {
            #"{"opportunityId":"\#($0.opportunity)","assign":true}"#
        },
        "opportunities.Cancel": notFound(roles: everyone) {
            #"{"opportunityId":"\#($0.opportunity)","reason":"not yours"}"#
        },
        "opportunities.MarkNoShow": notFound { #"{"opportunityId":"\#($0.opportunity)"}"# },
        "opportunities.SeekReplacement": notFound(roles: ["provider", "customer"]) {
            #"{"opportunityId":"\#($0.opportunity)"}"#
        },
        "opportunities.WithdrawReplacement": notFound(roles: ["provider", "customer", "partner"]) {
            #"{"opportunityId":"\#($0.opportunity)"}"#
        },
        "opportunities.GetOpportunity": notFound(roles: everyone) { #"{"id":"\#($0.opportunity)"}"# },
        "opportunities.ListOpportunities": noneOfA(everyone) { #"{"requestId":"\#($0.request)"}"# },
        "opportunities.History": notFound(roles: everyone) { #"{"id":"\#($0.opportunity)"}"# },
        "opportunities.SetCancellationPolicy": notFound(["body.subjectId"]) {
            #"{"scope":"customer","subjectId":"\#($0.school)","bands":[{"hoursBeforeStart":24,"billablePercent":50}]}"#
        },
        "opportunities.GetCancellationPolicy": notFound(roles: everyone) {
            #"{"scope":"customer","subjectId":"\#($0.school)"}"#
        },
        "opportunities.GetSettings": noneOfA(),
        "opportunities.SetSettings": noneOfA { _ in #"{"unfilledSoonLeadHours":12}"# },
    ]
}
