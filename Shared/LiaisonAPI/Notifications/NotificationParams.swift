import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// Where a message stands.
package enum MessageStatus: String, WireEnum {
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

/// The messages the rules write, as previews name them.
package enum MessageRule: String, WireEnum {
    case schedule, update, cancel, postpone, reminder, removal
    case agreementSigned = "agreement_signed", agreementExpiring = "agreement_expiring", agreementExpired =
        "agreement_expired"

    /// The agreement notices.
    package var isAgreementNotice: Bool { rawValue.hasPrefix("agreement_") }
}

/// `notifications.jobs` filters.
package struct JobFilter: Codable, Sendable, Schematic, Paged {
    package var delegationID: String?
    package var limit: Int?
    package var cursor: String?

    package init(delegationID: String? = nil, limit: Int? = nil) {
        self.delegationID = delegationID
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case delegationID = "delegation_id", limit, cursor
        var rule: FieldRule {
            switch self {
            case .delegationID: .text(64)
            case .limit: .int(1...1000, "Default 100.")
            case .cursor: .text(20, "next_cursor of the previous page.")
            }
        }
    }
}

/// `notifications.list` filters.
package struct MessageFilter: Codable, Sendable, Schematic, Paged {
    package var status: MessageStatus?
    package var delegationID, recipient: String?
    package var limit: Int?
    package var cursor: String?

    package init(status: MessageStatus? = nil, delegationID: String? = nil, recipient: String? = nil, limit: Int? = nil)
    {
        self.status = status
        self.delegationID = delegationID
        self.recipient = recipient
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case status, delegationID = "delegation_id", recipient, limit, cursor
        var rule: FieldRule {
            switch self {
            case .status: .plain
            case .delegationID: .text(64, "Its id or reference.")
            case .recipient: .text(Limits.email)
            case .limit: .int(1...500, "Default 100.")
            case .cursor: .text(20, "next_cursor of the previous page.")
            }
        }
    }
}

/// One hand-over attempt.
package struct Attempt: Codable, Sendable {
    package var startedAt: String
    package var finishedAt: String?
    package var outcome: String
    package var detail: String?

    package init(startedAt: String, finishedAt: String?, outcome: String, detail: String?) {
        (self.startedAt, self.finishedAt, self.outcome, self.detail) = (startedAt, finishedAt, outcome, detail)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case startedAt = "started_at", finishedAt = "finished_at", outcome, detail
        var rule: FieldRule {
            switch self {
            case .startedAt, .finishedAt: .format("date-time")
            case .outcome: .values(["sent", "retry", "dead", "possibly_sent", "in progress"])
            case .detail: .plain
            }
        }
    }
}

/// A message as `notifications.list` and `notifications.show` report it.
package struct MessageRow: Codable, Sendable, Schematic {
    package struct Header: Codable, Sendable {
        package var name, value: String
        package init(name: String, value: String) { (self.name, self.value) = (name, value) }
    }

    package struct Part: Codable, Sendable {
        package var type: String
        package var bytes: Int
        package init(type: String, bytes: Int) { (self.type, self.bytes) = (type, bytes) }
    }

    package var id: Int64
    package var rule, delegationID, ref, recipient: String
    package var recipientName: String?
    package var view: String
    package var scheduleVersion: Int64
    package var status: MessageStatus
    package var attempts: Int64
    package var messageID, subject, createdAt: String
    package var lastError, sentAt, nextAttemptAt, mtaOutput: String?
    package var headers: [Header]?
    package var parts: [Part]?
    package var size: Int?
    package var attemptLog: [Attempt]?
    package var raw: String?
    /// The plain text part, decoded: what the recipient reads.
    package var text: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, rule, ref, recipient, view, status, attempts, subject, headers, parts, size, raw, text
        case delegationID = "delegation_id", recipientName = "recipient_name", scheduleVersion = "schedule_version"
        case messageID = "message_id", createdAt = "created_at", lastError = "last_error", sentAt = "sent_at"
        case nextAttemptAt = "next_attempt_at", mtaOutput = "mta_output", attemptLog = "attempt_log"

        var rule: FieldRule {
            switch self {
            case .delegationID: .doc("The visit (or agreement) it is about.")
            case .view: .values(["member", "host", "coordinator", "partner"])
            case .createdAt, .sentAt, .nextAttemptAt: .format("date-time")
            case .mtaOutput: .doc("What the MTA said (show).")
            case .headers: .doc("show: the headers, decoded.")
            case .parts: .doc("show: the MIME parts.")
            case .text: .doc("show: the plain text part, decoded (what the recipient reads).")
            case .raw: .doc("show with raw: the message as sent.")
            default: .plain
            }
        }
    }
}

