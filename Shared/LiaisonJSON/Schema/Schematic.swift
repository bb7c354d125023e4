/// A type that can say its own wire shape.
package protocol Schematic {
    /// What a reader of this type accepts (params are checked against it at the door).
    static var schema: Schema { get }
    /// What a writer of this type sends (results, event data): what readers may count on.
    static var outputSchema: Schema { get }
}

extension Schematic {
    package static var outputSchema: Schema { schema }
}

extension String: Schematic { package static var schema: Schema { .string() } }
extension Int: Schematic { package static var schema: Schema { .integer() } }
extension Int64: Schematic { package static var schema: Schema { .integer() } }
extension Bool: Schematic { package static var schema: Schema { .boolean } }
extension Double: Schematic { package static var schema: Schema { .number } }
extension Array: Schematic where Element: Schematic { package static var schema: Schema { .array(Element.schema) } }
extension Optional: Schematic where Wrapped: Schematic { package static var schema: Schema { Wrapped.schema } }
extension Dictionary: Schematic where Key == String, Value: Schematic {
    package static var schema: Schema { .map(Value.schema) }
}

/// Params of a method that takes none.
package struct NoParams: Codable, Sendable, Schematic {
    package init() {}
    package static var schema: Schema { .object([]) }
}

/// A stored document answered as it is: its JSON text goes into the reply untouched (no parse,
/// no decode, no encode). `Shape` says what it is, for `service.describe`.
package struct StoredJSON<Shape: Schematic>: Encodable, Sendable, Schematic {
    package var text: [UInt8]
    package init(_ text: [UInt8]) { self.text = text }
    package func encode(to encoder: any Encoder) throws { try JSONValue.encoded(text).encode(to: encoder) }
    package static var schema: Schema { Shape.schema }
}
