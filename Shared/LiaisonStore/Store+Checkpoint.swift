import Foundation
import LiaisonBuild
import CLiaisonShims
import Dispatch
import LiaisonSync
import Synchronization

/// Keeping the write-ahead log short: checkpoints after commits and when writes stop, and memory
/// handed back after a quiet spell.
extension Store {
    /// After a commit: once no other commit has come for `quietMs`, copies the WAL into the
    /// database and truncates it, so that space comes back when writes stop (and a WAL written
    /// to a full disk does not stay).
    func checkpointWhenQuiet() {
        lastCommitNanos.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        guard
            quietCheckScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
                .exchanged
        else {
            return
        }
        checkpointQueue.asyncAfter(deadline: .now() + .milliseconds(Store.quietMs)) { [weak self] in self?.quietCheck()
        }
    }

    func quietCheck() {
        let idleMs = Int((DispatchTime.now().uptimeNanoseconds - lastCommitNanos.load(ordering: .relaxed)) / 1_000_000)
        if idleMs < Store.quietMs {
            checkpointQueue.asyncAfter(deadline: .now() + .milliseconds(Store.quietMs - idleMs)) { [weak self] in
                self?.quietCheck()
            }
            return
        }
        quietCheckScheduled.store(false, ordering: .releasing)
        truncateWAL()
        releaseIdleMemory()
    }

    /// After a quiet spell: the connections hand back their page caches and malloc returns its
    /// free pages, so that a service idle after a busy spell (a demo load, an import, a bench)
    /// is as small as one just started. A connection in use is left as it is.
    func releaseIdleMemory() {
        for c in [writer, controlReader, loopReader] + readers { _ = c.withLockIfAvailable { $0.releaseMemory() } }
        _ = liaison_malloc_trim()
    }

    /// Bytes the write connection's page cache holds (for tests).
    package var writerCacheBytes: Int { writer.withLock { $0.cacheBytes } }

    /// Checkpoints everything and truncates the WAL (when no reader holds it back and no other
    /// checkpoint is running); returns whether it was cut.
    @discardableResult
    package func truncateWAL() -> Bool {
        withCheckpointer { c in
            guard let r = try? c.checkpoint(truncate: true) else { return false }
            return !r.busy
        } ?? false
    }

    /// Runs `body` with the checkpointer's connection, unless another checkpoint has it (nil).
    func withCheckpointer<T>(_ body: (Database) -> T) -> T? {
        guard
            checkpointing.withLock({ busy in
                if busy { return false }
                busy = true
                return true
            })
        else { return nil }
        defer { checkpointing.withLock { $0 = false } }
        return body(checkpointer)
    }

    /// WAL frames (pages) after which a checkpoint also restarts the WAL: under steady load
    /// readers always hold some snapshot, so without it the WAL would only ever grow (every
    /// write then lands on newly allocated disk blocks and every read searches a larger index).
    package static let restartWALAfterFrames = 4096

    /// Copies the WAL back into the database file, on the caller's thread, without blocking
    /// writers; once the WAL is large, restarts it (holding off writers for at
    /// most the checkpointer's 100 ms busy timeout). Called after commits; returns the frames
    /// left to copy.
    @discardableResult
    package func checkpoint() -> Int {
        withCheckpointer { c in
            guard let passive = try? c.checkpoint() else { return 0 }
            // The passive pass has copied what it could, so what the restart copies while writers
            // wait is only what readers' snapshots held back.
            if passive.frames >= Store.restartWALAfterFrames, let restarted = try? c.checkpoint(restart: true) {
                counters.withLock { $0.walRestarts += restarted.busy ? 0 : 1 }
                return restarted.frames - restarted.copied
            }
            return passive.frames - passive.copied
        } ?? 0
    }
}
