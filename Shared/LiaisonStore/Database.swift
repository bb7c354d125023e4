import CSQLite
import LiaisonBuild
import Glibc

/// Monotonic nanoseconds.
func clock_gettime_nsec_np_monotonic() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// One SQLite connection (WAL, `synchronous=FULL`, foreign keys on, busy timeout), with a cache
/// of prepared statements finalised when the connection goes.
///
/// Not thread-safe on its own: `Store` hands it to one thread at a time.
package final class Database {
    private var handle: OpaquePointer?
    private var cache: [String: OpaquePointer] = [:]
    /// The file this connection opened.
    package let path: String
    /// The database's identity and incarnation, on the write connection of a store (events
    /// appended through it carry them).
    package var lineage: StoreLineage?

    /// The connection, for SQLite calls this type does not wrap (the online backup).
    var rawHandle: OpaquePointer? { handle }

    /// Opens (creating if needed) the database at `path`; `readOnly` opens an existing file as
    /// it is (a backup's copy, checked without a byte of it changing); `plain` opens it without
    /// the store's settings (a file a backup writes into).
    package init(
        path: String,
        busyTimeoutMs: Int32 = 5000,
        readOnly: Bool = false,
        plain: Bool = false
    ) throws(StoreError) {
        self.path = path
        var h: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let rc = sqlite3_open_v2(path, &h, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let h else {
            let msg = h.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(h)
            throw StoreError(code: rc, message: "\(msg) (\(path))", path: path, systemErrno: errno)
        }
        handle = h
        sqlite3_extended_result_codes(h, 1)
        sqlite3_busy_timeout(h, busyTimeoutMs)
        if readOnly || plain { return }
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
        // Checkpoints run on their own schedule (Store.checkpoint), not inside some unlucky commit.
        try execute("PRAGMA wal_autocheckpoint=0")
        // A WAL that grew under load is cut back to this when it starts again.
        try execute("PRAGMA journal_size_limit=67108864")
        // Pages read through a memory map and a larger page cache: fewer syscalls per query.
        try execute("PRAGMA mmap_size=268435456")
        try execute("PRAGMA cache_size=-16384")
        // Savepoints (one per change in a group commit, one per event an inbox applies) keep the
        // pages they change in a sub-journal: in memory, not a temp file written with a syscall
        // per page (a fifth of a consumer's time under load).
        try execute("PRAGMA temp_store=MEMORY")
    }

    deinit {
        for (_, s) in cache { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    private func error(_ rc: Int32, _ sql: String?) -> StoreError {
        StoreError(
            code: sqlite3_extended_errcode(handle),
            message: String(cString: sqlite3_errmsg(handle)),
            sql: sql,
            path: path,
            systemErrno: sqlite3_system_errno(handle)
        )
    }

    /// Runs one or more statements that take no parameters.
    package func execute(_ sql: String) throws(StoreError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "error"
            sqlite3_free(err)
            throw StoreError(
                code: sqlite3_extended_errcode(handle),
                message: msg,
                sql: sql,
                path: path,
                systemErrno: sqlite3_system_errno(handle)
            )
        }
    }

    /// Statements kept prepared at most; SQL built at run time (IN lists of varying length)
    /// would otherwise grow the cache without end.
    static let cacheLimit = 256

    private func statement(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let s = cache[sql] { return s }
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard rc == SQLITE_OK, let s else { throw error(rc, sql) }
        if cache.count >= Self.cacheLimit {
            for (_, old) in cache { sqlite3_finalize(old) }
            cache.removeAll(keepingCapacity: true)
        }
        cache[sql] = s
        return s
    }

    /// Per-statement counts and time when profiling is on (LIAISON_SQL_PROFILE=1).
    package private(set) var profile: [String: (count: Int, nanos: UInt64)] = [:]
    static let profiling = getenv("LIAISON_SQL_PROFILE").map { String(cString: $0) == "1" } ?? false

    private func bind(_ s: OpaquePointer, _ args: [SQLValue], _ sql: String) throws(StoreError) {
        let expected = Int(sqlite3_bind_parameter_count(s))
        guard expected == args.count else {
            throw StoreError(
                code: SQLITE_RANGE,
                message: "statement takes \(expected) parameters, got \(args.count)",
                sql: sql
            )
        }
        for (i, v) in args.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(s, idx)
            case .int(let x): rc = sqlite3_bind_int64(s, idx, x)
            case .double(let x): rc = sqlite3_bind_double(s, idx, x)
            case .text(let x):
                // By its length, not up to a NUL: "a\0b" is three characters, and a filter of
                // "\0" must not be bound as "" (which matched every row).
                var text = x
                rc = text.withUTF8 { u in
                    guard let base = u.baseAddress else { return sqlite3_bind_text(s, idx, "", 0, csqlite_transient()) }
                    return base.withMemoryRebound(to: CChar.self, capacity: u.count) {
                        sqlite3_bind_text(s, idx, $0, Int32(u.count), csqlite_transient())
                    }
                }
            case .blob(let b):
                rc = b.withUnsafeBytes {
                    sqlite3_bind_blob(s, idx, $0.baseAddress, Int32($0.count), csqlite_transient())
                }
            }
            if rc != SQLITE_OK { throw error(rc, sql) }
        }
    }

    /// Runs a statement, returning every row.
    @discardableResult
    package func query(_ sql: String, _ args: [any SQLBindable] = []) throws(StoreError) -> [Row] {
        let s = try statement(sql)
        let started = Self.profiling ? clock_gettime_nsec_np_monotonic() : 0
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            if Self.profiling {
                let p = profile[sql] ?? (0, 0)
                profile[sql] = (p.count + 1, p.nanos + clock_gettime_nsec_np_monotonic() - started)
            }
        }
        try bind(s, args.map(\.sqlValue), sql)
        var rows: [Row] = []
        let columns = sqlite3_column_count(s)
        let names = columnNames(s, sql, columns)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columns))
            for c in 0..<columns {
                switch sqlite3_column_type(s, c) {
                case SQLITE_INTEGER: values.append(.int(sqlite3_column_int64(s, c)))
                case SQLITE_FLOAT: values.append(.double(sqlite3_column_double(s, c)))
                case SQLITE_TEXT:
                    let p = sqlite3_column_text(s, c)!
                    let n = Int(sqlite3_column_bytes(s, c))
                    values.append(.text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(s, c))
                    if let p = sqlite3_column_blob(s, c) {
                        values.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: n))))
                    } else {
                        values.append(.blob([]))
                    }
                default: values.append(.null)
                }
            }
            rows.append(Row(columns: names, values: values))
        }
        return rows
    }

    /// Column names of each prepared statement (the same array is shared by all its rows).
    private var columnNamesCache: [String: RowColumns] = [:]

    private func columnNames(_ s: OpaquePointer, _ sql: String, _ n: Int32) -> RowColumns {
        if let c = columnNamesCache[sql] { return c }
        let c = RowColumns((0..<n).map { String(cString: sqlite3_column_name(s, $0)) })
        if columnNamesCache.count >= Self.cacheLimit { columnNamesCache.removeAll(keepingCapacity: true) }
        columnNamesCache[sql] = c
        return c
    }

    /// Runs a statement, returning the first row.
    package func queryOne(_ sql: String, _ args: [any SQLBindable] = []) throws(StoreError) -> Row? {
        try query(sql, args).first
    }

    /// Runs a statement for its effect; returns the rows changed.
    @discardableResult
    package func run(_ sql: String, _ args: [any SQLBindable] = []) throws(StoreError) -> Int {
        try query(sql, args)
        return Int(sqlite3_changes(handle))
    }

    /// The rowid of the last insert.
    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open.
    package var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in BEGIN IMMEDIATE … COMMIT; any error rolls back and is rethrown (the first one).
    package func transaction<T>(_ body: (Database) throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        let result: T
        do {
            result = try body(self)
        } catch {
            try? execute("ROLLBACK")
            announced = []
            throw error
        }
        do { try execute("COMMIT") } catch {
            try? execute("ROLLBACK")
            announced = []
            throw error
        }
        announced = []
        return result
    }

    private var savepointDepth = 0
    private var announced: [CommitTopic] = []

    /// Says that the current transaction did something observers of `topic` care about (e.g.
    /// events appended to the outbox); the store tells them once it has committed, and never if
    /// the work rolls back.
    package func announce(_ topic: CommitTopic) { announced.append(topic) }

    /// The topics announced since the last call (the store tells observers after COMMIT).
    func takeAnnouncements() -> [CommitTopic] {
        defer { announced = [] }
        return announced
    }

    /// Runs `body` inside a savepoint: on error only its changes roll back, and the error is rethrown.
    package func savepoint<T>(_ body: (Database) throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "sp\(savepointDepth)"
        let announcedBefore = announced.count
        try run("SAVEPOINT \(name)")
        do {
            let r = try body(self)
            try run("RELEASE \(name)")
            return r
        } catch {
            // What the rolled-back work announced goes with it.
            announced.removeSubrange(min(announcedBefore, announced.count)...)
            _ = try? run("ROLLBACK TO \(name)")
            _ = try? run("RELEASE \(name)")
            throw error
        }
    }

    /// A migration: the schema version it brings the database to, and its SQL.
    package struct Migration: Sendable {
        package var version: Int
        package var sql: String
        /// Rewrites data the SQL alone cannot (documents to a new shape), in the same transaction.
        package var data: (@Sendable (Database) throws -> Void)?
        package init(_ version: Int, _ sql: String, data: (@Sendable (Database) throws -> Void)? = nil) {
            self.version = version
            self.sql = sql
            self.data = data
        }
    }

    /// Applies a component's migrations (the outbox, the inbox…) tracked in `schema_versions`,
    /// apart from the service's own `user_version`, so shared tables can evolve on their own.
    package func migrate(component: String, _ migrations: [Migration]) throws {
        try execute("CREATE TABLE IF NOT EXISTS schema_versions(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        let current: Int =
            try queryOne("SELECT version FROM schema_versions WHERE component = ?", [component])?["version"] ?? 0
        try apply(migrations, above: current, "\(component) tables in \(path) are at version \(current)") { db, v in
            try db.run(
                "INSERT INTO schema_versions(component, version) VALUES(?, ?) ON CONFLICT(component) DO UPDATE "
                    + "SET version = excluded.version",
                [component, v]
            )
        }
    }

    /// Hands back the page cache's memory (SQLite reads the pages again when they are needed).
    package func releaseMemory() { sqlite3_db_release_memory(handle) }

    /// Bytes the page cache holds now.
    package var cacheBytes: Int {
        var current: Int32 = 0, highest: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, 0)
        return Int(current)
    }

    /// Copies committed WAL pages back into the database file. PASSIVE never blocks anyone;
    /// RESTART also waits (up to the busy timeout, holding off writers) for readers to leave the
    /// WAL, so that the next write starts it again from the beginning instead of growing it.
    /// TRUNCATE also cuts the WAL file to nothing (when the store is quiet, to give space back).
    /// Returns the frames in the WAL and how many of them are now in the database file; `busy`
    /// when RESTART could not get every reader out in time.
    package func checkpoint(
        restart: Bool = false,
        truncate: Bool = false
    ) throws(StoreError) -> (frames: Int, copied: Int, busy: Bool) {
        var log: Int32 = 0, done: Int32 = 0
        let mode =
            truncate ? SQLITE_CHECKPOINT_TRUNCATE : restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, mode, &log, &done)
        if rc != SQLITE_OK && rc != SQLITE_BUSY { throw error(rc, "checkpoint") }
        return (Int(log), Int(done), rc == SQLITE_BUSY)
    }

    /// The schema version (PRAGMA user_version).
    package func schemaVersion() throws -> Int {
        try queryOne("SELECT user_version AS v FROM pragma_user_version")?["v"] ?? 0
    }

    /// Applies, in order and each in its own transaction, the migrations above the current version.
    /// A database newer than the newest migration is refused rather than guessed at.
    package func migrate(_ migrations: [Migration]) throws {
        let current = try schemaVersion()
        try apply(migrations, above: current, "database \(path) has schema version \(current)") { db, v in
            try db.execute("PRAGMA user_version = \(v)")
        }
    }

    /// Runs each migration above `current` in its own transaction (its SQL, then its data
    /// rewrite, then `mark` records the version reached); refuses a database newer than them all.
    private func apply(
        _ migrations: [Migration],
        above current: Int,
        _ what: String,
        mark: (Database, Int) throws -> Void
    ) throws {
        let newest = migrations.map(\.version).max() ?? 0
        if current > newest {
            throw StoreError(
                code: SQLITE_ERROR,
                message: "\(what), newer than this binary knows (\(newest)); upgrade the binary"
            )
        }
        for m in migrations.sorted(by: { $0.version < $1.version }) where m.version > current {
            try transaction { db in
                try db.execute(m.sql)
                try m.data?(db)
                try mark(db, m.version)
            }
        }
    }
}
