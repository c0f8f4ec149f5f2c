/// The payload frame of PROTOCOL §2: a big-endian uint32 `N`, then exactly `N` bytes of JSON.
public enum LengthPrefixedFrame {
    /// PROTOCOL §2's default limit for `N`.
    public static let defaultMaxMessageBytes = 1 << 20

    /// The largest message a socket takes from a peer (`ZMQ_MAXMSGSIZE`) when frames are limited
    /// to `maxMessageBytes`: room for an over-limit frame that is still answered properly, while
    /// a peer sending far more is disconnected by libzmq before the bytes are held.
    public static func socketLimit(maxMessageBytes: Int) -> Int64 {
        Int64(min(maxMessageBytes, Int(Int32.max) / 8)) * 4 + 4096
    }

    /// Prefixes `json` with its length.
    public static func encode(_ json: [UInt8]) -> [UInt8] {
        var frame = [UInt8]()
        frame.reserveCapacity(4 + json.count)
        let count = UInt32(json.count)
        frame.append(UInt8(truncatingIfNeeded: count >> 24))
        frame.append(UInt8(truncatingIfNeeded: count >> 16))
        frame.append(UInt8(truncatingIfNeeded: count >> 8))
        frame.append(UInt8(truncatingIfNeeded: count))
        frame.append(contentsOf: json)
        return frame
    }

    /// The JSON bytes of `frame`, or the error the protocol prescribes: `INVALID_ARGUMENT` for a
    /// frame whose size is not exactly `4 + N`, `RESOURCE_EXHAUSTED` for `N` over `maxMessageBytes`.
    public static func decode(_ frame: [UInt8], maxMessageBytes: Int = defaultMaxMessageBytes) -> Result<
        ArraySlice<UInt8>, RPCError
    > {
        guard frame.count >= 4 else {
            return .failure(
                RPCError(.invalidArgument, "frame of \(frame.count) bytes is shorter than its 4-byte length prefix"))
        }
        let declared = Int(frame[0]) << 24 | Int(frame[1]) << 16 | Int(frame[2]) << 8 | Int(frame[3])
        if declared > maxMessageBytes {
            return .failure(
                RPCError(.resourceExhausted, "message of \(declared) bytes exceeds the limit of \(maxMessageBytes)"))
        }
        guard frame.count == 4 + declared else {
            return .failure(
                RPCError(
                    .invalidArgument, "length prefix says \(declared) bytes but the frame holds \(frame.count - 4)"))
        }
        return .success(frame[4...])
    }
}
