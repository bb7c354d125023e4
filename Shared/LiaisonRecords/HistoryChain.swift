import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// A tamper-evident history: each row's `hash` is the SHA-256 of the previous row's hash and the
/// row's own content, one chain per history table, so an edit, a deleted or an inserted row made
/// outside the service breaks the chain from there on (`audit.verify` names the first such row).
///
/// Personal values (emails, phones, needs, members' names) enter the hash as their own SHA-256,
/// and a purge (retention) replaces them with `purged:` and that digest: the data goes, the
/// chain still verifies.
extension History {
    /// Keys whose string values are personal wherever they appear in a change.
    static let personalKeys: Set<String> = [
        "email", "phone", "dietary", "accessibility", "contact_email", "contact_name",
    ]

    /// A personal value as kept after a purge: its digest, the value gone.
    package static func purgedValue(_ s: String) -> String {
        s.hasPrefix("purged:") ? s : "purged:" + SHA256.hex(Array(s.utf8))
    }

    /// `v` with every personal value replaced by its digest (purged ones by the digest they keep).
    package static func canonical(_ v: JSONValue, personalNames: Bool = false) -> JSONValue {
        switch v {
        case .string(let s) where personalNames:
            return .string(s.hasPrefix("purged:") ? "sha256:" + s.dropFirst(7) : "sha256:" + SHA256.hex(Array(s.utf8)))
        case .array(let items): return .array(items.map { canonical($0, personalNames: personalNames) })
        case .object(let o):
            var out = JSONObject()
            for m in o.members {
                let personal =
                    personalNames && (m.key == "name" || m.key == "name_local") || personalKeys.contains(m.key)
                    || m.key == "needs"
                if m.key == "members" {
                    out[m.key] = canonicalMembers(m.value)
                } else if m.key == "attendees" || (m.key == "hosts" && isStrings(m.value)) {
                    // An item's people, by email (or name): personal too.
                    out[m.key] = canonical(m.value, personalNames: true)
                } else if personal, case .string = m.value {
                    out[m.key] = canonical(m.value, personalNames: true)
                } else if m.key == "needs" {
                    out[m.key] = canonical(m.value, personalNames: true)
                } else {
                    out[m.key] = canonical(m.value, personalNames: personalNames)
                }
            }
            return .object(out)
        default: return v
        }
    }

    package static func isStrings(_ v: JSONValue) -> Bool {
        guard case .array(let items) = v else { return false }
        return items.allSatisfy { if case .string = $0 { return true } else { return false } }
    }

    /// A delegation's members (an array, or a change's `{from, to}` of arrays): names are personal there.
    static func canonicalMembers(_ v: JSONValue) -> JSONValue {
        switch v {
        case .array(let items):
            return .array(
                items.map { item in
                    guard case .object(let o) = item else { return canonical(item) }
                    var out = JSONObject()
                    for m in o.members {
                        out[m.key] =
                            ["name", "name_local"].contains(m.key)
                            ? canonical(m.value, personalNames: true) : canonical(.object([m.key: m.value]))[m.key]
                    }
                    return .object(out)
                }
            )
        case .object(let o):
            var out = JSONObject()
            for m in o.members { out[m.key] = canonicalMembers(m.value) }
            return .object(out)
        default: return canonical(v)
        }
    }

    /// The hash sealing a row after `previous` (`state`: the digest of the record it left, ""
    /// for rows written before states were kept).
    static func seal(
        previous: String,
        table: String,
        id: String,
        version: Int,
        atMs: Int64,
        uid: Int64,
        action: String,
        changes: String,
        state: String = ""
    )
        -> String
    {
        let tree = (try? JSONParser.parse(Array(changes.utf8))) ?? .string(changes)
        var content = [
            previous, table, id, String(version), String(atMs), String(uid), action, JSONWriter.string(canonical(tree)),
        ]
        if !state.isEmpty { content.append(state) }
        return SHA256.hex(Array(content.joined(separator: "\n").utf8))
    }

    /// The hash of the newest row ("" for none).
    func head(_ db: Database) throws -> String {
        try db.queryOne("SELECT hash FROM \(table) ORDER BY seq DESC LIMIT 1")?["hash"] ?? ""
    }

    /// Seals every row of the table in order (a migration adding the chain to existing rows).
    package func sealAll(_ db: Database) throws {
        var previous = ""
        for r in try db.query(
            "SELECT seq, \(idColumn) AS entity, version, at_ms, uid, action, changes FROM \(table) ORDER BY seq"
        ) {
            let hash = History.seal(
                previous: previous,
                table: table,
                id: try r["entity"],
                version: try r["version"],
                atMs: try r["at_ms"],
                uid: try r["uid"],
                action: try r["action"],
                changes: try r["changes"]
            )
            try db.run("UPDATE \(table) SET hash = ? WHERE seq = ?", [hash, try r["seq"] as Int64])
            previous = hash
        }
    }

