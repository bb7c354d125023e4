import Foundation
import LiaisonProcess
import Testing

/// SHA-256 against the NIST examples (FIPS 180-4) and across block edges.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func matchesTheStandardsExamples(_ text: String, _ digest: String) {
        #expect(SHA256.hex(Array(text.utf8)) == digest)
    }

    @Test func aMillionAsAndAnyChunkingGiveTheSameDigest() {
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let data = (0..<1000).map { UInt8($0 % 251) }
        for size in [1, 55, 56, 63, 64, 65, 999] {
            var s = SHA256()
            var i = 0
            while i < data.count {
                s.update(data[i..<min(i + size, data.count)])
                i += size
            }
            #expect(SHA256.hex(digest: s.finish()) == SHA256.hex(data), "chunks of \(size)")
        }
    }

    /// The CPU's SHA extensions (where this machine has them) and the portable rounds agree on
    /// every length across several blocks, and on the standard's examples.
    @Test func theHardwareAndThePortableRoundsAgree() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        let data = (0..<4096).map { _ -> UInt8 in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: seed >> 33)
        }
        for n in Array(0...200) + [255, 256, 511, 1000, 4096] {
            var fast = SHA256(), slow = SHA256(portable: true)
            fast.update(data[0..<n])
            slow.update(data[0..<n])
            #expect(SHA256.hex(digest: fast.finish()) == SHA256.hex(digest: slow.finish()), "\(n) bytes")
        }
        var abc = SHA256(portable: true)
        abc.update(Array("abc".utf8))
        #expect(SHA256.hex(digest: abc.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        print("SHA256Tests: the CPU's SHA extensions are \(SHA256.hardware ? "used" : "absent here")")
    }

    /// Files are hashed a megabyte at a time (backups): many blocks a call, as `Data`.
    @Test func largeChunksAsDataAgree() {
        var seed: UInt64 = 42
        let data = Data((0..<(5 << 20) + 77).map { _ -> UInt8 in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: seed >> 33)
        })
        var fast = SHA256(), slow = SHA256(portable: true)
        var i = 0
        while i < data.count {
            let chunk = data[i..<min(i + (1 << 20), data.count)]
            fast.update(chunk)
            slow.update(chunk)
            i += 1 << 20
        }
        #expect(SHA256.hex(digest: fast.finish()) == SHA256.hex(digest: slow.finish()))
    }
}
