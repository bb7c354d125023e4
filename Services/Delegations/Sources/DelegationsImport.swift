import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonWire

/// `delegations.import`: partners and visits from a spreadsheet or a file, all or nothing.
struct DelegationsImportParams: Decodable, Sendable, Schematic {
    var partners: [JSONValue]
    var visits: [JSONValue]
    var dryRun: Bool

    enum CodingKeys: String, CodingKey { case partners, visits, dryRun = "dry_run" }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partners = try c.decodeIfPresent([JSONValue].self, forKey: .partners) ?? []
        visits = try c.decodeIfPresent([JSONValue].self, forKey: .visits) ?? []
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
    }

    static let maxRows = 5000

    static var schema: Schema {
        .object([
            .opt(
                "partners", .array(.any, maxItems: maxRows),
                "Rows as partners.create takes them, plus key (yours, for the report); one already registered under the same name and "
                    + "country is found, not doubled."),
            .opt(
                "visits", .array(.any, maxItems: maxRows),
                "Rows as delegations.record takes them (status completed or cancelled, or proposed for one still to come), plus key; "
                    + "external_key (default import:KEY) makes a second import of the same row find it."),
            .opt("dry_run", .boolean, "Check every row and say what would be done; write nothing."),
        ])
    }
}

/// A partner row of an import.
struct PartnerImportRow: Decodable {
    var partner: PartnerCreateParams
    var key: String?

    init(from decoder: any Decoder) throws {
        partner = try PartnerCreateParams(from: decoder)
        key = try decoder.container(keyedBy: NameKey.self).decodeIfPresent(String.self, forKey: NameKey("key"))
    }
}

/// A visit row of an import.
struct VisitImportRow: Decodable {
    var visit: RecordParams
    var key: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: NameKey.self)
        key = try c.decodeIfPresent(String.self, forKey: NameKey("key"))
        let status = try c.decodeIfPresent(String.self, forKey: NameKey("status"))
        // A visit still to come is imported as proposed (the office confirms it as usual).
        if status == "proposed" {
            visit = try RecordParams(draft: DelegationDraft(from: decoder), status: .proposed)
        } else {
            visit = try RecordParams(from: decoder)
        }
        if visit.draft.externalKey == nil, let key { visit.draft.externalKey = "import:" + key }
    }
}

extension RecordParams {
    init(draft: DelegationDraft, status: DelegationStatus) {
        self.draft = draft
        self.status = status
    }
}

extension DelegationsLogic {
    func importRows(_ p: DelegationsImportParams, uid: UInt32) throws -> ImportReport {
        let partnerSchema = PartnerCreateParams.schema
        let visitSchema = RecordParams.schema(statuses: ["proposed", "completed", "cancelled"])
        return try ImportBatch.run(store, dryRun: p.dryRun) { [self] batch, db in
            let t = now()
            for (i, row) in p.partners.enumerated() {
                batch.row(db, section: "partners", index: i, row, schema: partnerSchema, as: PartnerImportRow.self) { r, db in
                    var draft = r.partner.partner
                    draft.country = draft.country.uppercased()
                    var v = Validator()
                    draft.problems(&v)
                    for (j, person) in r.partner.people.enumerated() { v.nested("people[\(j)]") { person.problems(&$0) } }
                    try v.finish()
                    var (record, created) = try PartnerTables.findOrRegister(db, draft, id: nil, nowMillis: t)
                    if created {
                        record.people = r.partner.people.map {
                            var x = $0; x.id = IDs.make("per"); return x
                        }
                        try PartnerTables.save(db, record, insert: false, nowMillis: t)
                        try announce(db, .partnerCreated, record, nowMillis: t)
                    }
                    return (record.id, created)
                }
            }
            for (i, row) in p.visits.enumerated() {
                batch.row(db, section: "visits", index: i, row, schema: visitSchema, as: VisitImportRow.self) { r, db in
                    let (d, _, created) = try insertRecord(db, r.visit, uid: uid, nowMillis: t)
                    return (d.id, created)
                }
            }
        }
    }
}
