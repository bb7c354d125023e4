import LiaisonJSON
import LiaisonWire

/// `{id, expected_version, …fields to replace}`: what an update method takes. The given fields
/// are kept as sent, to be merged into the stored record (null clears an optional field).
package struct RecordUpdate<Draft: Decodable & Sendable>: Codable, Sendable, Schematic {
    package var id: String
    /// The version read; nil: whatever is stored (the answer says which version was changed).
    package var expectedVersion: Int?
    /// The fields given, as sent (unknown ones included; the service picks what it knows).
    package var changes: JSONObject

    package init(id: String, expectedVersion: Int?, changes: JSONObject) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.changes = changes
    }

    enum CodingKeys: String, CodingKey { case id, expectedVersion = "expected_version" }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        expectedVersion = try c.decodeIfPresent(Int.self, forKey: .expectedVersion)
        var rest = try JSONValue(from: decoder).objectValue ?? [:]
        for key in ["id", "expected_version"] { rest[key] = nil }
        changes = rest
    }

    package func encode(to encoder: any Encoder) throws {
        var all = changes
        all["id"] = .string(id)
        if let expectedVersion { all["expected_version"] = .int(Int64(expectedVersion)) }
        try JSONValue.object(all).encode(to: encoder)
    }

    /// The draft's fields, each optional, after the record's id and version.
    package static var schema: Schema {
        Schema.object(RecordVersion.fields).adding(SchemaDerivation.schema(of: Draft.self).allOptional.fields)
    }
}

/// The members naming a record at a version, as every change method takes them.
package enum RecordVersion {
    package static let fields: [Schema.Field] = [
        .req("id", .string(maxLength: 64), "Its id or reference."),
        .opt(
            "expected_version",
            .integer(minimum: 1, maximum: Int64(Int32.max)),
            "The version you last read; a stale one gets conflict. Without it the change applies to what is stored."
        ),
    ]
}

/// One entry of an audit trail.
package struct HistoryEntry: Codable, Sendable, Schematic {
    package var version: Int
    package var at: String
    package var uid: Int64
    package var action: String
    package var changes: JSONValue

    package init(version: Int, at: String, uid: Int64, action: String, changes: JSONValue) {
        self.version = version
        self.at = at
        self.uid = uid
        self.action = action
        self.changes = changes
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case version, at, uid, action, changes
        var rule: FieldRule {
            switch self {
            case .version, .action: .plain
            case .at: .format("date-time")
            case .uid: .doc("Who, from the socket's peer credentials.")
            case .changes: .doc("Each changed field with its value before and after.")
            }
        }
    }
}

/// A record's audit trail.
package struct RecordHistory: Codable, Sendable, Schematic {
    package var id: String
    package var items: [HistoryEntry]
    /// More entries follow: ask again with this `cursor`.
    package var nextCursor: String?

    package init(id: String, page: HistoryPage) { (self.id, items, nextCursor) = (id, page.items, page.nextCursor) }

    enum CodingKeys: String, CodingKey { case id, items, nextCursor = "next_cursor" }
}

/// `*.history`: a record's audit trail, oldest first, a page at a time. A page holds `limit`
/// entries, or as many as fit in 512 KiB (a reschedule of a visit of a thousand sessions is
/// one large entry); `next_cursor` says there is more.
package struct HistoryParams: Codable, Sendable, Schematic {
    package var id: String
    package var cursor: String?
    package var limit: Int?

    package init(_ id: String, cursor: String? = nil, limit: Int? = nil) {
        (self.id, self.cursor, self.limit) = (id, cursor, limit)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, cursor, limit
        var rule: FieldRule {
            switch self {
            case .id: .doc("The record's id or reference.")
            case .cursor: .text(20, "next_cursor of the page before: the entries after it.")
            case .limit: .int(1...1000, "At most this many entries (default: as many as fit in 512 KiB).")
            }
        }
    }

    /// The position after which the page starts (0: the first entry).
    package func after() throws -> Int64 {
        guard let cursor else { return 0 }
        guard let n = Int64(cursor), n >= 0 else {
            throw ServiceError.invalidParams(
                field: "cursor",
                "expected a next_cursor of this method, found \"\(cursor)\""
            )
        }
        return n
    }
}

/// Entries of one page and where the next begins.
package struct HistoryPage: Sendable {
    package var items: [HistoryEntry]
    package var nextCursor: String?
    package init(items: [HistoryEntry], nextCursor: String?) { (self.items, self.nextCursor) = (items, nextCursor) }
}

/// What an import did, or would do: each row, and every problem by section, row and field.
package struct ImportReport: Codable, Sendable, Schematic {
    package struct Row: Codable, Sendable {
        package var section: String
        package var index: Int
        package var key: String?
        package var id: String
        /// false when the row was already there (same key, or a partner of the same name and country).
        package var created: Bool

        package init(section: String, index: Int, key: String?, id: String, created: Bool) {
            self.section = section
            self.index = index
            self.key = key
            self.id = id
            self.created = created
        }
    }

    package struct Problem: Codable, Sendable {
        package var section: String
        package var index: Int
        package var key: String?
        package var field, message: String

        package init(section: String, index: Int, key: String?, field: String, message: String) {
            self.section = section
            self.index = index
            self.key = key
            self.field = field
            self.message = message
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case section, index, key, field, message
            var rule: FieldRule { self == .index ? .doc("0-based row in its section.") : .plain }
        }
    }

    package var dryRun: Bool
    /// Whether the rows were written (no problems, not a dry run).
    package var applied: Bool
    package var rows: [Row] = []
    package var problems: [Problem] = []
    /// For a large (staged) import, whose rows and problems are not all listed: rows per
    /// section, how many of them new, and how many problems in all.
    package var totals: [String: SectionTotal]?
    package var problemsTotal: Int?

    package struct SectionTotal: Codable, Sendable, Equatable {
        package var rows, created: Int
        package init(rows: Int, created: Int) { (self.rows, self.created) = (rows, created) }
    }

    /// Keeps the rows whose keys are in `keys` (all when nil, up to `maxRows`) and the first
    /// `maxProblems` problems, with the totals: an answer of 50,000 rows fits no frame.
    package mutating func abridge(keys: Set<String>?, maxRows: Int = 1000, maxProblems: Int = 1000) {
        var t: [String: SectionTotal] = [:]
        for r in rows {
            t[r.section, default: SectionTotal(rows: 0, created: 0)].rows += 1
            if r.created { t[r.section, default: SectionTotal(rows: 0, created: 0)].created += 1 }
        }
        totals = t
        problemsTotal = problems.count
        if let keys { rows = rows.filter { $0.key.map(keys.contains) ?? false } }
        rows = Array(rows.prefix(maxRows))
        problems = Array(problems.prefix(maxProblems))
    }

    package init(dryRun: Bool, applied: Bool, rows: [Row] = [], problems: [Problem] = []) {
        self.dryRun = dryRun
        self.applied = applied
        self.rows = rows
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case dryRun = "dry_run", applied, rows, problems, totals, problemsTotal = "problems_total"
        var rule: FieldRule {
            self == .applied ? .doc("false when anything was wrong: then nothing was written.") : .plain
        }
    }
}

/// An answer of a `*.history` method: a page of entries and where the next begins.
package protocol HistoryAnswer: Decodable, Sendable {
    var items: [HistoryEntry] { get set }
    var nextCursor: String? { get set }
}

extension RecordHistory: HistoryAnswer {}
extension AgreementHistory: HistoryAnswer {}
