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

    /// A country's list pages in order of start across visits it leads and joint visits it is
    /// a second partner of, with the other filters applied to both (issue 30: the page comes
    /// from an index of country and start).
    @Test func aCountrysListPagesInOrderAcrossLeadAndJointVisits() throws {
        let t = try TestDelegations()
        func visit(_ title: String, _ day: Int, joint: Bool) throws -> String {
            var draft = thaiVisit(title: title).objectValue!
            draft["partner"] = nil
            draft["starts_at"] = .string("2027-06-\(10 + day)T09:00")
            draft["ends_at"] = .string("2027-06-\(10 + day)T17:00")
            draft["itinerary"] = []
            draft["partners"] =
                joint
                ? [
                    ["name": "Khalifa University", "kind": "university", "country": "AE", "lead": true],
                    ["name": "Chulalongkorn University", "kind": "university", "country": "TH"],
                ]
                : [["name": "Chulalongkorn University", "kind": "university", "country": "TH", "lead": true]]
            return try t.create(.object(draft)).0
        }
        let ids = try [
            visit("Fifth", 5, joint: false), visit("First", 1, joint: true), visit("Third", 3, joint: false),
            visit("Second", 2, joint: false), visit("Fourth", 4, joint: true),
        ]
        let inOrder = [ids[1], ids[3], ids[2], ids[4], ids[0]]
        var seen: [String] = []
        var cursor: JSONValue = .null
        repeat {
            var p: JSONObject = ["country": "TH", "limit": 2]
            if cursor != .null { p["cursor"] = cursor }
            let page = try t.ok("delegations.list", .object(p))
            seen += page["items"]!.arrayValue!.compactMap { $0["id"]?.stringValue }
            cursor = page["next_cursor"] ?? .null
        } while cursor != .null && seen.count < 10
        #expect(seen == inOrder, "pages of two, in order of start, each visit once")
        _ = try t.ok("delegations.confirm", ["id": .string(ids[4])])
        _ = try t.ok("delegations.confirm", ["id": .string(ids[2])])
        let confirmed = try t.ok("delegations.list", ["country": "TH", "status": "confirmed"])["items"]!.arrayValue!
        #expect(confirmed.compactMap { $0["id"]?.stringValue } == [ids[2], ids[4]])
    }
}
