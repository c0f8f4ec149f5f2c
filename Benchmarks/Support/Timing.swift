import Foundation
import Histogram

/// Monotonic nanoseconds, read directly from the kernel's clock.
@inline(__always)
public func nowNanos() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Latencies in microseconds, 3 significant digits, up to 60 s.
public func makeHistogram() -> Histogram<UInt64> {
    Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
}

/// Nanoseconds as whole microseconds (at least 1, so a histogram takes it).
@inline(__always)
public func microseconds(_ nanos: UInt64) -> UInt64 { max(1, (nanos + 500) / 1000) }
