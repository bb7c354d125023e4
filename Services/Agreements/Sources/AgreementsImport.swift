import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// A row with the caller's key, which names the external key when none is given.
struct KeyedRow<Row: Decodable>: Decodable {
    var row: Row
    var key: String?

    init(from decoder: any Decoder) throws {
        row = try Row(from: decoder)
        key = try decoder.container(keyedBy: NameKey.self).decodeIfPresent(String.self, forKey: NameKey("key"))
    }
}

extension AgreementsLogic {
    /// Keeps a piece of a large import under its id (a new one for the first piece).
    func stageImport(_ p: AgreementsImportStage) throws -> ImportStaged {
        let sections = [("agreements", p.agreements ?? []), ("sites", p.sites ?? [])]
        return try ImportStaging.stage(store, importID: p.importID, sections, nowMillis: now())
    }

    /// The rows given, then those staged under `p.staged`: checked and imported in one
    /// transaction. A staged import answers totals per section, not every row.
    func importRows(_ p: AgreementsImport, uid: UInt32) throws -> ImportReport {
        try ImportStaging.importing(
            store,
            staged: p.staged,
            given: [p.agreements, p.sites],
            sections: ["agreements", "sites"],
            keys: []
        ) { rows in try importRows(rows[0], rows[1], dryRun: p.dryRun, uid: uid) }
    }

    private func importRows(
        _ agreementRows: [JSONValue],
        _ siteRows: [JSONValue],
        dryRun: Bool,
        uid: UInt32
    ) throws -> ImportReport {
        try ImportBatch.run(store, dryRun: dryRun) { [self] batch, db in
            let t = now()
            for (i, row) in agreementRows.enumerated() {
                batch.row(
                    db,
                    section: "agreements",
                    index: i,
                    row,
                    schema: AgreementRecordParams.schema,
                    as: KeyedRow<AgreementRecordParams>.self
                ) {
                    r,
                    db in
                    var params = r.row
                    if params.draft.externalKey == nil, let key = r.key { params.draft.externalKey = "import:" + key }
                    let (a, created) = try insertRecord(db, params, uid: uid, nowMillis: t)
                    return (a.id, created)
                }
            }
            for (i, row) in siteRows.enumerated() {
                batch.row(db, section: "sites", index: i, row, schema: SiteDraft.schema, as: KeyedRow<SiteDraft>.self) {
                    r,
                    db in
                    var draft = r.row
                    if draft.externalKey == nil, let key = r.key { draft.externalKey = "import:" + key }
                    let (site, created) = try insertSite(db, draft, nowMillis: t)
                    return (site.id, created)
                }
            }
        }
    }
}
