import CSQLite

/// A failed SQLite operation: SQLite's extended result code and message, and the SQL text —
/// never the bound values, which may hold personal data.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE).
    package var code: Int32
    /// SQLite's message.
    package var message: String
    /// The statement, when there was one.
    package var sql: String?

    package init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte).
    package var primary: Int32 { code & 0xFF }

    /// A constraint failed (unique, foreign key, check).
    package var isConstraint: Bool { primary == SQLITE_CONSTRAINT }

    package var description: String {
        var s = "SQLite error \(code): \(message)"
        if let sql { s += " [in: \(sql.prefix(200))]" }
        return s
    }
}
