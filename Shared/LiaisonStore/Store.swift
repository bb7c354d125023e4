import Foundation
import LiaisonBuild
import CLiaisonShims
import Dispatch
import LiaisonSync
import Synchronization

/// A service's database: one connection, and writes committed in groups.
///
/// `write` calls that arrive while a commit is under way wait and are then run together, each in
/// its own savepoint, inside one transaction with one fsync (group commit). A failing write rolls
/// back only its own savepoint; every caller still gets its answer only after the commit that
/// holds its changes is durable.
///
/// `@unchecked Sendable`: each connection is only touched while its lock is held; the queue of
/// waiting writes is behind `queue`.
package final class Store: @unchecked Sendable {
    /// The write connection.
    let writer: Locked<Database>
    /// Read-only connections of their own: in WAL mode readers never wait for the writer.
    let readers: [Locked<Database>]
    private let nextReader = Locked(0)
    private let queue = Locked(GroupQueue())
    let counters = Locked(CommitCounters())
    /// The database file.
    package let path: String
    /// The copy of the database as it was before this start migrated it, if it did.
    package let keptBeforeMigration: String?
    /// The database's identity and incarnation (raised by each restore).
    package let lineage: StoreLineage
    /// The backup this database was restored from (`liaison restore`), while it recovers.
    package let restoredFrom: RestoreMarker?
    /// Restored and not yet recovered: writes other than the recovery's are refused.
    let recoveringState: Locked<Bool>

    /// Opens `path`, applies the service's `migrations`, then each component's.
    package init(
        path: String,
        migrations: [Database.Migration],
        components: [(String, [Database.Migration])] = [],
        readers: Int = 3
    ) throws {
        let db = try Database(path: path)
        keptBeforeMigration = try Self.keepBeforeMigrating(
            db,
            path: path,
            migrations: migrations,
            components: components
        )
        try db.migrate(migrations)
        for (name, m) in components { try db.migrate(component: name, m) }
        _ = try db.prepareMeta()
        _ = try Self.applyRestoreMarker(db, path: path)
        // The restore this database is recovering from (kept until the recovery ends).
        restoredFrom = try db.meta("recovering").flatMap {
            try? JSONDecoder().decode(RestoreMarker.self, from: Data($0.utf8))
        }
        lineage = try db.prepareMeta()
        recoveringState = Locked(try db.meta("recovering") != nil)
        db.lineage = lineage
        writer = Locked(db)
        self.path = path
        func reader() throws -> Locked<Database> {
            let r = try Database(path: path)
            try r.execute("PRAGMA query_only = 1")
            // Readers find the database file's pages in the memory map; their own cache holds
            // only pages still in the WAL, and seven connections of 16 MiB each were most of
            // a consumer's memory after a long bench.
            try r.execute("PRAGMA cache_size=-2048")
            return Locked(r)
        }
        self.readers = try (0..<max(readers, 1)).map { _ in try reader() }
        controlReader = try reader()
        loopReader = try reader()
        // Short: a RESTART checkpoint holds off writers while it waits for readers.
        checkpointer = try Database(path: path, busyTimeoutMs: 100)
    }

    let checkpointer: Database
    let checkpointing = Locked(false)
    let checkpointQueue = DispatchQueue(label: "liaison.store.checkpoint")
    let commitsSinceCheckpoint = Locked(0)

    /// Starts a background checkpoint every `every` commits.
    private func noteCommit(every: Int = 64) {
        let due = commitsSinceCheckpoint.withLock { n -> Bool in
            n += 1
            if n < every { return false }
            n = 0
            return true
        }
        if due { checkpointQueue.async { [self] in checkpoint() } }
    }

    /// How long without a commit before the WAL is checkpointed and cut to nothing.
    package static let quietMs = 1000
    let lastCommitNanos = Atomic<UInt64>(0)
    let quietCheckScheduled = Atomic(false)

    /// A reader kept for health checks, so that they never wait behind client queries.
    let controlReader: Locked<Database>

    /// Runs `body` on the read-only connection kept for health checks and other control calls:
    /// it never waits for client reads (however many run) nor for a write.
    package func readForControl<T>(_ body: (Database) throws -> T) throws -> T {
        try controlReader.withLock { db in try Self.snapshot(db, body) }
    }

    /// Runs `body` in one read transaction: its statements see one state of the database, and
    /// the file locks are taken once rather than around each statement.
    private static func snapshot<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try db.run("BEGIN")
        do {
            let r = try body(db)
            try db.run("COMMIT")
            return r
        } catch {
            _ = try? db.run("ROLLBACK")
            throw error
        }
    }

    /// A connection of its own for point reads answered on the event loop.
    let loopReader: Locked<Database>
    /// The commit count when the loop's read transaction began, while one is open (touched only
    /// while `loopReader`'s lock is held).
    private var loopSnapshot: UInt64?
    /// Commits so far: a snapshot that began before the latest is not used again.
    private let commitCount = Atomic<UInt64>(0)

    /// Runs `body` on the read-only connection kept for the event loop: for a lookup of one row
    /// by its key (microseconds, so the loop may wait for it, and the call is answered without
    /// handing it to a worker thread and back). Anything that scans belongs on a worker. The
    /// loop is one thread, so this connection is not contended.
    ///
    /// The calls of one round of the loop share a read transaction (`endLoopSnapshot` ends it)
    /// for as long as nothing commits: SQLite takes and drops its file locks (four `fcntl`
    /// calls) once per transaction, and they were a tenth of a `delegations.get`. A write
    /// answered before a call arrived is always seen: its commit is counted before its caller
    /// is answered, and a count past the snapshot's starts a new one.
    package func readOnLoop<T>(_ body: (Database) throws -> T) throws -> T {
        try loopReader.withLock { db in
            let now = commitCount.load(ordering: .acquiring)
            if let since = loopSnapshot, since != now { endSnapshot(db) }
            if loopSnapshot == nil {
                try db.run("BEGIN")
                loopSnapshot = now
            }
            return try body(db)
        }
    }

    /// Ends the loop's read transaction, if one is open: called after each round of the loop,
    /// so that a snapshot never outlives the calls read together (nor holds the WAL back).
    package func endLoopSnapshot() {
        loopReader.withLock { db in if loopSnapshot != nil { endSnapshot(db) } }
    }

    /// Ends the loop reader's transaction (a read one: its COMMIT only lets go of the snapshot).
    private func endSnapshot(_ db: Database) {
        _ = try? db.run("COMMIT")
        if db.inTransaction { _ = try? db.run("ROLLBACK") }
        loopSnapshot = nil
    }

    /// Runs `body` on a read-only connection, in one read transaction (the last committed state;
    /// never waits for a write).
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        var result: T?
        for r in readers {
            let ran: Void? = try r.withLockIfAvailable { db in result = try Self.snapshot(db, body) }
            if ran != nil { return result! }
        }
        let r = readers[
            nextReader.withLock { n in
                n = (n + 1) % readers.count; return n
            }
        ]
        try r.withLock { db in result = try Self.snapshot(db, body) }
        return result!
    }

    private let observers = Locked<[CommitTopic: [@Sendable () -> Void]]>([:])

    /// Calls `observer` after every commit whose work announced `topic` (`Database.announce`),
    /// once per commit, on the committing thread; it must not block.
    package func observe(_ topic: CommitTopic, _ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0[topic, default: []].append(observer) }
    }

    private func notify(_ topics: [CommitTopic]) {
        guard !topics.isEmpty else { return }
        let called = observers.withLock { o in Set(topics).flatMap { o[$0] ?? [] } }
        for f in called { f() }
    }

    /// Runs `body` in a write transaction, possibly shared with other writes (group commit);
    /// returns once the transaction holding its changes has committed. Any error from `body`
    /// undoes only its changes and is rethrown.
    @discardableResult
    package func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        let request = WriteRequest()
        let outcome = ResultBox<T>()
        request.work = { db, alone in
            // Alone in its group, a write needs no savepoint of its own: its failure rolls the
            // whole transaction back. One around a large write (an inbox's batch of hundreds of
            // events, each in a savepoint of its own) made SQLite walk the in-memory sub-journal
            // from its start at every inner release: a sixth of a consumer's time under load.
            let r = Result { alone ? try body(db) : try db.savepoint(body) }
            outcome.value = r
            if case .failure(let e) = r { return e }
            return nil
        }
        let lead = queue.withLock { q -> Bool in
            q.pending.append(request)
            if q.leading { return false }
            q.leading = true
            return true
        }
        if !lead {
            request.signal.wait()
            if request.becomeLeader { runGroups(until: request) }
        } else {
            runGroups(until: request)
        }
        if let e = request.commitError { throw e }
        return try outcome.value!.get()
    }

    /// As leader: commits groups of waiting writes until `mine` is done, then hands leadership to
    /// the next waiting write, if any.
    private func runGroups(until mine: WriteRequest) {
        while !mine.done {
            let batch = queue.withLock { q -> [WriteRequest] in
                let b = q.pending
                q.pending.removeAll(keepingCapacity: true)
                return b
            }
            commit(batch)
            for r in batch where r !== mine {
                r.done = true
                r.signal.signal()
            }
            mine.done = mine.done || batch.contains { $0 === mine }
        }
        let next = queue.withLock { q -> WriteRequest? in
            guard let first = q.pending.first else {
                q.leading = false
                return nil
            }
            return first
        }
        if let next {
            next.becomeLeader = true
            next.signal.signal()
        }
    }

    private func commit(_ batch: [WriteRequest]) {
        writer.withLock { db in
            var topics: [CommitTopic] = []
            let alone = batch.count == 1
            var failedAlone = false
            do {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try db.run("BEGIN IMMEDIATE")
                for r in batch {
                    // Some errors (a full disk, I/O) make SQLite roll the whole transaction back:
                    // then no later write may run (it would commit on its own), and none counts.
                    // A write alone that fails takes the transaction with it (and counts as run).
                    guard let e = r.work?(db, alone) else { continue }
                    if alone { failedAlone = true }
                    if alone || !db.inTransaction { throw e }
                }
                let t1 = DispatchTime.now().uptimeNanoseconds
                try db.run("COMMIT")
                commitCount.wrappingAdd(1, ordering: .releasing)
                let t2 = DispatchTime.now().uptimeNanoseconds
                topics = db.takeAnnouncements()
                counters.withLock { c in
                    c.commits += 1
                    c.writes += batch.count
                    c.workNanos += t1 - t0
                    c.commitNanos += t2 - t1
                }
            } catch {
                _ = try? db.run("ROLLBACK")
                _ = db.takeAnnouncements()
                if failedAlone { counters.withLock { $0.writes += 1 } }
                for r in batch { r.commitError = error }
            }
            for r in batch { r.work = nil }
            notify(topics)
            if batch.count > 0 {
                noteCommit()
                checkpointWhenQuiet()
            }
        }
    }

    /// The write connection's statement profile (LIAISON_SQL_PROFILE=1): SQL, count, total ms.
    package func sqlProfile() -> [(sql: String, count: Int, ms: Double)] {
        guard Database.profiling else { return [] }
        return writer.withLock { db in
            db.profile.map { ($0.key, $0.value.count, Double($0.value.nanos) / 1e6) }.sorted { $0.ms > $1.ms }
        }
    }

    /// Writes waiting for the current commit (for tests).
    var waitingWrites: Int { queue.withLock { $0.pending.count } }

    /// Commits, writes, and time spent running writes and committing them.
    package var commitCounters: CommitCounters { counters.withLock { $0 } }

    /// Whether the database answers a trivial query.
    package func isHealthy() -> Bool {
        (try? readForControl { db -> Int? in try db.queryOne("SELECT 1 AS one")?["one"] }) == 1
    }
}

