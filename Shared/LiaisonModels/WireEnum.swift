/// A string enum on the wire whose decoding error lists the allowed values.
package protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable where RawValue == String {}

extension WireEnum {
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
