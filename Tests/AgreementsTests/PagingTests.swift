import Testing
import LiaisonJSON
import LiaisonWire
@testable import Agreements

@Suite struct AgreementsPagingTests {
    @Test func agreementsPageByReference() throws {
        let t = try TestAgreements()
        for i in 0..<5 { _ = try t.ok("agreements.create", uganda(title: "Workstation \(i)")) }
        let pages = try t.under.pages("agreements.list", limit: 2)
        #expect(pages.map(\.count) == [2, 2, 1])
        let refs = pages.joined().map { $0["reference"]!.stringValue! }
        #expect(refs == refs.sorted() && Set(refs).count == 5)
        #expect(t.error("agreements.list", ["limit": 201])?.details?["field"] == "limit")
    }

    @Test func projectedDelegationsPageByStartThenID() throws {
        let t = try TestAgreements()
        for (i, day) in ["2024-07-09", "2024-07-09", "2023-06-13", "2025-01-02"].enumerated() {
            try t.project(id: "del-\(i)", country: "UG", start: day)
        }
        let pages = try t.under.pages("agreements.delegations", limit: 3)
        #expect(pages.map(\.count) == [3, 1])
        #expect(pages.joined().map { $0["id"]!.stringValue! } == ["del-2", "del-0", "del-1", "del-3"])
        let e = try #require(t.error("agreements.delegations", ["cursor": "no tilde"]))
        #expect(e.code == .invalidParams && e.details?["field"] == "cursor")
    }
}
