import Testing

@testable import LiaisonJSON

/// `JSONStream` writes what the tree would, written — or declines, and the tree encodes.
@Suite struct JSONStreamTests {
    /// The stream's text (nil: declined) and the tree's.
    func both<T: Encodable>(_ value: T) -> (String?, String) {
        (JSONStream.encode(value).map { String(decoding: $0, as: UTF8.self) }, JSONWriter.string(JSONEncoding.encode(value)))
    }

    func same<T: Encodable>(_ value: T, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (stream, tree) = both(value)
        #expect(stream == expected, sourceLocation: sourceLocation)
        #expect(tree == expected, "the tree agrees", sourceLocation: sourceLocation)
    }

    struct Person: Codable {
        var name: String
        var age: Int?
        var tags: [String]
        var scores: [String: Double]
        var nested: [[Int]]
        var flag: Bool
    }

    @Test func ordinaryValuesComeOutAsTheTreeWritesThem() {
        same(
            Person(name: "Añna \"A\"\n", age: nil, tags: [], scores: ["x": 1.5], nested: [[1, 2], [], [3]], flag: true),
            #"{"name":"Añna \"A\"\n","tags":[],"scores":{"x":1.5},"nested":[[1,2],[],[3]],"flag":true}"#)
        same(
            [Person(name: "B", age: 30, tags: ["t"], scores: [:], nested: [], flag: false)],
            #"[{"name":"B","age":30,"tags":["t"],"scores":{},"nested":[],"flag":false}]"#)
        same("text", #""text""#)
        same(Optional<Int>.none, "null")
        same([Double.nan, 1e300, -0.5], "[null,1e+300,-0.5]")
        same([UInt64.max], "[1.8446744073709552e+19]")
        same([Float(0.5)], "[0.5]")
        same(["k": [1: "one"]], #"{"k":{"1":"one"}}"#)
    }

    @Test func jsonValuesAndStoredTextAreWrittenAsTheyAre() {
        let stored: JSONValue = .encoded(Array(#"{"id":"del-1","v":[1,2]}"#.utf8))
        same(stored, #"{"id":"del-1","v":[1,2]}"#)
        same(["doc": stored, "n": 1] as JSONValue, #"{"doc":{"id":"del-1","v":[1,2]},"n":1}"#)
        same([stored, .null, ["a": true]], #"[{"id":"del-1","v":[1,2]},null,{"a":true}]"#)
    }

    /// A value encoded in two parts into one object (a record, then what an answer adds).
    struct TwoParts: Encodable {
        struct Extra: Encodable { var found = 2 }
        func encode(to encoder: any Encoder) throws {
            try Person(name: "A", age: 1, tags: ["x"], scores: [:], nested: [[1]], flag: true).encode(to: encoder)
            try Extra().encode(to: encoder)
            var c = encoder.container(keyedBy: NameKey.self)
            try c.encode("z", forKey: NameKey("last"))
        }
    }

    struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

    struct Nested: Encodable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: NameKey.self)
            var inner = c.nestedContainer(keyedBy: NameKey.self, forKey: NameKey("inner"))
            try inner.encode(1, forKey: NameKey("a"))
            var list = c.nestedUnkeyedContainer(forKey: NameKey("list"))
            try list.encode(Nothing())
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode("d")
            try c.encode(Nothing(), forKey: NameKey("empty"))
            try c.encodeNil(forKey: NameKey("none"))
            try Nothing().encode(to: c.superEncoder())
        }
    }

    @Test func containersOpenedInTurnAndValuesThatEncodeNothing() {
        same(TwoParts(), #"{"name":"A","age":1,"tags":["x"],"scores":{},"nested":[[1]],"flag":true,"found":2,"last":"z"}"#)
        same(Nothing(), "{}")
        same([Nothing(), Nothing()], "[{},{}]")
        same(Nested(), #"{"inner":{"a":1},"list":[{},["d"]],"empty":{},"none":null,"super":{}}"#)
    }

    struct Repeated: Encodable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: NameKey.self)
            try c.encode(1, forKey: NameKey("a"))
            try c.encode(2, forKey: NameKey("b"))
            try c.encode(3, forKey: NameKey("a"))
        }
    }

    struct Replaced: Encodable {
        func encode(to encoder: any Encoder) throws {
            var s = encoder.singleValueContainer()
            try s.encode(1)
            try s.encode(2)
        }
    }

    struct LateUse: Encodable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: NameKey.self)
            var first = c.nestedContainer(keyedBy: NameKey.self, forKey: NameKey("first"))
            try c.encode(1, forKey: NameKey("second"))
            try first.encode(2, forKey: NameKey("late"))  // the tree puts it inside "first"
        }
    }

    struct Throws: Encodable {
        struct Refused: Error {}
        func encode(to encoder: any Encoder) throws { throw Refused() }
    }

    /// What only a tree can do: the stream declines, and `JSONEncoding.bytes` gives the tree's text.
    @Test func whatOnlyATreeCanDoIsLeftToTheTree() {
        for (name, value) in [("key twice", Repeated()), ("value replaced", Replaced()), ("late use", LateUse()), ("throws", Throws())]
            as [(String, any Encodable)]
        {
            #expect(JSONStream.encode(value) == nil, "\(name)")
            #expect(JSONEncoding.bytes(value) == JSONWriter.encode(JSONEncoding.encode(value)), "\(name)")
        }
        #expect(JSONEncoding.string(Repeated()) == #"{"a":3,"b":2}"#)
        #expect(JSONEncoding.string(LateUse()) == #"{"first":{"late":2},"second":1}"#)
    }

    struct PathProbe: Encodable {
        struct Leaf: Encodable {
            func encode(to encoder: any Encoder) throws {
                var s = encoder.singleValueContainer()
                try s.encode(encoder.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/"))
            }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: NameKey.self)
            try c.encode([Leaf(), Leaf()], forKey: NameKey("items"))
            try c.encode(Leaf(), forKey: NameKey("one"))
        }
    }

    @Test func codingPathsNameWhereTheValueIs() {
        same(PathProbe(), #"{"items":["items/0","items/1"],"one":"one"}"#)
    }
}
