import LiaisonJSON
import LiaisonWire

// Backups and the recovery of a service restored from one (docs/OPERATIONS.md, "Backups").

/// `store.backup`: a consistent copy of the service's database, made while it works.
package struct BackupParams: Codable, Sendable, Schematic {
    /// A label for the copy's file name (the backup's time).
    package var label: String

    package init(label: String) { self.label = label }

    enum CodingKeys: String, CodingKey, FieldKey {
        case label
        var rule: FieldRule { .text(64, "Names the copy: letters, digits, - and _.") }
    }
}

/// What a backup copied of one service's database.
package struct BackupCopy: Codable, Sendable, Schematic {
    package struct Outbox: Codable, Sendable {
        /// The newest event's outbox sequence, and how many keys have events.
        package var lastSeq: Int64
        package var keys: Int64
        package init(lastSeq: Int64, keys: Int64) { (self.lastSeq, self.keys) = (lastSeq, keys) }
        enum CodingKeys: String, CodingKey { case lastSeq = "last_seq", keys }
    }

    package struct InboxSource: Codable, Sendable {
        /// Keys with a watermark, and the highest of them.
        package var keys, maxSequence: Int64
        package init(keys: Int64, maxSequence: Int64) { (self.keys, self.maxSequence) = (keys, maxSequence) }
        enum CodingKeys: String, CodingKey { case keys, maxSequence = "max_sequence" }
    }

    package var service: String
    /// The copy, in the service's data directory (the CLI moves it into the backup).
    package var file: String
    package var bytes: Int64
    package var sha256: String
    /// `ok`: `PRAGMA integrity_check` on the copy.
    package var integrity: String
    package var release: String
    /// The service's schema version, and each component's (outbox, inbox).
    package var schema: [String: Int]
    /// The database's identity and incarnation, `db-…:N`.
    package var lineage: String
    package var outbox: Outbox?
    /// Per source: what this service has applied of it.
    package var inbox: [String: InboxSource]?
    package var takenAt: String
    /// How long the copy took.
    package var ms: Double
    /// The longest the copy held the service's writes off (one step of the online backup).
    package var heldMs: Double?

    package init(
        service: String,
        file: String,
        bytes: Int64,
        sha256: String,
        release: String,
        lineage: String,
        takenAt: String
    ) {
        (self.service, self.file, self.bytes, self.sha256, self.release, self.lineage, self.takenAt) =
            (service, file, bytes, sha256, release, lineage, takenAt)
        integrity = "ok"
        schema = [:]
        ms = 0
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case service, file, bytes, sha256, integrity, release, schema, lineage, outbox, inbox
        case takenAt = "taken_at", ms, heldMs = "held_ms"
        var rule: FieldRule {
            switch self {
            case .takenAt: .format("date-time")
            case .integrity: .doc("What PRAGMA integrity_check says of the copy: ok.")
            default: .plain
            }
        }
    }
}

/// `events.last`: a page of the last event of each key a consumer applied from `source`.
package struct LastEventsParams: Codable, Sendable, Schematic, Paged {
    package var source: String
    package var limit: Int?
    package var cursor: String?

    package init(source: String, limit: Int? = nil, cursor: String? = nil) {
        (self.source, self.limit, self.cursor) = (source, limit, cursor)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case source, limit, cursor
        var rule: FieldRule {
            switch self {
            case .source: .text(64, "The producing service.")
            case .limit: .int(1...1000, "Default 200.")
            case .cursor: .text(300, "next_cursor of the previous page.")
            }
        }
    }
}

/// `events.heads`: what a consumer holds of a source's records, key by key.
package struct HeadsParams: Codable, Sendable, Schematic, Paged {
    package var source: String
    /// Only the keys whose last event was applied at or after this time (ms since the epoch).
    package var sinceMs: Int64?
    package var limit: Int?
    package var cursor: String?

    package init(source: String, sinceMs: Int64? = nil, limit: Int? = nil, cursor: String? = nil) {
        (self.source, self.sinceMs, self.limit, self.cursor) = (source, sinceMs, limit, cursor)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case source, sinceMs = "since_ms", limit, cursor
        var rule: FieldRule {
            switch self {
            case .source: .text(64, "The producing service.")
            case .sinceMs: .doc("Only keys applied at or after this time (ms since the epoch).")
            case .limit: .int(1...5000, "Default 1000.")
            case .cursor: .text(300, "next_cursor of the previous page.")
            }
        }
    }
}

/// The record a consumer's last event of a key carries: its id and version, without the record.
package struct HeldHead: Codable, Sendable, Schematic {
    package var partitionKey: String
    /// The event's type as the producer wrote it.
    package var type: String
    package var id: String
    package var version: Int

    package init(partitionKey: String, type: String, id: String, version: Int) {
        (self.partitionKey, self.type, self.id, self.version) = (partitionKey, type, id, version)
    }

    enum CodingKeys: String, CodingKey { case partitionKey = "partition_key", type, id, version }
}