    /// Re-walks the chain (from the row after `since`, which must still be there unchanged, when
    /// given); the first row whose hash is not what its content and its predecessor make, if any;
    /// then the records: all of them, or (from `since`) those the rows walked changed.
    package func verify(_ db: Database, since: ChainHead? = nil) throws -> ChainReport {
        var previous = since?.hash ?? ""
        var rows = 0
        var head = since
        func broken(_ b: ChainReport.Broken) -> ChainReport {
            ChainReport(table: table, rows: rows, ok: false, broken: b, head: head, since: since?.seq)
        }
        if let since {
            let stored: String? = try db.queryOne("SELECT hash FROM \(table) WHERE seq = ?", [since.seq])?["hash"]
            guard stored == since.hash else {
                return broken(
                    ChainReport.Broken(
                        seq: since.seq,
                        entity: "",
                        version: 0,
                        action: "checkpoint",
                        why: stored == nil
                            ? "the row the last verify ended at was deleted"
                            : "the row the last verify ended at was changed: the history up to it was rewritten"
                    )
                )
            }
        }
        for r in try db.query(
            """
            SELECT seq, \(idColumn) AS entity, version, at_ms, uid, action, changes, hash, state FROM \(table)
                WHERE seq > ? ORDER BY seq
            """,
            [since?.seq ?? 0]
        ) {
            rows += 1
            let entity: String = try r["entity"], version: Int = try r["version"], action: String = try r["action"]
            let seq: Int64 = try r["seq"]
            let expected = History.seal(
                previous: previous,
                table: table,
                id: entity,
                version: version,
                atMs: try r["at_ms"],
                uid: try r["uid"],
                action: action,
                changes: try r["changes"],
                state: try r["state"]
            )
            let stored: String = try r["hash"]
            guard stored == expected else {
                return broken(
                    ChainReport.Broken(
                        seq: seq,
                        entity: entity,
                        version: version,
                        action: action,
                        why: previous.isEmpty && rows > 1
                            ? "the chain is broken here"
                            : "its content or its predecessor was changed, inserted or deleted outside the service"
                    )
                )
            }
            previous = stored
            head = ChainHead(seq: seq, hash: stored)
        }
        if let behind = try recordsAhead(db, since: since?.seq) ?? tailCut(db, newest: head?.seq ?? 0)
            ?? recordsEdited(db, since: since?.seq)
        {
            return broken(behind)
        }
        return ChainReport(table: table, rows: rows, ok: true, broken: nil, head: head, since: since?.seq)
    }

    /// Rows deleted from the end of the chain: the table's sequence (AUTOINCREMENT never hands
    /// out a number twice) is past its newest row.
    func tailCut(_ db: Database, newest: Int64) throws -> ChainReport.Broken? {
        let handed: Int64 = try db.queryOne("SELECT seq FROM sqlite_sequence WHERE name = ?", [table])?["seq"] ?? 0
        guard handed > newest else { return nil }
        return ChainReport.Broken(
            seq: handed,
            entity: "",
            version: 0,
            action: "deleted",
            why: "rows \(newest + 1)–\(handed) were written and are gone: the end of the history was deleted"
        )
    }

    /// The first record whose version is not the one its history ends with: the newest rows of
    /// its history were deleted (the chain still verifies: a chain cannot tell its end was cut),
    /// or the record was changed outside the service.
    func recordsAhead(_ db: Database, since: Int64? = nil) throws -> ChainReport.Broken? {
        let sql = """
            SELECT r.id AS entity, r.version AS version, h.last AS last, h.seq AS seq FROM \(records) r
            LEFT JOIN (SELECT \(idColumn) AS id, max(version) AS last, max(seq) AS seq FROM \(table)
                GROUP BY \(idColumn)) h ON h.id = r.id
            WHERE h.last IS NULL OR h.last != r.version ORDER BY r.id LIMIT 1
            """
        let changedSQL = """
            SELECT r.id AS entity, r.version AS version,
                (SELECT max(version) FROM \(table) WHERE \(idColumn) = r.id) AS last,
                (SELECT max(seq) FROM \(table) WHERE \(idColumn) = r.id) AS seq
            FROM \(records) r WHERE r.id IN (SELECT \(idColumn) FROM \(table) WHERE seq > ?)
                AND (last IS NULL OR last != r.version) ORDER BY r.id LIMIT 1
            """
        guard let r = try since.map({ try db.queryOne(changedSQL, [$0]) }) ?? db.queryOne(sql) else { return nil }
        let entity: String = try r["entity"], version: Int = try r["version"]
        let last: Int? = try r["last"]
        return ChainReport.Broken(
            seq: try r["seq"] ?? 0,
            entity: entity,
            version: version,
            action: "record",
            why: last.map {
                "the record is at version \(version) and its history ends at version \($0): "
                    + "history rows were deleted, or the record was changed outside the service"
            } ?? "the record is at version \(version) and has no history: it was written outside the service"
        )
    }
}

