import Foundation
import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// How visits show the registry's partners: renamed or merged entries rewritten in every visit
/// naming them, at the same version (a refresh, not a change of the visit).
extension DelegationsTables {
    /// Shows the registry's current name, kind and country for `partner` in every visit that
    /// names it (or named `mergedFrom`, which now resolves to it): the documents, the columns
    /// lists filter on, and the search text. Not a change of the visit (no version, no history).
    static func refresh(_ db: Database, partner: PartnerRecord, mergedFrom: String? = nil) throws {
        var ids = try PartnerTables.delegationIDs(db, naming: partner.id)
        if let from = mergedFrom { ids += try PartnerTables.delegationIDs(db, naming: from) }
        for id in Set(ids) {
            guard var d = try load(db, idOrRef: id) else { continue }
            var moved: [String: String] = [:]
            if let from = mergedFrom { moved[from] = partner.id }
            d.draft.show(partner.reference, for: [partner.id] + (mergedFrom.map { [$0] } ?? []), moved: moved)
            d.place()
            try DelegationsTables().refresh(db, d)
        }
        try refresh(db, peopleOf: partner)
    }

    /// Gives the members who are `partner`'s people the registry's details in every visit still
    /// proposed (a confirmed visit keeps what it was confirmed with: its mail went out so).
    static func refresh(_ db: Database, peopleOf partner: PartnerRecord) throws {
        let people = Dictionary(partner.people.map { ($0.id, $0) }) { a, _ in a }
        // One scan of the proposed visits, not one a person: a partner change runs this.
        for var d in try PartnerTables.visits(db, anyOf: Set(people.keys), proposed: true) {
            let before = d
            for i in d.draft.members.indices {
                if let id = d.draft.members[i].person, let person = people[id] { d.draft.members[i].follow(person) }
            }
            if d != before { try DelegationsTables().refresh(db, d) }
        }
    }
}

extension DelegationDraft {
    /// Shows `reference` for the partners named by any of `ids`, and names the partner kept for
    /// each merged one (`moved`: merged id → kept id) in members and groups too. A visit naming
    /// both the kept and the merged entry names the kept one once.
    mutating func show(_ reference: PartnerRef, for ids: [String], moved: [String: String]) {
        partners.show(reference, for: ids)
        guard !moved.isEmpty else { return }
        for i in members.indices { if let p = members[i].partner, let to = moved[p] { members[i].partner = to } }
        for i in groups.indices { if let p = groups[i].partner, let to = moved[p] { groups[i].partner = to } }
    }

    /// Shows every named partner as the registry has it now (renamed, or merged into another
    /// entry, since the draft was resolved); true when that changed anything.
    mutating func showRegistry(_ db: Database) throws -> Bool {
        let before = self
        for id in Set(partners.compactMap(\.id)) {
            guard let r = try PartnerTables.resolve(db, id: id) else { continue }
            show(r.reference, for: [id], moved: r.id == id ? [:] : [id: r.id])
        }
        return self != before
    }
}
