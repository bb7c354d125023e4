import Glibc
import LiaisonStore
import Testing

@testable import Delegations

/// A service let go is freed with its store (and so every connection to its database): tests
/// and the fuzzer make thousands, one after another. The `service.*` methods once held the
/// method table that held them, and with it the whole service: the fuzzer ran out of file
/// descriptors after a few minutes (SQLite "unable to open database file").
@Suite struct TeardownTests {
    @Test func aServiceLetGoClosesItsDatabase() throws {
        weak var store: Store?
        weak var logic: DelegationsLogic?
        do {
            let t = try TestDelegations()
            _ = try t.create(thaiVisit())
            _ = try t.ok("service.describe", [:])
            store = t.service.store
            logic = t.service.logic
        }
        #expect(logic == nil, "the service's logic was freed")
        for _ in 0..<200 where store != nil { usleep(10_000) }  // a checkpoint under way holds it a moment
        #expect(store == nil, "its store was freed, and with it every connection")
    }
}
