import Testing
@testable import LiaisonJSON

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        #expect(v["a"] == [1, -2, 3.5, 1000.0, true, false, nil])
        #expect(v["b"]?["c"] == "d")
        #expect(v["e"] == "")
    }

    @Test func keepsInt64Exact() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONParser.parse("-0") == .int(0))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u4e2d\ud83d\ude00""#) == .string("é中😀"))
        #expect(try JSONParser.parse("\"กระทรวงศึกษาธิการ 한양대학교 وزارة\"") == .string("กระทรวงศึกษาธิการ 한양대학교 وزارة"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "unexpected end of input in object"),
        ("[1,]", "unexpected character ']'"),
        ("{\"a\" 1}", "expected ':' after key"),
        ("{1:2}", "expected a string key"),
        ("01", "leading zero in number"),
        ("1.", "digit expected after '.'"),
        ("1e", "digit expected in exponent"),
        ("\"abc", "unterminated string"),
        ("\"a\u{01}b\"", "control character in string"),
        ("\"\\x\"", "invalid escape '\\x'"),
        ("\"\\ud800\"", "lone surrogate in \\u escape"),
        ("\"\\udc00\"", "lone surrogate in \\u escape"),
        ("\"\\u12g4\"", "invalid hex digit in \\u escape"),
        ("tru", "unexpected end of input"),
        ("nul1", "invalid literal"),
        ("1 2", "unexpected data after the JSON value"),
        ("1e400", "number out of range"),
    ])
    func rejectsMalformedInput(text: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do { _ = try JSONParser.parse(text) } catch { #expect(error.reason == reason, "\(text)") }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError(reason: "invalid UTF-8 in string", offset: 1)) { try JSONParser.parse(bytes) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overlong) }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? JSONParser.parse(ok)) != nil)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        let v = try JSONParser.parse(#"{"a":1,"a":2}"#)
        #expect(v["a"] == 2)
        // Found by fuzzing: equality was not reflexive for an object with a name twice.
        #expect(v == v)
        #expect(v == ["a": 2])
        #expect(try JSONParser.parse(#"{"b":1,"a":2}"#) == ["a": 2, "b": 1], "order does not count")
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) != ["a": 1])
    }
}

@Suite struct JSONWriterTests {
    @Test func roundTripsThroughTheParser() throws {
        let v: JSONValue = [
            "s": "line\nbreak \"quoted\" \\ tab\t \u{01} é 中 😀 กระทรวง", "n": [0, -1, 1.5, 1e-7, 12345678901234], "b": [true, false, nil],
            "o": [:], "a": [],
        ]
        let text = JSONWriter.string(v)
        #expect(try JSONParser.parse(text) == v)
    }

    @Test func escapesControlCharactersAndLineSeparators() {
        #expect(JSONWriter.string("a\u{01}\u{2028}b") == #""a\u0001\u2028b""#)
    }

    @Test func keepsMemberOrder() {
        #expect(JSONWriter.string(["z": 1, "a": 2, "m": 3]) == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func writesNonFiniteNumbersAsNull() {
        #expect(JSONWriter.string(.double(.nan)) == "null")
    }
}

struct Member: Codable, Equatable {
    var name: String
    var email: String?
    var languages: [String]
    var age: Int?
}

struct Visit: Codable, Equatable {
    var title: String
    var members: [Member]
    var tags: [String: String]?
}

@Suite struct CodableTests {
    @Test func roundTripsACodableValue() throws {
        let v = Visit(title: "한양대학교", members: [Member(name: "a", email: nil, languages: ["ko"], age: 40)], tags: ["k": "v"])
        let json = JSONEncoding.encode(v)
        #expect(json["members"]?.arrayValue?.first?["email"] == nil, "nil optionals are left out")
        #expect(try JSONDecoding.decode(Visit.self, from: json) == v)
        #expect(try JSONDecoding.decode(Visit.self, from: JSONEncoding.bytes(v)) == v)
    }

    @Test func namesTheFieldPathOfAWrongType() {
        let bad: JSONValue = ["title": "x", "members": [["name": "a", "languages": []], ["name": "b", "email": 5, "languages": []]]]
        #expect(throws: JSONDecodeError(path: "members[1].email", reason: "expected a string, found number")) {
            try JSONDecoding.decode(Visit.self, from: bad)
        }
    }

    /// The path is built only on error, from each value's container up: it starts with the
    /// path the caller gave, and a type's own check (which asks the decoder) sees it too.
    @Test func theFieldPathStartsWithTheCallersPathAtEveryDepth() {
        let bad: JSONValue = ["title": "x", "members": [["name": "a", "languages": ["ko", 7]]]]
        #expect(throws: JSONDecodeError(path: "events[2].members[0].languages[1]", reason: "expected a string, found number")) {
            try JSONDecoding.decode(Visit.self, from: bad, path: [NameKey("events"), IndexKey(2)])
        }
        struct Checked: Decodable {
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "refused at \(renderPath(decoder.codingPath))")
            }
        }
        struct Outer: Decodable { var inner: [String: [Checked]] }
        #expect(throws: JSONDecodeError(path: "params.inner.k[0]", reason: "refused at params.inner.k[0]")) {
            try JSONDecoding.decode(Outer.self, from: ["inner": ["k": [1]]], path: [NameKey("params")])
        }
        #expect(throws: JSONDecodeError(path: "", reason: "expected an object, found string")) {
            try JSONDecoding.decode(Visit.self, from: "x")
        }
    }

    @Test func namesAMissingField() {
        let bad: JSONValue = ["title": "x", "members": [["languages": []]]]
        #expect(throws: JSONDecodeError(path: "members[0].name", reason: "required")) {
            try JSONDecoding.decode(Visit.self, from: bad)
        }
    }

    @Test func refusesFractionsAndOutOfRangeIntegers() {
        #expect(throws: JSONDecodeError(path: "members[0].age", reason: "expected an integer, found a fraction")) {
            try JSONDecoding.decode(Visit.self, from: ["title": "x", "members": [["name": "a", "languages": [], "age": 1.5]]])
        }
        #expect(throws: JSONDecodeError.self) { try JSONDecoding.decode(Int8.self, from: 300) }
    }

    @Test func ignoresUnknownFieldsAndTreatsNullAsAbsent() throws {
        let v = try JSONDecoding.decode(Member.self, from: ["name": "a", "email": nil, "languages": [], "extra": [1, 2]])
        #expect(v == Member(name: "a", email: nil, languages: [], age: nil))
    }

    @Test func decodesJSONValueMembersAsIs() throws {
        struct Holder: Codable, Equatable { var any: JSONValue }
        let h = try JSONDecoding.decode(Holder.self, from: ["any": ["x": [1, "y"]]])
        #expect(h.any == ["x": [1, "y"]])
        #expect(JSONEncoding.encode(h) == ["any": ["x": [1, "y"]]])
    }
}

@Suite struct JSONStringFastPathTests {
    @Test func asciiAndUTF8StringsComeOutTheSame() throws {
        let text = #"{"a":"plain","b":"กระทรวง","c":"mixed é","d":"","e":"esc\"aped","f":"0123456789abcdefghij"}"#
        let v = try JSONParser.parse(text)
        #expect(v["a"] == "plain" && v["b"] == "กระทรวง" && v["c"] == "mixed é" && v["d"] == "")
        #expect(v["e"] == "esc\"aped" && v["f"] == "0123456789abcdefghij")
        // A high byte after ASCII ones still goes through validation.
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x61, 0x62, 0xFF, 0x22] as [UInt8]) }
    }
}
