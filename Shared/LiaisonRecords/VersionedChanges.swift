import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// What a service's records are written with: its store, its name as the events' source, who
/// takes its events, and its clock.
package struct RecordContext: Sendable {
    package let store: Store
    package let source: String
    package let subscriptions: Subscriptions
    /// Milliseconds since the epoch (injectable for tests).
    package let now: @Sendable () -> Int64

    package init(store: Store, source: String, subscriptions: Subscriptions, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.source = source
        self.subscriptions = subscriptions
        self.now = now
    }

    /// The changes of `table`'s records.
    package func changes<Table: RecordTable>(_ table: Table) -> VersionedChanges<Table> {
        VersionedChanges(store: store, table: table, source: source, subscriptions: subscriptions, now: now)
    }
}

/// The one way a versioned record is created, changed, merged, purged or refreshed: the row and
/// its history row through its `RecordTable`, the event through the outbox, in one transaction.
/// Delegations, agreements and partners all go through here.
package struct VersionedChanges<Table: RecordTable>: Sendable {
    package let store: Store
    package let table: Table
    /// The event `source` (the service's name).
    package let source: String
    package let subscriptions: Subscriptions
    /// Milliseconds since the epoch (injectable for tests).
    package let now: @Sendable () -> Int64

    package init(
        store: Store,
        table: Table,
        source: String,
        subscriptions: Subscriptions,
        now: @escaping @Sendable () -> Int64
    ) {
        self.store = store
        self.table = table
        self.source = source
        self.subscriptions = subscriptions
        self.now = now
    }

    package typealias Record = Table.Record

    /// How many times a change is worked out again on a record refreshed meanwhile.
    static var refreshedAttempts: Int { 8 }

    // MARK: create

    /// Inserts a new record in the caller's transaction: its row, its first history row (`note`,
    /// or the record as created) and `event` (when not nil) carrying it. Returns its encoding.
    @discardableResult
    package func create(
        _ db: Database,
        _ record: Record,
        action: String,
        uid: UInt32,
        event: EventType?,
        note: JSONValue? = nil,
        nowMillis t: Int64
    ) throws -> JSONValue {
        let tree = try table.create(db, record, action: action, uid: uid, note: note, nowMillis: t)
        if let event { try emit(db, event, tree, id: record.id, nowMillis: t) }
        return tree
    }

    // MARK: change

    /// Changes the record `idOrRef` at `expectedVersion` (nil: whatever is stored).
    ///
    /// The decoding, `change` (which also refuses illegal transitions), validation and every
    /// encoding happen before the write transaction, on a snapshot; the transaction then checks
    /// that the version it started from is still the stored one (otherwise a caller who gave a
    /// version is stale: `conflict`; one who gave none has the change worked out again), runs
    /// `guarded` (checks that must see the committed state, such as clashes with other
    /// records), writes the record, its history row and the event `event` names from the record
    /// as loaded and as changed (nil: none), and finally runs `then` for follow-up changes in the
    /// same transaction. A record whose stored text changed at the same version (a refresh) is
    /// changed again from what is stored now, so that the change never writes over the refresh.
    package func change(
        _ idOrRef: String,
        expectedVersion: Int?,
        action: String,
        uid: UInt32,
        event: (Record, Record) -> EventType?,
        guarded: ((Record, Database) throws -> Void)? = nil,
        then: ((inout Record, Database, Int64) throws -> Void)? = nil,
        _ change: (inout Record) throws -> Void
    ) throws -> Changed<Record> {
        var tries = 0
        while true {
            tries += 1
            do {
                return try attempt(
                    idOrRef,
                    expectedVersion: expectedVersion,
                    action: action,
                    uid: uid,
                    event: event,
                    guarded: guarded,
                    then: then,
                    change
                )
            } catch is RecordRefreshed where tries < Self.refreshedAttempts {
                continue
            } catch is RecordRefreshed {
                throw ServiceError(
                    .unavailable,
                    "\(idOrRef) was changed \(tries) times by others while this change was made; nothing was written "
                        + "— try again",
                    retryable: true
                )
            }
        }
    }

    private func attempt(
        _ idOrRef: String,
        expectedVersion: Int?,
        action: String,
        uid: UInt32,
        event: (Record, Record) -> EventType?,
        guarded: ((Record, Database) throws -> Void)?,
        then: ((inout Record, Database, Int64) throws -> Void)?,
        _ change: (inout Record) throws -> Void
    ) throws -> Changed<Record> {
        guard let (loaded, before, loadedText) = try store.read({ db in try table.load(db, idOrRef) }) else {
            throw ServiceError.notFound(Record.kind, idOrRef)
        }
        if let expectedVersion, loaded.version != expectedVersion { throw Self.stale(loaded, expectedVersion) }
        var record = loaded
        try change(&record)
        let event = event(loaded, record)
        let t = now()
        record.version += 1
        record.updatedAt = Timestamp.rfc3339(millis: t)
        try record.validate()
        // Encoded once: the same text is stored, sent as the event's data, and answered.
        let text = JSONEncoding.bytes(record)
        let prepared = table.prepare(record, tree: .encoded(text))
        let changes = JSONWriter.string(History.diff(before, .encoded(text)))
        let startedFrom = loaded.version
        let settled = try store.write { [self] db -> Record? in
            guard let stored = try table.current(db, id: record.id) else {
                throw ServiceError.notFound(Record.kind, idOrRef)
            }
            if stored.version != startedFrom {
                guard let expectedVersion else { throw RecordRefreshed() }
                throw Self.stale(record, expectedVersion, current: stored.version)
            }
            if stored.doc != loadedText { throw RecordRefreshed() }
            try guarded?(record, db)
            try table.update(db, prepared, nowMillis: t)
            try table.history.record(
                db,
                id: record.id,
                version: record.version,
                uid: uid,
                action: action,
                changesJSON: changes,
                stored: table.storedText(prepared),
                nowMillis: t
            )
            if let event {
                try Outbox.append(
                    db,
                    source: source,
                    type: event,
                    subject: Self.subject(record.id),
                    dataJSON: text,
                    subscribers: subscriptions.of(event),
                    nowMillis: t
                )
            }
            guard let then else { return nil }
            var r = record
            try then(&r, db, t)
            return r
        }
        guard let settled else { return Changed(record: record, tree: .encoded(text)) }
        return Changed(record: settled, tree: JSONEncoding.encode(settled))
    }

    /// Writes `record`, changed from `before` inside the caller's write transaction: the version
    /// bumped, validated, saved, its history row (`note`, or what changed) and `event` (with
    /// `extra` members beside the record's) — for changes that follow from another in the same
    /// transaction (an agreement signed on its start date becomes active), or that a date sweep
    /// makes.
    package func commit(
        _ db: Database,
        _ record: inout Record,
        before: JSONValue,
        action: String,
        uid: UInt32,
        event: EventType?,
        extra: JSONObject = [:],
        note: JSONValue? = nil,
        nowMillis t: Int64
    ) throws {
        let after = try table.commit(db, &record, before: before, action: action, uid: uid, note: note, nowMillis: t)
        if let event { try emit(db, event, after, extra: extra, id: record.id, nowMillis: t) }
    }

    // MARK: merge, purge, refresh

    /// Merges the record `fromID` into `intoID` in one transaction: `combine` changes both (it
    /// refuses what cannot be merged), each is committed with a history row noting the merge
    /// (`from`, `into`, and `reason` when given) and its event, and `then` follows up (other
    /// records now naming `into`). Returns both as written.
    package func merge(
        _ fromID: String,
        into intoID: String,
        uid: UInt32,
        reason: String?,
        events: (from: EventType, into: EventType),
        combine: @escaping (inout Record, inout Record) throws -> Void,
        then: ((Record, Record, Database, Int64) throws -> Void)? = nil
    ) throws -> (from: Record, into: Record) {
        guard fromID != intoID else {
            throw ServiceError.invalidParams(field: "into", "a \(Record.kind) cannot be merged into itself")
        }
        return try store.write { [self] db in
            guard let (from0, fromBefore, _) = try table.load(db, fromID) else {
                throw ServiceError.notFound(Record.kind, fromID)
            }
            guard let (into0, intoBefore, _) = try table.load(db, intoID) else {
                throw ServiceError.notFound(Record.kind, intoID)
            }
            var from = from0, into = into0
            try combine(&from, &into)
            var note: JSONObject = ["from": .string(from.id), "into": .string(into.id)]
            if let reason { note["reason"] = .string(reason) }
            let t = now()
            try commit(
                db,
                &from,
                before: fromBefore,
                action: "merged_into",
                uid: uid,
                event: nil,
                note: .object(note),
                nowMillis: t
            )
            try commit(
                db,
                &into,
                before: intoBefore,
                action: "merged_from",
                uid: uid,
                event: nil,
                note: .object(note),
                nowMillis: t
            )
            try then?(from, into, db, t)
            try emit(db, events.from, JSONEncoding.encode(from), id: from.id, nowMillis: t)
            try emit(db, events.into, JSONEncoding.encode(into), id: into.id, nowMillis: t)
            return (from, into)
        }
    }

    /// Purges personal data from `record` (already scrubbed by the caller, `before` as stored)
    /// in the caller's transaction: the earlier history rows go through `redact`, the record is
    /// committed with a history row saying what went (`note`), the events about it still held in
    /// the outbox carry the scrubbed record instead, and `event` (with `extra`) tells the
    /// services holding copies.
    package func purge(
        _ db: Database,
        _ record: inout Record,
        before: JSONValue,
        uid: UInt32,
        note: JSONValue,
        redact: (JSONValue) -> JSONValue,
        event: EventType,
        extra: JSONObject,
        nowMillis t: Int64
    ) throws {
        try table.history.redact(db, id: record.id, redact)
        let after = try table.commit(
            db,
            &record,
            before: before,
            action: "purge",
            uid: uid,
            note: note,
            validating: false,
            nowMillis: t
        )
        try Outbox.rewrite(db, partitionKey: Self.subject(record.id), dataJSON: JSONWriter.encode(after))
        try emit(db, event, after, extra: extra, id: record.id, nowMillis: t)
    }

    /// Writes `record` at its version in the caller's transaction: what others own changed in it
    /// (a history row `refreshed`, no event).
    package func refresh(_ db: Database, _ record: Record) throws { try table.refresh(db, record) }

    // MARK: events and errors

    /// Appends `event` about the record encoded as `tree` (plus `extra` members) in the
    /// caller's transaction.
    package func emit(
        _ db: Database,
        _ event: EventType,
        _ tree: JSONValue,
        extra: JSONObject = [:],
        id: String,
        nowMillis t: Int64
    )
        throws
    {
        var data = tree
        if !extra.members.isEmpty, case .object(var o) = data.materialized {
            for m in extra.members { o[m.key] = m.value }
            data = .object(o)
        }
        try Outbox.append(
            db,
            source: source,
            type: event,
            subject: Self.subject(id),
            dataJSON: JSONWriter.encode(data),
            subscribers: subscriptions.of(event),
            nowMillis: t
        )
    }

    /// The `conflict` for a stale `expected_version`: the one wording of it.
    package static func stale(_ r: Record, _ expected: Int, current: Int? = nil) -> ServiceError {
        let v = current ?? r.version
        return ServiceError(
            .conflict,
            "\(r.label) is at version \(v), not \(expected); get it again and reapply your change",
            retryable: false,
            details: ["current_version": .int(Int64(v)), "expected_version": .int(Int64(expected))]
        )
    }

    /// `delegation/del-…`: the event subject and partition key of a record.
    package static func subject(_ id: String) -> String { "\(Record.kind)/\(id)" }
}
