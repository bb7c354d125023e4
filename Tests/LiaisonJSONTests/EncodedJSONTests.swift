import LiaisonJSON
import LiaisonWire
import Testing

/// JSON text carried as it is (a stored document a read answers untouched).
@Suite struct EncodedJSONTests {
    @Test func writtenVerbatimSeenThroughWhenLookedInto() throws {
        let text = Array(#"{"id":"del-1","members":[{"name":"Amina"}],"n":3}"#.utf8)
        let v = JSONValue.encoded(text)
        #expect(JSONWriter.encode(v) == text, "copied, not rewritten")
        #expect(JSONWriter.string(["result": v]) == #"{"result":{"id":"del-1","members":[{"name":"Amina"}],"n":3}}"#)
        #expect(v["id"] == "del-1" && v["members"]?[0]?["name"] == "Amina" && v.typeName == "object")
        let parsed = try JSONParser.parse(text)
        #expect(v == parsed && parsed == v, "equal to what it holds")
        #expect(v != .encoded(Array(#"{"id":"del-2"}"#.utf8)))
        struct Doc: Decodable { var id: String; var n: Int }
        #expect(try JSONDecoding.decode(Doc.self, from: v).n == 3)
    }
}
