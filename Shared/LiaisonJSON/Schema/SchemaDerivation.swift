import LiaisonSync

/// A type written on the wire as one value whose schema it states itself (a date, an enum):
/// the derivation takes it as it is instead of looking into its decoding.
package protocol SchemaLeaf: Decodable {
    /// Its schema.
    static var leafSchema: Schema { get }
    /// A value of the type, given to the decoders of the types that hold one while their
    /// schema is derived.
    static var schemaSample: Self { get }
}

/// What a reader of a type accepts (`input`) and what a writer of it sends (`output`).
struct SchemaShapes {
    var input, output: Schema
    init(_ both: Schema) { (input, output) = (both, both) }
    init(input: Schema, output: Schema) { (self.input, self.output) = (input, output) }
    func map(_ f: (Schema) -> Schema) -> SchemaShapes { SchemaShapes(input: f(input), output: f(output)) }
}

/// A value of a type made while its schema is derived, with the type's two schemas.
struct Sampled<T> {
    var value: T
    var shapes: SchemaShapes
}

/// Schemas derived from decoding. A type's decoder is run against a decoder that answers with
/// sample values and records what is asked: each key, the type read for it, whether it was read
/// as required (`decode`) or looked for first (`decodeIfPresent`, `contains`, `decodeNil`).
/// A decoder may read different keys depending on which are present (an older form, either
/// `date` or `starts_at`), so it is run again with each key it looked for absent (and pairs of
/// them), and the keys of every run are put together: a key is required when every run that
/// succeeded read it as required. A key's `FieldRule` (its `CodingKeys` conform to `FieldKey`)
/// adds limits, form and description.
///
/// Two views come out: what a reader accepts (`input`: params checked at the door), and what a
/// writer sends (`output`: results and event data, where a member is required when the
/// type's encoding writes it with `encode` in every sample, as readers may count on it).
/// Derived once per type.
package enum SchemaDerivation {
    /// What a reader of `type` accepts.
    package static func schema<T: Decodable>(of type: T.Type) -> Schema { entry(type).shapes.input }

    /// What a writer of `type` sends (its encoding's members; the reader's view for a type
    /// that only decodes).
    package static func outputSchema<T: Decodable>(of type: T.Type) -> Schema { entry(type).shapes.output }

    /// Rules that do not fit their field's shape, found so far (a test asks for none).
    package static var misfits: [String] { cache.withLock { $0.misfits } }

    /// Why a schema could not be derived.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    static func entry<T: Decodable>(_ type: T.Type) -> Entry {
        do { return try derived(type) } catch {
            preconditionFailure("cannot derive the schema of \(T.self): \(error)")
        }
    }

    // MARK: - cache

    /// A derived type: its shapes, and values of it from the runs that succeeded.
    struct Entry: @unchecked Sendable {
        // @unchecked: `samples` are values made by the recording decoder, only copied out.
        var shapes: SchemaShapes
        var samples: [Any]
    }

    struct Cache {
        var entries: [ObjectIdentifier: Entry] = [:]
        var misfits: [String] = []
    }

    static let cache = Locked(Cache())

    static func derived<T: Decodable>(_ type: T.Type, inProgress: Set<ObjectIdentifier> = []) throws -> Entry {
        let key = ObjectIdentifier(type)
        if let e = cache.withLock({ $0.entries[key] }) { return e }
        guard !inProgress.contains(key) else { throw Failure(description: "\(T.self) holds itself") }
        let e = try explore(type, inProgress: inProgress.union([key]))
        cache.withLock { $0.entries[key] = e }
        return e
    }

    /// Runs the decoder with no key absent, then with each key it looked for absent (and pairs
    /// of them), and puts the fields together.
    static func explore<T: Decodable>(_ type: T.Type, inProgress: Set<ObjectIdentifier>) throws -> Entry {
        var fields: [String: RecordedField] = [:]
        var order: [String] = []
        // Read as required in every run that succeeded (nil: no run has yet).
        var requiredEverywhere: Set<String>?
        var samples: [T] = []
        var lastError: (any Error)?
        // Each configuration: the keys answered as absent, and the one added last.
        var queue: [(absent: Set<String>, last: String?)] = [([], nil)]
        var tried = Set<Set<String>>()
        var single: SchemaShapes?
        var succeededOnce = false
        while !queue.isEmpty && tried.count < 400 {
            let (absent, last) = queue.removeFirst()
            guard tried.insert(absent).inserted else { continue }
            let run = Recording(absent: absent, inProgress: inProgress)
            var succeeded = false
            do {
                samples.append(try T(from: RecordingDecoder(run)))
                let required = Set(run.fields.filter(\.value.readRequired).keys)
                requiredEverywhere = requiredEverywhere.map { $0.intersection(required) } ?? required
                succeeded = true
            } catch {
                lastError = error
            }
            if let s = run.single { single = s }
            merge(run.order, into: &order)
            for (name, f) in run.fields where fields[name] == nil { fields[name] = f }
            let tested = run.order.filter { run.tested.contains($0) && !absent.contains($0) }
            if succeeded && !succeededOnce {
                // The first form that decodes: leave out each key it looked for, in turn.
                succeededOnce = true
                queue = tested.map { (absent.union([$0]), $0) } + queue
            } else if !succeeded && absent.count < 3 {
                // A form that does not decode: leave out, with the key left out last, each key
                // looked for after it (an alternative is read once its partner is missing).
                let after =
                    last.flatMap { run.order.firstIndex(of: $0) }.map { run.order[($0 + 1)...].filter(tested.contains) }
                    ?? tested
                queue += after.map { (absent.union([$0]), $0) }
            }
        }
        guard !samples.isEmpty else {
            throw Failure(description: "no run of \(T.self)'s decoder succeeded: \(lastError.map { "\($0)" } ?? "?")")
        }
        if let single, fields.isEmpty { return Entry(shapes: single, samples: samples) }
        let input = order.compactMap { name -> Schema.Field? in
            guard let f = fields[name] else { return nil }
            let required = requiredEverywhere?.contains(name) == true && !f.rule.optional
            return Schema.Field(name, f.schema.input, required: required, f.rule.doc)
        }
        let written = samples.compactMap { $0 as? any Encodable }
        guard written.count == samples.count else { return Entry(shapes: .init(.object(input)), samples: samples) }
        let output = try outputFields(written, fields: fields, order: order, inProgress: inProgress)
        return Entry(shapes: .init(input: .object(input), output: .object(output)), samples: samples)
    }

    /// The members the samples' encodings write, each required when every sample wrote it with
    /// `encode`; a member only written (never read) gets the schema of the type written.
    static func outputFields(
        _ samples: [any Encodable],
        fields: [String: RecordedField],
        order: [String],
        inProgress: Set<ObjectIdentifier>
    ) throws -> [Schema.Field] {
        var written: [String] = []
        var always: Set<String>?
        var types: [String: any Encodable.Type] = [:]
        var rules: [String: FieldRule] = [:]
        for s in samples {
            let log = KeyLog()
            try s.encode(to: KeyRecordingEncoder(log: log))
            merge(log.order, into: &written)
            always = always.map { $0.intersection(log.required) } ?? log.required
            for (k, t) in log.types where types[k] == nil { types[k] = t }
            for (k, r) in log.rules where rules[k] == nil { rules[k] = r }
        }
        var names = order.filter { written.contains($0) }
        merge(written, into: &names)
        return try names.map { name in
            let required = always?.contains(name) == true
            if let f = fields[name] { return Schema.Field(name, f.schema.output, required: required, f.rule.doc) }
            let rule = rules[name] ?? .plain
            guard let t = types[name] else { return Schema.Field(name, .any, required: required, rule.doc) }
            return Schema.Field(
                name,
                try writtenShape(t, inProgress: inProgress).applying(rule),
                required: required,
                rule.doc
            )
        }
    }

    /// The schema of a member only written: derived when its type can be read too.
    static func writtenShape(_ type: any Encodable.Type, inProgress: Set<ObjectIdentifier>) throws -> Schema {
        guard let readable = type as? any Decodable.Type else { return .any }
        func shape<D: Decodable>(_ d: D.Type) throws -> Schema {
            try sample(d, rule: .plain, inProgress: inProgress).shapes.output
        }
        return try shape(readable)
    }

    /// Adds the names of `run` not yet in `order`, each after the name before it in `run`.
    static func merge(_ run: [String], into order: inout [String]) {
        var at = 0
        for name in run {
            if let i = order.firstIndex(of: name) {
                at = i + 1
            } else {
                order.insert(name, at: at)
                at += 1
            }
        }
    }

    /// A value of `type` and its schemas, under `rule` (a field's): primitives and leaves as
    /// they are, arrays and maps by their elements, anything else by its own derivation.
    static func sample<T: Decodable>(
        _ type: T.Type,
        rule: FieldRule,
        inProgress: Set<ObjectIdentifier>
    ) throws -> Sampled<T> {
        func misfit(_ why: String) { cache.withLock { $0.misfits.append("\(T.self): \(why)") } }
        let value: Any
        let shapes: SchemaShapes
        switch type {
        case is String.Type:
            (value, shapes) = (rule.values?.first ?? SchemaSamples.string(format: rule.format), .init(.string()))
        case is Bool.Type: (value, shapes) = (false, .init(.boolean))
        case is Double.Type: (value, shapes) = (0.0, .init(.number))
        case is Int.Type: (value, shapes) = (Int(SchemaSamples.int(rule)), .init(.integer()))
        case is Int64.Type: (value, shapes) = (SchemaSamples.int(rule), .init(.integer()))
        case is Int32.Type: (value, shapes) = (Int32(truncatingIfNeeded: SchemaSamples.int(rule)), .init(.integer()))
        case is UInt32.Type:
            (value, shapes) = (UInt32(truncatingIfNeeded: max(0, SchemaSamples.int(rule))), .init(.integer()))
        case is UInt64.Type: (value, shapes) = (UInt64(max(0, SchemaSamples.int(rule))), .init(.integer()))
        case is UInt.Type: (value, shapes) = (UInt(max(0, SchemaSamples.int(rule))), .init(.integer()))
        case is Float.Type: (value, shapes) = (Float(0), .init(.number))
        case is JSONValue.Type: (value, shapes) = (JSONValue.object([:]), .init(.any))
        case let leaf as any SchemaLeaf.Type: (value, shapes) = (leaf.schemaSample, .init(leaf.leafSchema))
        case let many as any SchemaContainer.Type:
            (value, shapes) = try many.sampleContainer(rule: rule.items.first ?? .plain, inProgress: inProgress)
        default:
            let e = try derived(type, inProgress: inProgress)
            (value, shapes) = (e.samples[0], e.shapes)
        }
        guard let typed = value as? T else { throw Failure(description: "no sample for \(T.self)") }
        return Sampled(value: typed, shapes: shapes.map { $0.applying(rule, misfit: misfit) })
    }
}

