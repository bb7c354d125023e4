import LiaisonAPI
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// A record that changes only at the version its caller last read (optimistic concurrency),
/// leaving a history row and, when it matters to others, an event.
package protocol VersionedRecord: Codable, Sendable {
    var id: String { get }
    var version: Int { get set }
    var updatedAt: String { get set }
    /// How errors name it, e.g. `delegation DEL-2026-0001`.
    var label: String { get }
    /// Every problem with its field path.
    func validate() throws
}

/// Where a kind of record is stored: how it is read, prepared for writing (outside the write
/// transaction) and written.
package protocol RecordTable: Sendable {
    associatedtype Record: VersionedRecord
    /// What `update` writes, worked out before the write transaction.
    associatedtype Prepared

    /// The record with this id or reference, its stored JSON (the "before" of a change), and the
    /// stored text of it.
    func load(_ db: Database, _ idOrRef: String) throws -> (Record, JSONValue, [UInt8])?
    /// The stored version and text of the record with this id. A refresh (a partner renamed or
    /// merged) rewrites the text and leaves the version: a change compares both.
    func current(_ db: Database, id: String) throws -> (version: Int, doc: [UInt8])?
    /// The row for `record`, whose encoding is `tree`.
    func prepare(_ record: Record, tree: JSONValue) -> Prepared
    /// Writes a prepared record over the stored one.
    func update(_ db: Database, _ prepared: Prepared, nowMillis: Int64) throws
}

/// What a change's write throws when what it was worked out from has changed at the same version
/// (a refresh); `VersionedChanges.change` then works it out again. `guarded` may throw it too.
package struct RecordRefreshed: Error {
    package init() {}
}

/// A change as the versioned store applied it.
package struct Changed<Record: Sendable>: Sendable {
    /// The record after the change.
    package var record: Record
    /// Its encoding (as stored, when nothing changed it after).
    package var tree: JSONValue
}

