import CLiaisonShims

/// SHA-256 (FIPS 180-4), for document fingerprints and the history's hash chain: the toolchain
/// has no CryptoKit on Linux and the project takes no packages. Streaming (`update` as data comes,
/// then `finish`), checked against the NIST test vectors. Whole blocks are compressed in C
/// (`CLiaisonShims/sha256.c`): with the CPU's SHA extensions where it has them, else by the
/// standard's rounds.
package struct SHA256: Sendable {
    /// Blocks through the standard's rounds only (tests compare both ways).
    private var portable = false
    private var h: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    package init() {}

    /// A digest computed without the CPU's SHA extensions.
    package init(portable: Bool) { self.portable = portable }

    /// Whether this CPU's SHA extensions are used.
    package static var hardware: Bool { liaison_sha256_hardware() == 1 }

    package mutating func update(_ data: some Sequence<UInt8>) {
        let done: Void? = data.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(data).withUnsafeBytes { update($0) } }
    }

    /// Whole blocks straight from the input; only a partial one goes through `buffer`.
    private mutating func update(_ data: UnsafeRawBufferPointer) {
        length &+= UInt64(data.count)
        var i = 0
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, data.count)
            buffer.append(contentsOf: data[0..<take])
            i = take
            if buffer.count < 64 { return }
            buffer.withUnsafeBytes { blocks($0) }
            buffer.removeAll(keepingCapacity: true)
        }
        let whole = (data.count - i) / 64 * 64
        blocks(UnsafeRawBufferPointer(rebasing: data[i..<i + whole]))
        buffer.append(contentsOf: data[(i + whole)...])
    }

    /// The digest (the state is spent).
    package mutating func finish() -> [UInt8] {
        let bits = length &* 8
        buffer.append(0x80)
        while buffer.count % 64 != 56 { buffer.append(0) }
        for i in (0..<8).reversed() { buffer.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        buffer.withUnsafeBytes { blocks($0) }
        buffer = []
        return h.flatMap { w in (0..<4).reversed().map { UInt8(truncatingIfNeeded: w >> (UInt32($0) * 8)) } }
    }

    /// The lowercase hex digest of `data`.
    package static func hex(_ data: some Sequence<UInt8>) -> String {
        var s = SHA256()
        s.update(data)
        return hex(digest: s.finish())
    }

    package static func hex(digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digest.count * 2)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compresses `data`, whole blocks.
    private mutating func blocks(_ data: UnsafeRawBufferPointer) {
        let n = data.count / 64
        guard n > 0, let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let portable = portable
        h.withUnsafeMutableBufferPointer { state in
            if portable || liaison_sha256_blocks(state.baseAddress!, base, n) == 0 {
                liaison_sha256_blocks_portable(state.baseAddress!, base, n)
            }
        }
    }
}
