import LiaisonAPI
import LiaisonStore

/// The answers to invitations: one row per visit, session and person, the latest answer with the
/// SEQUENCE it answered (an answer to an earlier version of a session no longer counts).
extension NotificationsTables {
    static let answersSchema = """
        CREATE TABLE answers(
            subject_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            address TEXT NOT NULL,
            answer TEXT NOT NULL CHECK(answer IN ('accepted','declined','tentative')),
            sequence INTEGER NOT NULL,
            answered_ms INTEGER NOT NULL,
            message_id TEXT,
            PRIMARY KEY(subject_id, item_id, address));
        """

    /// Records `address`'s answer to session `itemID` at `sequence` (a later answer replaces it).
    static func recordAnswer(
        _ db: Database,
        subjectID: String,
        itemID: String,
        address: String,
        answer: Answer,
        sequence: Int,
        nowMillis: Int64,
        messageID: String?
    ) throws {
        try db.run(
            """
            INSERT INTO answers(subject_id, item_id, address, answer, sequence, answered_ms, message_id)
            VALUES(?,?,?,?,?,?,?)
            ON CONFLICT(subject_id, item_id, address) DO UPDATE SET answer = excluded.answer,
                sequence = excluded.sequence, answered_ms = excluded.answered_ms, message_id = excluded.message_id
            """,
            [subjectID, itemID, address.lowercased(), answer.rawValue, sequence, nowMillis, messageID]
        )
    }

    /// A stored answer: what, to which SEQUENCE, when.
    struct StoredAnswer {
        let answer: Answer
        let sequence: Int
        let answeredMs: Int64
    }

    /// Every answer to the visit's sessions, by session id and lowercased address.
    static func answers(_ db: Database, subjectID: String) throws -> [String: [String: StoredAnswer]] {
        var out: [String: [String: StoredAnswer]] = [:]
        for row in try db.query(
            "SELECT item_id, address, answer, sequence, answered_ms FROM answers WHERE subject_id = ?",
            [subjectID]
        ) {
            let raw: String = try row["answer"]
            guard let answer = Answer(rawValue: raw) else { continue }
            out[try row["item_id"] as String, default: [:]][try row["address"] as String] = StoredAnswer(
                answer: answer,
                sequence: Int(try row["sequence"] as Int64),
                answeredMs: try row["answered_ms"]
            )
        }
        return out
    }
}
