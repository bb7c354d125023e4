/// Frame limits (DESIGN §2): 1 ≤ N ≤ max, max defaults to 1 MiB and never exceeds 16 MiB.
package enum FrameLimits {
    /// The default maximum payload size.
    package static let defaultMax = 1 << 20
    /// The hard cap no configuration can exceed.
    package static let hardCap = 16 << 20

    /// A configured maximum clamped into 1...hardCap.
    package static func clamp(_ n: Int?) -> Int { min(max(n ?? defaultMax, 1), hardCap) }
}

/// A frame whose length prefix is not acceptable.
package enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The prefix said 0 bytes.
    case empty
    /// The prefix said more than the maximum.
    case tooLarge(length: UInt32, max: Int)

    package var description: String {
        switch self {
        case .empty: "frame length 0 (a frame holds 1 to N bytes of JSON)"
        case .tooLarge(let n, let max): "frame length \(n) is over the limit of \(max) bytes"
        }
    }
}

/// Encodes frames: a 4-byte big-endian length, then the payload.
package enum FrameEncoder {
    /// The frame for `payload`.
    package static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(payload.count + 4)
        appendHeader(UInt32(payload.count), to: &out)
        out.append(contentsOf: payload)
        return out
    }

    /// Appends the big-endian length header.
    package static func appendHeader(_ n: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: n >> 24))
        out.append(UInt8(truncatingIfNeeded: n >> 16))
        out.append(UInt8(truncatingIfNeeded: n >> 8))
        out.append(UInt8(truncatingIfNeeded: n))
    }
}

/// Splits a byte stream into frames. Bytes arrive in any chunking; a length is checked against
/// the maximum before a single byte of its payload is buffered.
package struct FrameDecoder {
    /// The largest payload accepted.
    package let maxFrame: Int
    private var buffer: [UInt8] = []
    private var start = 0

    /// A decoder accepting payloads up to `maxFrame` bytes (clamped to the hard cap).
    package init(maxFrame: Int = FrameLimits.defaultMax) { self.maxFrame = FrameLimits.clamp(maxFrame) }

    /// Bytes received but not yet returned as a frame.
    package var bufferedCount: Int { buffer.count - start }

    /// Adds received bytes.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 256 * 1024)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    package mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// The next complete frame's payload, `nil` when more bytes are needed.
    package mutating func next() throws(FrameError) -> [UInt8]? {
        let available = buffer.count - start
        guard available >= 4 else { compact(); return nil }
        let n =
            UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16 | UInt32(buffer[start + 2]) << 8
            | UInt32(buffer[start + 3])
        if n == 0 { throw .empty }
        if n > UInt32(maxFrame) { throw .tooLarge(length: n, max: maxFrame) }
        guard available >= 4 + Int(n) else { compact(); return nil }
        let payload = Array(buffer[(start + 4)..<(start + 4 + Int(n))])
        start += 4 + Int(n)
        return payload
    }

    /// Lets go of everything buffered, and of the memory (a closed connection's).
    package mutating func release() {
        buffer = []
        start = 0
    }

    private mutating func compact() {
        if start == buffer.count && buffer.capacity > 256 * 1024 {
            // Every frame handed out: a large frame's room goes back rather than staying with an
            // idle connection.
            release()
        } else if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
