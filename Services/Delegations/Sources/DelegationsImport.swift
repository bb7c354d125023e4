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
    func importRows(_ p: DelegationsImport, uid: UInt32) throws -> ImportReport {
        let partnerSchema = PartnerCreate.schema
        let visitSchema = DelegationRecordParams.schema(statuses: ["proposed", "completed", "cancelled"])
        return try ImportBatch.run(store, dryRun: p.dryRun) { [self] batch, db in
            let t = now()
            for (i, row) in p.partners.enumerated() {
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
            for (i, row) in p.visits.enumerated() {
                batch.row(db, section: "visits", index: i, row, schema: visitSchema, as: VisitImportRow.self) { r, db in
                    let (d, _, created) = try insertRecord(db, r.visit, uid: uid, nowMillis: t)
                    return (d.id, created)
                }
            }
        }
    }
}
