import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire
/// A partner row of an import.
struct PartnerImportRow: Decodable {
    var partner: PartnerCreate
    var key: String?

    init(from decoder: any Decoder) throws {
        partner = try PartnerCreate(from: decoder)
        key = try decoder.container(keyedBy: NameKey.self).decodeIfPresent(String.self, forKey: NameKey("key"))
    }
}

/// A visit row of an import.
struct VisitImportRow: Decodable {
    var visit: DelegationRecordParams
    var key: String?

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: NameKey.self)
        key = try c.decodeIfPresent(String.self, forKey: NameKey("key"))
        let status = try c.decodeIfPresent(String.self, forKey: NameKey("status"))
        // A visit still to come is imported as proposed (the office confirms it as usual).
        if status == "proposed" {
            visit = try DelegationRecordParams(draft: DelegationDraft(from: decoder), status: .proposed)
        } else {
            visit = try DelegationRecordParams(from: decoder)
        }
        if visit.draft.externalKey == nil, let key { visit.draft.externalKey = "import:" + key }
    }
}

extension DelegationsLogic {
    /// Keeps a piece of a large import under its id (a new one for the first piece).
    func stageImport(_ p: DelegationsImportStage) throws -> ImportStaged {
        let sections = [("partners", p.partners ?? []), ("visits", p.visits ?? [])]
        return try ImportStaging.stage(store, importID: p.importID, sections, nowMillis: now())
    }

    func importRows(_ p: DelegationsImport, uid: UInt32) throws -> ImportReport {
        try ImportStaging.importing(
            store,
            staged: p.staged,
            given: [p.partners, p.visits],
            sections: ["partners", "visits"],
            keys: p.keys.map(Set.init)
        ) { rows in try importRows(rows[0], rows[1], dryRun: p.dryRun, uid: uid) }
    }

    private func importRows(
        _ partnerRows: [JSONValue],
        _ visitRows: [JSONValue],
        dryRun: Bool,
        uid: UInt32
    ) throws
        -> ImportReport
    {
        let partnerSchema = PartnerCreate.schema
        let visitSchema = DelegationRecordParams.schema(statuses: ["proposed", "completed", "cancelled"])
        return try ImportBatch.run(store, dryRun: dryRun) { [self] batch, db in
            let t = now()
            // Many visits are indexed for search at the end, at once (rolled back with the rest).
            let indexed = visitRows.count >= 100 ? try DelegationsTables.suspendSearchIndex(db) : nil
            for (i, row) in partnerRows.enumerated() {
                batch.row(db, section: "partners", index: i, row, schema: partnerSchema, as: PartnerImportRow.self) {
                    r,
                    db in
                    var draft = r.partner.partner
                    draft.country = draft.country.uppercased()
                    var v = Validator()
                    draft.problems(&v)
                    for (j, person) in r.partner.people.enumerated() {
                        v.nested("people[\(j)]") { person.problems(&$0) }
                    }
                    try v.finish()
                    let (record, created) = try PartnerTables.findOrRegister(
                        db,
                        draft,
                        id: nil,
                        people: r.partner.people,
                        nowMillis: t
                    )
                    if created { try announce(db, .partnerCreated, record, nowMillis: t) }
                    return (record.id, created)
                }
            }
            for (i, row) in visitRows.enumerated() {
                batch.row(db, section: "visits", index: i, row, schema: visitSchema, as: VisitImportRow.self) { r, db in
                    let (d, _, created) = try insertRecord(db, r.visit, uid: uid, nowMillis: t)
                    return (d.id, created)
                }
            }
            // Kept or rolled back whole: a batch that is not kept takes the dropped trigger back too.
            if let indexed, batch.keeps { try DelegationsTables.resumeSearchIndex(db, after: indexed) }
        }
    }
}
