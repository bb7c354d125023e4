/// A string enum on the wire whose decoding error lists the allowed values.
package protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable, SchemaLeaf
where RawValue == String {}

extension WireEnum {
    /// One of the cases' raw values.
    package static var leafSchema: Schema { .string(values: allCases.map(\.rawValue)) }
    package static var schemaSample: Self { allCases.first! }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let v = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(raw)\" is not one of \(Self.allowed)")
        }
        self = v
    }

    /// The allowed values, comma-separated.
    package static var allowed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A value written on the wire as one string (a date, a time): read by `parse`, which says why
/// when it cannot, written as its `description`.
package protocol WireText: Codable, CustomStringConvertible, SchemaLeaf {
    static func parse(_ s: String, why: inout String) -> Self?
    /// The schema format it is written in (`date`, `local-date-time`, `partial-date`).
    static var wireFormat: String { get }
}

extension WireText {
    package static var leafSchema: Schema { .string(format: wireFormat) }
    package static var schemaSample: Self {
        var why = ""
        return parse(SchemaFormat.sample(wireFormat), why: &why)!
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        var why = ""
        guard let v = Self.parse(s, why: &why) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: why)
        }
        self = v
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
