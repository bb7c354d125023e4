import Foundation
import LiaisonSync
import Synchronization
import Testing
@testable import LiaisonStore

@Suite final class StoreTests {
    /// This test's directory, removed with it.
    let dir: String = {
        var t = Array("/tmp/lzs-XXXXXX".utf8CString)
        return t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }()
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func tempPath() -> String { dir + "/\(UUID().uuidString.prefix(8)).db" }

    let migrations: [Database.Migration] = [
        .init(1, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"),
        .init(2, "ALTER TABLE t ADD COLUMN note TEXT"),
    ]

    /// A busy spell fills the write connection's page cache; a quiet second later it is handed
    /// back (with malloc's free pages), so an idle service is as small as a fresh one.
    @Test func aQuietStoreHandsBackItsPageCache() throws {
        let s = try Store(path: tempPath(), migrations: migrations)
        let filler = String(repeating: "x", count: 2000)
        for batch in 0..<10 {
            try s.write { db in
                for i in 0..<300 { try db.run("INSERT INTO t(name, note) VALUES(?, ?)", ["\(batch)-\(i)", filler]) }
            }
        }
        let busy = s.writerCacheBytes
        #expect(busy > 4 << 20, "6,000 KB of rows pass through the cache: \(busy) bytes")
        let deadline = Date().addingTimeInterval(Double(Store.quietMs) / 1000 + 5)
        while s.writerCacheBytes > busy / 8 && Date() < deadline { usleep(50_000) }
        #expect(s.writerCacheBytes <= busy / 8, "still \(s.writerCacheBytes) of \(busy) bytes after the quiet spell")
        // And the store works on as before.
        #expect(try s.read { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] as Int64? } == 3000)
    }

    @Test func opensWithWALFullSyncAndForeignKeys() throws {
        let db = try Database(path: tempPath())
        #expect(try db.queryOne("PRAGMA journal_mode")?["journal_mode"] == "wal")
        #expect(try db.queryOne("PRAGMA synchronous")?["synchronous"] == 2)
        #expect(try db.queryOne("PRAGMA foreign_keys")?["foreign_keys"] == 1)
    }

    /// Text is bound by its length: a NUL inside is kept, and a text of only a NUL is not "".
    @Test func textKeepsANulInside() throws {
        let db = try Database(path: tempPath())
        try db.execute("CREATE TABLE t(s TEXT)")
        try db.run("INSERT INTO t(s) VALUES(?)", ["a\u{0}b"])
        let back: String? = try db.queryOne("SELECT s FROM t")?["s"]
        #expect(back == "a\u{0}b")
        let n: Int64? = try db.queryOne("SELECT count(*) AS n FROM t WHERE instr(s, ?) > 0", ["\u{0}"])?["n"]
        #expect(n == 1)
        let none: Int64? = try db.queryOne("SELECT count(*) AS n FROM t WHERE s = ?", ["\u{0}"])?["n"]
        #expect(none == 0)
        let empty: String? = try db.queryOne("SELECT ? AS e", [""])?["e"]
        #expect(empty == "", "an empty text stays text")
    }

    @Test func migratesOnceAndInOrder() throws {
        let path = tempPath()
        let s = try Store(path: path, migrations: migrations)
        try s.write { db in try db.run("INSERT INTO t(name, note) VALUES(?, ?)", ["a", "n"]) }
        let again = try Store(path: path, migrations: migrations)
        #expect(try again.read { db in try db.schemaVersion() } == 2)
        #expect(try again.read { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] as Int64? } == 1)
    }

    @Test func refusesADatabaseNewerThanTheBinary() throws {
        let path = tempPath()
        _ = try Store(path: path, migrations: migrations)
        #expect(throws: StoreError.self) { try Store(path: path, migrations: Array(migrations.prefix(1))) }
    }

    @Test func aTransactionRollsBackOnAnyErrorAndRethrowsIt() throws {
        struct Boom: Error {}
        let s = try Store(path: tempPath(), migrations: migrations)
        #expect(throws: Boom.self) {
            try s.write { db in
                try db.run("INSERT INTO t(name) VALUES(?)", ["x"])
                throw Boom()
            }
        }
        #expect(try s.read { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] as Int64? } == 0)
    }