extension History {
    /// The first record whose stored text is not the state its newest history row sealed: it
    /// was edited in place (records whose history ends before states were kept are not checked).
    func recordsEdited(_ db: Database, since: Int64? = nil) throws -> ChainReport.Broken? {
        let changed = since == nil ? "" : "AND r.id IN (SELECT \(idColumn) FROM \(table) WHERE seq > ?)"
        let sql = """
            SELECT r.id AS entity, r.version AS version, r.doc AS doc, h.seq AS seq, h.state AS state
            FROM \(records) r JOIN \(table) h
                ON h.seq = (SELECT max(seq) FROM \(table) WHERE \(idColumn) = r.id)
            WHERE h.state != '' \(changed)
            """
        for r in try db.query(sql, since.map { [$0] } ?? []) {
            let doc: [UInt8] = try r["doc"], state: String = try r["state"]
            guard SHA256.hex(doc) != state else { continue }
            let seq: Int64 = try r["seq"]
            return ChainReport.Broken(
                seq: seq,
                entity: try r["entity"],
                version: try r["version"],
                action: "record",
                why: "the stored record is not the one its history row \(seq) left: it was changed in place, "
                    + "outside the service"
            )
        }
        return nil
    }
}

extension History {
    /// Where each chain's last verify that found every chain intact ended: the `audit` component
    /// of a store with histories.
    package static let checkpointMigrations: [Database.Migration] = [
        .init(
            1,
            """
            CREATE TABLE history_checkpoints(
                history TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, at_ms INTEGER NOT NULL);
            """
        )
    ]

    /// The head the last clean verify left of this chain, and when it ran.
    func checkpoint(_ db: Database) throws -> (head: ChainHead, atMs: Int64)? {
        guard let r = try db.queryOne("SELECT seq, hash, at_ms FROM history_checkpoints WHERE history = ?", [table])
        else { return nil }
        return (ChainHead(seq: try r["seq"], hash: try r["hash"]), try r["at_ms"])
    }

    /// Forgets every chain's checkpoint: the next `since_last` walks everything.
    static func forgetCheckpoints(_ db: Database) throws { try db.run("DELETE FROM history_checkpoints") }

    func saveCheckpoint(_ db: Database, _ head: ChainHead, atMs: Int64) throws {
        try db.run(
            """
            INSERT INTO history_checkpoints(history, seq, hash, at_ms) VALUES(?, ?, ?, ?)
            ON CONFLICT(history) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at_ms = excluded.at_ms
            """,
            [table, head.seq, head.hash, atMs]
        )
    }
}

extension EventWiring {
    /// `audit.verify` over `histories`: the whole chains, or (`since_last`) what was written since
    /// the last verify that found them all intact, whose heads it keeps; and `audit.compare` with
    /// the copies other services hold of `records`' records. A copy ahead of the record here
    /// forgets the checkpoints, so that the next `since_last` compares every copy again instead
    /// of only those taken since: the problem is named until it is mended.
    package static func audit(
        _ histories: [History],
        store: Store,
        into def: inout ServiceDefinition,
        records: any EventRecovery
    ) {
        def.methods.add(AuditAPI.compare) { p, _ in
            let problems = try store.read { db in try records.behind(p, db: db) }
            if !problems.isEmpty { try store.write { db in try History.forgetCheckpoints(db) } }
            return AuditHeldResult(checked: p.heads.count, problems: problems)
        }
        def.methods.add(AuditAPI.verify) { p, _ in
            let started = wallClockMillis()
            let (tables, sinceMs) = try store.read { db in
                let points = try histories.map { p.sinceLast == true ? try $0.checkpoint(db) : nil }
                let tables = try zip(histories, points).map { h, point in try h.verify(db, since: point?.head) }
                let all = points.compactMap { $0?.atMs }
                return (tables, all.count == points.count ? all.min() : nil)
            }
            let ok = tables.allSatisfy(\.ok)
            if ok {
                try store.write { db in
                    for (h, t) in zip(histories, tables) {
                        if let head = t.head { try h.saveCheckpoint(db, head, atMs: started) }
                    }
                }
            }
            return AuditReport(ok: ok, tables: tables, sinceMs: sinceMs)
        }
    }
}
