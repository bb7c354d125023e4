import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// `delegations.update` is a JSON Merge Patch (RFC 7396) of the draft: a member given replaces,
/// an object merges, null clears, and the result is decoded as a whole (so every rule holds and
/// a bad member is named by its path).
@Suite struct UpdatePatchTests {
    let draft: DelegationDraft

    init() throws {
        var d = try JSONDecoding.decode(DelegationDraft.self, from: thaiVisit())
        d.groups = [MemberGroup(description: "Students of BIT", count: 12)]
        d.budget = Money(amount: "12000", currency: "CNY")
        d.notes = "Halal lunch"
        draft = d
    }

    func patched(_ changes: JSONObject) throws(JSONDecodeError) -> DelegationDraft {
        try Patch(changes).applied(to: draft, fields: Set(DelegationsLogic.draftFields))
    }

    @Test func anObjectMergesMemberByMemberAndNullClears() throws {
        let d = try patched(["budget": ["amount": "900"], "notes": .null, "topics": ["language"]])
        #expect(d.budget == Money(amount: "900", currency: "CNY"), "the currency stays")
        #expect(d.notes == nil)
        #expect(d.topics == ["language"], "an array replaces")
        #expect(d.members == draft.members && d.itinerary == draft.itinerary && d.title == draft.title)
    }

    @Test func unknownFieldsAreLeftAlone() throws {
        #expect(try patched(["colour": "blue"]) == draft)
    }

    @Test func aBadMemberIsNamedByItsPath() {
        for (changes, path) in [
            (["members": [["name": 5]]] as JSONObject, "members[0].name"), (["title": .null], "title"),
            (["budget": ["amount": 1]], "budget.amount"), (["direction": "sideways"], "direction"),
        ] {
            #expect(throws: JSONDecodeError.self, "\(path)") { try patched(changes) }
            do throws(JSONDecodeError) { _ = try patched(changes) } catch { #expect(error.path == path, "\(error)") }
        }
    }

    @Test func anUpdateOfTheNotesThroughTheServiceLeavesEverythingElse() throws {
        let s = try TestDelegations()
        let (id, v) = try s.create(thaiVisit())
        let before = try s.ok("delegations.get", ["id": .string(id)])
        let after = try s.ok("delegations.update", ["id": .string(id), "expected_version": .int(v), "notes": "Vegetarian dinner"])
        #expect(after["notes"] == "Vegetarian dinner")
        for key in ["members", "hosts", "itinerary", "partners", "starts_at", "ends_at", "time_zone", "topics", "purpose", "title"] {
            #expect(after[key] == before[key], "\(key)")
        }
        let cleared = try s.ok("delegations.update", ["id": .string(id), "expected_version": after["version"]!, "topics": .null])
        #expect(cleared["topics"] == [], "null clears a list")
        let bad = s.error("delegations.update", ["id": .string(id), "expected_version": cleared["version"]!, "members": [["name": 5]]])
        #expect(bad?.code == .invalidParams && bad?.message.contains("members[0].name") == true, "\(bad?.message ?? "")")
    }
}
