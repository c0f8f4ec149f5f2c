import Contracts
import Foundation
import SyntheticData

// The events of a synthetic partner: the registry's records, then the opportunities' jobs.

extension SyntheticPartner {
    func generateRegistry(_ random: inout SplitMix64, _ emit: Emit) throws {
        let registry = Registry.service
        typealias Types = Registry.EventType
        for index in 1...Self.documentTypeCount {
            try emit(
                registry, Types.documentTypeCreated,
                DocumentType(
                    partnerId: partnerId, id: documentTypeId(index), name: "Document \(index)", description: "",
                    createdAt: now))
        }
        for index in 1...Self.qualificationCount {
            let documents = index % 3 == 0 ? [documentTypeId(index % Self.documentTypeCount + 1)] : []
            var qualification = Qualification(
                partnerId: partnerId, id: qualificationId(index), name: "Qualification \(index)", description: "",
                providerTypes: qualificationTypes(index), zones: qualificationZones(index),
                requiredDocumentTypeIds: documents,
                archived: false, version: 1, createdAt: now, updatedAt: now)
            try emit(registry, Types.qualificationCreated, qualification)
            if qualificationArchived(index) {
                qualification.archived = true
                qualification.version = 2
                try emit(registry, Types.qualificationArchived, qualification)
            }
        }
        for index in 0..<providers { try emitProvider(index, &random, emit) }
        var byCity: [String: [Int]] = [:]
        for index in 0..<providers { byCity[city(of: index, salt: 1).name, default: []].append(index) }
        for index in 0..<customers {
            let local = byCity[city(of: index, salt: 2).name] ?? [0]
            let pick = { (random: inout SplitMix64) in providerId(local.randomElement(using: &random)!) }
            var lists: [CustomerListEntry] = []
            for (kind, count) in [(CustomerListEntry.Kind.preferred, 3), (.lastResort, 2), (.doNotConsider, 2)] {
                for _ in 0..<count { lists.append(CustomerListEntry(providerId: pick(&random), kind: kind)) }
            }
            if Double.random(in: 0..<1, using: &random) < 0.1 {
                for _ in 0..<25 { lists.append(CustomerListEntry(providerId: pick(&random), kind: .restricted)) }
            }
            let plain = (1...(Self.qualificationCount - 2)).filter {
                qualificationZones($0).isEmpty && qualificationTypes($0).isEmpty
            }
            let required =
                Double.random(in: 0..<1, using: &random) < 0.5
                ? [qualificationId(plain.randomElement(using: &random)!)] : []
            try emit(
                registry, Types.customerUpserted,
                Customer(
                    partnerId: partnerId, id: customerId(index), name: "Customer \(index)",
                    defaultRequiredQualificationIds: required,
                    defaultPreferredQualificationIds: [], lists: lists, version: 1, createdAt: now, updatedAt: now))
        }
    }

