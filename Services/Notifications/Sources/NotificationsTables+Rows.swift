import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonWire

/// Where a message stands.
package enum MessageStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting to be handed over (or for its next attempt).
    case pending
    /// Being handed to the MTA right now.
    case sending
    /// Handed over.
    case sent
    /// Given up on; `last_error` says why.
    case dead
    /// The service stopped during the hand-over: it may have been sent; only an operator's retry sends it again.
    case possiblySent = "possibly_sent"
}

/// A message to store.
struct NewMessage {
    var key, rule, subjectID, subjectRef, recipient: String
    var recipientName: String?
    var view: String
    var version: Int
    var status: MessageStatus
    var messageID, subject: String
    var raw: [UInt8]?
    var lastError: String?
    var createdMs: Int64
}

/// A message as `notifications.list` and `notifications.show` report it.
struct MessageRow: Codable, Sendable {
    struct Header: Codable, Sendable {
        var name, value: String
    }
    struct Part: Codable, Sendable {
        var type: String
        var bytes: Int
    }
    var id: Int64
    var rule, delegationID, ref, recipient: String
    var recipientName: String?
    var view: String
    var scheduleVersion: Int64
    var status: MessageStatus
    var attempts: Int64
    var messageID, subject, createdAt: String
    var lastError, sentAt, nextAttemptAt, mtaOutput: String?
    var headers: [Header]?
    var parts: [Part]?
    var size: Int?
    var attemptLog: [Attempt]?
    var raw: String?
    /// The plain text part, decoded: what the recipient reads.
    var text: String?

    enum CodingKeys: String, CodingKey {
        case id, rule, ref, recipient, view, status, attempts, subject, headers, parts, size, raw, text
        case delegationID = "delegation_id", recipientName = "recipient_name", scheduleVersion = "schedule_version", messageID =
            "message_id"
        case createdAt = "created_at", lastError = "last_error", sentAt = "sent_at", nextAttemptAt = "next_attempt_at", mtaOutput =
            "mta_output"
        case attemptLog = "attempt_log"
    }

    /// Adds what the stored message itself says: headers, parts, size.
    mutating func describe(raw: [UInt8]) {
        let p = ParsedMessage.parse(raw)
        headers = p.headers.map { Header(name: $0.name, value: $0.value) }
        parts = p.parts.map { Part(type: $0.type, bytes: $0.body.count) }
        text = p.text("text/plain")
        size = raw.count
    }

    static var schema: Schema {
        .object([
            .req("id", .integer()), .req("rule", .string()), .req("delegation_id", .string(), "The visit (or agreement) it is about."),
            .req("ref", .string()), .req("recipient", .string()), .opt("recipient_name", .string()),
            .req("view", .string(values: ["member", "host", "coordinator", "partner"])), .req("schedule_version", .integer()),
            .req("status", .string(values: MessageStatus.allCases.map(\.rawValue))), .req("attempts", .integer()),
            .req("message_id", .string()),
            .req("subject", .string()), .req("created_at", .string(format: "date-time")), .opt("last_error", .string()),
            .opt("sent_at", .string(format: "date-time")), .opt("next_attempt_at", .string(format: "date-time")),
            .opt("mta_output", .string(), "What the MTA said (show)."),
            .opt("headers", .array(.object([.req("name", .string()), .req("value", .string())])), "show: the headers, decoded."),
            .opt("parts", .array(.object([.req("type", .string()), .req("bytes", .integer())])), "show: the MIME parts."),
            .opt("size", .integer()), .opt("attempt_log", .array(Attempt.schema)),
            .opt("text", .string(), "show: the plain text part, decoded (what the recipient reads)."),
            .opt("raw", .string(), "show with raw: the message as sent."),
        ])
    }
}

/// One hand-over attempt.
struct Attempt: Codable, Sendable {
    var startedAt: String
    var finishedAt: String?
    var outcome: String
    var detail: String?
    enum CodingKeys: String, CodingKey { case startedAt = "started_at", finishedAt = "finished_at", outcome, detail }

    static var schema: Schema {
        .object([
            .req("started_at", .string(format: "date-time")), .opt("finished_at", .string(format: "date-time")),
            .req("outcome", .string(values: ["sent", "retry", "dead", "in progress"])), .opt("detail", .string()),
        ])
    }
}

/// A delegation event as received.
struct Job: Codable, Sendable {
    var id: Int64
    var eventID, type, partitionKey: String
    var sequence: Int64
    var delegationID: String
    var scheduleVersion: Int64
    var receivedAt: String
    enum CodingKeys: String, CodingKey {
        case id, type, sequence, eventID = "event_id", partitionKey = "partition_key", delegationID = "delegation_id"
        case scheduleVersion = "schedule_version", receivedAt = "received_at"
    }

    static var schema: Schema {
        .object([
            .req("id", .integer()), .req("event_id", .string()), .req("type", .string()), .req("partition_key", .string()),
            .req("sequence", .integer()), .req("delegation_id", .string()), .req("schedule_version", .integer()),
            .req("received_at", .string(format: "date-time")),
        ])
    }
}

/// A message ready to be handed over.
struct DueMessage: Decodable {
    var id: Int64
    var raw: [UInt8]
    var recipient, messageID: String
    var attempts: Int
    var createdMs: Int64
    enum CodingKeys: String, CodingKey { case id, raw, recipient, messageID = "message_id", attempts, createdMs = "created_ms" }
}

/// A reminder that will go out.
struct UpcomingReminder: Codable, Sendable {
    var delegationID: String
    var daysBefore: Int
    var dueAt: String
    var scheduleVersion: Int
    var ref, title, startsAt: String?
    enum CodingKeys: String, CodingKey {
        case delegationID = "delegation_id", daysBefore = "days_before", dueAt = "due_at", scheduleVersion = "schedule_version", ref, title
        case startsAt = "starts_at"
    }

    static var schema: Schema {
        .object([
            .req("delegation_id", .string()), .req("days_before", .integer()), .req("due_at", .string(format: "date-time")),
            .req("schedule_version", .integer()), .opt("ref", .string()), .opt("title", .string()), .opt("starts_at", .string()),
        ])
    }
}
