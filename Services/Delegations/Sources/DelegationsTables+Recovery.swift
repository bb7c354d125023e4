import LiaisonRecords
import LiaisonStore

/// What a recovery from a restore changes in the reference counters.
extension DelegationsTables {
    static let references = ReferenceSeries(prefix: "DEL", counters: "refs")

    /// The counters past every reference the visits hold (`ReferenceSeries.skipAfterRestore`):
    /// numbers given after the backup to visits no other service saw (proposed, never announced)
    /// are not given again.
    static func skipReferencesAfterRestore(_ db: Database) throws -> [String] {
        let held = try db.query("SELECT ref FROM delegations").map { try $0["ref"] as String }
        return try references.skipAfterRestore(db, held: held)
    }
}
