import LiaisonEvents
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonRecords
import LiaisonStore
import LiaisonWire

/// Taking back, after a restore, the visits and registry entries the other services hold newer
/// than the restored database (each event carried its record whole).
struct DelegationsRecovery: EventRecovery {
    let logic: DelegationsLogic

    func recover(_ e: CloudEvent, from subscriber: String, db: Database) throws -> String? {
        let t = logic.now()
        switch e.eventType?.family {
        case .delegation:
            let d = try JSONDecoding.decode(Delegation.self, from: e.data, path: [NameKey("data")])
            guard try logic.changes.table.recover(db, d, from: subscriber, sequence: e.sequence, nowMillis: t) else {
                return nil
            }
            if e.eventType == .delegationPurged, try DelegationsTables.purgedAt(db, id: d.id) == nil {
                try DelegationsTables.markPurged(db, id: d.id, nowMillis: t)
            }
            return "delegation"
        case .partner where e.eventType != .partnerClaimed:
            let p = try JSONDecoding.decode(PartnerRecord.self, from: e.data, path: [NameKey("data")])
            return try logic.partners.table.recover(db, p, from: subscriber, sequence: e.sequence, nowMillis: t)
                ? "partner" : nil
        default:
            return nil
        }
    }

    func finish(db: Database) throws -> [String] { try DelegationsTables.skipReferencesAfterRestore(db) }

    func stored(_ type: EventType, id: String, db: Database) throws -> (ours: Bool, version: Int?) {
        switch type.family {
        case .delegation: (true, try logic.changes.table.version(db, id: id))
        case .partner where type != .partnerClaimed: (true, try logic.partners.table.version(db, id: id))
        default: (false, nil)
        }
    }
}
