import LiaisonHost
import LiaisonWire

/// A record's fields as a caller writes them, for update methods: their schemas, all optional.
package protocol DraftFields {
    /// The draft's members with their schemas.
    static var fields: [Schema.Field] { get }
}

/// `{id, expected_version, …fields to replace}`: what an update method takes. The given fields
/// are kept as sent, to be merged into the stored draft.
package struct RecordUpdate<Draft: DraftFields>: Decodable, Sendable, Schematic {
    package var id: String
    package var expectedVersion: Int
    /// The fields given, as sent (unknown ones included; the service picks what it knows).
    package var changes: JSONObject

    enum CodingKeys: String, CodingKey { case id, expectedVersion = "expected_version" }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        expectedVersion = try c.decode(Int.self, forKey: .expectedVersion)
        var rest = try JSONValue(from: decoder).objectValue ?? [:]
        for key in ["id", "expected_version"] { rest[key] = nil }
        changes = rest
    }

    package static var schema: Schema {
        .object(
            [
                .req("id", .string(maxLength: 64), "Its id or reference."),
                .req(
                    "expected_version", .integer(minimum: 1, maximum: Int64(Int32.max)),
                    "The version you last read; a stale one gets conflict."),
            ]
                + Draft.fields.map { Schema.Field($0.name, $0.schema, required: false, $0.description) })
    }
}
