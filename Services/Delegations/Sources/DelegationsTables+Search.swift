import LiaisonStore

/// Free-text search through an index (issue 30): SQLite FTS5 with the trigram tokenizer, so a
/// word is found inside longer ones and in scripts written without spaces (Thai, Chinese) as
/// `instr` found it, without reading every visit. The index's rows are numbered by
/// `search_rows` (an INTEGER PRIMARY KEY, which VACUUM keeps), kept in step by triggers.
extension DelegationsTables {
    static let searchSQL = """
        CREATE TABLE search_rows(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
        CREATE VIRTUAL TABLE search_index USING fts5(search, tokenize = 'trigram');
        INSERT INTO search_rows(id) SELECT id FROM delegations ORDER BY starts_utc, id;
        INSERT INTO search_index(rowid, search)
            SELECT s.n, d.search FROM delegations d JOIN search_rows s ON s.id = d.id;
        \(insertTriggerSQL)
        CREATE TRIGGER search_on_update AFTER UPDATE OF search ON delegations BEGIN
            UPDATE search_index SET search = new.search WHERE rowid = (SELECT n FROM search_rows WHERE id = new.id);
        END;
        CREATE TRIGGER search_on_delete AFTER DELETE ON delegations BEGIN
            DELETE FROM search_index WHERE rowid = (SELECT n FROM search_rows WHERE id = old.id);
            DELETE FROM search_rows WHERE id = old.id;
        END;
        """

    /// Schema 12: every update of a visit sets its search text, mostly to what it was (a note, a
    /// status, a session), and the trigram index deleted and wrote each of its trigrams again:
    /// about 14 µs of a change's CPU, and WAL pages. Now only a text that changed is indexed again.
    static let searchUpdateSQL = """
        DROP TRIGGER search_on_update;
        CREATE TRIGGER search_on_update AFTER UPDATE OF search ON delegations WHEN old.search IS NOT new.search BEGIN
            UPDATE search_index SET search = new.search WHERE rowid = (SELECT n FROM search_rows WHERE id = new.id);
        END;
        """

    static let insertTriggerSQL = """
        CREATE TRIGGER search_on_insert AFTER INSERT ON delegations BEGIN
            INSERT INTO search_rows(id) VALUES(new.id);
            INSERT INTO search_index(rowid, search) VALUES((SELECT n FROM search_rows WHERE id = new.id), new.search);
        END;
        """

    /// A large import indexes its visits once at its end rather than one by one (three times
    /// faster): the insert trigger goes for the transaction. Returns where the index's rows stood.
    static func suspendSearchIndex(_ db: Database) throws -> Int64 {
        try db.execute("DROP TRIGGER IF EXISTS search_on_insert")
        return try db.queryOne("SELECT coalesce(max(n), 0) AS n FROM search_rows")?["n"] ?? 0
    }

    /// Indexes the visits inserted since `suspendSearchIndex` and puts its trigger back (in the
    /// same transaction: rolled back with it).
    static func resumeSearchIndex(_ db: Database, after n: Int64) throws {
        try db.run(
            """
            INSERT INTO search_rows(id) SELECT id FROM delegations d
                WHERE NOT EXISTS (SELECT 1 FROM search_rows s WHERE s.id = d.id) ORDER BY starts_utc, id
            """
        )
        try db.run(
            """
            INSERT INTO search_index(rowid, search)
                SELECT s.n, d.search FROM search_rows s JOIN delegations d ON d.id = s.id WHERE s.n > ?
            """,
            [n]
        )
        try db.execute(insertTriggerSQL)
    }

    /// The index finds words of three characters or more; shorter ones are looked for as before.
    static let indexedLength = 3

    /// The condition for `words` (lowercased, each of which must appear) and its arguments: the
    /// index for the words it can find, `instr` over the rows it found for the others.
    static func searchCondition(_ words: [String]) -> (sql: String, args: [any SQLBindable]) {
        let indexed = words.filter { $0.count >= indexedLength }
        var sql = ""
        var args: [any SQLBindable] = []
        if !indexed.isEmpty {
            // Each word a quoted phrase: matched as a substring, its own quotes doubled.
            let match = indexed.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
                .joined(separator: " AND ")
            sql += """
                 AND id IN (SELECT s.id FROM search_index JOIN search_rows s ON s.n = search_index.rowid
                    WHERE search_index MATCH ?)
                """
            args.append(match)
        }
        for w in words where w.count < indexedLength {
            sql += " AND instr(search, ?) > 0"
            args.append(w)
        }
        return (sql, args)
    }
}
