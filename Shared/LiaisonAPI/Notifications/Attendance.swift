import LiaisonJSON
import LiaisonWire
import LiaisonModels

/// A person's answer to the invitation to one session (iTIP PARTSTAT).
package enum Answer: String, WireEnum {
    case accepted, declined, tentative
    /// Invited, no answer to the invitation as it now stands.
    case noAnswer = "no_answer"
}

/// `notifications.receive`: one mail as the MTA delivers it to the organizer's address.
package struct ReceiveParams: Codable, Sendable, Schematic {
    /// The message, headers and body, as received (RFC 5322).
    package var raw: String
    /// The envelope sender the MTA gives (exim's `$SENDER`), for the log.
    package var envelopeSender: String?

    package init(raw: String, envelopeSender: String? = nil) { (self.raw, self.envelopeSender) = (raw, envelopeSender) }

    /// The largest message taken: a calendar reply is a few kilobytes.
    package static let maxBytes = 512 * 1024

    enum CodingKeys: String, CodingKey, FieldKey {
        case raw, envelopeSender = "envelope_sender"
        var rule: FieldRule {
            switch self {
            case .raw: .text(ReceiveParams.maxBytes, "The message as received, headers first.")
            case .envelopeSender: .text(Limits.email, "The MTA's envelope sender, logged with the outcome.")
            }
        }
    }
}

/// What became of a received mail.
package enum ReceiveOutcome: String, WireEnum {
    /// At least one answer recorded.
    case recorded
    /// Answers an earlier version of the invitation (or a session since removed): nothing applied.
    case stale
    /// Not from the person invited, or about an invitation they were never sent: nothing applied.
    case refused
    /// A reply to an invitation Liaison does not know (not its UID): nothing applied.
    case unknown
    /// Not a calendar reply at all (a person's mail, an auto-reply): nothing applied.
    case unrelated
    /// A calendar reply that cannot be read: nothing applied.
    case malformed
}

/// `notifications.receive`'s answer: the outcome, why, and each answer recorded.
package struct ReceiveResult: Codable, Sendable, Schematic {
    package struct Recorded: Codable, Sendable {
        package var delegationID, itemID, address: String
        package var answer: Answer

        package init(delegationID: String, itemID: String, address: String, answer: Answer) {
            (self.delegationID, self.itemID, self.address, self.answer) = (delegationID, itemID, address, answer)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case delegationID = "delegation_id", itemID = "item_id", address, answer
            var rule: FieldRule { .plain }
        }
    }

    package var outcome: ReceiveOutcome
    package var reason: String?
    package var recorded: [Recorded]

    package init(outcome: ReceiveOutcome, reason: String? = nil, recorded: [Recorded] = []) {
        (self.outcome, self.reason, self.recorded) = (outcome, reason, recorded)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case outcome, reason, recorded
        var rule: FieldRule { self == .reason ? .doc("Why nothing (or not everything) was applied.") : .plain }
    }
}

/// `notifications.attendance`: one visit.
package struct AttendanceParams: Codable, Sendable, Schematic {
    package var delegationID: String

    package init(delegationID: String) { self.delegationID = delegationID }

    enum CodingKeys: String, CodingKey, FieldKey {
        case delegationID = "delegation_id"
        var rule: FieldRule { .text(64, "A delegation this service has had events about.") }
    }
}

/// Who answered what, per session and person.
package struct Attendance: Codable, Sendable, Schematic {
    /// One invited person's answer to one session.
    package struct Person: Codable, Sendable {
        package var name: String
        package var address: String
        package var answer: Answer
        /// When they answered (the answer counted, or the earlier one).
        package var answeredAt: String?
        /// Their answer to an earlier version of the session (it changed since; no answer yet).
        package var earlier: Answer?

        package init(name: String, address: String, answer: Answer, answeredAt: String?, earlier: Answer?) {
            (self.name, self.address, self.answer, self.answeredAt, self.earlier) = (
                name, address, answer, answeredAt, earlier
            )
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case name, address, answer, answeredAt = "answered_at", earlier
            var rule: FieldRule {
                switch self {
                case .answeredAt: .format("date-time")
                case .earlier: .doc("Their answer to the session before it changed.")
                default: .plain
                }
            }
        }
    }

    /// One session: its people and how many gave each answer.
    package struct Session: Codable, Sendable {
        package var itemID: String
        package var title: String
        package var startsAt: LocalDateTime
        package var people: [Person]
        package var counts: [String: Int]

        package init(itemID: String, title: String, startsAt: LocalDateTime, people: [Person]) {
            (self.itemID, self.title, self.startsAt, self.people) = (itemID, title, startsAt, people)
            counts = Dictionary(grouping: people, by: \.answer.rawValue).mapValues(\.count)
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case itemID = "item_id", title, startsAt = "starts_at", people, counts
            var rule: FieldRule { self == .counts ? .doc("How many gave each answer (no_answer included).") : .plain }
        }
    }

    package var delegationID: String
    package var sessions: [Session]

    package init(delegationID: String, sessions: [Session]) {
        (self.delegationID, self.sessions) = (delegationID, sessions)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case delegationID = "delegation_id", sessions
        var rule: FieldRule { .plain }
    }
}

extension NotificationsAPI {
    /// Takes one mail the MTA delivers to the organizer's address (`liaison mail receive`).
    package static let receive = Method<ReceiveParams, ReceiveResult>(
        "notifications.receive",
        on: service,
        .write,
        "Takes one mail addressed to the invitations' organizer: an iTIP REPLY from the person invited, to the "
            + "invitation as it stands (UID and SEQUENCE), is recorded; anything else is logged and dropped."
    )
    /// Who answered what, per session and person.
    package static let attendance = Method<AttendanceParams, Attendance>(
        "notifications.attendance",
        on: service,
        .read,
        "Each session of a visit with the people invited to it and their answers (accepted, declined, tentative, "
            + "no_answer)."
    )
}
