import LiaisonModels
import LiaisonStore
import LiaisonJSON

/// The registry's people on visits: found by the ids members carry.
extension PartnerTables {
    /// The active entry holding the person `id`, with the person.
    static func person(_ db: Database, id: String) throws -> (PartnerRecord, Person)? {
        let needle = JSONWriter.string(["id": .string(id)]).dropFirst().dropLast()
        for row in try db.query(
            "SELECT doc FROM partners WHERE status = 'active' AND instr(doc, ?) > 0",
            [String(needle)]
        ) {
            let p = try JSONDecoding.decode(PartnerRecord.self, from: try row["doc"] as [UInt8])
            if let person = p.people.first(where: { $0.id == id }) { return (p, person) }
        }
        return nil
    }

    /// The visits with a member who is the person `id` (`proposed`: only those still proposed),
    /// oldest first. A scan of the documents: the registry's people are on few visits.
    static func visits(_ db: Database, person id: String, proposed: Bool = false) throws -> [Delegation] {
        let needle = String(JSONWriter.string(["person": .string(id)]).dropFirst().dropLast())
        let status = proposed ? " AND status = 'proposed'" : ""
        return try db.query(
            "SELECT doc FROM delegations WHERE instr(doc, ?) > 0\(status) ORDER BY starts_utc, id",
            [needle]
        ).compactMap { row in
            let d = try JSONDecoding.decode(Delegation.self, from: try row["doc"] as [UInt8])
            return d.draft.members.contains { $0.person == id } ? d : nil
        }
    }
}
