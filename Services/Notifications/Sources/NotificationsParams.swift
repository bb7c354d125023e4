import LiaisonHost
import LiaisonModels
import LiaisonWire

// Params and results of the notifications service's methods.

struct JobsParams: Codable, Sendable, Schematic {
    var delegationID: String?
    var afterID: Int64?
    var limit: Int?
    enum CodingKeys: String, CodingKey { case delegationID = "delegation_id", afterID = "after_id", limit }
    static var schema: Schema {
        .object([
            .opt("delegation_id", .string(maxLength: 64)), .opt("after_id", .integer(minimum: 0, maximum: Int64(Int32.max) * 1_000_000)),
            .opt("limit", .integer(minimum: 1, maximum: 100_000), "Default 100."),
        ])
    }
}

struct JobList: Encodable, Sendable, Schematic {
    var items: [Job]
    static var schema: Schema { .object([.req("items", .array(Job.schema))]) }
}

struct ListParams: Codable, Sendable, Schematic {
    var status: MessageStatus?
    var delegationID, recipient: String?
    var limit: Int?
    enum CodingKeys: String, CodingKey { case status, delegationID = "delegation_id", recipient, limit }
    static var schema: Schema {
        .object([
            .opt("status", .string(values: MessageStatus.allCases.map(\.rawValue))),
            .opt("delegation_id", .string(maxLength: 64), "Its id or reference."),
            .opt("recipient", .string(maxLength: Limits.email)), .opt("limit", .integer(minimum: 1, maximum: 10_000), "Default 100."),
        ])
    }
}

struct MessageList: Encodable, Sendable, Schematic {
    var items: [MessageRow]
    var counts: [String: Int64]
    static var schema: Schema {
        .object([.req("items", .array(MessageRow.schema)), .req("counts", .map(.integer()), "Messages by status.")])
    }
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
    var rule: MailRule?
    enum CodingKeys: String, CodingKey { case delegation, delegationID = "delegation_id", rule }
    static var schema: Schema {
        .object([
            .opt("delegation", .object([.req("id", .string()), .req("ref", .string())]), "A delegation (as delegations.get answers)."),
            .opt("delegation_id", .string(maxLength: 64), "A delegation this service has had events about."),
            .opt("rule", .string(values: MailRule.allCases.map(\.rawValue))),
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
    var rule: MailRule
    var delegationID: String
    var messages: [Message]
    enum CodingKeys: String, CodingKey { case rule, delegationID = "delegation_id", messages }
    static var schema: Schema {
        .object([
            .req("rule", .string(values: MailRule.allCases.map(\.rawValue))), .req("delegation_id", .string()),
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
