import Dispatch
import Foundation
import LiaisonBuild
import LiaisonHost
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonWire

/// `store.backup`: a consistent copy of a service's database made while it works, checked, and
/// described for the backup's manifest.
enum StoreBackup {
    /// The SHA-256 of a file, read in 1 MiB pieces.
    static func sha256(ofFile path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw ServiceError(.internal, "cannot read \(path)", retryable: false)
        }
        defer { try? h.close() }
        var digest = SHA256()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(chunk) }
        return SHA256.hex(digest: digest.finish())
    }

    /// `take` on a thread of its own at nice +10: the copy, the check and the hash give way to
    /// the service's own work on a busy machine.
    static func takeAtLowPriority(_ store: Store, label: String) throws -> BackupCopy {
        let result = Locked<Result<BackupCopy, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        try OwnedThread.start(name: "store-backup", niceness: 10) {
            let r = Result { try take(store, label: label) }
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    static func take(_ store: Store, label: String) throws -> BackupCopy {
        guard label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !label.isEmpty else {
            throw ServiceError.invalidParams(field: "label", "letters, digits, - and _ only")
        }
        let dir = (store.path as NSString).deletingLastPathComponent
        let name = ((store.path as NSString).lastPathComponent as NSString).deletingPathExtension
        let file = "\(dir)/backup-\(label)-\(name).db"
        let t0 = monotonicNanos()
        let (bytes, held) = try store.backup(to: file)
        var copy = BackupCopy(
            service: name,
            file: file,
            bytes: Int64(bytes),
            sha256: try sha256(ofFile: file),
            release: BuildInfo.version,
            lineage: store.lineage.text,
            takenAt: Timestamp.rfc3339(millis: wallClockMillis())
        )
        let db = try Database(path: file, readOnly: true)
        copy.schema[name] = try db.schemaVersion()
        if try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 'schema_versions'") != nil {
            for r in try db.query("SELECT component, version FROM schema_versions") {
                copy.schema[try r["component"] as String] = try r["version"]
            }
        }
        if try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 'outbox_keys'") != nil {
            let last: Int64 = try db.queryOne("SELECT coalesce(max(seq), 0) AS s FROM outbox")?["s"] ?? 0
            let keys: Int64 = try db.queryOne("SELECT count(*) AS n FROM outbox_keys")?["n"] ?? 0
            copy.outbox = BackupCopy.Outbox(lastSeq: last, keys: keys)
        }
        if try db.queryOne("SELECT 1 AS x FROM sqlite_master WHERE name = 'inbox_watermarks'") != nil {
            var sources: [String: BackupCopy.InboxSource] = [:]
            for r in try db.query(
                "SELECT source, count(*) AS n, max(last_seq) AS m FROM inbox_watermarks GROUP BY source"
            ) {
                sources[try r["source"]] = BackupCopy.InboxSource(keys: try r["n"], maxSequence: try r["m"])
            }
            copy.inbox = sources
        }
        copy.ms = Double(monotonicNanos() - t0) / 1e6
        copy.heldMs = held
        return copy
    }
}

/// A producer's part in a recovery: taking back the record an event carries when it is newer
/// than what its restored database holds.
package protocol EventRecovery: Sendable {
    /// Takes back `event`'s record in the caller's transaction when it is newer than the one
    /// stored (or missing); returns its kind (`delegation`), or nil when what is here is as new.
    func recover(_ event: CloudEvent, from subscriber: String, db: Database) throws -> String?
    /// Once every page is in: counters raised above what was taken back (references); returns
    /// what is known to be lost and could not be taken back, record by record.
    func finish(db: Database) throws -> [String]
    /// The version stored here of the record an event of `type` carried as `id` (nil: not
    /// here); `ours` false when events of that type carry no record of this service's.
    func stored(_ type: EventType, id: String, db: Database) throws -> (ours: Bool, version: Int?)
}

extension EventRecovery {
    /// The records here older than the copies `held` says another service holds (or missing):
    /// each as a problem `audit verify` prints.
    package func behind(_ held: AuditHeldParams, db: Database) throws -> [String] {
        try held.heads.compactMap { head -> String? in
            guard let type = EventType(rawValue: head.type) else { return nil }
            let here = try stored(type, id: head.id, db: db)
            guard here.ours else { return nil }
            guard let version = here.version else {
                return "\(head.id): \(held.from) holds version \(head.version), and it is not here"
            }
            return version < head.version
                ? "\(head.id): \(held.from) holds version \(head.version), this service has version "
                    + "\(version): changes after it were lost (history rows deleted and the record put back?)"
                : nil
        }
    }
}

extension EventWiring {
    /// `store.backup` and, for a store restored from a backup, the refusal of writes until
    /// `events.recover {done}`, and `events.recover` (with `recovery`, a producer's way to take
    /// records back).
    package static func recovery(_ store: Store, into def: inout ServiceDefinition, recovery: (any EventRecovery)?) {
        def.methods.add(RecoveryAPI.backup) { p, _ in try StoreBackup.takeAtLowPriority(store, label: p.label) }
        def.methods.gate(.write) {
            guard store.recovering else { return nil }
            return ServiceError(
                .unavailable,
                "restored from a backup (\(store.restoredFrom?.takenAt ?? "earlier")): taking back what the other "
                    + "services hold before writes resume; liaison restore finishes it",
                retryable: true,
                details: ["reason": "recovering"]
            )
        }
        let counts = Locked(RecoverResult(recovering: store.recovering))
        def.methods.add(RecoveryAPI.recover) { p, _ in
            if let events = p.events, !events.isEmpty {
                guard let recovery else {
                    throw ServiceError.invalidParams(field: "events", "this service produces no records to take back")
                }
                let from = p.from ?? "?"
                let (kinds, raised) = try store.write { db in
                    var kinds: [String: Int] = [:], raised = 0
                    for held in events {
                        let e = try JSONDecoding.decode(CloudEvent.self, from: held.event, path: [NameKey("events")])
                        if try Outbox.raiseSequence(db, key: e.partitionkey, to: e.sequence) { raised += 1 }
                        if let kind = try recovery.recover(e, from: from, db: db) { kinds[kind, default: 0] += 1 }
                    }
                    return (kinds, raised)
                }
                counts.withLock { c in
                    for (k, n) in kinds { c.recovered[k, default: 0] += n }
                    c.sequences += raised
                }
            }
            if p.done == true {
                let named = try recovery.map { r in try store.write { db in try r.finish(db: db) } } ?? []
                if store.recovering { try store.finishRecovery() }
                counts.withLock {
                    $0.named += named
                    $0.recovering = false
                }
            }
            return counts.withLock { $0 }
        }
        def.health.append(
            ReportSection(
                key: "recovery",
                schema: .object([
                    .req("state", .string(values: ["none", "recovering", "recovered"])),
                    .opt("restored_from", .string(), "The backup this database came back from."),
                    .opt("taken_at", .string(), "When that backup was taken."),
                ])
            ) {
                guard let marker = store.restoredFrom else { return (true, ["state": "none"]) }
                let recovering = store.recovering
                return (
                    !recovering,
                    [
                        "state": .string(recovering ? "recovering" : "recovered"),
                        "restored_from": .string(marker.backup),
                        "taken_at": .string(marker.takenAt),
                    ]
                )
            }
        )
    }
}
