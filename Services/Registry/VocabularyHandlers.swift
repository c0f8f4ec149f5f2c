import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// The partner's vocabulary: the zones and provider types codes must come from, so that a
/// mistyped code is refused instead of silently never matching. Records that already use a code
/// keep it; only new uses are checked (`DirectoryRules`).
struct VocabularyHandlers: RegistryVocabularyHandling {
    let store: RegistryStore
    let clock: any ServiceClock

    /// The most codes one list may hold.
    static let maxTerms = 1000

    /// Replaces the lists sent, leaving the other as it was.
    func setVocabulary(_ request: SetVocabularyRequest, _ context: CallerContext) async throws -> VocabularyReply {
        var validator = Validator()
        let zones = request.zones.map { Self.terms($0, field: "body.zones", into: &validator) }
        let providerTypes = request.providerTypes.map {
            Self.terms($0, field: "body.providerTypes", into: &validator)
        }
        try validator.check()
        let now = clock.now
        return try await store.mutate(context, request, at: now) { transaction in
            var vocabulary = try transaction.vocabulary()
            try StaleVersion.check(
                request.expectedVersion, actual: vocabulary.version, kind: "vocabulary", id: transaction.partnerId)
            if let zones { vocabulary.zones = zones }
            if let providerTypes { vocabulary.providerTypes = providerTypes }
            vocabulary.version += 1
            vocabulary.updatedAt = now
            try transaction.save(vocabulary, at: now)
            return VocabularyReply(vocabulary: vocabulary)
        }
    }

    func getVocabulary(_ request: GetVocabularyRequest, _ context: CallerContext) async throws -> VocabularyReply {
        VocabularyReply(vocabulary: try await store.read(context.partnerId) { try $0.vocabulary() })
    }

    /// Trimmed terms with unique, non-empty codes and bounded names.
    private static func terms(
        _ terms: [VocabularyTerm], field: String, into validator: inout Validator
    ) -> [VocabularyTerm] {
        validator.require(terms.count <= maxTerms, field, "must hold at most \(maxTerms) codes")
        let codes = validator.codes(terms.map(\.code), field: field)
        return zip(terms.indices, codes).map { index, code in
            let name = terms[index].name.map { validator.name($0, field: "\(field)[\(index)].name") }
            return VocabularyTerm(code: code, name: name)
        }
    }
}
