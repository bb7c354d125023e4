import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `delegations.record`: a past visit, stored in its final state without anything being sent.
package struct DelegationRecordParams: Codable, Sendable, Schematic {
    package var draft: DelegationDraft
    package var status: DelegationStatus
    package var outcome, reason: String?

    package init(draft: DelegationDraft, status: DelegationStatus, outcome: String? = nil, reason: String? = nil) {
        self.draft = draft
        self.status = status
        self.outcome = outcome
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case status, outcome, reason

        var rule: FieldRule {
            switch self {
            case .status: .values(["completed", "cancelled"], "How it ended; default completed.")
            case .outcome: .text(Limits.notes, "What came of it.")
            case .reason: .text(Limits.reason, "Why it was cancelled (required for cancelled).")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeIfPresent(DelegationStatus.self, forKey: .status) ?? .completed
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        draft = try DelegationDraft(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try draft.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(outcome, forKey: .outcome)
        try c.encodeIfPresent(reason, forKey: .reason)
    }

    /// The schema with `statuses` allowed (an import also takes `proposed`, a visit to come).
    package static func schema(statuses: [String]) -> Schema {
        .object(
            schema.fields.map { f in
                guard f.name == "status" else { return f }
                return Schema.Field(f.name, .string(values: statuses), required: false, f.description)
            }
        )
    }
}

/// `delegations.import`: partners and visits from a spreadsheet or a file, all or nothing.
package struct DelegationsImport: Codable, Sendable, Schematic {
    package var partners: [JSONValue]
    package var visits: [JSONValue]
    package var dryRun: Bool
    /// Rows staged with `delegations.import_stage` under this id, imported after those given.
    package var staged: String?
    /// For a staged import: the keys whose rows the answer lists (the others are counted).
    package var keys: [String]?

    package init(
        partners: [JSONValue],
        visits: [JSONValue],
        dryRun: Bool,
        staged: String? = nil,
        keys: [String]? = nil
    ) {
        self.partners = partners
        self.visits = visits
        self.dryRun = dryRun
        self.staged = staged
        self.keys = keys
    }

    /// The most rows of a section in one call.
    package static let maxRows = 5000

    enum CodingKeys: String, CodingKey, FieldKey {
        case partners, visits, dryRun = "dry_run", staged, keys

        var rule: FieldRule {
            switch self {
            case .partners:
                .list(
                    DelegationsImport.maxRows,
                    of: .plain,
                    "Rows as partners.create takes them, plus key (yours, for the report); one already registered "
                        + "under the same name and country is found, not doubled."
                )
            case .visits:
                .list(
                    DelegationsImport.maxRows,
                    of: .plain,
                    "Rows as delegations.record takes them (status completed or cancelled, or proposed for one still "
                        + "to come), plus "
                        + "key; external_key (default import:KEY) makes a second import of the same row find it."
                )
            case .dryRun: .doc("Check every row and say what would be done; write nothing.")
            case .staged:
                .text(64, "An import_id from delegations.import_stage: its rows, of any number, in one transaction.")
            case .keys: .list(100_000, of: .text(200), "With staged: the keys whose rows the answer lists.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partners = try c.decodeIfPresent([JSONValue].self, forKey: .partners) ?? []
        visits = try c.decodeIfPresent([JSONValue].self, forKey: .visits) ?? []
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        staged = try c.decodeIfPresent(String.self, forKey: .staged)
        keys = try c.decodeIfPresent([String].self, forKey: .keys)
    }
}

/// A piece of an import too large for one call (`…import_stage`'s params): rows of one section.
package protocol ImportPiece: Encodable, Sendable {
    /// `importID`: what the first piece's answer named (nil for the first).
    init(importID: String?, section: String, rows: [JSONValue])
}

/// `delegations.import_stage`: rows of an import too large for one call, kept until the import
/// that names them (or a day).
package struct DelegationsImportStage: Codable, Sendable, Schematic, ImportPiece {
    /// Rows staged before under this id; absent: a new import.
    package var importID: String?
    package var partners: [JSONValue]?
    package var visits: [JSONValue]?

    package init(importID: String?, partners: [JSONValue]?, visits: [JSONValue]?) {
        (self.importID, self.partners, self.visits) = (importID, partners, visits)
    }

    package init(importID: String?, section: String, rows: [JSONValue]) {
        self.init(
            importID: importID,
            partners: section == "partners" ? rows : nil,
            visits: section == "visits" ? rows : nil
        )
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case importID = "import_id", partners, visits
        var rule: FieldRule {
            switch self {
            case .importID: .text(64, "The import_id an earlier call answered; absent for the first piece.")
            case .partners, .visits:
                .list(DelegationsImport.maxRows, of: .plain, "More rows, as delegations.import takes them.")
            }
        }
    }
}

/// What is staged under an import id so far: the rows each section holds.
package struct ImportStaged: Codable, Sendable, Schematic {
    package var importID: String
    package var rows: [String: Int]
    package init(importID: String, rows: [String: Int]) {
        (self.importID, self.rows) = (importID, rows)
    }
    enum CodingKeys: String, CodingKey { case importID = "import_id", rows }
}

/// `delegations.retention`.
package struct RetentionParams: Codable, Sendable, Schematic {
    package var dueOnly, apply: Bool?
    /// Rows per page (without it, every row: an answer that can grow past a frame).
    package var limit: Int?
    package var cursor: String?

    package init(dueOnly: Bool? = nil, apply: Bool? = nil, limit: Int? = nil, cursor: String? = nil) {
        (self.dueOnly, self.apply, self.limit, self.cursor) = (dueOnly, apply, limit, cursor)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case dueOnly = "due_only", apply, limit, cursor
        var rule: FieldRule {
            switch self {
            case .apply: .doc("Purge those due now, this page of them (otherwise nothing changes).")
            case .dueOnly: .doc("Only visits whose purge is due now.")
            case .limit: .int(1...1000, "Rows per page, those that ended first first; without it, every row.")
            case .cursor: .text(200, "next_cursor of the page before.")
            }
        }
    }
}

/// Finished visits and when their people's personal data is purged.
package struct RetentionList: Codable, Sendable, Schematic {
    package struct Item: Codable, Sendable {
        package var id, ref, title, status: String
        package var purgeOn: LocalDate
        package var due: Bool

        package init(id: String, ref: String, title: String, status: String, purgeOn: LocalDate, due: Bool) {
            self.id = id
            self.ref = ref
            self.title = title
            self.status = status
            self.purgeOn = purgeOn
            self.due = due
        }

        enum CodingKeys: String, CodingKey { case id, ref, title, status, purgeOn = "purge_on", due }
    }

    package var days: Int
    package var keepsNames: Bool
    package var items: [Item]
    package var purged: [String]
    /// How many rows there are in all (not only this page), and how many are due.
    package var total, dueTotal: Int?
    package var nextCursor: String?

    package init(days: Int, keepsNames: Bool, items: [Item], purged: [String]) {
        self.days = days
        self.keepsNames = keepsNames
        self.items = items
        self.purged = purged
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case days, keepsNames = "keeps_names", items, purged, total, dueTotal = "due_total", nextCursor = "next_cursor"
        var rule: FieldRule {
            switch self {
            case .days: .doc("settings.retention_days")
            case .purged: .doc("References purged by this call.")
            case .total: .doc("Rows in all, on every page.")
            case .dueTotal: .doc("Of the visits not yet purged, how many are due now.")
            case .nextCursor: .doc("Give it as cursor for the next page; absent on the last.")
            default: .plain
            }
        }
    }
}
