import LiaisonJSON

/// One clash the checker found, naming both sides.
package struct Finding: Codable, Sendable, Equatable {
    /// The other delegation's side of a clash.
    package struct Other: Codable, Sendable, Equatable {
        package var delegationID, ref, title: String
        package var item: Int
        package var itemTitle: String
        enum CodingKeys: String, CodingKey {
            case delegationID = "delegation_id", ref, title, item, itemTitle = "item_title"
        }
    }

    /// venue_double_booked, host_double_booked, member_double_booked, item_outside_window,
    /// item_ends_before_start, unknown_host, unknown_attendee, interpreter_missing — and, as
    /// warnings, venue_also_proposed and host_also_proposed (another visit, only proposed, wants
    /// the same room or host: the first confirmed gets it).
    package var kind, message: String
    /// The items of this delegation involved, as field paths (`itinerary[2]`).
    package var items: [String]
    package var other: Other?

    /// Kinds that warn without blocking confirmation.
    package static let warningKinds: Set<String> = ["venue_also_proposed", "host_also_proposed"]

    /// `error` (blocks confirm) or `warning`.
    package var severity: String { Self.warningKinds.contains(kind) ? "warning" : "error" }

    enum CodingKeys: String, CodingKey, FieldKey {
        case kind, message, items, other, severity
        var rule: FieldRule {
            self == .severity ? .values(["error", "warning"], "error blocks confirmation; warning does not.") : .plain
        }
    }

    package init(kind: String, message: String, items: [String], other: Other? = nil) {
        self.kind = kind
        self.message = message
        self.items = items
        self.other = other
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        message = try c.decode(String.self, forKey: .message)
        items = try c.decode([String].self, forKey: .items)
        other = try c.decodeIfPresent(Other.self, forKey: .other)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(message, forKey: .message)
        try c.encode(items, forKey: .items)
        try c.encodeIfPresent(other, forKey: .other)
        try c.encode(severity, forKey: .severity)
    }
}

/// What the checker found: findings up to the caps, and how many of each kind were left out.
package struct CheckFindings: Codable, Sendable, Equatable {
    package var findings: [Finding] = []
    /// Findings of each kind beyond the caps (not in `findings`).
    package var omitted: [String: Int] = [:]

    package init(findings: [Finding] = [], omitted: [String: Int] = [:]) {
        self.findings = findings
        self.omitted = omitted
    }

    // Written as members of the answer they come with (a check, a saved delegation).
    enum CodingKeys: String, CodingKey, FieldKey {
        case findings, total = "findings_total", blocking = "findings_blocking", omitted = "findings_omitted"

        var rule: FieldRule {
            switch self {
            case .findings: .doc("Up to 25 findings of a kind and 100 in all.")
            case .total: .doc("Every finding there is, spelled out or not.")
            case .blocking: .doc("Those that block confirmation (severity error); the rest are warnings.")
            case .omitted: .doc("Findings beyond the caps, counted by kind.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        findings = try c.decodeIfPresent([Finding].self, forKey: .findings) ?? []
        omitted = try c.decodeIfPresent([String: Int].self, forKey: .omitted) ?? [:]
        // The counts follow from the two above; they are written for readers that do not count.
        _ = try c.decodeIfPresent(Int.self, forKey: .total)
        _ = try c.decodeIfPresent(Int.self, forKey: .blocking)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(findings, forKey: .findings)
        try c.encode(total, forKey: .total)
        try c.encode(blocking, forKey: .blocking)
        if !omitted.isEmpty { try c.encode(omitted, forKey: .omitted) }
    }

    /// Every finding there is, returned or not.
    package var total: Int { findings.count + omitted.values.reduce(0, +) }
    package var isEmpty: Bool { total == 0 }
    /// The findings that block confirmation (every kind but the warnings), returned or not.
    package var blocking: Int {
        findings.filter { $0.severity == "error" }.count
            + omitted.filter { !Finding.warningKinds.contains($0.key) }.values.reduce(0, +)
    }
}