/// A page of messages, newest first, with how many messages match the filters other than status.
package struct MessageList: Codable, Sendable, Schematic {
    package var page: Page<MessageRow>
    package var counts: [String: Int64]

    package init(page: Page<MessageRow>, counts: [String: Int64]) { (self.page, self.counts) = (page, counts) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case counts
        var rule: FieldRule { .doc("Messages matching the filters other than status, by status.") }
    }

    package init(from decoder: any Decoder) throws {
        page = try Page<MessageRow>(from: decoder)
        counts = try decoder.container(keyedBy: CodingKeys.self).decode([String: Int64].self, forKey: .counts)
    }

    package func encode(to encoder: any Encoder) throws {
        try page.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(counts, forKey: .counts)
    }
}

/// `{id}` of a message, for `show` and `retry`.
package struct MessageID: Codable, Sendable, Schematic {
    package var id: Int64
    package var raw: Bool?

    package init(_ id: Int64, raw: Bool? = nil) { (self.id, self.raw) = (id, raw) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, raw
        var rule: FieldRule {
            self == .id
                ? .int(1...(Int64(Int32.max) * 1_000_000), "A message id from notifications.list.")
                : .doc("show: include the message as sent.")
        }
    }
}

/// A delegation event as received.
package struct Job: Codable, Sendable, Schematic {
    package var id: Int64
    package var eventID, type, partitionKey: String
    package var sequence: Int64
    package var delegationID: String
    package var scheduleVersion: Int64
    package var receivedAt: String

    enum CodingKeys: String, CodingKey, FieldKey {
        case id, type, sequence, eventID = "event_id", partitionKey = "partition_key", delegationID = "delegation_id"
        case scheduleVersion = "schedule_version", receivedAt = "received_at"
        var rule: FieldRule { self == .receivedAt ? .format("date-time") : .plain }
    }
}

/// What `retry` did.
package struct RetryResult: Codable, Sendable, Schematic {
    package var id: Int64
    package var status: MessageStatus

    package init(id: Int64, status: MessageStatus) { (self.id, self.status) = (id, status) }
}

/// `notifications.preview`: a delegation (or the id of one seen here), or an agreement.
package struct PreviewParams: Codable, Sendable, Schematic {
    package var delegation: Delegation?
    package var delegationID: String?
    package var agreement: Agreement?
    package var rule: MessageRule?
    /// Every recipient's mail in this language (with English beside it), not in theirs.
    package var language: String?

    package init(
        delegation: Delegation? = nil,
        delegationID: String? = nil,
        agreement: Agreement? = nil,
        rule: MessageRule? = nil,
        language: String? = nil
    ) {
        (self.delegation, self.delegationID, self.agreement, self.rule) = (delegation, delegationID, agreement, rule)
        self.language = language
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case delegation, delegationID = "delegation_id", agreement, rule, language
        var rule: FieldRule {
            switch self {
            case .delegation: .doc("A delegation (as delegations.get answers).")
            case .delegationID: .text(64, "A delegation this service has had events about.")
            case .agreement: .doc("An agreement (as agreements.get answers).")
            case .rule:
                .doc(
                    "Which message; default: what the state calls for. Visits: schedule, update, cancel, postpone, "
                        + "reminder; agreements: agreement_signed, agreement_expiring, agreement_expired."
                )
            case .language:
                .text(
                    16,
                    "A visit's mails as a recipient reading this language (a catalogue's code: en, zh, th, ar, ko, fr, "
                        + "ru …) would get them; default: each recipient's own."
                )
            }
        }
    }
}