/// What the store's group commits have done.
package struct CommitCounters: Sendable {
    package var commits = 0
    package var writes = 0
    /// Time inside transactions running the writes' own work.
    package var workNanos: UInt64 = 0
    /// Time in COMMIT (the fsync).
    package var commitNanos: UInt64 = 0
    /// Checkpoints that started the WAL again from the beginning.
    package var walRestarts = 0
}

private struct GroupQueue {
    var pending: [WriteRequest] = []
    var leading = false
}

/// One caller's write waiting in the group. `@unchecked Sendable`: its fields are written by the
/// leader before `signal` and read by the owner after it (the semaphore orders them).
private final class WriteRequest: @unchecked Sendable {
    /// Runs the write (`alone` in its group: without a savepoint); returns what it threw.
    var work: ((Database, _ alone: Bool) -> (any Error)?)?
    let signal = DispatchSemaphore(value: 0)
    var done = false
    var becomeLeader = false
    var commitError: (any Error)?
}

/// A write's result carried from the leader's thread to its caller. `@unchecked Sendable`: set
/// before the request is signalled, read after.
private final class ResultBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

/// What a committed transaction may announce to the store's observers (`Store.observe`).
package struct CommitTopic: Hashable, Sendable {
    package let name: String
    package init(_ name: String) { self.name = name }
}
