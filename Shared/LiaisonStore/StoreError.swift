import CSQLite
import Glibc

/// A failed SQLite operation: SQLite's extended result code and message, and the SQL text —
/// never the bound values, which may hold personal data.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE).
    package var code: Int32
    /// SQLite's message.
    package var message: String
    /// The statement, when there was one.
    package var sql: String?
    /// The database file.
    package var path: String?
    /// The operating system's errno behind an I/O error (0 when none).
    package var systemErrno: Int32

    package init(code: Int32, message: String, sql: String? = nil, path: String? = nil, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
        self.systemErrno = systemErrno
    }

    /// The primary result code (the low byte).
    package var primary: Int32 { code & 0xFF }

    /// Another connection held the database past the busy timeout.
    package var isBusy: Bool { primary == SQLITE_BUSY || primary == SQLITE_LOCKED }

    /// The disk (or the user's quota) is full: nothing was written, and writing again once space
    /// is freed will work.
    package var isDiskFull: Bool { primary == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT }

    /// A constraint failed (unique, foreign key, check).
    package var isConstraint: Bool { primary == SQLITE_CONSTRAINT }

    package var description: String {
        var s = "SQLite error \(code): \(message)"
        if let sql { s += " [in: \(sql.prefix(200))]" }
        return s
    }
}
