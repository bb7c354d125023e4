import LiaisonRecords
import LiaisonStore

/// What a recovery from a restore changes in the reference counters.
extension AgreementsTables {
    static let references = ReferenceSeries(prefix: "AGR", counters: "agreement_refs")

    /// The counters past every reference the agreements hold (`ReferenceSeries.skipAfterRestore`).
    static func skipReferencesAfterRestore(_ db: Database) throws -> [String] {
        let held = try db.query("SELECT reference FROM agreements").map { try $0["reference"] as String }
        return try references.skipAfterRestore(db, held: held)
    }
}
