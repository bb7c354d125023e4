import Testing
import LiaisonJSON
import LiaisonWire
@testable import Delegations

/// A joint visit speaks for every partner: found by each partner's country (issue 27, item 1).
@Suite struct JointVisitTests {
    @Test func aJointVisitIsFoundByEachPartnersCountry() throws {
        let t = try TestDelegations()
        var draft = thaiVisit(title: "Joint Thai–Emirati delegation").objectValue!
        draft["partner"] = nil
        draft["partners"] = [
            ["name": "Chulalongkorn University", "kind": "university", "country": "TH", "lead": true],
            ["name": "Khalifa University", "kind": "university", "country": "AE"],
        ]
        let (id, _) = try t.create(.object(draft))
        let (alone, _) = try t.create(thaiVisit(title: "Thai only", venue: "Room 2", host: "wang@bit.edu.cn"))
        func found(_ country: String) throws -> [String] {
            (try t.ok("delegations.list", ["country": .string(country)])["items"]?.arrayValue ?? []).compactMap {
                $0["id"]?.stringValue
            }
        }
        #expect(Set(try found("TH")) == [id, alone])
        #expect(try found("AE") == [id], "the second partner's country finds the joint visit")
        #expect(try found("ae") == [id])
        #expect(try found("KR").isEmpty)
    }
}
