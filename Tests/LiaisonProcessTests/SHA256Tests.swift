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
}