/// The messages a preview rendered.
package struct Preview: Codable, Sendable, Schematic {
    package struct Calendar: Codable, Sendable {
        package var method, content: String
        package init(method: String, content: String) { (self.method, self.content) = (method, content) }
    }

    package struct Message: Codable, Sendable {
        package var to, view, subject, text: String
        package var calendar: Calendar?
        package var size: Int?
        package var refused: String?

        package init(
            to: String,
            view: String,
            subject: String,
            text: String,
            calendar: Calendar?,
            size: Int?,
            refused: String?
        ) {
            (self.to, self.view, self.subject, self.text) = (to, view, subject, text)
            (self.calendar, self.size, self.refused) = (calendar, size, refused)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case to, view, subject, text, calendar, size, refused
            var rule: FieldRule { self == .refused ? .doc("Why it could not be built.") : .plain }
        }
    }

    package var rule: MessageRule
    /// The delegation's or the agreement's id.
    package var subjectID: String
    package var messages: [Message]

    package init(rule: MessageRule, subjectID: String, messages: [Message]) {
        (self.rule, self.subjectID, self.messages) = (rule, subjectID, messages)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case rule, subjectID = "subject_id", messages
        var rule: FieldRule { self == .subjectID ? .doc("The delegation's or the agreement's id.") : .plain }
    }
}

/// `notifications.due`.
package struct DueParams: Codable, Sendable, Schematic {
    package var days: Int?

    package init(days: Int? = nil) { self.days = days }

    enum CodingKeys: String, CodingKey, FieldKey {
        case days
        var rule: FieldRule { .int(1...3650, "Default 30.") }
    }
}

/// A reminder that will go out.
package struct UpcomingReminder: Codable, Sendable {
    package var delegationID: String
    package var daysBefore: Int
    package var dueAt: String
    package var scheduleVersion: Int
    package var ref, title, startsAt: String?

    enum CodingKeys: String, CodingKey, FieldKey {
        case delegationID = "delegation_id", daysBefore = "days_before", dueAt = "due_at", scheduleVersion =
            "schedule_version", ref
        case title, startsAt = "starts_at"
        var rule: FieldRule { self == .dueAt ? .format("date-time") : .plain }
    }
}

/// Reminders coming up.
package struct DueList: Codable, Sendable, Schematic {
    package var items: [UpcomingReminder]
    package init(items: [UpcomingReminder]) { self.items = items }
}

/// The notifications service's methods.
package enum NotificationsAPI {
    package static let service = "notifications"

    package static let jobs = Method<JobFilter, Page<Job>>(
        "notifications.jobs",
        on: service,
        .read,
        "The delegation events received, oldest first (the journal the messages come from)."
    )
    package static let list = Method<MessageFilter, MessageList>(
        "notifications.list",
        on: service,
        .read,
        "Messages, newest first, by status and/or delegation."
    )
    package static let show = Method<MessageID, MessageRow>(
        "notifications.show",
        on: service,
        .read,
        "One message: headers, recipient, attempts with the MTA's output, and (raw: true) the message itself."
    )
    package static let retry = Method<MessageID, RetryResult>(
        "notifications.retry",
        on: service,
        .operate,
        "Queues a dead or possibly-sent message again (an operator's decision; may mail twice if it had been sent)."
    )
    package static let preview = Method<PreviewParams, Preview>(
        "notifications.preview",
        on: service,
        .read,
        "Renders the emails the rules would send now for a delegation (give the delegation, or the id of one this "
            + "service has seen) or an agreement's notices (give the agreement), without sending anything."
    )
    package static let due = Method<DueParams, DueList>(
        "notifications.due",
        on: service,
        .read,
        "Reminders that will go out within the next N days (default 30): armed, of confirmed visits."
    )
}
