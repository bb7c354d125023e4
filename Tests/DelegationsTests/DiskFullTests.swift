import Glibc
import Testing
import LiaisonProcess
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Delegations

/// A full disk is a retryable `unavailable` naming the file, reads go on, and writes work again
/// once space is freed; the WAL gives its space back when writes stop (issue 11, case 8).
@Suite(.serialized, .enabled(if: geteuid() == 0, "mounting a small tmpfs needs root")) struct DiskFullTests {
    @Test func aFullDiskIsARetryableUnavailableWithThePathAndWritesWorkAgainOnceSpaceIsFreed() throws {
        var disk: SmallDisk?
        let t = try TestDelegations(prepare: { disk = try SmallDisk(at: $0, megabytes: 4) })
        let small = try #require(disk)
        // Unmounted before the test's home is removed (which then goes entirely).
        defer { withExtendedLifetime(t) { small.unmount() } }
        let (kept, _) = try t.create(thaiVisit(title: "Stored before the disk filled"))
        try small.fill()
        var failure: ServiceError?
        for i in 0..<50 {  // the WAL may have room for a few more pages
            if let e = t.error("delegations.create", thaiVisit(title: "Visit \(i)")) {
                failure = e
                break
            }
        }
        let e = try #require(failure, "50 creates on a full disk all succeeded")
        #expect(e.code == .unavailable && e.retryable, "\(e)")
        #expect(e.details?["reason"] == "disk_full", "\(e)")
        #expect(e.message.contains("is full; nothing was written"), "\(e)")
        #expect(e.details?["path"]?.stringValue?.hasSuffix("/delegations.db") == true, "\(e)")
        #expect(try t.ok("delegations.get", ["id": .string(kept)])["title"] == "Stored before the disk filled", "reads go on")

        small.free()
        let again = try t.ok("delegations.create", thaiVisit(title: "After space was freed"))
        #expect(again["status"] == "proposed")
        // Once writes stop, the WAL is checkpointed and cut to nothing.
        let deadline = monotonicNanos() + 10_000_000_000
        while (small.size("delegations.db-wal") ?? 0) > 0 && monotonicNanos() < deadline { usleep(50_000) }
        #expect(small.size("delegations.db-wal") == 0)
        #expect(try t.ok("delegations.get", ["id": again["id"]!])["title"] == "After space was freed")
    }
}
