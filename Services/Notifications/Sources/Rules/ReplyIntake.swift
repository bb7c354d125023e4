import LiaisonAPI
import LiaisonModels
import LiaisonProcess
import LiaisonStore

/// Answers to invitations (issue 28, item 2): an iTIP REPLY that reaches the organizer's address
/// is recorded per person and session when it is from the person invited and answers the
/// invitation as it stands; anything else — forged, stale, unrelated, unreadable — is logged and
/// dropped, never applied.
struct ReplyIntake {
    let settings: NotificationsSettings
    let log: Logger
    let now: @Sendable () -> Int64

    /// What to do with one VEVENT of a reply.
    enum Verdict {
        case record(delegation: String, item: String, sequence: Int, answer: Answer)
        case drop(ReceiveOutcome, String)
    }

    func take(_ p: ReceiveParams, _ db: Database) throws -> ReceiveResult {
        let reply: CalendarReply
        do { reply = try CalendarReply.read(Array(p.raw.utf8)) } catch {
            switch error {
            case .notAReply(let why): return dropped(.unrelated, why, p)
            case .malformed(let why): return dropped(.malformed, why, p)
            }
        }
        var recorded: [ReceiveResult.Recorded] = []
        var problems: [(ReceiveOutcome, String)] = []
        for e in reply.events {
            switch try judge(e, from: reply.from, db) {
            case .record(let delegation, let item, let sequence, let answer):
                try NotificationsTables.recordAnswer(
                    db,
                    subjectID: delegation,
                    itemID: item,
                    address: e.attendee,
                    answer: answer,
                    sequence: sequence,
                    nowMillis: now(),
                    messageID: reply.messageID
                )
                recorded.append(.init(delegationID: delegation, itemID: item, address: e.attendee, answer: answer))
                log.notice(
                    "rsvp.recorded",
                    ["delegation": delegation, "item": item, "answer": answer.rawValue, "sequence": String(sequence)]
                )
            case .drop(let outcome, let why): problems.append((outcome, why))
            }
        }
        let why = problems.isEmpty ? nil : problems.map(\.1).joined(separator: "; ")
        guard recorded.isEmpty, let first = problems.first else {
            return ReceiveResult(outcome: .recorded, reason: why, recorded: recorded)
        }
        return dropped(first.0, why ?? first.1, p)
    }

    /// Whether `e` is an answer to apply: to one of Liaison's invitations as it stands now, from
    /// the person it was sent to.
    func judge(_ e: CalendarReply.Event, from: String?, _ db: Database) throws -> Verdict {
        guard let (itemID, delegationID) = Self.split(uid: e.uid, domain: settings.messageIDDomain) else {
            return .drop(.unknown, "UID \(e.uid) is not one of Liaison's invitations")
        }
        guard let d = try NotificationsTables.visit(db, id: delegationID) else {
            return .drop(.unknown, "no visit \(delegationID) here")
        }
        guard let item = d.draft.itinerary.first(where: { $0.id == itemID }) else {
            return .drop(.stale, "the session answered is no longer on \(d.ref)")
        }
        guard NotificationRules.scheduled.contains(d.status) else {
            return .drop(.stale, "\(d.ref) is \(d.status.rawValue): its invitations no longer stand")
        }
        // Never say to whom an invitation went: a refusal goes back to whoever sent the mail.
        guard let r = ScheduleRenderer.recipients(of: d).first(where: { $0.address.lowercased() == e.attendee }),
            PersonalSchedule(d, for: r).mine.contains(where: { $0.id == itemID })
        else {
            return .drop(.refused, "the ATTENDEE was not invited to this session")
        }
        guard from == e.attendee else { return .drop(.refused, "the mail is not from the person invited") }
        guard case .holds = try NotificationsTables.holding(db, subjectID: d.id, address: r.address) else {
            return .drop(.refused, "no invitation to \(d.ref) stands for the ATTENDEE")
        }
        let current = item.rev ?? 1
        if e.sequence < current {
            return .drop(.stale, "it answers version \(e.sequence) of the session, which has changed since")
        }
        guard e.sequence == current else { return .drop(.refused, "SEQUENCE \(e.sequence) was never sent") }
        guard let answer = CalendarReply.answer(e.partstat) else {
            return .drop(
                .refused,
                "PARTSTAT \(e.partstat.isEmpty ? "(none)" : e.partstat) is not an answer Liaison takes "
                    + "(ACCEPTED, DECLINED, TENTATIVE)"
            )
        }
        return .record(delegation: d.id, item: itemID, sequence: current, answer: answer)
    }

    /// `it-…-del-…@domain` → (item, delegation), as `PersonalSchedule.events` makes UIDs.
    static func split(uid: String, domain: String) -> (String, String)? {
        guard let at = uid.lastIndex(of: "@"), uid[uid.index(after: at)...].lowercased() == domain.lowercased()
        else { return nil }
        let local = uid[..<at]
        guard let cut = local.range(of: "-del-", options: .backwards), cut.lowerBound != local.startIndex else {
            return nil
        }
        let delegation = "del-" + local[cut.upperBound...]
        return delegation.count > 4 ? (String(local[..<cut.lowerBound]), delegation) : nil
    }

    func dropped(_ outcome: ReceiveOutcome, _ why: String, _ p: ReceiveParams) -> ReceiveResult {
        let fields: KeyValuePairs<String, String> = [
            "outcome": outcome.rawValue, "reason": why, "bytes": String(p.raw.utf8.count),
            "envelope_sender": p.envelopeSender ?? "",
        ]
        if outcome == .refused || outcome == .unknown {
            log.warning("rsvp.dropped", fields)
        } else {
            log.info("rsvp.dropped", fields)
        }
        return ReceiveResult(outcome: outcome, reason: why)
    }

    /// Each session of `d` with the people invited to it and their answers to it as it stands.
    static func attendance(_ d: Delegation, answers: [String: [String: NotificationsTables.StoredAnswer]]) -> Attendance
    {
        let people = ScheduleRenderer.recipients(of: d).map { r in
            (r, Set(PersonalSchedule(d, for: r).mine.compactMap(\.id)))
        }
        let sessions = ItineraryDays.group(d.draft.itinerary).flatMap(\.items).compactMap {
            _,
            item -> Attendance.Session? in
            guard let id = item.id else { return nil }
            let invited = people.filter { $0.1.contains(id) }.map { r, _ in
                let stored = answers[id]?[r.address.lowercased()]
                let current = stored.flatMap { $0.sequence == (item.rev ?? 1) ? $0.answer : nil }
                return Attendance.Person(
                    name: r.name,
                    address: r.address,
                    answer: current ?? .noAnswer,
                    answeredAt: stored.map { Timestamp.rfc3339(millis: $0.answeredMs) },
                    earlier: current == nil ? stored?.answer : nil
                )
            }
            return Attendance.Session(itemID: id, title: item.title, startsAt: item.startsAt, people: invited)
        }
        return Attendance(delegationID: d.id, sessions: sessions)
    }
}
