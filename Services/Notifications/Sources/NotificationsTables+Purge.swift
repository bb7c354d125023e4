import LiaisonHost
import LiaisonEvents
import LiaisonRecords
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

extension NotificationsTables {
    /// `delegation.purged`: the visit's retention period passed. Its copy becomes the purged
    /// one; the messages keep their subject, rule, status and times but lose the addresses, the
    /// bodies and what the MTA said; the journal holds no people (only which events came).
    static func purge(_ db: Database, _ e: CloudEvent) throws {
        guard let id = e.data["id"]?.stringValue else {
            throw ServiceError.invalidParams(field: "data.id", "a purge names the delegation (its id is missing)")
        }
        let purged = JSONWriter.string(e.data)
        try db.run("UPDATE visits SET doc = ? WHERE id = ?", [purged, id])
        // Versions kept for coalescing and mail still to queue hold people too.
        try db.run("DELETE FROM bases WHERE subject_id = ?", [id])
        try db.run("DELETE FROM fanouts WHERE subject_id = ?", [id])
        try db.run("DELETE FROM answers WHERE subject_id = ?", [id])
        let keepNames = e.data["keeps_names"] != .bool(false)
        for row in try db.query("SELECT id, idem_key, recipient FROM messages WHERE subject_id = ?", [id]) {
            let address: String = try row["recipient"], key: String = try row["idem_key"]
            let hidden = History.purgedValue(address)
            try db.run(
                """
                UPDATE messages SET recipient = ?, idem_key = ?, raw = NULL, last_error = NULL, mta_output = NULL,
                    recipient_name = CASE WHEN ? THEN recipient_name ELSE NULL END WHERE id = ?
                """,
                [
                    hidden, key.replacingOccurrences(of: address.lowercased(), with: hidden), keepNames ? 1 : 0,
                    try row["id"] as Int64,
                ]
            )
            try db.run("UPDATE attempts SET detail = NULL WHERE message = ?", [try row["id"] as Int64])
        }
    }
}
