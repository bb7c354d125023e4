import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// An update of independent fields is applied field by field; it must come out exactly as the
/// merge by definition (encode the draft, replace the members, decode the whole) does.
@Suite struct DraftMergeTests {
    let draft: DelegationDraft

    init() throws {
        var d = try JSONDecoding.decode(DelegationDraft.self, from: thaiVisit())
        d.groups = [MemberGroup(description: "Students of BIT", count: 12)]
        d.budget = Money(amount: "12000", currency: "CNY")
        d.notes = "Halal lunch"
        d.externalKey = "moe-th-2026"
        draft = d
    }

    static let values: [(String, [JSONValue])] = [
        ("direction", ["outbound", .null, 5, "sideways"]),
        ("title", ["Ministry visit, second day", .null, 3, ""]),
        ("purpose", ["Exchange", .null, ["x"]]),
        ("topics", [["engineering", "language"], [], .null, "x", [1]]),
        ("members", [[["name": "Somchai", "role": "member"]], [], .null, [["name": 5]], [["role": "member"]]]),
        ("groups", [[["description": "Teachers", "count": 4]], .null, [["count": "four"]]]),
        ("hosts", [[["name": "Zhang Min", "email": "zhang.min@bit.edu.cn"]], .null, [[:]]]),
        ("itinerary", [[], .null, [["title": 5]], "none"]),
        ("budget", [["amount": "900", "currency": "USD"], .null, ["amount": 1, "currency": "USD"]]),
        ("notes", ["Vegetarian dinner", .null, 7, ""]),
        ("external_key", ["moe-th-2026-b", .null, false]),
    ]

    /// Both merges, as a result or as the error each gives.
    func both(_ changes: JSONObject) -> (Result<DelegationDraft, JSONDecodeError>, Result<DelegationDraft, JSONDecodeError>?) {
        let given = Set(changes.keys)
        let whole = Result { () throws(JSONDecodeError) in try draft.mergingWholeDraft(changes, given: given) }
        let byField: Result<DelegationDraft, JSONDecodeError>?
        do throws(JSONDecodeError) {
            byField = try draft.mergingFieldByField(changes, given: given).map { .success($0) }
        } catch { byField = .failure(error) }
        return (whole, byField)
    }

    @Test(arguments: Self.values)
    func eachFieldComesOutAsTheWholeDecodeWouldHaveIt(_ field: String, _ values: [JSONValue]) {
        for value in values {
            let (whole, byField) = both([field: value])
            if value == .null && (field == "direction" || field == "title") {
                #expect(byField == nil, "a required field given as null is left to the whole decode")
                #expect(throws: JSONDecodeError.self) { try whole.get() }
                continue
            }
            #expect(byField == whole, "\(field) = \(JSONWriter.string(value))")
        }
    }

    @Test func severalFieldsAtOnceNameTheSameFirstBadOne() {
        let cases: [JSONObject] = [
            ["notes": "ok", "title": "New", "topics": ["a"]],
            ["notes": 7, "title": 3],
            ["budget": ["amount": 1], "members": [["name": 5]], "external_key": "k"],
            ["itinerary": "none", "hosts": "none"],
        ]
        for changes in cases {
            let (whole, byField) = both(changes)
            #expect(byField == whole, "\(JSONWriter.string(.object(changes)))")
        }
    }

    @Test func fieldsThatDependOnOthersTakeTheWholeDecode() throws {
        for field in ["partners", "starts_at", "ends_at", "date", "time_zone"] {
            #expect(try draft.mergingFieldByField([field: .null, "notes": "x"], given: [field, "notes"]) == nil, "\(field)")
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