extension SchemaFormat {
    /// A string of `format` (any text for an unknown one).
    package static func sample(_ format: String?) -> String { SchemaSamples.string(format: format) }
}

/// Sample values of the primitive kinds.
enum SchemaSamples {
    static func string(format: String?) -> String {
        switch format {
        case "date": "2026-03-01"
        case "local-date-time": "2026-03-12T09:00"
        case "date-time": "2026-03-01T09:00:00Z"
        case "partial-date": "2024-10"
        case "email": "a@example.org"
        case "iso3166-alpha2": "TH"
        default: "x"
        }
    }

    static func int(_ rule: FieldRule) -> Int64 { min(max(rule.minimum ?? 1, 1), rule.maximum ?? Int64.max) }
}

/// Arrays, optionals and string-keyed maps: a sample from one element.
protocol SchemaContainer {
    static func sampleContainer(rule: FieldRule, inProgress: Set<ObjectIdentifier>) throws -> (Any, SchemaShapes)
}

extension Array: SchemaContainer where Element: Decodable {
    static func sampleContainer(rule: FieldRule, inProgress: Set<ObjectIdentifier>) throws -> (Any, SchemaShapes) {
        let e = try SchemaDerivation.sample(Element.self, rule: rule, inProgress: inProgress)
        return ([e.value], e.shapes.map { .array($0) })
    }
}

extension Dictionary: SchemaContainer where Key == String, Value: Decodable {
    static func sampleContainer(rule: FieldRule, inProgress: Set<ObjectIdentifier>) throws -> (Any, SchemaShapes) {
        let e = try SchemaDerivation.sample(Value.self, rule: rule, inProgress: inProgress)
        return (["x": e.value], e.shapes.map { .map($0) })
    }
}

extension Optional: SchemaContainer where Wrapped: Decodable {
    static func sampleContainer(rule: FieldRule, inProgress: Set<ObjectIdentifier>) throws -> (Any, SchemaShapes) {
        let e = try SchemaDerivation.sample(Wrapped.self, rule: rule, inProgress: inProgress)
        return (Wrapped?.none as Any, e.shapes)
    }
}

extension Schematic where Self: Decodable {
    /// Derived from the decoding and the keys' rules (`SchemaDerivation`).
    package static var schema: Schema { SchemaDerivation.schema(of: Self.self) }
    /// Derived from the decoding, the keys' rules and the encoding (`SchemaDerivation`).
    package static var outputSchema: Schema { SchemaDerivation.outputSchema(of: Self.self) }
}
