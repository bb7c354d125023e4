import Foundation
import LiaisonBuild
import Testing

@testable import LiaisonStore

/// A migration keeps the database as it was before it ran, named by the two releases: what
/// going back to the previous release starts from (docs/OPERATIONS.md, "Going back").
@Suite final class MigrationKeepTests {
    let dir: String = {
        var t = Array("/tmp/lzk-XXXXXX".utf8CString)
        return t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }()
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    let v1: [Database.Migration] = [.init(1, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")]
    var v2: [Database.Migration] { v1 + [.init(2, "ALTER TABLE t ADD COLUMN note TEXT")] }

    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".db") }.sorted() }

    @Test func aNewDatabaseAndOneWithNothingToMigrateKeepNoCopy() throws {
        let s1 = try Store(path: dir + "/d.db", migrations: v1)
        #expect(s1.keptBeforeMigration == nil)
        let s2 = try Store(path: dir + "/d.db", migrations: v1)
        #expect(s2.keptBeforeMigration == nil)
        #expect(try files() == ["d.db"])
    }

    @Test func aMigrationKeepsTheDatabaseAsItWasNamedByBothReleases() throws {
        // As the previous release left it: schema 1, a row, no record of its release.
        do {
            let db = try Database(path: dir + "/d.db")
            try db.migrate(v1)
            try db.run("INSERT INTO t(name) VALUES('before')")
        }
        let s = try Store(path: dir + "/d.db", migrations: v2)
        let kept = try #require(s.keptBeforeMigration)
        #expect(kept == dir + "/d-0.1.0-to-\(BuildInfo.version).db")
        try s.write { db in try db.run("INSERT INTO t(name, note) VALUES('after', 'x')") }
        let old = try Database(path: kept)
        #expect(try old.schemaVersion() == 1, "the copy is the database before the migration")
        #expect(try old.query("SELECT name FROM t").map { try $0["name"] as String } == ["before"])
        // The store now records its release: a later step is named from it.
        let release: String? = try s.read { db in try db.queryOne("SELECT value FROM store_meta WHERE key = 'release'")?["value"] }
        #expect(release == BuildInfo.version)
    }

    @Test func aSecondAttemptOfTheSameStepKeepsTheFirstCopy() throws {
        do {
            let db = try Database(path: dir + "/d.db")
            try db.migrate(v1)
            try db.run("INSERT INTO t(name) VALUES('first')")
        }
        let copy = dir + "/d-0.1.0-to-\(BuildInfo.version).db"
        try "not a database".write(toFile: copy, atomically: true, encoding: .utf8)
        let s = try Store(path: dir + "/d.db", migrations: v2)
        #expect(s.keptBeforeMigration == copy)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "not a database", "an existing copy is never overwritten")
    }
}