    @Test func errorsCarryTheExtendedCodeAndSQLButNotTheValues() throws {
        let s = try Store(path: tempPath(), migrations: migrations)
        try s.write { db in try db.run("INSERT INTO t(name) VALUES(?)", ["secret-personal-name"]) }
        do {
            try s.write { db in try db.run("INSERT INTO t(name) VALUES(?)", ["secret-personal-name"]) }
            Issue.record("duplicate accepted")
        } catch let e as StoreError {
            #expect(e.code == 2067, "SQLITE_CONSTRAINT_UNIQUE")
            #expect(e.isConstraint)
            #expect(e.sql == "INSERT INTO t(name) VALUES(?)")
            #expect(!e.description.contains("secret-personal-name"))
        }
    }

    @Test func aSavepointUndoesOnlyItsOwnWork() throws {
        struct Boom: Error {}
        let s = try Store(path: tempPath(), migrations: migrations)
        try s.write { db in
            try db.run("INSERT INTO t(name) VALUES(?)", ["kept"])
            _ = try? db.savepoint { db in
                try db.run("INSERT INTO t(name) VALUES(?)", ["undone"])
                throw Boom()
            }
        }
        #expect(try s.read { db in try db.query("SELECT name FROM t").map { try $0["name"] as String } } == ["kept"])
    }

    @Test func announcementsReachObserversOnceCommittedAndNotForRolledBackWork() throws {
        struct Boom: Error {}
        let s = try Store(path: tempPath(), migrations: migrations)
        let ran = Locked<[String]>([])
        for topic in ["outer", "undone", "inner", "failed write"] {
            s.observe(CommitTopic(topic)) { ran.withLock { $0.append(topic) } }
        }
        try s.write { db in
            db.announce(CommitTopic("outer"))
            _ = try? db.savepoint { db in
                db.announce(CommitTopic("undone"))
                throw Boom()
            }
            try db.savepoint { db in db.announce(CommitTopic("inner")) }
            #expect(ran.withLock { $0 }.isEmpty, "nothing runs before the commit")
        }
        #expect(Set(ran.withLock { $0 }) == ["outer", "inner"])
        _ = try? s.write { db in
            db.announce(CommitTopic("failed write"))
            throw Boom()
        }
        try s.write { _ in }
        #expect(Set(ran.withLock { $0 }) == ["outer", "inner"], "a failed write's announcements never reach anyone")
    }

