import Testing

@testable import LiaisonJSON

/// Schemas derived from decoding: keys, types, required or optional, rules on the keys, and the
/// keys a decoder reads only when others are absent.
@Suite struct SchemaDerivationTests {
    enum Colour: String, Codable, SchemaLeaf, CaseIterable {
        case red, green
        static var leafSchema: Schema { .string(values: allCases.map(\.rawValue)) }
        static var schemaSample: Colour { .red }
    }

    struct Plain: Codable, Schematic {
        var name: String
        var count: Int?
        var tags: [String]
        var colour: Colour
        var extra: [String: Int]?
    }

    struct Ruled: Codable, Schematic {
        var email: String
        var size: Int
        var hosts: [String]?

        enum CodingKeys: String, CodingKey, FieldKey {
            case email, size, hosts
            var rule: FieldRule {
                switch self {
                case .email: .format("email", max: 254, "Where to write.")
                case .size: .int(1...10)
                case .hosts: .list(5, of: .format("email", max: 254))
                }
            }
        }
    }

    /// Reads `old` only when `new` is absent, and `ends` only when `starts` is there.
    struct Forms: Decodable, Schematic {
        var new: String
        var starts, ends: String?

        enum CodingKeys: String, CodingKey { case new, old, starts, ends }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let n = try c.decodeIfPresent(String.self, forKey: .new) {
                new = n
            } else {
                new = try c.decode(String.self, forKey: .old)
            }
            if c.contains(.starts) {
                starts = try c.decode(String.self, forKey: .starts)
                ends = try c.decode(String.self, forKey: .ends)
            }
        }
    }

    struct Nested: Codable, Schematic {
        var inner: [Ruled]
        var one: Plain?
    }

    func fields(_ s: Schema) -> [(String, Bool)] {
        guard case .object(let f) = s else { return [] }
        return f.map { ($0.name, $0.required) }
    }

    @Test func aSynthesizedDecoderGivesItsKeysTypesAndWhatIsRequired() {
        let s = Plain.schema
        #expect(fields(s).map(\.0) == ["name", "count", "tags", "colour", "extra"])
        #expect(fields(s).map(\.1) == [true, false, true, true, false])
        #expect(
            JSONWriter.string(s.json)
                == #"{"type":"object","properties":{"name":{"type":"string"},"count":{"type":"integer"},"#
                + #""tags":{"type":"array","items":{"type":"string"}},"colour":{"type":"string","enum":["red","green"]},"#
                + #""extra":{"type":"object","additionalProperties":{"type":"integer"}}},"required":["name","tags","colour"]}"#)
    }

    @Test func rulesOnTheKeysAddLimitsFormsAndDescriptions() {
        let s = Ruled.schema
        #expect(s.violation(["email": "a@b", "size": 11, "hosts": []])?.description == "size: must be at most 10 (got 11)")
        #expect(s.violation(["email": "nope", "size": 1])?.description == "email: not an email address")
        #expect(s.violation(["email": "a@b", "size": 1, "hosts": ["x"]])?.description == "hosts[0]: not an email address")
        #expect(s.violation(["email": "a@b", "size": 1, "hosts": .array(Array(repeating: "a@b", count: 6))]) != nil)
        #expect(s.json["properties"]?["email"]?["description"] == "Where to write.")
        #expect(SchemaDerivation.misfits.filter { $0.contains("Ruled") }.isEmpty)
    }

    @Test func keysReadOnlyInSomeFormsAreFoundAndOptional() {
        let f = fields(Forms.schema)
        #expect(f.map(\.0) == ["new", "old", "starts", "ends"], "\(f)")
        #expect(f.allSatisfy { !$0.1 }, "each is left out by some form: \(f)")
    }

    @Test func nestedTypesAreDerivedInPlace() {
        let s = Nested.schema
        #expect(s.json["properties"]?["inner"]?["items"]?["properties"]?["size"]?["maximum"] == 10)
        #expect(s.json["properties"]?["one"]?["required"] == ["name", "tags", "colour"])
        #expect(s.violation(["inner": [["email": "a@b", "size": 0]]])?.description == "inner[0].size: must be at least 1 (got 0)")
    }

    @Test func aRuleThatDoesNotFitItsFieldIsReported() {
        struct Wrong: Codable, Schematic {
            var n: Int
            enum CodingKeys: String, CodingKey, FieldKey {
                case n
                var rule: FieldRule { .text(5) }
            }
        }
        _ = Wrong.schema
        #expect(SchemaDerivation.misfits.contains { $0.contains("a text or list limit on an integer") })
    }

    /// Read with a default, always written: optional to a caller, required to a reader of answers.
    struct Stored: Codable, Schematic {
        var id: String
        var note: String?
        var created: Bool?

        enum CodingKeys: String, CodingKey { case id, note, created }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
            note = try c.decodeIfPresent(String.self, forKey: .note)
            created = try c.decodeIfPresent(Bool.self, forKey: .created)
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encodeIfPresent(note, forKey: .note)
            if let created { try c.encode(created, forKey: .created) }
            var more = encoder.container(keyedBy: NameKey.self)
            try more.encode(id.count, forKey: NameKey("length"))
        }
    }

    @Test func theWritersViewSaysWhatAReaderCanCountOn() {
        #expect(fields(Stored.schema).map(\.1) == [false, false, false])
        let out = SchemaDerivation.outputSchema(of: Stored.self)
        #expect(fields(out).map(\.0) == ["id", "note", "created", "length"], "\(fields(out))")
        #expect(fields(out).map(\.1) == [true, false, false, true], "created is written only when set")
        #expect(out.json["properties"]?["length"]?["type"] == "integer")
    }
}