    private func emitProvider(_ index: Int, _ random: inout SplitMix64, _ emit: Emit) throws {
        let registry = Registry.service
        typealias Types = Registry.EventType
        let id = providerId(index)
        let city = city(of: index, salt: 1)
        let drawn = SyntheticProvider.draw(around: city, types: Self.types, using: &random)
        let type = drawn.providerType
        try emit(
            registry, Types.providerUpserted,
            Provider(
                partnerId: partnerId, id: id, name: "Provider \(index)", providerType: type, email: "\(id)@example.org",
                phone: drawn.hasPhone ? "+1555\(index)" : nil, location: drawn.location,
                travelRadiusKm: drawn.travelRadiusKm, zones: drawn.zones, active: drawn.active, version: 1,
                createdAt: now, updatedAt: now))
        for type in 1...Self.documentTypeCount where Double.random(in: 0..<1, using: &random) < 0.6 {
            let expires =
                Double.random(in: 0..<1, using: &random) < 0.1
                ? nil : now.addingTimeInterval(Double.random(in: -60...700, using: &random) * Self.day)
            try emit(
                registry, Types.documentAdded,
                Document(
                    partnerId: partnerId, id: "d-\(id)-\(type)", providerId: id, documentTypeId: documentTypeId(type),
                    issuedAt: now.addingTimeInterval(-Double.random(in: 30...1000, using: &random) * Self.day),
                    expiresAt: expires, revokedAt: nil))
        }
        let applicable = (1...(Self.qualificationCount - 2)).filter {
            qualificationTypes($0).isEmpty || qualificationTypes($0).contains(type)
        }
        var applied = Set<Int>()
        for _ in 0..<Int.random(in: 3...7, using: &random) { applied.insert(applicable.randomElement(using: &random)!) }
        for qualification in applied.sorted() {
            try emit(
                registry, Types.qualificationApplied,
                AppliedQualification(
                    partnerId: partnerId, providerId: id, qualificationId: qualificationId(qualification),
                    appliedAt: now))
        }
        guard Double.random(in: 0..<1, using: &random) < 0.4 else { return }
        var from = now.addingTimeInterval(Double.random(in: 0...10, using: &random) * Self.day)
        var windows: [AvailabilityWindow] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let to = from.addingTimeInterval(Double.random(in: 4...48, using: &random) * 3600)
            let roll = Double.random(in: 0..<1, using: &random)
            windows.append(
                AvailabilityWindow(
                    from: from, to: to, status: roll < 0.6 ? .available : roll < 0.9 ? .unavailable : .remoteOnly))
            from = to.addingTimeInterval(Double.random(in: 1...15, using: &random) * Self.day)
        }
        try emit(
            registry, Types.availabilitySet,
            SetAvailabilityResponse(partnerId: partnerId, providerId: id, windows: windows))
    }

    /// Six months of jobs done (some no-shows and cancellations) and a month of booked ones.
    func generateHistory(_ random: inout SplitMix64, _ emit: Emit) throws {
        let source = Opportunities.service
        var byCity: [String: [Int]] = [:]
        for index in 0..<customers { byCity[city(of: index, salt: 2).name, default: []].append(index) }
        var request = 0
        let today = Calendar.utc.startOfDay(for: now)
        for index in 0..<providers {
            let city = city(of: index, salt: 1)
            let local = byCity[city.name] ?? [0]
            let past = Int.random(in: 2...6, using: &random)
            let future = Double.random(in: 0..<1, using: &random) < 0.5 ? 1 : 0
            for job in 0..<(past + future) {
                request += 1
                let isPast = job < past
                let day =
                    isPast
                    ? -Double(Int.random(in: 1...180, using: &random)) : Double(Int.random(in: 1...30, using: &random))
                let start = today.addingTimeInterval(
                    day * Self.day + Double(Int.random(in: 8...16, using: &random)) * 3600)
                let end = start.addingTimeInterval(Double(Int.random(in: 1...4, using: &random)) * 3600)
                let customer = customerId(local.randomElement(using: &random)!)
                let roll = Double.random(in: 0..<1, using: &random)
                let state: OpportunityState =
                    isPast
                    ? (roll < 0.9 ? .assigned : roll < 0.93 ? .noShow : .cancelled)
                    : (roll < 0.7 ? .assigned : .contingent)
                let requestId = String(format: "r-%08d", request)
                let record = RequestRecord(
                    partnerId: partnerId, id: requestId, customerId: customer, providerType: "asl", startsAt: start,
                    endsAt: end,
                    remote: roll > 0.8, location: roll > 0.8 ? nil : city.location, zone: city.zone, teamSize: 1,
                    requiredQualificationIds: [], preferredQualificationIds: [], preferredProviderIds: [],
                    decision: DecisionPolicy(),
                    status: state == .contingent ? .open : .filled, version: 2, createdAt: now, updatedAt: now)
                try emit(source, Opportunities.EventType.requestCreated, record)
                try emit(
                    source, Opportunities.EventType.opportunityChanged,
                    OpportunityChanged(
                        opportunityId: "o-\(requestId)", requestId: requestId, providerId: providerId(index),
                        customerId: customer,
                        from: .pending, to: state, action: "decideAssign", actorRole: "partner", startsAt: start,
                        endsAt: end))
            }
        }
    }
}