/// Applies changes to versioned records: load → version check → change → validate → save →
/// history → outbox, the same for delegations and agreements.
package struct VersionedChanges<Table: RecordTable>: Sendable {
    package let store: Store
    package let table: Table
    package let history: History
    /// The event `source` (the service's name).
    package let source: String
    package let subscriptions: Subscriptions
    /// Milliseconds since the epoch (injectable for tests).
    package let now: @Sendable () -> Int64

    package init(
        store: Store, table: Table, history: History, source: String, subscriptions: Subscriptions,
        now: @escaping @Sendable () -> Int64
    ) {
        self.store = store
        self.table = table
        self.history = history
        self.source = source
        self.subscriptions = subscriptions
        self.now = now
    }

    /// How many times a change is worked out again on a record refreshed meanwhile.
    static var refreshedAttempts: Int { 8 }

    /// Changes the record `idOrRef` at `expectedVersion` (nil: whatever is stored).
    ///
    /// The decoding, `change` (which also refuses illegal transitions), validation and every
    /// encoding happen before the write transaction, on a snapshot; the transaction then checks
    /// that the version it started from is still the stored one (otherwise the caller is stale:
    /// `conflict`), runs `guarded` (checks that must see the committed state, such as clashes
    /// with other records), writes the record, its history row and `event` (when not nil), and
    /// finally runs `then` for follow-up changes in the same transaction.
    /// `event` says, from the record as loaded and as changed, which event the change emits (nil: none).
    /// A record whose stored text changed at the same version (a refresh) is changed again from
    /// what is stored now, so that the change never writes over the refresh.
    package func change(
        _ idOrRef: String, expectedVersion: Int?, action: String, uid: UInt32, event: (Table.Record, Table.Record) -> EventType?,
        guarded: ((Table.Record, Database) throws -> Void)? = nil,
        then: ((inout Table.Record, Database, Int64) throws -> Void)? = nil,
        _ change: (inout Table.Record) throws -> Void
    ) throws -> Changed<Table.Record> {
        var tries = 0
        while true {
            tries += 1
            do {
                return try attempt(
                    idOrRef, expectedVersion: expectedVersion, action: action, uid: uid, event: event, guarded: guarded, then: then,
                    change)
            } catch is RecordRefreshed where tries < Self.refreshedAttempts {
                continue
            } catch is RecordRefreshed {
                throw ServiceError(
                    .unavailable,
                    "\(idOrRef) was refreshed by partner changes \(tries) times while this change was made; "
                        + "nothing was written — try again", retryable: true)
            }
        }
    }

    private func attempt(
        _ idOrRef: String, expectedVersion: Int?, action: String, uid: UInt32, event: (Table.Record, Table.Record) -> EventType?,
        guarded: ((Table.Record, Database) throws -> Void)?,
        then: ((inout Table.Record, Database, Int64) throws -> Void)?,
        _ change: (inout Table.Record) throws -> Void
    ) throws -> Changed<Table.Record> {
        guard let (loaded, before, loadedText) = try store.read({ db in try table.load(db, idOrRef) }) else {
            throw ServiceError.notFound(Self.kind(of: Table.Record.self), idOrRef)
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
        let data = event == nil ? [] : text
        let startedFrom = loaded.version
        let settled = try store.write { [self] db -> Table.Record? in
            guard let stored = try table.current(db, id: record.id) else {
                throw ServiceError.notFound(Self.kind(of: Table.Record.self), idOrRef)
            }
            if stored.version != startedFrom { throw Self.stale(record, expectedVersion ?? startedFrom, current: stored.version) }
            if stored.doc != loadedText { throw RecordRefreshed() }
            try guarded?(record, db)
            try table.update(db, prepared, nowMillis: t)
            try history.record(db, id: record.id, version: record.version, uid: uid, action: action, changesJSON: changes, nowMillis: t)
            if let event {
                try Outbox.append(
                    db, source: source, type: event, subject: Self.subject(record), dataJSON: data,
                    subscribers: subscriptions.of(event), nowMillis: t)
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
    /// bumped, validated, saved, its history row and `event` — for changes that follow from
    /// another in the same transaction (an agreement signed on its start date becomes active),
    /// or that a date sweep makes.
    package func commit(
        _ db: Database, _ record: inout Table.Record, before: JSONValue, action: String, uid: UInt32, event: EventType?,
        extra: JSONObject = [:], nowMillis t: Int64
    ) throws {
        record.version += 1
        record.updatedAt = Timestamp.rfc3339(millis: t)
        try record.validate()
        let after = JSONEncoding.encode(record)
        try table.update(db, table.prepare(record, tree: after), nowMillis: t)
        try history.record(
            db, id: record.id, version: record.version, uid: uid, action: action,
            changesJSON: JSONWriter.string(History.diff(before, after)), nowMillis: t)
        if let event { try emit(db, event, after, extra: extra, id: record.id, nowMillis: t) }
    }

    /// Appends `event` about the record encoded as `tree` (plus `extra` members) in the
    /// caller's transaction.
    package func emit(_ db: Database, _ event: EventType, _ tree: JSONValue, extra: JSONObject = [:], id: String, nowMillis t: Int64) throws
    {
        var data = tree
        if case .object(var o) = data, !extra.members.isEmpty {
            for m in extra.members { o[m.key] = m.value }
            data = .object(o)
        }
        try Outbox.append(
            db, source: source, type: event, subject: "\(Self.kind(of: Table.Record.self))/\(id)", dataJSON: JSONWriter.encode(data),
            subscribers: subscriptions.of(event), nowMillis: t)
    }

    /// The `conflict` for a stale `expected_version`.
    package static func stale(_ r: Table.Record, _ expected: Int, current: Int? = nil) -> ServiceError {
        let v = current ?? r.version
        return ServiceError(
            .conflict, "\(r.label) is at version \(v), not \(expected); get it again and reapply your change",
            retryable: false, details: ["current_version": .int(Int64(v)), "expected_version": .int(Int64(expected))])
    }

    /// `delegation/del-…`: the event subject and partition key of a record.
    static func subject(_ r: Table.Record) -> String { "\(kind(of: Table.Record.self))/\(r.id)" }

    /// `delegation`, `agreement`: the record's kind in lower case.
    static func kind(of type: Any.Type) -> String { String(describing: type).lowercased() }
}

/// A record's audit trail: one row per change, with who made it and what changed.
package struct History: Sendable {
    /// The table, e.g. `history`.
    package let table: String
    /// The column holding the record's id, e.g. `delegation_id`.
    package let idColumn: String

    package init(table: String, idColumn: String) {
        self.table = table
        self.idColumn = idColumn
    }

    /// Records one change (`changesJSON` is a JSON object), sealed into the table's hash chain.
    package func record(_ db: Database, id: String, version: Int, uid: UInt32, action: String, changesJSON: String, nowMillis: Int64) throws
    {
        let hash = History.seal(
            previous: try head(db), table: table, id: id, version: version, atMs: nowMillis, uid: Int64(uid), action: action,
            changes: changesJSON)
        try db.run(
            "INSERT INTO \(table)(\(idColumn), version, at_ms, uid, action, changes, hash) VALUES(?,?,?,?,?,?,?)",
            [id, version, nowMillis, Int64(uid), action, changesJSON, hash])
    }

    /// Every change of the record `id`, oldest first.
    package func entries(_ db: Database, id: String) throws -> [HistoryEntry] {
        try db.query("SELECT version, at_ms, uid, action, changes FROM \(table) WHERE \(idColumn) = ? ORDER BY seq", [id]).map(
            HistoryEntry.init(row:))
    }

    /// The top-level fields that differ between two encodings, as `{field: {from, to}}`
    /// (the version and update time left out).
    package static func diff(_ old: JSONValue, _ new: JSONValue) -> JSONValue {
        if case .encoded(let x) = old, case .encoded(let y) = new, let d = textDiff(x, y) { return d }
        guard case .object(let a) = old.materialized, case .object(let b) = new.materialized else { return ["to": new] }
        var out = JSONObject()
        for key in (a.keys + b.keys.filter { a[$0] == nil }) where !diffIgnored.contains(key) {
            let x = a[key], y = b[key]
            if x != y { out[key] = ["from": x ?? .null, "to": y ?? .null] }
        }
        return .object(out)
    }

    static let diffIgnored: Set<String> = ["version", "updated_at"]
    private static let ignoredKeys: [[UInt8]] = diffIgnored.map { Array($0.utf8) }

    /// The same from two stored texts, member by member: equal text is an equal member; text
    /// that differs is parsed and compared (formatting is not a change). Nil when either is not
    /// an object whose members can be split, or a differing member does not parse. Keys are
    /// compared as bytes, and the two texts' members are walked side by side (a change keeps
    /// the order), so nothing is hashed.
    static func textDiff(_ old: [UInt8], _ new: [UInt8]) -> JSONValue? {
        guard let a = JSONMembers.split(old), let b = JSONMembers.split(new) else { return nil }
        func ignored(_ bytes: [UInt8], _ key: Range<Int>) -> Bool { ignoredKeys.contains { bytes[key].elementsEqual($0) } }
        func name(_ bytes: [UInt8], _ key: Range<Int>) -> String { String(decoding: bytes[key], as: UTF8.self) }
        var out = JSONObject()
        var matched = [Bool](repeating: false, count: b.count)
        for (i, m) in a.enumerated() {
            // The same position first, then a search.
            let j =
                i < b.count && new[b[i].key].elementsEqual(old[m.key])
                ? i : b.indices.first { !matched[$0] && new[b[$0].key].elementsEqual(old[m.key]) }
            if let j { matched[j] = true }
            if ignored(old, m.key) { continue }
            if let j, old[m.value].elementsEqual(new[b[j].value]) { continue }
            guard let x = try? JSONParser.parse(old[m.value]) else { return nil }
            guard let j else {
                out[name(old, m.key)] = ["from": x, "to": .null]
                continue
            }
            guard let y = try? JSONParser.parse(new[b[j].value]) else { return nil }
            if x != y { out[name(old, m.key)] = ["from": x, "to": y] }
        }
        for (j, m) in b.enumerated() where !matched[j] && !ignored(new, m.key) {
            guard let y = try? JSONParser.parse(new[m.value]) else { return nil }
            out[name(new, m.key)] = ["from": .null, "to": y]
        }
        return .object(out)
    }
}

extension HistoryEntry {
    init(row r: Row) throws {
        self.init(
            version: try r["version"], at: Timestamp.rfc3339(millis: try r["at_ms"]), uid: try r["uid"], action: try r["action"],
            changes: try JSONParser.parse(try r["changes"] as [UInt8]))
    }
}
