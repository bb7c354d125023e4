import LiaisonJSON
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// A record that changes only at the version its caller last read (optimistic concurrency),
/// leaving a history row and, when it matters to others, an event.
package protocol VersionedRecord: Codable, Sendable {
    /// The record's kind in errors and event subjects: `delegation`, `agreement`, `partner`.
    static var kind: String { get }
    var id: String { get }
    var version: Int { get set }
    var updatedAt: String { get set }
    /// How errors name it, e.g. `delegation DEL-2026-0001`.
    var label: String { get }
    /// Every problem with its field path.
    func validate() throws
}

/// Where a kind of record is stored: how it is read, prepared for writing (outside the write
/// transaction) and written. Its statements are the table's own; the record's history row is
/// written beside every insert and update by the extension below, and nowhere else.
package protocol RecordTable: Sendable {
    associatedtype Record: VersionedRecord
    /// What a write needs, worked out before the write transaction.
    associatedtype Prepared

    /// The record's audit trail.
    var history: History { get }
    /// The record with this id or reference, its stored JSON (the "before" of a change), and the
    /// stored text of it.
    func load(_ db: Database, _ idOrRef: String) throws -> (Record, JSONValue, [UInt8])?
    /// The row for `record`, whose encoding is `tree`.
    func prepare(_ record: Record, tree: JSONValue) -> Prepared
    /// The record's text as the row stores it (its history row seals its digest).
    func storedText(_ prepared: Prepared) -> String
    /// Writes a new record.
    func insert(_ db: Database, _ prepared: Prepared, nowMillis: Int64) throws
    /// Writes a changed record over the stored one.
    func update(_ db: Database, _ prepared: Prepared, nowMillis: Int64) throws
    /// Writes the record's text (and what is derived from it) at the same version, leaving its
    /// update time: what another service owns changed in it (a partner's name, a visit's reference).
    func refresh(_ db: Database, _ prepared: Prepared) throws
}

extension RecordTable {
    /// The stored version of the record with this id (nil: none), its text left unread.
    package func version(_ db: Database, id: String) throws -> Int? {
        try db.queryOne("SELECT version FROM \(history.records) WHERE id = ?", [id])?["version"]
    }

    /// The stored version and text of the record with this id. A refresh (a partner renamed or
    /// merged) rewrites the text and leaves the version: a change compares both.
    package func current(_ db: Database, id: String) throws -> (version: Int, doc: [UInt8])? {
        guard let row = try db.queryOne("SELECT version, doc FROM \(history.records) WHERE id = ?", [id]) else {
            return nil
        }
        return (try row["version"], try row["doc"])
    }

    /// Inserts `record` with its first history row (`note`, or `{"created": record}`), in the
    /// caller's transaction; returns its encoding.
    @discardableResult
    package func create(
        _ db: Database,
        _ record: Record,
        action: String,
        uid: UInt32,
        note: JSONValue? = nil,
        nowMillis t: Int64
    ) throws -> JSONValue {
        try record.validate()
        return try save(db, record, new: true, action: action, uid: uid, nowMillis: t) { note ?? ["created": $0] }
    }

    /// Writes `record`, changed from `before`, in the caller's transaction: the version bumped,
    /// validated (unless `validating` is false: a purged record keeps blanks where its people's
    /// data was), saved, and its history row (`note`, or what changed); returns its encoding.
    @discardableResult
    package func commit(
        _ db: Database,
        _ record: inout Record,
        before: JSONValue,
        action: String,
        uid: UInt32,
        note: JSONValue? = nil,
        validating: Bool = true,
        nowMillis t: Int64
    ) throws -> JSONValue {
        record.version += 1
        record.updatedAt = Timestamp.rfc3339(millis: t)
        if validating { try record.validate() }
        return try save(db, record, new: false, action: action, uid: uid, nowMillis: t) {
            note ?? History.diff(before, $0)
        }
    }

    /// Takes back `record` as another service holds it (the last event about it carried it
    /// whole) when it is newer than the stored one, or missing: its row written, and a history
    /// row `recovered` saying from where. Returns whether it was taken back.
    @discardableResult
    package func recover(
        _ db: Database,
        _ record: Record,
        from: String,
        sequence: Int64,
        nowMillis t: Int64
    ) throws -> Bool {
        let stored = try load(db, record.id)
        if let (s, _, _) = stored, s.version >= record.version { return false }
        try save(db, record, new: stored == nil, action: "recovered", uid: 0, nowMillis: t) { tree in
            var note: JSONObject = ["recovered_from": .string(from), "event_sequence": .int(sequence)]
            if let (_, before, _) = stored {
                note["changes"] = History.diff(before, tree)
            } else {
                note["created"] = tree
            }
            return .object(note)
        }
        return true
    }

    /// Writes `record` as a new row (`new`) or over the stored one, and its history row with the
    /// note `noting` makes of its encoding, which it returns.
    @discardableResult
    private func save(
        _ db: Database,
        _ record: Record,
        new: Bool,
        action: String,
        uid: UInt32,
        nowMillis t: Int64,
        noting: (JSONValue) -> JSONValue
    ) throws -> JSONValue {
        let tree = JSONValue.encoded(JSONEncoding.bytes(record))
        let prepared = prepare(record, tree: tree)
        if new { try insert(db, prepared, nowMillis: t) } else { try update(db, prepared, nowMillis: t) }
        try seal(db, record, uid: uid, action: action, noting(tree), stored: storedText(prepared), nowMillis: t)
        return tree
    }

    /// Writes `record` at its version: what others own changed in it (a partner's name, a visit's
    /// reference). Its history gains a row `refreshed` at the same version saying what changed
    /// (none when nothing did), so that the record stays the state its history ends with.
    package func refresh(_ db: Database, _ record: Record) throws {
        let tree = JSONValue.encoded(JSONEncoding.bytes(record))
        let prepared = prepare(record, tree: tree)
        let stored = storedText(prepared)
        guard let before = try current(db, id: record.id), !before.doc.elementsEqual(stored.utf8) else { return }
        try refresh(db, prepared)
        try seal(
            db,
            record,
            uid: 0,
            action: "refreshed",
            History.diff(.encoded(before.doc), tree),
            stored: stored,
            nowMillis: wallClockMillis()
        )
    }
}

extension RecordTable {
    /// The history row of `record` as just written: who, what and the digest of `stored`.
    fileprivate func seal(
        _ db: Database,
        _ record: Record,
        uid: UInt32,
        action: String,
        _ changes: JSONValue,
        stored: String,
        nowMillis t: Int64
    ) throws {
        try history.record(
            db,
            id: record.id,
            version: record.version,
            uid: uid,
            action: action,
            changesJSON: JSONWriter.string(changes),
            stored: stored,
            nowMillis: t
        )
    }
}

/// What a change's write throws when what it was worked out from has changed at the same version
/// (a refresh); `VersionedChanges.change` then works it out again. `guarded` may throw it too.
package struct RecordRefreshed: Error {
    package init() {}
}

/// A change as the versioned store applied it.
package struct Changed<Record: Sendable>: Sendable {
    /// The record after the change.
    package var record: Record
    /// Its encoding (as stored, when nothing changed it after).
    package var tree: JSONValue
}