/// One key's last event as a consumer holds it.
package struct HeldEvent: Codable, Sendable, Schematic {
    package var partitionKey: String
    package var sequence: Int64
    /// The event as delivered (its data is the whole record).
    package var event: JSONValue

    package init(partitionKey: String, sequence: Int64, event: JSONValue) {
        (self.partitionKey, self.sequence, self.event) = (partitionKey, sequence, event)
    }

    enum CodingKeys: String, CodingKey { case partitionKey = "partition_key", sequence, event }
}

/// `events.recover`: a restored producer takes back what a subscriber holds (pages of
/// `events.last`), or, with `done`, ends its recovery.
package struct RecoverParams: Codable, Sendable, Schematic {
    /// The subscriber the events come from.
    package var from: String?
    package var events: [HeldEvent]?
    package var done: Bool?

    package init(from: String? = nil, events: [HeldEvent]? = nil, done: Bool? = nil) {
        (self.from, self.events, self.done) = (from, events, done)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case from, events, done
        var rule: FieldRule {
            switch self {
            case .from: .text(64)
            case .events: .list(1000, "Pages of events.last.")
            case .done: .doc("Ends the recovery: writes are taken again.")
            }
        }
    }
}

/// What a recovery took back.
package struct RecoverResult: Codable, Sendable, Schematic {
    /// Records taken back (newer in the subscriber than here), by kind.
    package var recovered: [String: Int]
    /// Keys whose sequence here was raised to what subscribers have seen.
    package var sequences: Int
    /// Records named but not recovered, with why.
    package var named: [String]
    /// Whether the service still refuses writes.
    package var recovering: Bool

    package init(recovered: [String: Int] = [:], sequences: Int = 0, named: [String] = [], recovering: Bool) {
        (self.recovered, self.sequences, self.named, self.recovering) = (recovered, sequences, named, recovering)
    }
}

/// `events.positions`: what a consumer has applied of `source`, key by key (paged).
package typealias PositionsParams = LastEventsParams

/// One key's position.
package struct KeyPosition: Codable, Sendable, Schematic {
    package var partitionKey: String
    package var sequence: Int64
    package init(partitionKey: String, sequence: Int64) {
        (self.partitionKey, self.sequence) = (partitionKey, sequence)
    }
    enum CodingKeys: String, CodingKey { case partitionKey = "partition_key", sequence }
}

/// `events.replay`: a producer sends a restored subscriber again what it lacks: pages of its
/// positions, then `done` rewinds the relay to them.
package struct ReplayParams: Codable, Sendable, Schematic {
    package var subscriber: String
    package var positions: [KeyPosition]?
    package var done: Bool?

    package init(subscriber: String, positions: [KeyPosition]? = nil, done: Bool? = nil) {
        (self.subscriber, self.positions, self.done) = (subscriber, positions, done)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case subscriber, positions, done
        var rule: FieldRule {
            switch self {
            case .subscriber: .text(64)
            case .positions: .list(5000, "Pages of the subscriber's events.positions.")
            case .done: .doc("Rewinds the relay to the positions given.")
            }
        }
    }
}

/// What a replay will send.
package struct ReplayResult: Codable, Sendable, Schematic {
    /// Events to send again.
    package var events: Int
    /// Keys whose events since the subscriber's position this producer no longer holds.
    package var gaps: [String]

    package init(events: Int = 0, gaps: [String] = []) { (self.events, self.gaps) = (events, gaps) }
}

/// The methods a backup and a restore use.
package enum RecoveryAPI {
    package static let backup = Method<BackupParams, BackupCopy>(
        "store.backup",
        on: nil,
        .operate,
        "A consistent copy of the database, made while the service works, checked with integrity_check, in the "
            + "service's data directory (liaison backup moves it into the backup).",
        since: "0.2.0"
    )
    package static let last = Method<LastEventsParams, Page<HeldEvent>>(
        "events.last",
        on: nil,
        .operate,
        "The last event of each key applied from a source, whole: what a producer restored from a backup takes back.",
        since: "0.2.0"
    )
    package static let heads = Method<HeadsParams, Page<HeldHead>>(
        "events.heads",
        on: nil,
        .read,
        "The id and version of the record the last event of each key applied from a source carries: what audit "
            + "verify compares with the producer's records.",
        since: "0.2.0"
    )
    package static let positions = Method<PositionsParams, Page<KeyPosition>>(
        "events.positions",
        on: nil,
        .read,
        "What this service has applied from a source, key by key.",
        since: "0.2.0"
    )
    package static let recover = Method<RecoverParams, RecoverResult>(
        "events.recover",
        on: nil,
        .operate,
        "A restored producer takes back what a subscriber holds (pages of its events.last); done ends the recovery.",
        since: "0.2.0"
    )
    package static let replay = Method<ReplayParams, ReplayResult>(
        "events.replay",
        on: nil,
        .operate,
        "Sends a restored subscriber again what it lacks: pages of its events.positions, then done rewinds to them.",
        since: "0.2.0"
    )
}
