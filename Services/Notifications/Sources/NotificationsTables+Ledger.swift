import LiaisonAPI
import LiaisonStore

/// The ledger's statements: what a hand-over writes to it, and giving a database put back from
/// a backup what was sent since.
extension NotificationsTables {
    /// The ledger's line for message `id`, about to be handed over.
    static func ledgerEntry(_ db: Database, message id: Int64, nowMillis: Int64) throws -> MailLedger.Entry? {
        try db.queryOne(
            """
            SELECT idem_key, rule, subject_id, subject_ref, recipient, recipient_name, view, version, message_id,
                subject
            FROM messages WHERE id = ?
            """,
            [id]
        ).map { r in
            MailLedger.Entry(
                state: "sending",
                at: nowMillis,
                key: try r["idem_key"],
                rule: try r["rule"],
                subjectID: try r["subject_id"],
                subjectRef: try r["subject_ref"],
                recipient: try r["recipient"],
                recipientName: try r["recipient_name"],
                view: try r["view"],
                version: try r["version"],
                messageID: try r["message_id"],
                subject: try r["subject"]
            )
        }
    }

    /// What the ledger says was handed over and the database does not know: a message it lacks
    /// is added (sent, or possibly sent when only its hand-over began), one still pending or
    /// sending is marked so. Never sent again either way. Returns (added, updated).
    static func reconcile(_ db: Database, _ entries: [MailLedger.Entry], nowMillis: Int64) throws -> (Int, Int) {
        var last: [String: MailLedger.Entry] = [:]
        var order: [String] = []
        for e in entries {
            if last[e.key] == nil { order.append(e.key) }
            if last[e.key]?.state != "sent" { last[e.key] = e }
        }
        var added = 0, updated = 0
        for key in order {
            guard let e = last[key] else { continue }
            let status: MessageStatus = e.state == "sent" ? .sent : .possiblySent
            if let row = try db.queryOne("SELECT status FROM messages WHERE idem_key = ?", [key]) {
                let now: String = try row["status"]
                guard now == "pending" || now == "sending" || (now == "possibly_sent" && status == .sent) else {
                    continue
                }
                try db.run(
                    "UPDATE messages SET status = ?, sent_ms = coalesce(sent_ms, ?), updated_ms = ? WHERE idem_key = ?",
                    [status.rawValue, e.at, nowMillis, key]
                )
                updated += 1
            } else {
                try insert(
                    db,
                    NewMessage(
                        key: key,
                        rule: e.rule,
                        subjectID: e.subjectID,
                        subjectRef: e.subjectRef,
                        recipient: e.recipient,
                        recipientName: e.recipientName,
                        view: e.view,
                        version: e.version,
                        status: status,
                        messageID: e.messageID,
                        subject: e.subject,
                        raw: nil,
                        lastError: "taken back from the mail ledger after a restore (the message itself is not kept)",
                        createdMs: e.at
                    )
                )
                try db.run("UPDATE messages SET sent_ms = ? WHERE idem_key = ?", [e.at, key])
                added += 1
            }
        }
        return (added, updated)
    }
}
