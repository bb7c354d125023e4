import LiaisonModels
import LiaisonStore

/// What the partners report reads of an agreement: its state, kind, dates and partners, from
/// the columns, the partner rows and the dates in the stored document (a date known only to the
/// year or month has no column) — without decoding the document.
struct AgreementFacts {
    struct Partner {
        var id: String?
        var country: String
        /// The name, with the own-script name in brackets (as `PartnerRef.label`).
        var label: String
    }

    var id: String
    var status: AgreementStatus
    var kind: AgreementKind
    var signedOn, startsOn, endsOn: PartialDate?
    var partners: [Partner] = []
}

extension AgreementsTables {
    /// Every agreement's facts, with its partners in their order.
    static func facts(_ db: Database) throws -> [AgreementFacts] {
        func date(_ text: String?) -> PartialDate? {
            var why = ""
            return text.flatMap { PartialDate.parse($0, why: &why) }
        }
        var out: [AgreementFacts] = []
        var place: [String: Int] = [:]
        for r in try db.query(
            """
            SELECT id, status, kind, json_extract(doc, '$.signed_on') AS signed_on,
                json_extract(doc, '$.starts_on') AS starts_on, json_extract(doc, '$.ends_on') AS ends_on
            FROM agreements
            """
        ) {
            let status: String = try r["status"], kind: String = try r["kind"]
            guard let s = AgreementStatus(rawValue: status) else { continue }
            let id: String = try r["id"]
            place[id] = out.count
            out.append(
                AgreementFacts(
                    id: id,
                    status: s,
                    kind: AgreementKind(rawValue: kind) ?? .other,
                    signedOn: date(try r["signed_on"]),
                    startsOn: date(try r["starts_on"]),
                    endsOn: date(try r["ends_on"])
                )
            )
        }
        for r in try db.query(
            "SELECT agreement_id, name, name_local, country, partner_id FROM agreement_partners "
                + "ORDER BY agreement_id, idx"
        ) {
            guard let i = place[try r["agreement_id"]] else { continue }
            let name: String = try r["name"], local: String? = try r["name_local"], id: String? = try r["partner_id"]
            let shown = name.isEmpty ? id ?? "?" : name
            out[i].partners.append(
                .init(id: id, country: try r["country"], label: local.map { "\(shown) (\($0))" } ?? shown)
            )
        }
        return out
    }
}
