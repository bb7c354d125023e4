import Testing

@testable import LiaisonJSON

/// `Schema.repaired`: a refused value made to fit, so that the checks behind a schema still run.
@Suite struct SchemaRepairTests {
    let schema = Schema.object([
        .req("direction", .string(values: ["inbound", "outbound"])),
        .req("title", .string(maxLength: 5)),
        .req("when", .string(format: "partial-date")),
        .opt("email", .string(format: "email")),
        .opt("count", .integer(minimum: 1, maximum: 10)),
        .req("people", .array(.object([.req("name", .string()), .opt("age", .integer(minimum: 0))]), maxItems: 2)),
        .opt("notes", .string()),
    ])

    @Test func everyMemberThatDoesNotFitIsReplacedAndTheRestKept() throws {
        let bad: JSONValue = [
            "direction": "sideways", "title": "Far too long", "email": "nobody", "count": 40, "notes": "kept",
            "people": [["age": -3], ["name": "B"], ["name": "C"]], "unknown": "kept too",
        ]
        #expect(schema.violations(bad).count == 6)
        let fixed = try #require(schema.repaired(bad))
        #expect(schema.violation(fixed) == nil, "\(fixed)")
        #expect(fixed["direction"] == "inbound" && fixed["title"] == "Far t" && fixed["count"] == 10)
        #expect(fixed["email"] == "someone@example.invalid", "a sample of its format")
        #expect(fixed["when"] == "2000", "a required member missing gets a sample of its format")
        #expect(fixed["notes"] == "kept" && fixed["unknown"] == "kept too")
        #expect(fixed["people"]?.arrayValue?.count == 2 && fixed["people"]?[0]?["age"] == 0)
    }

    @Test func aRequiredMemberWithoutAStandInMakesNoCopy() {
        let s = Schema.object([.req("code", .string(format: "a format nobody knows"))])
        #expect(s.repaired(["other": 1]) == nil)
        let optional = Schema.object([.opt("code", .string(format: "a format nobody knows"))])
        #expect(optional.repaired(["code": "x"]) == ["code": "x"], "not checked, so it fits")
        #expect(Schema.object([.req("n", .integer())]).repaired(["n": "x"]) == ["n": 0])
    }
}