    /// The loop's reads share one snapshot within a round of the loop: a change made outside the
    /// store (an operator's sqlite3) shows from the next round; a write through the store shows
    /// at once, before its caller could ask.
    @Test func loopReadsShareASnapshotUntilTheRoundEndsOrSomethingCommits() throws {
        let path = tempPath()
        let s = try Store(path: path, migrations: migrations)
        func count() throws -> Int64? {
            try s.readOnLoop { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] }
        }
        try s.write { db in try db.run("INSERT INTO t(name) VALUES('a')") }
        #expect(try count() == 1)
        let outside = try Database(path: path)
        try outside.run("INSERT INTO t(name) VALUES('b')")
        #expect(try count() == 1, "the round's snapshot")
        s.endLoopSnapshot()
        #expect(try count() == 2, "the next round sees the change made outside")
        try s.write { db in try db.run("INSERT INTO t(name) VALUES('c')") }
        #expect(try count() == 3, "a commit through the store is seen within the round")
        s.endLoopSnapshot()
        s.endLoopSnapshot()
        #expect(try count() == 3)
    }

    @Test func theWALStartsAgainUnderSteadyReadsInsteadOfGrowing() throws {
        let path = tempPath()
        let s = try Store(path: path, migrations: migrations)
        let stop = Atomic<Bool>(false)
        let reading = DispatchGroup()
        // Overlapping readers, so that some snapshot is always held, as in a busy service: the
        // WAL can then never start again on its own.
        for k in 0..<3 {
            DispatchQueue.global().async(group: reading) {
                usleep(UInt32(k) * 1000)
                while !stop.load(ordering: .relaxed) {
                    _ = try? s.read { db in
                        try db.execute("BEGIN")
                        _ = try db.queryOne("SELECT count(*) FROM t")
                        usleep(3000)
                        try db.execute("COMMIT")
                    }
                }
            }
        }
        let blob = String(repeating: "x", count: 3000)
        var largest = 0
        for round in 0..<150 {
            try s.write { db in
                for i in 0..<100 { try db.run("INSERT INTO t(name, note) VALUES(?, ?)", ["r\(round)-\(i)", blob]) }
            }
            s.checkpoint()
            let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            largest = max(largest, size)
        }
        stop.store(true, ordering: .relaxed)
        reading.wait()
        // 15,000 rows of 3 KB: about 60 MB went through the WAL; it starts again once past
        // restartWALAfterFrames (4,096 pages, 16 MiB) — by a RESTART checkpoint, or by SQLite
        // itself when a passive one found a moment with no reader left in it (how many of each
        // depends on the machine's load, so only the bound is checked).
        #expect(largest < 24 << 20, "the WAL peaked at \(largest) bytes (\(s.commitCounters.walRestarts) restarts)")
        #expect(try s.read { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] as Int64? } == 15000)
    }

    @Test func componentMigrationsAreTrackedApart() throws {
        let path = tempPath()
        let comp: [Database.Migration] = [.init(1, "CREATE TABLE c(x INTEGER)")]
        _ = try Store(path: path, migrations: migrations, components: [("extra", comp)])
        let s = try Store(path: path, migrations: migrations, components: [("extra", comp)])
        #expect(
            try s.read { db in try db.queryOne("SELECT version FROM schema_versions WHERE component = 'extra'")?["version"] as Int64? } == 1
        )
        #expect(try s.read { db in try db.schemaVersion() } == 2)
    }

    /// A write alone in its group runs without a savepoint of its own: failing, it takes the
    /// transaction with it, and leaves nothing behind; the next write commits as usual.
    @Test func aLoneWriteThatFailsLeavesNothing() throws {
        struct Refused: Error {}
        let s = try Store(path: tempPath(), migrations: migrations)
        #expect(throws: Refused.self) {
            try s.write { db in
                try db.run("INSERT INTO t(name) VALUES('gone')")
                _ = try db.savepoint { db in try db.run("INSERT INTO t(name) VALUES('gone too')") }
                throw Refused()
            }
        }
        try s.write { db in try db.run("INSERT INTO t(name) VALUES('kept')") }
        let names = try s.read { db in try db.query("SELECT name FROM t").map { row throws -> String in try row["name"] } }
        #expect(names == ["kept"])
        #expect(s.commitCounters.commits == 1 && s.commitCounters.writes == 2)
    }

    @Test func concurrentWritesShareCommitsAndFailAlone() throws {
        struct Refused: Error {}
        let s = try Store(path: tempPath(), migrations: migrations)
        let n = 400
        DispatchQueue.concurrentPerform(iterations: n) { i in
            _ = try? s.write { db in
                try db.run("INSERT INTO t(name) VALUES(?)", ["w\(i)"])
                if i % 10 == 0 { throw Refused() }
            }
        }
        #expect(try s.read { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] as Int64? } == Int64(n - n / 10))
        #expect(s.commitCounters.writes == n)
    }

    @Test func writesArrivingDuringACommitShareTheNextOne() throws {
        let s = try Store(path: tempPath(), migrations: migrations)
        let gate = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        // Threads of our own: Dispatch adds threads only slowly when its workers block.
        func spawn(_ body: @escaping @Sendable () -> Void) {
            done.enter()
            Thread.detachNewThread {
                body(); done.leave()
            }
        }
        spawn {
            _ = try? s.write { db in
                entered.signal()
                gate.wait()  // hold the first transaction open while others queue up
                try db.run("INSERT INTO t(name) VALUES('first')")
            }
        }
        entered.wait()
        for i in 0..<50 {
            spawn { _ = try? s.write { db in try db.run("INSERT INTO t(name) VALUES(?)", ["w\(i)"]) } }
        }
        while s.waitingWrites < 50 { usleep(1000) }
        gate.signal()
        done.wait()
        #expect(
            (s.commitCounters.commits, s.commitCounters.writes) == (2, 51), "one commit for the first write, one for the fifty that waited")
        #expect(try s.read { db in try db.queryOne("SELECT count(*) AS n FROM t")?["n"] as Int64? } == 51)
    }

    @Test func bindsEveryKindOfValue() throws {
        let s = try Store(path: tempPath(), migrations: [.init(1, "CREATE TABLE v(a, b, c, d, e)")])
        try s.write { db in try db.run("INSERT INTO v VALUES(?,?,?,?,?)", [SQLValue.null, 42, 2.5, "ข้อความ", SQLValue.blob([0, 1, 255])]) }
        let r = try s.read { db in try db.queryOne("SELECT a, b, c, d, e FROM v")! }
        #expect(r.values == [.null, .int(42), .double(2.5), .text("ข้อความ"), .blob([0, 1, 255])])
        #expect(throws: StoreError.self) { try s.read { db in try db.run("INSERT INTO v VALUES(?)", [1]) } }
    }
}
