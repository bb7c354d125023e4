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
    var key: String
    var rule: String
    var subjectID: String
    var subjectRef: String
    var recipient: String
    var recipientName: String?
    var view: String
    var version: Int
    var status: MessageStatus
    var messageID: String
    var subject: String
    var raw: [UInt8]?
    var lastError: String?
    var createdMs: Int64
}

/// A message as `notifications.list` and `notifications.show` report it.
struct MessageRow: Encodable, Sendable {
    struct Header: Codable, Sendable {
        var name: String
        var value: String
    }
    struct Part: Codable, Sendable {
        var type: String
        var bytes: Int
    }
    var id: Int64
    var rule: String
    var delegationID: String
    var ref: String
    var recipient: String
    var recipientName: String?
    var view: String
    var scheduleVersion: Int64
    var status: MessageStatus
    var attempts: Int64
    var messageID: String
    var subject: String
    var createdAt: String
    var lastError: String?
    var sentAt: String?
    var nextAttemptAt: String?
    var mtaOutput: String?
    var headers: [Header]?
    var parts: [Part]?
    var size: Int?
    var attemptLog: [Attempt]?
    var raw: String?

    enum CodingKeys: String, CodingKey {
        case id, rule, ref, recipient, view, status, attempts, subject, headers, parts, size, raw
        case delegationID = "delegation_id", recipientName = "recipient_name", scheduleVersion = "schedule_version", messageID =
            "message_id"
        case createdAt = "created_at", lastError = "last_error", sentAt = "sent_at", nextAttemptAt = "next_attempt_at", mtaOutput =
            "mta_output"
        case attemptLog = "attempt_log"
    }

    /// From a row of `messageColumns` (and `raw` when `full`).
    init(row r: Row, full: Bool) throws {
        id = try r["id"]
        rule = try r["rule"]
        delegationID = try r["subject_id"]
        ref = try r["subject_ref"]
        recipient = try r["recipient"]
        recipientName = try r["recipient_name"]
        view = try r["view"]
        scheduleVersion = try r["version"]
        let s: String = try r["status"]
        status = MessageStatus(rawValue: s) ?? .pending
        attempts = try r["attempts"]
        messageID = try r["message_id"]
        subject = try r["subject"]
        createdAt = Timestamp.rfc3339(millis: try r["created_ms"])
        lastError = try r["last_error"]
        sentAt = (try r["sent_ms"] as Int64?).map { Timestamp.rfc3339(millis: $0) }
        let next: Int64 = try r["next_attempt_ms"] ?? 0
        if status == .pending, next > 0 { nextAttemptAt = Timestamp.rfc3339(millis: next) }
        guard full else { return }
        mtaOutput = try r["mta_output"]
        if let raw: [UInt8] = try r["raw"] {
            let p = ParsedMessage.parse(raw)
            headers = p.headers.map { Header(name: $0.name, value: $0.value) }
            parts = p.parts.map { Part(type: $0.type, bytes: $0.body.count) }
            size = raw.count
        }
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

    init(row r: Row) throws {
        startedAt = Timestamp.rfc3339(millis: try r["started_ms"])
        finishedAt = (try r["finished_ms"] as Int64?).map { Timestamp.rfc3339(millis: $0) }
        outcome = try r["outcome"] ?? "in progress"
        detail = try r["detail"]
    }

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
    var eventID: String
    var type: String
    var partitionKey: String
    var sequence: Int64
    var delegationID: String
    var scheduleVersion: Int64
    var receivedAt: String
    enum CodingKeys: String, CodingKey {
        case id, type, sequence, eventID = "event_id", partitionKey = "partition_key", delegationID = "delegation_id"
        case scheduleVersion = "schedule_version", receivedAt = "received_at"
    }

    init(row r: Row) throws {
        id = try r["id"]
        eventID = try r["event_id"]
        type = try r["event_type"]
        partitionKey = try r["partition_key"]
        sequence = try r["sequence"]
        delegationID = try r["delegation_id"]
        scheduleVersion = try r["schedule_version"]
        receivedAt = Timestamp.rfc3339(millis: try r["received_ms"])
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
struct DueMessage {
    var id: Int64
    var raw: [UInt8]
    var recipient: String
    var messageID: String
    var attempts: Int
    var createdMs: Int64

    init(row r: Row) throws {
        id = try r["id"]
        raw = try r["raw"] ?? []
        recipient = try r["recipient"]
        messageID = try r["message_id"]
        attempts = try r["attempts"]
        createdMs = try r["created_ms"]
    }
}

/// A reminder that will go out.
struct UpcomingReminder: Codable, Sendable {
    var delegationID: String
    var daysBefore: Int
    var dueAt: String
    var scheduleVersion: Int
    var ref: String?
    var title: String?
    var startsAt: String?
    enum CodingKeys: String, CodingKey {
        case delegationID = "delegation_id", daysBefore = "days_before", dueAt = "due_at", scheduleVersion = "schedule_version", ref, title
        case startsAt = "starts_at"
    }

    init(row r: Row) throws {
        delegationID = try r["subject_id"]
        daysBefore = try r["days"]
        dueAt = Timestamp.rfc3339(millis: try r["due_ms"])
        scheduleVersion = try r["version"]
        ref = try r["ref"]
        title = try r["title"]
        startsAt = try r["starts_at"]
    }

    static var schema: Schema {
        .object([
            .req("delegation_id", .string()), .req("days_before", .integer()), .req("due_at", .string(format: "date-time")),
            .req("schedule_version", .integer()), .opt("ref", .string()), .opt("title", .string()), .opt("starts_at", .string()),
        ])
    }
}
