import LiaisonAPI
import LiaisonJSON
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// A record's audit trail: one row per change, with who made it and what changed, each row
/// sealed into the table's hash chain (`HistoryChain.swift`).
package struct History: Sendable {
    /// The table, e.g. `history`.
    package let table: String
    /// The column holding the record's id, e.g. `delegation_id`.
    package let idColumn: String
    /// The index over (record, seq).
    package let index: String
    /// The table of the records themselves (`id`, `version`, `doc`): each is at the version its
    /// history ends with.
    package let records: String

    package init(table: String, idColumn: String, index: String, records: String) {
        self.table = table
        self.idColumn = idColumn
        self.index = index
        self.records = records
    }

    /// The statements creating the table (`sealed`: with its hash column, which tables created
    /// before the chain gain with `addSealSQL`). Every history table is created here.
    package func createSQL(sealed: Bool = true) -> String {
        // A sealed table is created with its state column too (`addState` then leaves it).
        let hash = sealed ? ",\n    hash TEXT NOT NULL DEFAULT '',\n    state TEXT NOT NULL DEFAULT ''" : ""
        return """
            CREATE TABLE \(table)(
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                \(idColumn) TEXT NOT NULL,
                version INTEGER NOT NULL,
                at_ms INTEGER NOT NULL,
                uid INTEGER NOT NULL,
                action TEXT NOT NULL,
                changes TEXT NOT NULL\(hash));
            CREATE INDEX \(index) ON \(table)(\(idColumn), seq);
            """
    }

    /// The statement giving a table created unsealed its hash column (then `sealAll`).
    package var addSealSQL: String { "ALTER TABLE \(table) ADD COLUMN hash TEXT NOT NULL DEFAULT '';" }

    /// Gives a table created without it its `state` column: the SHA-256 of the record's stored
    /// text after the row's change, sealed with the row, so that a record edited in place no
    /// longer matches the state its history ends with (rows written before it have "").
    package func addState(_ db: Database) throws {
        let columns = try db.query("PRAGMA table_info(\(table))").map { try $0["name"] as String }
        guard !columns.contains("state") else { return }
        try db.execute("ALTER TABLE \(table) ADD COLUMN state TEXT NOT NULL DEFAULT '';")
    }

    /// Rewrites every row of the record `id` through `redact` (a purge: personal values become
    /// their digests, which the chain reads as it read the values, so it still verifies).
    package func redact(_ db: Database, id: String, _ redact: (JSONValue) -> JSONValue) throws {
        for row in try db.query("SELECT seq, changes FROM \(table) WHERE \(idColumn) = ?", [id]) {
            let changes = redact(try JSONParser.parse(try row["changes"] as [UInt8]))
            try db.run(
                "UPDATE \(table) SET changes = ? WHERE seq = ?",
                [JSONWriter.string(changes), try row["seq"] as Int64]
            )
        }
    }

    /// Records one change (`changesJSON` is a JSON object) that left the record stored as
    /// `stored`, sealed into the table's hash chain.
    package func record(
        _ db: Database,
        id: String,
        version: Int,
        uid: UInt32,
        action: String,
        changesJSON: String,
        stored: String,
        nowMillis: Int64
    ) throws {
        let state = SHA256.hex(Array(stored.utf8))
        let hash = History.seal(
            previous: try head(db),
            table: table,
            id: id,
            version: version,
            atMs: nowMillis,
            uid: Int64(uid),
            action: action,
            changes: changesJSON,
            state: state
        )
        try db.run(
            """
            INSERT INTO \(table)(\(idColumn), version, at_ms, uid, action, changes, hash, state)
                VALUES(?,?,?,?,?,?,?,?)
            """,
            [id, version, nowMillis, Int64(uid), action, changesJSON, hash, state]
        )
    }

    /// A page of the record's changes, oldest first: those after `p.cursor`, at most `p.limit`
    /// and at most `maxBytes` of changes (always at least one entry).
    package func page(_ db: Database, id: String, _ p: HistoryParams, maxBytes: Int = 512 * 1024) throws -> HistoryPage
    {
        let limit = p.limit ?? 1000
        var items: [HistoryEntry] = []
        var bytes = 0
        var last: Int64 = try p.after()
        let sql =
            "SELECT seq, version, at_ms, uid, action, changes, length(changes) AS size FROM \(table) "
            + "WHERE \(idColumn) = ? AND seq > ? ORDER BY seq LIMIT ?"
        for r in try db.query(sql, [id, last, Int64(limit) + 1]) {
            let size: Int64 = try r["size"]
            if items.count == limit || (!items.isEmpty && bytes + Int(size) > maxBytes) {
                return HistoryPage(items: items, nextCursor: String(last))
            }
            items.append(try HistoryEntry(row: r))
            bytes += Int(size)
            last = try r["seq"]
        }
        return HistoryPage(items: items, nextCursor: nil)
    }

    /// The top-level fields that differ between two encodings, as `{field: {from, to}}`
    /// (the version and update time left out).
    package static func diff(_ old: JSONValue, _ new: JSONValue) -> JSONValue {
        if case .encoded(let x) = old, case .encoded(let y) = new, let d = textDiff(x, y) { return d }
        guard case .object(let a) = old.materialized, case .object(let b) = new.materialized else { return ["to": new] }
        var out = JSONObject()
        for key in (a.keys + b.keys.filter { a[$0] == nil }) where !diffIgnored.contains(key) {
            let x = a[key], y = b[key]
            if x != y { out[key] = ["from": x ?? .null, "to": y ?? .null] }
        }
        return .object(out)
    }

    static let diffIgnored: Set<String> = ["version", "updated_at"]
    private static let ignoredKeys: [[UInt8]] = diffIgnored.map { Array($0.utf8) }

    /// The same from two stored texts, member by member: equal text is an equal member; text
    /// that differs is parsed and compared (formatting is not a change). Nil when either is not
    /// an object whose members can be split, or a differing member does not parse. Keys are
    /// compared as bytes, and the two texts' members are walked side by side (a change keeps
    /// the order), so nothing is hashed.
    static func textDiff(_ old: [UInt8], _ new: [UInt8]) -> JSONValue? {
        guard let a = JSONMembers.split(old), let b = JSONMembers.split(new) else { return nil }
        func ignored(_ bytes: [UInt8], _ key: Range<Int>) -> Bool {
            ignoredKeys.contains { bytes[key].elementsEqual($0) }
        }
        func name(_ bytes: [UInt8], _ key: Range<Int>) -> String { String(decoding: bytes[key], as: UTF8.self) }
        var out = JSONObject()
        var matched = [Bool](repeating: false, count: b.count)
        for (i, m) in a.enumerated() {
            // The same position first, then a search.
            let j =
                i < b.count && new[b[i].key].elementsEqual(old[m.key])
                ? i : b.indices.first { !matched[$0] && new[b[$0].key].elementsEqual(old[m.key]) }
            if let j { matched[j] = true }
            if ignored(old, m.key) { continue }
            if let j, old[m.value].elementsEqual(new[b[j].value]) { continue }
            guard let x = try? JSONParser.parse(old[m.value]) else { return nil }
            guard let j else {
                out[name(old, m.key)] = ["from": x, "to": .null]
                continue
            }
            guard let y = try? JSONParser.parse(new[b[j].value]) else { return nil }
            if x != y { out[name(old, m.key)] = ["from": x, "to": y] }
        }
        for (j, m) in b.enumerated() where !matched[j] && !ignored(new, m.key) {
            guard let y = try? JSONParser.parse(new[m.value]) else { return nil }
            out[name(new, m.key)] = ["from": .null, "to": y]
        }
        return .object(out)
    }
}

extension HistoryEntry {
    init(row r: Row) throws {
        self.init(
            version: try r["version"],
            at: Timestamp.rfc3339(millis: try r["at_ms"]),
            uid: try r["uid"],
            action: try r["action"],
            changes: try JSONParser.parse(try r["changes"] as [UInt8])
        )
    }
}
