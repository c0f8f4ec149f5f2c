import GRPCCore

/// The benchmark's one method, written by hand (no protobuf, no codegen): a unary RPC whose
/// request and response are the message bytes themselves.
enum Echo {
    static let service = ServiceDescriptor(fullyQualifiedService: "octoo.bench.EchoService")
    static let method = MethodDescriptor(service: service, method: "Echo")
}

/// Serializes a message that already is bytes: one copy into the transport's buffer type.
struct RawBytesSerializer: MessageSerializer {
    typealias Message = [UInt8]

    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }
}

/// Deserializes a message that is just its bytes: one copy out of the transport's buffer.
struct RawBytesDeserializer: MessageDeserializer {
    typealias Message = [UInt8]

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

/// The server side: answers every `Echo` request with the request's own bytes.
struct EchoService: RegistrableRPCService {
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Echo.method,
            deserializer: RawBytesDeserializer(),
            serializer: RawBytesSerializer()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: ServerResponse(message: single.message))
        }
    }
}
