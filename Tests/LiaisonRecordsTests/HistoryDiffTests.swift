import LiaisonJSON
import Testing

@testable import LiaisonRecords
@testable import LiaisonWire

/// A change's history entry compares the stored text with the new text member by member; it
/// must say what the comparison of the two trees says.
@Suite struct HistoryDiffTests {
    static let pairs: [(String, String)] = [
        (#"{"id":"d1","version":1,"notes":"a","title":"T"}"#, #"{"id":"d1","version":2,"notes":"b","title":"T"}"#),
        (#"{"id":"d1","notes":"a"}"#, #"{"id":"d1"}"#),
        (#"{"id":"d1"}"#, #"{"id":"d1","notes":"new","budget":{"amount":"1","currency":"CNY"}}"#),
        (#"{"a":[1,2,{"b":"}\"{"}],"c":{"d":[]}}"#, #"{"a":[1,2,{"b":"}\"{"}],"c":{"d":[null]}}"#),
        (#"{ "a" : [ 1 , 2 ] , "b" : 1.0 }"#, #"{"a":[1,2],"b":1}"#),
        (#"{"updated_at":"x","version":3}"#, #"{"updated_at":"y","version":4}"#),
        (#"{"s":"\u00e9","t":true,"n":null}"#, #"{"s":"é","t":false,"n":null}"#),
        (#"{}"#, #"{"a":1}"#),
        (#"{"a":1,"b":2,"c":3}"#, #"{"c":3,"a":1,"d":4}"#),
        (#"{"version":1,"a":[1]}"#, #"{"a":[2],"version":2}"#),
    ]

    @Test(arguments: Self.pairs)
    func memberByMemberSaysWhatTheTreesSay(_ old: String, _ new: String) throws {
        let byText = try #require(History.textDiff(Array(old.utf8), Array(new.utf8)), "both split")
        let byTree = History.diff(try JSONParser.parse(old), try JSONParser.parse(new))
        #expect(byText == byTree)
        #expect(History.diff(.encoded(Array(old.utf8)), .encoded(Array(new.utf8))) == byTree)
    }

    @Test func formattingIsNotAChange() throws {
        #expect(History.textDiff(Array(#"{ "a" : [ 1 , 2 ] }"#.utf8), Array(#"{"a":[1,2]}"#.utf8)) == .object([:]))
    }

    @Test func membersAreFoundWithoutParsingTheirValues() throws {
        let text = Array(#" { "a" : "x\"}" , "b":{"c":[1,{"d":"]"}]},"e":-1.5e3 ,"f":null} "#.utf8)
        let m = try #require(JSONMembers.split(text))
        #expect(m.map { String(decoding: text[$0.key], as: UTF8.self) } == ["a", "b", "e", "f"])
        #expect(m.map { String(decoding: text[$0.value], as: UTF8.self) } == [#""x\"}""#, #"{"c":[1,{"d":"]"}]}"#, "-1.5e3", "null"])
        #expect(JSONMembers.split(Array("{}".utf8))?.isEmpty == true)
        for bad in ["[1]", #""s""#, #"{"a":1"#, #"{"a":1}x"#, #"{"a" 1}"#, #"{"k\"y":1}"#, #"{"a":}"#, #"{"a":"open}"#, ""] {
            #expect(JSONMembers.split(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func textThatCannotBeSplitIsComparedAsTrees() throws {
        // A key with an escape: the text comparison declines, the trees still say what changed.
        let old = #"{"k\"y":1,"a":1}"#, new = #"{"k\"y":2,"a":1}"#
        #expect(History.textDiff(Array(old.utf8), Array(new.utf8)) == nil)
        #expect(History.diff(.encoded(Array(old.utf8)), .encoded(Array(new.utf8))) == ["k\"y": ["from": 1, "to": 2]])
    }
}
