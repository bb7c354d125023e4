import LiaisonJSON
import LiaisonWire

/// One history table as `audit.verify` found it.
package struct ChainReport: Codable, Sendable {
    package struct Broken: Codable, Sendable {
        package var seq: Int64
        package var entity: String
        package var version: Int
        package var action, why: String
        package init(seq: Int64, entity: String, version: Int, action: String, why: String) {
            (self.seq, self.entity, self.version, self.action, self.why) = (seq, entity, version, action, why)
        }
    }

    package var table: String
    /// The rows walked.
    package var rows: Int
    package var ok: Bool
    package var broken: Broken?
    /// The newest row.
    package var head: ChainHead?
    /// The row the walk started after (the head the last verify ended at); nil: the whole chain.
    package var since: Int64?

    package init(table: String, rows: Int, ok: Bool, broken: Broken? = nil, head: ChainHead? = nil, since: Int64? = nil)
    {
        (self.table, self.rows, self.ok, self.broken, self.head, self.since) = (table, rows, ok, broken, head, since)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case table, rows, ok, broken, head, since
        var rule: FieldRule {
            switch self {
            case .broken: .doc("The first row that does not verify.")
            case .head: .doc("The newest row: where the next verify with since_last starts.")
            case .since: .doc("The row the walk started after; absent: the whole chain.")
            default: .plain
            }
        }
    }
}

/// A chain's newest row as a verify left it.
package struct ChainHead: Codable, Sendable, Equatable {
    package var seq: Int64
    package var hash: String
    package init(seq: Int64, hash: String) { (self.seq, self.hash) = (seq, hash) }
}

/// `audit.verify`'s params.
package struct AuditVerifyParams: Codable, Sendable, Schematic {
    /// Walk only what was written since the last verify that found every chain intact.
    package var sinceLast: Bool?
    package init(sinceLast: Bool? = nil) { self.sinceLast = sinceLast }

    enum CodingKeys: String, CodingKey, FieldKey {
        case sinceLast = "since_last"
        var rule: FieldRule {
            .doc(
                "Walk only the rows written since the last verify that found every chain intact (from the row it "
                    + "ended at, which must be unchanged), and the records they changed."
            )
        }
    }
}

/// `audit.verify`'s answer.
package struct AuditReport: Codable, Sendable, Schematic {
    package var ok: Bool
    package var tables: [ChainReport]
    /// When the verify this one started from ran (with since_last; ms since the epoch).
    package var sinceMs: Int64?
    package init(ok: Bool, tables: [ChainReport], sinceMs: Int64? = nil) {
        (self.ok, self.tables, self.sinceMs) = (ok, tables, sinceMs)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case ok, tables, sinceMs = "since_ms"
        var rule: FieldRule {
            self == .sinceMs ? .doc("When the verify this one started from ran (ms since the epoch).") : .plain
        }
    }
}

/// `audit.compare`: the record the last event of each key another service holds carries.
package struct AuditHeldParams: Codable, Sendable, Schematic {
    /// The service holding them.
    package var from: String
    package var heads: [HeldHead]

    package init(from: String, heads: [HeldHead]) { (self.from, self.heads) = (from, heads) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case from, heads
        var rule: FieldRule {
            switch self {
            case .from: .text(64, "The service holding the events.")
            case .heads: .list(5000, "A page of events.heads from it.")
            }
        }
    }
}

/// What `audit.compare` found: records older here than the copies another service holds.
package struct AuditHeldResult: Codable, Sendable, Schematic {
    package var checked: Int
    package var problems: [String]
    package init(checked: Int, problems: [String]) { (self.checked, self.problems) = (checked, problems) }
}

/// The history chains every service with records keeps.
package enum AuditAPI {
    package static let compare = Method<AuditHeldParams, AuditHeldResult>(
        "audit.compare",
        on: nil,
        .read,
        "Compares each record with the copy another service holds (its last event): one older here lost changes."
    )
    package static let verify = Method<AuditVerifyParams, AuditReport>(
        "audit.verify",
        on: nil,
        .read,
        "Re-walks each history's hash chain and names the first row that does not verify."
    )
}
