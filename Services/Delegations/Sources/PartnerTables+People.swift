import LiaisonModels
import LiaisonStore
import LiaisonJSON

/// The registry's people on visits: found by the ids members carry.
extension PartnerTables {
    /// The active entry holding the person `id`, with the person.
    static func person(_ db: Database, id: String) throws -> (PartnerRecord, Person)? {
        let needle = JSONWriter.string(["id": .string(id)]).dropFirst().dropLast()
        for row in try db.query(
            "SELECT doc FROM partners WHERE +status = 'active' AND instr(doc, ?) > 0",  // every row: no index
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
        return try visits(db, naming: needle, proposed: proposed) { $0.contains(id) }
    }

    /// The visits with a member who is one of `people` (ids), in one scan.
    static func visits(_ db: Database, anyOf people: Set<String>, proposed: Bool) throws -> [Delegation] {
        guard !people.isEmpty else { return [] }
        return try visits(db, naming: "\"person\":", proposed: proposed) { !$0.isDisjoint(with: people) }
    }

    /// Visits whose document holds `needle` and whose members' person ids pass `matches`.
    private static func visits(
        _ db: Database,
        naming needle: String,
        proposed: Bool,
        _ matches: (Set<String>) -> Bool
    ) throws -> [Delegation] {
        let status = proposed ? " AND status = 'proposed'" : ""
        return try db.query(
            "SELECT doc FROM delegations WHERE instr(doc, ?) > 0\(status) ORDER BY starts_utc, id",
            [needle]
        ).compactMap { row in
            let d = try JSONDecoding.decode(Delegation.self, from: try row["doc"] as [UInt8])
            return matches(Set(d.draft.members.compactMap(\.person))) ? d : nil
        }
    }
}
