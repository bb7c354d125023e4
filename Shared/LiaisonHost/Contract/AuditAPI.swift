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
    package var rows: Int
    package var ok: Bool
    package var broken: Broken?

    package init(table: String, rows: Int, ok: Bool, broken: Broken? = nil) {
        (self.table, self.rows, self.ok, self.broken) = (table, rows, ok, broken)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case table, rows, ok, broken
        var rule: FieldRule { self == .broken ? .doc("The first row that does not verify.") : .plain }
    }
}

/// `audit.verify`'s answer.
package struct AuditReport: Codable, Sendable, Schematic {
    package var ok: Bool
    package var tables: [ChainReport]
    package init(ok: Bool, tables: [ChainReport]) { (self.ok, self.tables) = (ok, tables) }
}

/// `audit.compare`: the last event of each key another service holds of this one's records.
package struct AuditHeldParams: Codable, Sendable, Schematic {
    /// The service holding them.
    package var from: String
    package var events: [HeldEvent]

    package init(from: String, events: [HeldEvent]) { (self.from, self.events) = (from, events) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case from, events
        var rule: FieldRule {
            switch self {
            case .from: .text(64, "The service holding the events.")
            case .events: .list(1000, "A page of events.last from it.")
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
    package static let verify = Method<NoParams, AuditReport>(
        "audit.verify",
        on: nil,
        .read,
        "Re-walks each history's hash chain and names the first row that does not verify."
    )
}
