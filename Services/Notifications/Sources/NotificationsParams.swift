import LiaisonHost
import LiaisonModels
import LiaisonWire

// Params and results of the notifications service's methods.

struct JobsParams: Codable, Sendable, Schematic {
    var delegationID: String?
    var limit: Int?
    var cursor: String?
    enum CodingKeys: String, CodingKey { case delegationID = "delegation_id", limit, cursor }
    static var schema: Schema {
        .object([
            .opt("delegation_id", .string(maxLength: 64)), .opt("limit", .integer(minimum: 1, maximum: 1000), "Default 100."),
            .opt("cursor", .string(maxLength: 20), "next_cursor of the previous page."),
        ])
    }
}

struct ListParams: Codable, Sendable, Schematic {
    var status: MessageStatus?
    var delegationID, recipient: String?
    var limit: Int?
    var cursor: String?
    enum CodingKeys: String, CodingKey { case status, delegationID = "delegation_id", recipient, limit, cursor }
    static var schema: Schema {
        .object([
            .opt("status", .string(values: MessageStatus.allCases.map(\.rawValue))),
            .opt("delegation_id", .string(maxLength: 64), "Its id or reference."),
            .opt("recipient", .string(maxLength: Limits.email)), .opt("limit", .integer(minimum: 1, maximum: 500), "Default 100."),
            .opt("cursor", .string(maxLength: 20), "next_cursor of the previous page."),
        ])
    }
}

/// A page of messages, newest first, with how many messages match the filters other than status.
struct MessageList: Encodable, Sendable, Schematic {
    var page: Page<MessageRow>
    var counts: [String: Int64]

    func encode(to encoder: any Encoder) throws {
        try page.encode(to: encoder)
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(counts, forKey: NameKey("counts"))
    }

    static var schema: Schema {
        guard case .object(let fields) = Page<MessageRow>.schema else { return Page<MessageRow>.schema }
        return .object(fields + [.req("counts", .map(.integer()), "Messages matching the filters other than status, by status.")])
    }
}

/// A message-id cursor (lists of jobs and messages are ordered by id).
func idCursor(_ cursor: String?) throws -> Int64? {
    guard let cursor else { return nil }
    guard let id = Int64(cursor), id >= 0 else {
        throw ServiceError.invalidParams(field: "cursor", "not a cursor from a previous page (expected next_cursor as given)")
    }
    return id
}

struct ShowParams: Codable, Sendable, Schematic {
    var id: Int64
    var raw: Bool?
    static var schema: Schema {
        .object([
            .req("id", .integer(minimum: 1, maximum: Int64(Int32.max) * 1_000_000), "A message id from notifications.list."),
            .opt("raw", .boolean, "show: include the message as sent."),
        ])
    }
}

extension MessageRow: Schematic {}
extension Job: Schematic {}

struct RetryResult: Codable, Sendable, Schematic {
    var id: Int64
    var status: MessageStatus
    static var schema: Schema {
        .object([.req("id", .integer()), .req("status", .string(values: MessageStatus.allCases.map(\.rawValue)))])
    }
}

struct PreviewParams: Decodable, Sendable, Schematic {
    var delegation: Delegation?
    var delegationID: String?
    var agreement: Agreement?
    var rule: String?
    enum CodingKeys: String, CodingKey { case delegation, delegationID = "delegation_id", agreement, rule }

    /// The agreement notices, as the messages' rule names them.
    static let agreementRules = ["agreement_signed", "agreement_expiring", "agreement_expired"]

    static var schema: Schema {
        .object([
            .opt("delegation", .object([.req("id", .string()), .req("ref", .string())]), "A delegation (as delegations.get answers)."),
            .opt("delegation_id", .string(maxLength: 64), "A delegation this service has had events about."),
            .opt("agreement", .object([.req("id", .string()), .req("reference", .string())]), "An agreement (as agreements.get answers)."),
            .opt(
                "rule", .string(values: MailRule.allCases.map(\.rawValue) + agreementRules),
                "Which message; default: what the state calls for. Visits: schedule, update, cancel, postpone, reminder; agreements: "
                    + "agreement_signed, agreement_expiring, agreement_expired."),
        ])
    }
}

struct Preview: Encodable, Sendable, Schematic {
    struct Calendar: Encodable, Sendable {
        var method, content: String
    }
    struct Message: Encodable, Sendable {
        var to, view, subject, text: String
        var calendar: Calendar?
        var size: Int?
        var refused: String?
    }
    var rule: String
    /// The delegation's or the agreement's id.
    var subjectID: String
    var messages: [Message]
    enum CodingKeys: String, CodingKey { case rule, subjectID = "subject_id", messages }
    static var schema: Schema {
        .object([
            .req("rule", .string(values: MailRule.allCases.map(\.rawValue) + PreviewParams.agreementRules)),
            .req("subject_id", .string(), "The delegation's or the agreement's id."),
            .req(
                "messages",
                .array(
                    .object([
                        .req("to", .string()), .req("view", .string()), .req("subject", .string()), .req("text", .string()),
                        .opt("calendar", .object([.req("method", .string()), .req("content", .string())])),
                        .opt("size", .integer()), .opt("refused", .string(), "Why it could not be built."),
                    ]))),
        ])
    }
}

struct DueParams: Codable, Sendable, Schematic {
    var days: Int?
    static var schema: Schema { .object([.opt("days", .integer(minimum: 1, maximum: 3650), "Default 30.")]) }
}

struct DueList: Encodable, Sendable, Schematic {
    var items: [UpcomingReminder]
    static var schema: Schema { .object([.req("items", .array(UpcomingReminder.schema))]) }
}

extension MailRule: Codable {}
