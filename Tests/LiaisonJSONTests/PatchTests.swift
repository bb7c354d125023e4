import LiaisonJSON
import Testing

/// RFC 7396's own examples (appendix A), and the typed application.
@Suite struct PatchTests {
    func merged(_ target: JSONValue, _ patch: JSONObject) -> JSONValue {
        guard case .object(let t) = target else { return .null }
        return .object(Patch(patch).merged(into: t))
    }

    @Test func theRFCExamples() {
        #expect(merged(["a": "b"], ["a": "c"]) == ["a": "c"])
        #expect(merged(["a": "b"], ["b": "c"]) == ["a": "b", "b": "c"])
        #expect(merged(["a": "b"], ["a": .null]) == [:])
        #expect(merged(["a": "b", "b": "c"], ["a": .null]) == ["b": "c"])
        #expect(merged(["a": ["b"]], ["a": "c"]) == ["a": "c"])
        #expect(merged(["a": "c"], ["a": ["b"]]) == ["a": ["b"]])
        #expect(merged(["a": ["b": "c"]], ["a": ["b": "d", "c": .null]]) == ["a": ["b": "d"]])
        #expect(merged(["a": [["b": "c"]]], ["a": [1]]) == ["a": [1]])
        #expect(merged(["e": .null], ["a": 1]) == ["e": .null, "a": 1])
        #expect(merged([:], ["a": ["bb": ["ccc": .null]]]) == ["a": ["bb": [:]]])
    }

    struct Money: Codable, Equatable {
        var amount: String
        var currency: String?
    }

    struct Thing: Codable, Equatable {
        var name: String
        var notes: String?
        var budget: Money?
    }

    @Test func onlyTheFieldsAllowedArePatched() throws {
        let t = Thing(name: "a", notes: "n", budget: Money(amount: "1", currency: "USD"))
        let p = Patch(["notes": .null, "name": "b", "budget": ["amount": "2"]])
        #expect(try p.applied(to: t, fields: ["notes", "budget"]) == Thing(name: "a", notes: nil, budget: Money(amount: "2", currency: "USD")))
        #expect(p.given(of: ["name", "other"]) == ["name"])
    }

    @Test func aRequiredMemberClearedIsNamed() {
        let t = Thing(name: "a", notes: nil, budget: nil)
        do throws(JSONDecodeError) {
            _ = try Patch(["name": .null]).applied(to: t)
            Issue.record("a cleared name decoded")
        } catch { #expect(error.path == "name") }
    }
}
