import Synchronization

/// A service's database: one connection handed to one caller at a time.
///
/// `@unchecked Sendable`: the connection is only touched while `lock` is held.
package final class Store: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private let db: Database
    /// The database file.
    package let path: String

    /// Opens `path`, applies the service's `migrations`, then each component's.
    package init(path: String, migrations: [Database.Migration], components: [(String, [Database.Migration])] = []) throws {
        db = try Database(path: path)
        try db.migrate(migrations)
        for (name, m) in components { try db.migrate(component: name, m) }
        self.path = path
    }

    /// Runs `body` with the connection, outside any transaction (reads, or several transactions).
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        var result: T?
        try lock.withLock { _ in result = try body(db) }
        return result!
    }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE; rollback on any error).
    package func write<T>(_ body: (Database) throws -> T) throws -> T {
        var result: T?
        try lock.withLock { _ in result = try db.transaction(body) }
        return result!
    }

    /// Whether the database answers a trivial query.
    package func isHealthy() -> Bool {
        (try? read { db in try db.queryOne("SELECT 1")?.int(0) }) == 1
    }
}
