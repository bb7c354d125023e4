/// What a field's coding cannot say about it: its limits, its form and what it means. A type's
/// schema is derived from its decoding (the keys it reads, their types, which are required);
/// a coding key that conforms to `FieldKey` adds its rule there, so a field is declared once,
/// in its `CodingKeys`.
package struct FieldRule: Sendable {
    /// What the field means, for `service.describe`.
    package var doc: String?
    package var maxLength: Int?
    /// A named form (`email`, `date`, `local-date-time`, …): see `SchemaFormat`.
    package var format: String?
    /// The only values a string may take (when its type is not an enum).
    package var values: [String]?
    package var minimum, maximum: Int64?
    package var maxItems: Int?
    /// The rule of an array's items or a map's values (zero or one).
    package var items: [FieldRule] = []
    /// Read only in some forms of the value (e.g. `starts_at`, unless `date` is given).
    package var optional = false
    /// The whole schema, when the coding cannot show it (a value kept as any JSON).
    package var shape: Schema?

    package init(doc: String? = nil) { self.doc = doc }

    /// No rule beyond the coding.
    package static let plain = FieldRule()

    /// Only a description.
    package static func doc(_ doc: String) -> FieldRule { FieldRule(doc: doc) }

    /// Text of at most `max` characters.
    package static func text(_ max: Int, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.maxLength = max
        return r
    }

    /// Text of a named form (`email`, `date`, …), at most `max` characters.
    package static func format(_ format: String, max: Int? = nil, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.format = format
        r.maxLength = max
        return r
    }

    /// One of `values`.
    package static func values(_ values: [String], _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.values = values
        return r
    }

    /// An integer in `range`.
    package static func int(_ range: ClosedRange<Int64>, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.minimum = range.lowerBound
        r.maximum = range.upperBound
        return r
    }

    /// An integer of at least `minimum`.
    package static func int(atLeast minimum: Int64, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.minimum = minimum
        return r
    }

    /// At most `max` items, each under `items`.
    package static func list(_ max: Int?, of items: FieldRule = .plain, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.maxItems = max
        r.items = [items]
        return r
    }

    /// A map whose values follow `values`.
    package static func map(of values: FieldRule, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.items = [values]
        return r
    }

    /// A schema the coding cannot show (e.g. any JSON value).
    package static func shape(_ schema: Schema, _ doc: String? = nil) -> FieldRule {
        var r = FieldRule(doc: doc)
        r.shape = schema
        return r
    }

    /// The same rule, for a field that some forms of the value leave out.
    package var optionalInSchema: FieldRule {
        var r = self
        r.optional = true
        return r
    }
}

/// A coding key that carries its field's rule. Conform a type's `CodingKeys` and switch over
/// the cases: the compiler then asks for a rule wherever a field is added.
package protocol FieldKey: CodingKey {
    var rule: FieldRule { get }
}

extension Schema {
    /// This schema with `rule`'s limits and form (a rule whose kind does not fit the shape is
    /// reported by `SchemaDerivation.misfits`).
    package func applying(_ rule: FieldRule, misfit: (String) -> Void = { _ in }) -> Schema {
        if let s = rule.shape { return s }
        switch self {
        case .string(let format, let values, let maxLength):
            if rule.minimum != nil || rule.maximum != nil || rule.maxItems != nil {
                misfit("an integer or list limit on a string")
            }
            return .string(
                format: rule.format ?? format,
                values: rule.values ?? values,
                maxLength: rule.maxLength ?? maxLength
            )
        case .integer(let minimum, let maximum):
            if rule.maxLength != nil || rule.format != nil || rule.maxItems != nil {
                misfit("a text or list limit on an integer")
            }
            return .integer(minimum: rule.minimum ?? minimum, maximum: rule.maximum ?? maximum)
        case .array(let items, let maxItems):
            if rule.maxLength != nil || rule.format != nil { misfit("a text limit on a list (put it in of:)") }
            let inner = rule.items.first.map { items.applying($0, misfit: misfit) } ?? items
            return .array(inner, maxItems: rule.maxItems ?? maxItems)
        case .map(let values):
            return .map(rule.items.first.map { values.applying($0, misfit: misfit) } ?? values)
        case .object, .any, .oneOf, .number, .boolean:
            if rule.maxLength != nil || rule.format != nil || rule.maxItems != nil || rule.minimum != nil
                || rule.maximum != nil
                || rule.values != nil
            {
                misfit("a limit on a value that has none")
            }
            return self
        }
    }
}
