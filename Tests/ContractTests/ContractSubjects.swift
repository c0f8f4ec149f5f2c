import Contracts
import Wire

/// One method's schemas and Swift types, as the schema tests see them.
struct ContractSubject: Sendable, CustomStringConvertible {
    let info: MethodInfo
    let requestType: any (Codable & Sendable).Type
    let responseType: any (Codable & Sendable).Type

    var description: String { info.name }

    init<Handlers>(_ method: ContractMethod<Handlers>) {
        info = method.info
        requestType = method.requestType
        responseType = method.responseType
    }

    init<Request, Response>(_ descriptor: MethodDescriptor<Request, Response>) {
        info = MethodInfo(descriptor)
        requestType = Request.self
        responseType = Response.self
    }

    /// Every method a client can call: the four contracts, the common methods and the bus's own.
    static let all: [ContractSubject] =
        Registry.methods.map(ContractSubject.init) + Matching.methods.map(ContractSubject.init)
        + Broadcast.methods.map(ContractSubject.init) + Opportunities.methods.map(ContractSubject.init)
        + [
            ContractSubject(CommonMethods.health("registry")), ContractSubject(CommonMethods.describe("registry")),
            ContractSubject(CommonMethods.readEvents("registry")), ContractSubject(CommonMethods.setClock("registry")),
            ContractSubject(BusMethods.status),
        ]
}
