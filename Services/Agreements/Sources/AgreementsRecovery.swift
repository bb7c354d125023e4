import LiaisonEvents
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonRecords
import LiaisonStore
import LiaisonWire

/// Taking back, after a restore, the agreements the other services hold newer than the restored
/// database (each agreement event carried the agreement whole; a renewal its successor too).
struct AgreementsRecovery: EventRecovery {
    let logic: AgreementsLogic

    func recover(_ e: CloudEvent, from subscriber: String, db: Database) throws -> String? {
        guard e.eventType?.family == .agreement else { return nil }  // claims are no record of ours
        let t = logic.now()
        let a = try JSONDecoding.decode(Agreement.self, from: e.data, path: [NameKey("data")])
        var took = try logic.changes.table.recover(db, a, from: subscriber, sequence: e.sequence, nowMillis: t)
        if let s = e.data["successor"], s != .null {
            let successor = try JSONDecoding.decode(
                Agreement.self,
                from: s,
                path: [NameKey("data"), NameKey("successor")]
            )
            took =
                try logic.changes.table.recover(db, successor, from: subscriber, sequence: e.sequence, nowMillis: t)
                || took
        }
        return took ? "agreement" : nil
    }

    func finish(db: Database) throws -> [String] { try AgreementsTables.skipReferencesAfterRestore(db) }

    func stored(_ type: EventType, id: String, db: Database) throws -> (ours: Bool, version: Int?) {
        guard type.family == .agreement else { return (false, nil) }
        return (true, try logic.changes.table.version(db, id: id))
    }
}
